"""Pages at any size: what they would count on every request (the intake tiles' "most used lately" order,
the workshop's queue tabs) comes from small counters the database keeps exact, and the number of queries of
a page does not grow with the items."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import re

import pytest
import sqlalchemy as sa

from intake.clock import now_utc
from intake.extensions import db
from intake.models import CollectionPoint, Item, Organisation
from intake.services.amendments import Amendment, amend_item
from intake.services.status import change_status

from .conftest import csrf_token_from
from .factories import make_handover, make_item, user
from .test_queries import counted_queries


@pytest.fixture
def volunteer(client, auth, world, app):
    """A volunteer at a point whose tiles put the most used lately first."""
    with app.app_context():
        db.session.get(CollectionPoint, world.point_id).most_used_first = True
        db.session.commit()
    auth.login_as("volunteer")
    page = client.get("/intake/setup")
    client.post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": world.partner_id,
                                       "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert client.get("/intake").status_code == 200
    return client


def log(app, world, count, **values):
    with app.app_context():
        return [make_item(world, **values).code for _ in range(count)]


def usage_from_items() -> set:
    """What the counter must hold: the items per point, category and day, counted the slow way."""
    day = sa.func.date(Item.created_at) if db.engine.dialect.name == "sqlite" else \
        sa.cast(sa.func.timezone("UTC", Item.created_at), sa.Date)
    rows = db.session.execute(sa.select(Item.collection_point_id, Item.category_id, day, sa.func.count())
                              .group_by(Item.collection_point_id, Item.category_id, day))
    return {(point, category, str(day)[:10], count) for point, category, day, count in rows}


def usage_counted() -> set:
    rows = db.session.execute(sa.text("SELECT collection_point_id, category_id, day, items FROM category_usage "
                                      ""))
    return {(point, category, str(day)[:10], count) for point, category, day, count in rows}


def test_tiles_follow_intakes_corrections_and_age(app, volunteer, world):
    log(app, world, 3, category_id=world.bike_id, weight_kg=Decimal("12"))
    log(app, world, 2)
    tiles = volunteer.get("/intake").get_data(as_text=True)
    assert tiles.index("Vélo") < tiles.index("Téléphone")
    with app.app_context():
        bikes = db.session.scalars(sa.select(Item).where(Item.category_id == world.bike_id)).all()
        for bike in bikes[:2]:  # two "bikes" were phones: corrected by the volunteer who logged them
            amend_item(db.session, bike, Amendment({"category_id": world.phone_id}, reason="erreur"),
                       user=user(world, "volunteer"), author_window=timedelta(days=1))
        assert usage_counted() == usage_from_items()
    tiles = volunteer.get("/intake").get_data(as_text=True)
    assert tiles.index("Téléphone") < tiles.index("Vélo")
    with app.app_context():  # the phones were logged long ago: they no longer count as "lately"
        db.session.execute(sa.update(Item).where(Item.category_id == world.phone_id)
                           .values(created_at=now_utc() - timedelta(days=91)))
        db.session.commit()
        assert usage_counted() == usage_from_items()
    tiles = volunteer.get("/intake").get_data(as_text=True)
    assert tiles.index("Vélo") < tiles.index("Téléphone")
    with app.app_context():  # and what is deleted is taken away
        bikes = sa.select(Item.id).where(Item.category_id == world.bike_id).scalar_subquery()
        for table in ("lead_time", "item_event", "issued_code"):
            db.session.execute(sa.text(f"DELETE FROM {table} WHERE item_id IN (SELECT id FROM item WHERE category_id = :c)"),
                               {"c": world.bike_id})
        db.session.execute(sa.delete(Item.__table__).where(Item.id.in_(bikes)))
        db.session.commit()
        assert usage_counted() == usage_from_items()


def test_intake_page_queries_do_not_grow_with_items(app, volunteer, world):
    counts = []
    for batch in (2, 60):
        log(app, world, batch)
        with counted_queries(app) as statements:
            assert volunteer.get("/intake").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_no_statement_of_the_intake_page_scans_the_items(app, volunteer, world):
    """Each statement the page runs, explained by the database itself: none reads the item table whole,
    and the tiles' usage is read through the counter's primary key."""
    log(app, world, 5)
    with app.app_context():
        engine = db.engine
    seen = []

    def record(conn, cursor, statement, parameters, *args):
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert volunteer.get("/intake").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    sqlite = engine.dialect.name == "sqlite"
    plans = []
    with engine.connect() as connection:
        if not sqlite:
            connection.exec_driver_sql("SET enable_seqscan = off")  # tiny tables: say whether an index *can* serve
        for statement, parameters in seen:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            rows = connection.exec_driver_sql(explain + statement, parameters).all()
            plans.append((statement, "\n".join(str(row[-1]) for row in rows)))
    usage = [plan for statement, plan in plans if "category_usage" in statement]
    assert usage, "the tiles' order reads the counter"
    for statement, plan in plans:
        if sqlite:
            assert "SCAN item" not in plan.replace("SCAN item_", ""), (statement, plan)
        else:
            assert "Seq Scan on item " not in plan + " ", (statement, plan)
    for plan in usage:
        assert ("SEARCH category_usage USING INDEX sqlite_autoindex_category_usage_1 (collection_point_id=? AND "
                "category_id=?" in plan) if sqlite else ("using pk_category_usage on category_usage" in plan), plan


def test_queue_tabs_count_what_is_in_each_status(app, client, auth, world):
    with app.app_context():
        codes = log(app, world, 4)
        for code in codes[:3]:
            change_status(db.session, db.session.scalar(sa.select(Item).where(Item.code == code)), "diagnosing",
                          user=user(world, "technician"))
        counted = dict(db.session.execute(sa.text("SELECT status, items FROM status_count")).all())
        assert counted == dict(db.session.execute(sa.select(Item.status, sa.func.count()).group_by(Item.status)).all())
        assert counted == {"received": 1, "diagnosing": 3}
    auth.login_as("technician")
    with counted_queries(app) as statements:
        page = client.get("/workshop?status=diagnosing").get_data(as_text=True)
    assert not [s for s in statements if "count(" in s.lower() and "FROM item" in s], "no count of items"
    assert re.search(r'aria-current="page">[^<(]+\(3\)</a>', page), "the tab of the status shown says 3"


def walk(client, url: str) -> tuple[list[list[str]], list[str]]:
    """Follow a list's "next" links from its first page: the codes or ids of each page, and the links."""
    pages, links = [], []
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(re.findall(r'href="/(?:i|landlord/handovers)/([A-Z0-9]+)"', html))
        found = re.search(r'<a href="([^"]+)" rel="next">', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        if url:
            links.append(url)
    return pages, links


def test_lists_page_by_keyset_showing_each_row_once(app, client, auth, world, monkeypatch):
    from intake.services import items as item_queries, landlord

    monkeypatch.setattr(item_queries, "SEARCH_PAGE_SIZE", 4)
    monkeypatch.setattr(landlord, "PORTAL_PAGE_SIZE", 2)
    with app.app_context():
        codes = log(app, world, 9)
        handovers = [make_handover(world, residence=residence, tenant_ref=f"LOC-{n}").id
                     for n, residence in enumerate(("B", "A", "B", "A", "C"))]
    auth.login_as("volunteer")
    pages, links = walk(client, "/items?all=1")
    assert [len(page) for page in pages][:3] == [4, 4, 4]
    shown = [code for page in pages for code in page]
    assert len(shown) == len(set(shown)) and set(codes) <= set(shown)  # newest first, each once
    assert all(re.fullmatch(r"/items\?after=\d+&all=1|/items\?all=1&after=\d+", link) for link in links), links
    # A cursor that is not one, or names a row not in the list, gives the first page.
    for bogus in ("x", "-1", "99999999999999999999", "0"):
        assert walk(client, f"/items?all=1&after={bogus}")[0][0] == pages[0]
    auth.login_as("landlord")
    pages, links = walk(client, "/landlord/")
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [int(i) for page in pages for i in page] == [handovers[i] for i in (1, 3, 0, 2, 4)]  # A, A, B, B, C
    assert not any("LOC" in link or "after=" not in link for link in links)  # only an id in the link
    # Another landlord's handover as the cursor: the first page, nothing of it.
    with app.app_context():
        other = Organisation(name="Autre bailleur", kind="social_landlord")
        db.session.add(other)
        db.session.commit()
        theirs = make_handover(world, landlord_id=other.id, residence="Z", tenant_ref="LOC-THEIRS").id
    assert walk(client, f"/landlord/?after={theirs}")[0][0] == pages[0]
