"""Intake POSTs per second through gunicorn (2 workers), next to a bare Flask insert in the same run.

    python bench/intake_throughput.py [--requests 2000] [--clients 8] [--database sqlite|postgresql]

Both servers run on this machine, one after the other, against a fresh
database of the same kind; the client is the same. The figure that matters
is the ratio intake / bare, since these machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.harness import POSTGRES, ROOT, free_port, gunicorn, hammer, wait_until_up  # noqa: E402


def prepare_intake(database_url: str, instance: str) -> tuple[str, dict]:
    """A migrated database with one collection point, category and volunteer; returns a token and the body shape."""
    script = f"""
import uuid
from decimal import Decimal
from intake import create_app
from intake.extensions import db
from intake.models import Category, CollectionPoint
from intake.services.accounts import create_user, issue_token
from flask_migrate import upgrade
app = create_app({{"SQLALCHEMY_DATABASE_URI": {database_url!r}}})
with app.app_context():
    upgrade()
    point = CollectionPoint(name="Bench")
    category = Category(name="Téléphone", family="electrical", default_weight_kg=Decimal("0.2"))
    db.session.add_all([point, category]); db.session.commit()
    user = create_user(db.session, email="bench@example.org", name="Bench", role="volunteer", password="bench-password")
    print(issue_token(db.session, user), point.id, category.id)
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True,
                         env={**os.environ, "INTAKE_INSTANCE_PATH": instance}).stdout.split()
    token, point_id, category_id = out[-3], int(out[-2]), int(out[-1])
    return token, {"collection_point_id": point_id, "category_id": category_id}


def reset_postgres() -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(POSTGRES)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS bench CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA bench"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per server, over all rounds")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        if args.database == "sqlite":
            intake_url = f"sqlite:///{folder}/intake.sqlite3"
            bare_url = f"sqlite:///{folder}/bare.sqlite3"
        else:
            reset_postgres()
            intake_url = POSTGRES + "?options=-csearch_path%3Dbench"
            bare_url = intake_url
        create_bare = "from bench.bare_app import create_app, db; app = create_app(); app.app_context().push(); db.create_all()"
        subprocess.run([sys.executable, "-c", create_bare], cwd=ROOT, check=True,
                       env={**os.environ, "BARE_DATABASE_URL": bare_url})
        token, ids = prepare_intake(intake_url, folder)

        bare_port, intake_port = free_port(), free_port()
        servers = [
            gunicorn("bench.bare_app:create_app()", {"BARE_DATABASE_URL": bare_url}, bare_port),
            gunicorn("intake:create_app()", {"INTAKE_INSTANCE_PATH": folder, "INTAKE_SQLALCHEMY_DATABASE_URI": intake_url},
                     intake_port),
        ]
        bare_runs, intake_runs = [], []
        try:
            wait_until_up(bare_port)
            wait_until_up(intake_port)
            per_round = args.requests // args.rounds
            # Warm both up (imports, first connections, SQLite caches) before anything counts.
            hammer(bare_port, "POST", "/items", {}, [{"client_uuid": str(uuid.uuid4()), "weight_kg": 0.2,
                                                    "grade": "B"} for _ in range(100)], args.clients)
            hammer(intake_port, "POST", "/api/v1/items", {"Authorization": f"Bearer {token}"},
                   [{"client_uuid": str(uuid.uuid4()), "weight_kg": 0.2, "grade": "B", **ids} for _ in range(100)],
                   args.clients)
            # Rounds alternate between the two servers (the idle one uses no CPU), so that both
            # meet the same machine; the figure is the median of the per-round ratios.
            for _ in range(args.rounds):
                bodies = [{"client_uuid": str(uuid.uuid4()), "weight_kg": 0.2, "grade": "B"} for _ in range(per_round)]
                bare_runs.append(hammer(bare_port, "POST", "/items", {}, bodies, args.clients))
                bodies = [{"client_uuid": str(uuid.uuid4()), "weight_kg": 0.2, "grade": "B", **ids}
                          for _ in range(per_round)]
                intake_runs.append(hammer(intake_port, "POST", "/api/v1/items", {"Authorization": f"Bearer {token}"},
                                          bodies, args.clients))
        finally:
            for server in servers:
                server.terminate()
                server.wait()
        if args.database == "postgresql":
            reset_postgres()

    ratios = sorted(i["per_second"] / b["per_second"] for i, b in zip(intake_runs, bare_runs))
    print(f"database: {args.database}, {args.rounds} × {per_round} POSTs per server from {args.clients} clients, "
          f"gunicorn 2 sync workers")
    for name, runs in (("bare Flask insert", bare_runs), ("intake POST /api/v1/items", intake_runs)):
        print(f"  {name:<28} {statistics.median(r['per_second'] for r in runs):8.1f} req/s   "
              f"p50 {statistics.median(r['p50_ms'] for r in runs):6.1f} ms   "
              f"p99 {max(r['p99_ms'] for r in runs):6.1f} ms   errors {sum(r['errors'] for r in runs)}")
    print(f"  ratio intake / bare: median {statistics.median(ratios):.2f} (rounds {min(ratios):.2f}–{max(ratios):.2f}; "
          f"target >= 0.5, 0 errors)")


if __name__ == "__main__":
    main()
