"""Intake throughput and the item page with many structures, against the same with one, on PostgreSQL.

One command, one run: a demo database of ``--items`` items (``flask demo --items N``, made once and kept)
is measured with every record in one structure, then with the items (and everything tied to an item)
spread over ``--structures`` structures by a few SQL UPDATEs; the bench's accounts and its item stay in
the first. Each phase measures, through gunicorn (2 sync workers), its own baselines — the bare Flask
"hello" and a bare Flask insert (bench/bare_app.py) — then, in rounds that alternate, the signed-in floor
(the manifest), the item page of an item with ``--events`` lines of history, and intake POSTs
(/api/v1/items with a volunteer's token). The app connects as an account that is not the tables' owner,
so PostgreSQL's row-level security holds as in production; the ORM wall holds anyway.

    python bench/structures.py [--items 100000] [--structures 100] [--requests 1200] [--clients 8]
                               [--database postgresql+psycopg://postgres@127.0.0.1:5432/NAME]

The ratios (page / floor, intake / bare insert) are the figures: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid

import sqlalchemy as sa

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.harness import ROOT, free_port, gunicorn, hammer, wait_until_up  # noqa: E402
from bench.item_page import FLOOR_URL, sign_in  # noqa: E402

APP_ROLE = "intake_bench_app"  # what the app connects as: not the owner, so row-level security applies


def flask(instance: str, url: str, *arguments: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "intake", *arguments], cwd=ROOT, check=True,
                   env={**os.environ, "INTAKE_INSTANCE_PATH": instance, "INTAKE_SQLALCHEMY_DATABASE_URI": url})


def ensure_database(url: str) -> None:
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": target.database}).scalar():
            connection.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()


def prepare(url: str, instance: str, items: int, events: int) -> dict:
    """The demo (made once), an item with ``events`` lines of history, a volunteer's token and the ids an
    intake needs; every record back in the first structure (a previous run spread them)."""
    os.makedirs(instance, exist_ok=True)
    flask(instance, url, "upgrade")
    flask(instance, url, "demo", "--items", str(items))  # says so and adds nothing when data is there
    gather(url)
    script = f"""
import uuid
from decimal import Decimal
import sqlalchemy as sa
from intake import create_app
from intake.extensions import db
from intake.models import Category, CollectionPoint, Item, ItemEvent, Membership, User
from intake.services.accounts import issue_token
from intake.services.demo import DEMO_PASSWORD
from intake.services.intake import Donation, register_donation
app = create_app()
with app.app_context():
    def first(role):
        return db.session.scalar(sa.select(User).join(User.memberships)
                                 .where(Membership.role == role, User.active).order_by(User.id))
    user = first("technician")
    serial = "BENCH-HISTORY-{events}"
    item = db.session.scalar(sa.select(Item).where(Item.serial_number == serial))
    category = db.session.scalar(sa.select(Category).where(Category.data_bearing).order_by(Category.id))
    point = db.session.scalar(sa.select(CollectionPoint).order_by(CollectionPoint.id))
    if item is None:
        item = register_donation(db.session, Donation(client_uuid=uuid.uuid4(), category_id=category.id,
                                 weight_kg=Decimal("2.2"), grade="B", collection_point_id=point.id,
                                 serial_number=serial), user=user).item
        db.session.add_all(ItemEvent(item_id=item.id, kind="note", note=f"note {{i}}", user_id=user.id,
                                     collection_point_id=point.id) for i in range({events} - 1))
        db.session.commit()
    print(item.code, user.email, DEMO_PASSWORD, issue_token(db.session, first("volunteer"), name="bench"),
          point.id, category.id, category.default_weight_kg)
"""
    output = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True,
                            env={**os.environ, "INTAKE_INSTANCE_PATH": instance,
                                 "INTAKE_SQLALCHEMY_DATABASE_URI": url}).stdout.split()
    code, email, password, token, point_id, category_id, weight = output[-7:]
    return {"code": code, "email": email, "password": password, "token": token,
            "body": {"collection_point_id": int(point_id), "category_id": int(category_id),
                     "weight_kg": float(weight), "grade": "B"}}


def scoped_tables(connection) -> list[str]:
    return list(connection.execute(sa.text(
        "SELECT table_name FROM information_schema.columns WHERE column_name = 'structure_id' "
        "AND table_schema = 'public' AND table_name NOT IN ('membership', 'api_token', 'network_member') "
        "ORDER BY table_name")).scalars())


def item_tables(connection) -> list[str]:
    """The scoped tables whose rows hang from an item (they follow it to its structure)."""
    return list(connection.execute(sa.text(
        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.columns s "
        "ON s.table_name = c.table_name AND s.table_schema = c.table_schema AND s.column_name = 'structure_id' "
        "WHERE c.column_name = 'item_id' AND c.table_schema = 'public' ORDER BY c.table_name")).scalars())


def gather(url: str) -> None:
    """Every record in the first structure, the others gone (what the demo makes)."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        first = connection.execute(sa.text("SELECT min(id) FROM structure")).scalar()
        for table in scoped_tables(connection):
            connection.execute(sa.text(f'UPDATE "{table}" SET structure_id = :f WHERE structure_id <> :f'),
                               {"f": first})
        connection.execute(sa.text("DELETE FROM structure WHERE id <> :f"), {"f": first})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")  # the UPDATEs left dead rows in every index
    engine.dispose()


def spread(url: str, structures: int, keep_code: str) -> dict:
    """``structures`` - 1 more structures, and the items (with what hangs from them) dealt out round-robin
    over all of them, but the bench's item; returns how many items the first keeps."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        first = connection.execute(sa.text("SELECT min(id) FROM structure")).scalar()
        for number in range(2, structures + 1):
            connection.execute(sa.text("INSERT INTO structure (name, name_on_labels, updated_at, active) "
                                       "VALUES (:n, false, now(), true)"), {"n": f"Bench structure {number}"})
        ids = list(connection.execute(sa.text("SELECT id FROM structure ORDER BY id")).scalars())
        connection.execute(sa.text(
            "UPDATE item SET structure_id = (:ids)[1 + item.id % :n] WHERE code <> :keep"),
            {"ids": ids, "n": len(ids), "keep": keep_code})
        for table in item_tables(connection):
            if table == "item":
                continue
            connection.execute(sa.text(
                f'UPDATE "{table}" t SET structure_id = i.structure_id FROM item i '
                f"WHERE t.item_id = i.id AND t.structure_id <> i.structure_id"))
        kept = connection.execute(sa.text("SELECT count(*) FROM item WHERE structure_id = :f"), {"f": first}).scalar()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")  # the UPDATEs left dead rows in every index
    engine.dispose()
    return {"structures": structures, "first_keeps": kept}


def app_account(url: str) -> str:
    """The app's URL as an account that may read and write every table but owns none."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if not connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}).scalar():
            connection.exec_driver_sql(f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE}'")
        connection.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
        connection.exec_driver_sql(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    engine.dispose()
    return sa.engine.make_url(url).set(username=APP_ROLE, password=APP_ROLE).render_as_string(hide_password=False)


def bare_schema(url: str) -> str:
    """The bare insert's table, in a schema of its own (empty at each phase)."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS bench_bare CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA bench_bare")
    engine.dispose()
    bare_url = url + ("&" if "?" in url else "?") + "options=-csearch_path%3Dbench_bare"
    create = "from bench.bare_app import create_app, db; app = create_app(); app.app_context().push(); db.create_all()"
    subprocess.run([sys.executable, "-c", create], cwd=ROOT, check=True, env={**os.environ, "BARE_DATABASE_URL": bare_url})
    return bare_url


def measure(url: str, app_url: str, instance: str, bench: dict, args) -> dict:
    """One phase: its baselines, then floor, page and intake in alternating rounds."""
    bare_url = bare_schema(url)
    results = {}
    for name, spec, env, method, path, expected in (
            ("hello", "bench.bare_app:create_hello_app()", {}, "GET", "/hello", 200),
            ("insert", "bench.bare_app:create_app()", {"BARE_DATABASE_URL": bare_url}, "POST", "/items", 201)):
        port = free_port()
        server = gunicorn(spec, env, port)
        try:
            wait_until_up(port)
            bodies = lambda n: [None] * n if method == "GET" else [  # noqa: E731
                {"client_uuid": str(uuid.uuid4()), "weight_kg": 0.2, "grade": "B"} for _ in range(n)]
            hammer(port, method, path, {}, bodies(100), args.clients, expected=expected)
            results[name] = [hammer(port, method, path, {}, bodies(args.requests), args.clients, expected=expected)]
        finally:
            server.terminate()
            server.wait()

    port = free_port()
    server = gunicorn("intake:create_app()", {"INTAKE_INSTANCE_PATH": instance,
                                             "INTAKE_SQLALCHEMY_DATABASE_URI": app_url}, port)
    per_round = args.requests // args.rounds
    token = {"Authorization": f"Bearer {bench['token']}"}

    def intakes(n: int) -> list:
        return [{"client_uuid": str(uuid.uuid4()), **bench["body"]} for _ in range(n)]

    try:
        wait_until_up(port)
        cookie = {"Cookie": sign_in(port, bench["email"], bench["password"])}
        page = f"/i/{bench['code']}"
        hammer(port, "GET", page, cookie, [None] * 200, args.clients, expected=200)
        hammer(port, "GET", FLOOR_URL, cookie, [None] * 200, args.clients, expected=200)
        hammer(port, "POST", "/api/v1/items", token, intakes(100), args.clients)
        results.update(floor=[], page=[], intake=[])
        for _ in range(args.rounds):
            results["floor"].append(hammer(port, "GET", FLOOR_URL, cookie, [None] * per_round, args.clients, 200))
            results["page"].append(hammer(port, "GET", page, cookie, [None] * per_round, args.clients, 200))
            results["intake"].append(hammer(port, "POST", "/api/v1/items", token, intakes(per_round), args.clients))
    finally:
        server.terminate()
        server.wait()
    return results


def rate(runs: list) -> float:
    return statistics.median(run["per_second"] for run in runs)


def summary(results: dict) -> dict:
    return {
        "page/floor": statistics.median(p["per_second"] / f["per_second"]
                                        for p, f in zip(results["page"], results["floor"])),
        "page/hello": rate(results["page"]) / rate(results["hello"]),
        "intake/insert": rate(results["intake"]) / rate(results["insert"]),
        "intake/hello": rate(results["intake"]) / rate(results["hello"]),
        "errors": sum(run["errors"] for runs in results.values() for run in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--structures", type=int, default=100)
    parser.add_argument("--requests", type=int, default=1200, help="per figure, over all rounds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--database", help="default: postgresql+psycopg://postgres@127.0.0.1:5432/"
                                           "intake_bench_structures_<items> (made and filled once)")
    args = parser.parse_args()
    url = args.database or f"postgresql+psycopg://postgres@127.0.0.1:5432/intake_bench_structures_{args.items}"
    instance = f"/tmp/intake-bench-structures-{args.items}"
    started = time.monotonic()
    ensure_database(url)
    bench = prepare(url, instance, args.items, args.events)
    app_url = app_account(url)
    one = measure(url, app_url, instance, bench, args)
    layout = spread(url, args.structures, bench["code"])
    many = measure(url, app_url, instance, bench, args)
    gather(url)

    print(f"PostgreSQL, {args.items} demo items (+ the intakes measured), item with {args.events} events, "
          f"gunicorn 2 sync workers, {args.clients} clients, {args.rounds} rounds × {args.requests // args.rounds}; "
          f"the app as {APP_ROLE} (row-level security on); {time.monotonic() - started:.0f} s")
    print(f"  {args.structures} structures: the first keeps {layout['first_keeps']} items")
    columns = [("1 structure", one), (f"{args.structures} structures", many)]
    print(f"  {'':<26}" + "".join(f"{name:>18}" for name, _ in columns))
    for label, key in (("bare hello req/s", "hello"), ("bare insert req/s", "insert"), ("signed-in floor req/s", "floor"),
                       ("item page req/s", "page"), ("intake POST req/s", "intake")):
        print(f"  {label:<26}" + "".join(f"{rate(results[key]):18.1f}" for _, results in columns))
    for label, key in (("item page p50 ms", "page"), ("intake POST p50 ms", "intake")):
        print(f"  {label:<26}" + "".join(f"{statistics.median(r['p50_ms'] for r in results[key]):18.1f}"
                                         for _, results in columns))
    summaries = [summary(results) for _, results in columns]
    for key in ("page/floor", "page/hello", "intake/insert", "intake/hello"):
        values = [s[key] for s in summaries]
        print(f"  ratio {key:<20}" + "".join(f"{value:18.2f}" for value in values)
              + f"   many/one {values[1] / values[0]:.2f}")
    print(f"  {'errors':<26}" + "".join(f"{s['errors']:18d}" for s in summaries))
    for name, results in columns:
        for key, runs in results.items():
            if any(run["errors"] for run in runs):
                print(f"  {name}, {key}: first errors {[e for run in runs for e in run['first_errors']][:3]}")


if __name__ == "__main__":
    main()
