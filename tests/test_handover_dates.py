"""A handover's date stays within a sane window: not before the item came in, not after tomorrow.

A date far ahead would keep the tenant's name and signature until then (the
retention period counts from it); 9999-12-31 could not even be counted from.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from intake.clock import local_today
from intake.extensions import db
from intake.models import Handover, TenantIdentity

from .factories import make_ready

LOGGED_AT = datetime(2026, 10, 1, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def code(app, world):
    with app.app_context():
        return make_ready(world, logged_at=LOGGED_AT).code


def hand_over(client, auth, world, code, handed_on):
    auth.login_as("technician")
    return client.post(f"/i/{code}/handover", data={
        "csrf_token": auth.csrf_token(f"/i/{code}/handover"), "landlord_id": world.landlord_org_id,
        "residence": "Les Justices", "tenant_ref": "LJ-7", "handed_on": handed_on, "warranty_months": "12",
        "acceptance": "typed_name", "typed_name": "Camille Martin"})


def handovers(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Handover.id)))


@pytest.mark.parametrize("handed_on", ["9999-12-31", "2100-01-01", "in two days", "2026-09-30", "1900-01-01"])
def test_dates_outside_the_window_are_refused_on_the_form(app, client, auth, world, code, handed_on):
    if handed_on == "in two days":
        with app.app_context():
            handed_on = (local_today() + timedelta(days=2)).isoformat()
    response = hand_over(client, auth, world, code, handed_on)
    assert response.status_code == 422
    assert "La date de remise est comprise entre l’entrée de l’objet (01/10/2026) et demain." in \
        response.get_data(as_text=True).replace("&#39;", "’").replace("'", "’")
    assert handovers(app) == 0


@pytest.mark.parametrize("days_from_today", [None, 0, 1])
def test_dates_inside_the_window_are_kept_with_the_identity_for_the_retention_period(app, client, auth, world, code,
                                                                                    days_from_today):
    with app.app_context():
        handed_on = LOGGED_AT.date() if days_from_today is None else local_today() + timedelta(days=days_from_today)
    assert hand_over(client, auth, world, code, handed_on.isoformat()).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Handover.handed_on)) == handed_on
        assert db.session.scalar(sa.select(TenantIdentity.delete_after)) == handed_on + timedelta(days=365)
