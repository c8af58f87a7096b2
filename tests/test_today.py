"""Each role's home, and the coordinator's day: today's intake, what waits in the workshop, the latest events."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from intake.clock import local_days, local_today
from intake.extensions import db
from intake.services.day_summary import day_summary
from intake.services.status import change_status

from .factories import make_item, user

HOMES = {"volunteer": "/intake", "technician": "/workshop", "coordinator": "/today", "landlord": "/landlord/"}


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_lands_on_its_own_home(client, auth, world, role):
    auth.login_as(role)
    assert client.get("/").headers["Location"] == HOMES[role]


def test_the_day_counts_todays_intake_in_the_organisations_time_zone(app, world):
    with app.app_context():
        today = local_today()
        paris = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
        make_item(world, weight_kg=Decimal("0.25"))
        make_item(world, weight_kg=Decimal("0.5"))
        moved = make_item(world, weight_kg=Decimal("14"), category_id=world.bike_id)
        change_status(db.session, moved, "diagnosing", user=user(world, "technician"))
        # Logged at 23:30 yesterday, Paris time (already "today" in UTC+0 for a moment in winter: not counted).
        late = make_item(world, weight_kg=Decimal("0.3"))
        late.created_at = datetime.combine(today, datetime.min.time(), tzinfo=paris) - timedelta(minutes=30)
        db.session.commit()

        summary = day_summary(db.session, today, local_days(today, today))
        assert (summary.items, summary.kg) == (3, Decimal("14.75"))
        waiting = dict(summary.waiting)
        assert (waiting["received"], waiting["diagnosing"], waiting["ready"]) == (3, 1, 0)
        assert [status for status, _ in summary.waiting][0] == "received"
        assert summary.events[0].kind == "received" and summary.events[0].item_id == late.id
        assert summary.events[1].to_status == "diagnosing"
        assert summary.events[0].at.tzinfo is not None and summary.events[0].at <= datetime.now(timezone.utc)


def test_the_coordinators_day_page_shows_the_figures_and_links_to_the_workshop(client, auth, world, app):
    with app.app_context():
        code = make_item(world, weight_kg=Decimal("0.25")).code
    auth.login_as("coordinator")
    html = client.get("/today").get_data(as_text=True)
    assert "Aujourd’hui" in html and "0,25 kg" in html and "objets saisis aujourd’hui" in html
    assert 'href="/workshop?status=received"' in html and f'href="/i/{code}"' in html
    assert "Volunteer Test" in html  # who logged it
