"""The coordinators' dashboard at scale: its full server time (every figure, every query) for several
filters on a database of N items and about 3N events, next to ``SELECT count(*) FROM item`` in the same
run; and the item page's query count and time at that size.

    python bench/indicators.py [--items 1000000] [--database sqlite|postgresql] [--keep]

The data comes from ``flask --app intake demo --items N`` (services/demo_volume.py). SQLite lives in a
temporary folder (kept with --keep, and reused by the next --keep run); PostgreSQL uses the database
``bench_indicators`` on 127.0.0.1:5432, made afresh unless --keep finds it filled.
Target (issue "Indicators"): at most 1 s of server time for any filter, on both databases.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_indicators"


def timed(function, runs: int) -> float:
    """The median of ``runs`` calls, in milliseconds (after one warm-up call)."""
    function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def database(kind: str, keep: bool) -> tuple[str, str]:
    """(SQLAlchemy URL, instance folder)."""
    instance = os.path.join(tempfile.gettempdir(), f"intake-bench-indicators-{kind}")
    os.makedirs(instance, exist_ok=True)
    if kind == "sqlite":
        path = os.path.join(instance, "intake.sqlite3")
        if not keep and os.path.exists(path):
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
        return "sqlite:///" + path, instance
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = 'bench_indicators'")).scalar()
        if exists and not keep:
            connection.execute(sa.text("DROP DATABASE bench_indicators"))
            exists = False
        if not exists:
            connection.execute(sa.text("CREATE DATABASE bench_indicators"))
    admin.dispose()
    return PG_URL, instance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the database (and reuse a filled one)")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    url, instance = database(options.database, options.keep)
    os.environ["INTAKE_INSTANCE_PATH"] = instance

    from flask_migrate import upgrade

    from intake import create_app
    from intake.extensions import db
    from intake.models import Category, CollectionPoint, Item, Organisation, Territory
    from intake.services.demo import build_demo
    from intake.services.reporting.dashboard import (collected, dashboard, destinations, lead_times, partner_effect,
                                                     stock)
    from intake.services.reporting.filters import PRIVATE, Filters

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "bench.local", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        items = db.session.scalar(sa.select(sa.func.count(Item.id)))
        if items < options.items:
            if items:
                sys.exit(f"the database holds {items} items, fewer than {options.items}: run without --keep")
            started = time.perf_counter()
            build_demo(db.session, item_count=options.items)
            print(f"filled {options.items:,} items in {time.perf_counter() - started:.0f} s")
            if options.database == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(sa.text("VACUUM ANALYZE"))
            else:
                db.session.execute(sa.text("ANALYZE"))
                db.session.commit()
        items = db.session.scalar(sa.select(sa.func.count(Item.id)))
        events = db.session.scalar(sa.text("SELECT count(*) FROM item_event"))
        print(f"{options.database}: {items:,} items, {events:,} events")
        today = date.today()
        year = today.year - 1
        point = db.session.scalar(sa.select(CollectionPoint.id).order_by(CollectionPoint.id))
        territory = db.session.scalar(sa.select(Territory.id).order_by(Territory.id))
        source = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "Décathlon Clichy"))
        category = db.session.scalar(sa.select(Category.id).where(Category.name == "Vélo"))
        cases = [
            ("last year, everything", Filters(date(year, 1, 1), date(year, 12, 31))),
            ("three years, everything", Filters(date(today.year - 3, 1, 1), today)),
            ("a quarter", Filters(date(year, 4, 1), date(year, 6, 30))),
            ("a month", Filters(date(year, 9, 1), date(year, 9, 30))),
            ("last year, one collection point", Filters(date(year, 1, 1), date(year, 12, 31), point_id=point)),
            ("last year, one territory", Filters(date(year, 1, 1), date(year, 12, 31), territory_id=territory)),
            ("last year, dense urban", Filters(date(year, 1, 1), date(year, 12, 31), zone_type="dense_urban")),
            ("last year, electrical family", Filters(date(year, 1, 1), date(year, 12, 31), family="electrical")),
            ("last year, bikes", Filters(date(year, 1, 1), date(year, 12, 31), category_id=category)),
            ("last year, one partner", Filters(date(year, 1, 1), date(year, 12, 31), source=source)),
            ("last year, private donors", Filters(date(year, 1, 1), date(year, 12, 31), source=PRIVATE)),
        ]

        def count_items():
            db.session.execute(sa.text("SELECT count(*) FROM item")).scalar()
            db.session.rollback()

        baseline = timed(count_items, 5)
        print(f"SELECT count(*) FROM item: {baseline:.0f} ms")
        worst = 0.0
        for name, filters in cases:
            def run(filters=filters):
                dashboard(db.session, filters)
                db.session.rollback()
            ms = timed(run, options.runs)
            worst = max(worst, ms)
            print(f"  dashboard, {name:<34} {ms:7.0f} ms  = {ms / baseline:5.1f} x count(*)")
        print(f"slowest filter: {worst:.0f} ms ({'within' if worst <= 1000 else 'OVER'} the 1 s target)")
        print("  where the time goes, last year, everything:")
        for section in (collected, destinations, stock, lead_times, partner_effect):
            def part(section=section):
                section(db.session, cases[0][1])
                db.session.rollback()
            print(f"    {section.__name__:<16} {timed(part, options.runs):7.0f} ms")
        code = db.session.scalar(sa.select(Item.code).order_by(Item.id.desc()).limit(1))

    client = app.test_client()
    with app.app_context():
        from intake.models import User

        email = db.session.scalar(sa.select(User.email).where(User.role == "coordinator"))
    client.post("/login", data={"email": email, "password": "demo-intake-2026"})
    page_ms = timed(lambda: client.get(f"/indicators?year={year}"), options.runs)
    print(f"GET /indicators?year={year} (whole request, page rendered): {page_ms:.0f} ms = "
          f"{page_ms / baseline:.1f} x count(*)")
    with app.app_context():
        engine = db.engine
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    item_ms = timed(lambda: client.get(f"/i/{code}"), 5)
    per_request = len(statements) // 6
    print(f"GET /i/{code}: {item_ms:.1f} ms, {per_request} SQL statements a request (bound: 8 in tests/test_queries.py)")


if __name__ == "__main__":
    main()
