"""One clock for the whole app, and "today" where the organisation is: frozen at 00:30 in Paris in winter
(23:30 UTC the day before), every rule must say it is already the new day."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import sqlalchemy as sa

from intake import clock
from intake.extensions import db
from intake.models import Item, ItemEvent

from .factories import make_item

# 16 January 2026, 00:30 in Paris (UTC+1): still the 15th in UTC.
HALF_PAST_MIDNIGHT_IN_PARIS = datetime(2026, 1, 15, 23, 30, tzinfo=timezone.utc)


def test_column_defaults_and_services_read_the_frozen_clock(app, world, freeze_clock):
    freeze_clock(HALF_PAST_MIDNIGHT_IN_PARIS)
    with app.app_context():
        item = make_item(world)
        assert item.created_at == HALF_PAST_MIDNIGHT_IN_PARIS
        event = db.session.scalar(sa.select(ItemEvent).where(ItemEvent.item_id == item.id))
        assert event.at == HALF_PAST_MIDNIGHT_IN_PARIS
        assert clock.local_today() == date(2026, 1, 16)


def test_there_is_one_now_in_the_package():
    import pathlib

    definitions = [path for path in pathlib.Path("intake").rglob("*.py")
                   if re.search(r"^def now_utc\(", path.read_text(), re.M)]
    assert [str(path) for path in definitions] == ["intake/clock.py"]


def test_todays_labels_after_midnight_in_paris_are_the_new_days(app, client, auth, world, freeze_clock):
    freeze_clock(datetime(2026, 1, 15, 22, 0, tzinfo=timezone.utc))  # 23:00 on the 15th in Paris
    with app.app_context():
        yesterday = make_item(world).code
    freeze_clock(HALF_PAST_MIDNIGHT_IN_PARIS)
    with app.app_context():
        today = make_item(world).code
    auth.login_as("volunteer")
    client.post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": 0,
                                       "csrf_token": auth.csrf_token("/intake/setup")})
    page = client.get("/labels").get_data(as_text=True)
    assert 'value="2026-01-16"' in page  # the day offered is Paris's
    printed = client.get("/labels/print").get_data(as_text=True)
    assert today in printed and yesterday not in printed


def test_the_coordinators_day_after_midnight_in_paris(app, client, auth, world, freeze_clock):
    freeze_clock(datetime(2026, 1, 15, 22, 0, tzinfo=timezone.utc))
    with app.app_context():
        make_item(world)
    freeze_clock(HALF_PAST_MIDNIGHT_IN_PARIS)
    with app.app_context():
        make_item(world)
        make_item(world)
    auth.login_as("coordinator")
    page = client.get("/today").get_data(as_text=True)
    assert "16 janv. 2026" in page or "16 janvier 2026" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 3
    figures = page[page.index('class="figures"'):]
    assert re.search(r"<p><strong>(\d+)</strong>", figures).group(1) == "2"  # the two logged after midnight
