"""Intake POSTs per second through gunicorn (2 workers), next to a bare Flask insert in the same run.

    python bench/intake_throughput.py [--requests 2000] [--clients 8] [--database sqlite|postgresql] [--form]

By default the API intake (``POST /api/v1/items`` with a token); with --form the phone's form as a volunteer
uses it: ``POST /intake`` with the session and its CSRF token, the redirect followed to the next page (the
item's), counted as one intake. Targets (issue "Scale and cost"): API >= 0.7, form >= 0.4 of the bare insert.

Both servers run on this machine, one after the other, against a fresh
database of the same kind; the client is the same. The figure that matters
is the ratio intake / bare, since these machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.harness import ROOT, free_port, gunicorn, hammer, scratch_postgres, wait_until_up  # noqa: E402

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def signed_in_volunteer(port: int, point_id: int):
    """A volunteer's browser session: signed in, at the bench's collection point."""
    import requests

    browser = requests.Session()
    base = f"http://127.0.0.1:{port}"
    token = CSRF.search(browser.get(base + "/login").text).group(1)
    browser.post(base + "/login", data={"email": "bench@example.org", "password": "bench-password",
                                        "csrf_token": token}, allow_redirects=False)
    token = CSRF.search(browser.get(base + "/intake/setup").text).group(1)
    response = browser.post(base + "/intake/setup", data={"collection_point_id": point_id, "source_id": 0,
                                                          "csrf_token": token}, allow_redirects=False)
    assert response.status_code == 302, response.status_code
    return browser, CSRF.search(browser.get(base + "/intake").text).group(1)


def hammer_form(port: int, count: int, clients: int, ids: dict) -> dict:
    """``count`` form intakes (POST, redirect, next page) from ``clients`` signed-in browsers."""
    latencies, errors, lock = [], [], threading.Lock()
    left = [count]
    sessions = [signed_in_volunteer(port, ids["collection_point_id"]) for _ in range(clients)]

    def worker(browser, token):
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            started = time.perf_counter()
            response = browser.post(f"http://127.0.0.1:{port}/intake", data={
                "csrf_token": token, "client_uuid": str(uuid.uuid4()), "category_id": ids["category_id"],
                "weight_kg": "0,2", "grade": "B", "source_id": 0, "container_id": 0})
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status_code != 200 or len(response.history) != 1:
                    errors.append(response.status_code)

    threads = [threading.Thread(target=worker, args=session) for session in sessions]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {"requests": count, "per_second": count / wall, "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000, "errors": len(errors),
            "first_errors": errors[:3]}


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



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per server, over all rounds")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--form", action="store_true", help="the phone's form instead of the API")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        if args.database == "sqlite":
            intake_url = f"sqlite:///{folder}/intake.sqlite3"
            bare_url = f"sqlite:///{folder}/bare.sqlite3"
        else:
            intake_url = scratch_postgres()
            bare_url = intake_url
        create_bare = "from bench.bare_app import create_app, db; app = create_app(); app.app_context().push(); db.create_all()"
        subprocess.run([sys.executable, "-c", create_bare], cwd=ROOT, check=True,
                       env={**os.environ, "BARE_DATABASE_URL": bare_url})
        token, ids = prepare_intake(intake_url, folder)

        bare_port, intake_port = free_port(), free_port()
        servers = [
            gunicorn("bench.bare_app:create_app()", {"BARE_DATABASE_URL": bare_url}, bare_port),
            # Plain http here: the session cookie may travel without TLS.
            gunicorn("intake:create_app()", {"INTAKE_INSTANCE_PATH": folder, "INTAKE_SQLALCHEMY_DATABASE_URI": intake_url,
                                             "INTAKE_SESSION_COOKIE_SECURE": "false"}, intake_port),
        ]
        bare_runs, intake_runs = [], []
        try:
            wait_until_up(bare_port)
            wait_until_up(intake_port)
            per_round = args.requests // args.rounds
            # Warm both up (imports, first connections, SQLite caches) before anything counts.
            hammer(bare_port, "POST", "/items", {}, [{"client_uuid": str(uuid.uuid4()), "weight_kg": 0.2,
                                                    "grade": "B"} for _ in range(100)], args.clients)
            def intakes(count):
                if args.form:
                    return hammer_form(intake_port, count, args.clients, ids)
                return hammer(intake_port, "POST", "/api/v1/items", {"Authorization": f"Bearer {token}"},
                              [{"client_uuid": str(uuid.uuid4()), "weight_kg": 0.2, "grade": "B", **ids}
                               for _ in range(count)], args.clients)

            intakes(100)
            # Rounds alternate between the two servers (the idle one uses no CPU), so that both
            # meet the same machine; the figure is the median of the per-round ratios.
            for _ in range(args.rounds):
                bodies = [{"client_uuid": str(uuid.uuid4()), "weight_kg": 0.2, "grade": "B"} for _ in range(per_round)]
                bare_runs.append(hammer(bare_port, "POST", "/items", {}, bodies, args.clients))
                intake_runs.append(intakes(per_round))
        finally:
            for server in servers:
                server.terminate()
                server.wait()

    ratios = sorted(i["per_second"] / b["per_second"] for i, b in zip(intake_runs, bare_runs))
    print(f"database: {args.database}, {args.rounds} × {per_round} POSTs per server from {args.clients} clients, "
          f"gunicorn 2 sync workers")
    intake_name = "intake form POST+next page" if args.form else "intake POST /api/v1/items"
    for name, runs in (("bare Flask insert", bare_runs), (intake_name, intake_runs)):
        print(f"  {name:<28} {statistics.median(r['per_second'] for r in runs):8.1f} req/s   "
              f"p50 {statistics.median(r['p50_ms'] for r in runs):6.1f} ms   "
              f"p99 {max(r['p99_ms'] for r in runs):6.1f} ms   errors {sum(r['errors'] for r in runs)}")
    print(f"  ratio intake / bare: median {statistics.median(ratios):.2f} (rounds {min(ratios):.2f}–{max(ratios):.2f}; "
          f"target >= {0.4 if args.form else 0.7}, 0 errors)")


if __name__ == "__main__":
    main()
