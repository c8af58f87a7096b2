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
    assert counts[0] <= 8  # user, item with its relations, history, release state (returns, checklist, erasures)


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
