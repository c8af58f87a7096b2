"""Cheap performance invariants: pages issue a bounded number of SQL queries."""

from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa

from intake.extensions import db
from intake.models import ItemEvent

from .factories import make_item


@contextlib.contextmanager
def counted_queries(app):
    with app.app_context():
        engine = db.engine
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def item_with_events(app, world, n):
    with app.app_context():
        item = make_item(world)
        db.session.add_all(ItemEvent(item_id=item.id, kind="note", note=f"note {i}",
                                     user_id=world.user_ids["technician"]) for i in range(n - 1))
        db.session.commit()
        return item.code


@pytest.mark.parametrize("url", ["/i/{code}", "/i/{code}/history", "/api/v1/items/{code}"])
def test_item_page_queries_do_not_grow_with_history(app, client, auth, world, url):
    auth.login_as("technician")
    counts = []
    for events in (3, 300):
        code = item_with_events(app, world, events)
        with counted_queries(app) as statements:
            response = client.get(url.format(code=code))
        assert response.status_code == 200
        assert f"note {events - 2}<" in response.get_data(as_text=True).replace('"', "<")  # the newest line
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert counts[0] <= 7  # user, item with its relations, history, release state (checklist, erasures)


def test_item_list_queries_do_not_grow_with_items(app, client, auth, world):
    auth.login_as("volunteer")
    counts = []
    for batch in (2, 40):
        with app.app_context():
            for _ in range(batch):
                make_item(world)
        with counted_queries(app) as statements:
            assert client.get("/items?all=1").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_item_page_shows_the_latest_history_and_links_to_all(app, client, auth, world):
    auth.login_as("technician")
    code = item_with_events(app, world, 25)
    page = client.get(f"/i/{code}").get_data(as_text=True)
    notes = [i for i in range(24) if f"note {i}<" in page]
    assert notes == list(range(14, 24))  # the ten newest
    assert f"/i/{code}/history" in page and "25" in page
    whole = client.get(f"/i/{code}/history").get_data(as_text=True)
    assert [i for i in range(24) if f"note {i}<" in whole] == list(range(24))
    assert whole.index("note 23<") < whole.index("note 0<")  # newest first
    short = item_with_events(app, world, 3)
    assert f"/i/{short}/history" not in client.get(f"/i/{short}").get_data(as_text=True)


def test_history_lines_rendered_once_still_escape_and_follow_renames(app, client, auth, world):
    """The item page keeps each rendered history line; what a line shows stays right."""
    from intake.models import User

    auth.login_as("technician")
    code = item_with_events(app, world, 3)
    with app.app_context():
        item_id = db.session.scalar(sa.select(ItemEvent.item_id).order_by(ItemEvent.id.desc()).limit(1))
        db.session.add(ItemEvent(item_id=item_id, kind="note", note="<script>alert(1)</script>",
                                 user_id=world.user_ids["technician"]))
        db.session.commit()
    for _ in range(2):  # rendered, then kept
        page = client.get(f"/i/{code}").get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    with app.app_context():
        db.session.get(User, world.user_ids["technician"]).name = "Renamed Technician"
        db.session.commit()
    assert client.get(f"/i/{code}").get_data(as_text=True).count("· Renamed Technician") == 3
    assert client.get(f"/i/{code}/history").get_data(as_text=True).count("· Renamed Technician") == 3


def test_history_is_read_through_the_items_index_on_both_databases():
    """PostgreSQL walks the primary key backwards for `WHERE item_id = ? ORDER BY id DESC LIMIT n` (the
    whole table for an old item); ordering by `id + 0` there makes it use the item's index."""
    from sqlalchemy.dialects import postgresql, sqlite

    from intake.services.items import _HISTORY

    for statement in _HISTORY.values():
        assert "ORDER BY item_event.id + 0 DESC" in str(statement.compile(dialect=postgresql.dialect()))
        assert "ORDER BY item_event.id DESC" in str(statement.compile(dialect=sqlite.dialect()))


def test_a_sale_reads_the_items_checks_and_erasures_once(app, world):
    """Whether it is "reconditionné" and whether it may be sold both come from one read of its release state."""
    from decimal import Decimal

    from intake.clock import local_today
    from intake.services.outcomes import record_sale

    from .factories import make_ready, user

    with app.app_context():
        item = make_ready(world)  # a phone: data-bearing, so its erasures are read too
        seller = user(world, "technician")
        with counted_queries(app) as statements:
            sale = record_sale(db.session, item, user=seller, price=Decimal("30"), sold_on=local_today(),
                               channel="shop")
        assert sale.refurbished
        reads = [statement for statement in statements if statement.lstrip().upper().startswith("SELECT")
                 and ("FROM item_event" in statement or "FROM erasure" in statement)]
        assert len(reads) == 2, reads  # the latest checklist, the erasures
