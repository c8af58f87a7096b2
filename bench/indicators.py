"""The coordinators' dashboard at scale: its full server time (every figure, every query) for several
filters on a database of N items and about 3N events, next to ``SELECT count(*) FROM item`` in the same
run; and the item page's query count and time at that size.

    python bench/indicators.py [--items 1000000] [--database sqlite|postgresql] [--keep]

The data comes from ``flask --app intake demo --items N`` (services/demo_volume.py), in the volume database
bench/scale.py uses too (bench/harness.py: SQLite in a temporary folder, PostgreSQL ``bench_volume``, or the database
INTAKE_BENCH_VOLUME_DB names), made afresh unless --keep finds it filled; a kept one is migrated first (the
dashboard's tallies are filled by their migration).
Target (issue "Indicators"): at most 1 s of server time for any filter, on both databases.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa  # noqa: E402

from bench.harness import fill_volume, timed, volume_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the database (and reuse a filled one)")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    url, instance = volume_database(options.database, options.keep)
    os.environ["INTAKE_INSTANCE_PATH"] = instance

    from intake import create_app
    from intake.extensions import db
    from intake.models import Category, CollectionPoint, Item, Organisation, Territory
    from intake.services.reporting.dashboard import (collected, dashboard, destinations, faults, lead_times,
                                                     partner_effect, stock)
    from intake.services.reporting.filters import PRIVATE, Filters

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "bench.local", "WTF_CSRF_ENABLED": False})
    fill_volume(app, options.items)
    from intake import scoping
    from intake.models import Structure

    with app.app_context(), contextlib.ExitStack() as inside:
        # As a coordinator's request would: inside the demo structure (its indexes start with it).
        inside.enter_context(scoping.scoped_to(db.session.scalar(sa.select(sa.func.min(Structure.id))), db.session))
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
        worst, worst_case = 0.0, cases[0]
        for name, filters in cases:
            def run(filters=filters):
                dashboard(db.session, filters)
                db.session.rollback()
            ms = timed(run, options.runs)
            if ms > worst:
                worst, worst_case = ms, (name, filters)
            print(f"  dashboard, {name:<34} {ms:7.0f} ms  = {ms / baseline:5.1f} x count(*)")
        print(f"slowest filter: {worst:.0f} ms ({'within' if worst <= 1000 else 'OVER'} the 1 s target)")
        print(f"  where the time goes, {worst_case[0]} (the slowest):")
        for section in (collected, destinations, stock, lead_times, partner_effect, faults):
            def part(section=section):
                section(db.session, worst_case[1])
                db.session.rollback()
            print(f"    {section.__name__:<16} {timed(part, options.runs):7.0f} ms")
        code = db.session.scalar(sa.select(Item.code).order_by(Item.id.desc()).limit(1))

    client = app.test_client()
    with app.app_context():
        from intake.models import Membership, User

        # Roles are per structure (memberships): the user's own role column no longer names coordinators.
        email = db.session.scalar(sa.select(User.email).join(Membership, Membership.user_id == User.id)
                                  .where(Membership.role == "coordinator").limit(1))
    client.post("/login", data={"email": email, "password": "demo-intake-2026"})
    assert client.get(f"/indicators?year={year}").status_code == 200, "the coordinator could not sign in"
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
