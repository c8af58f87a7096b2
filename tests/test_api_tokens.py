"""API tokens: named, expiring, listed with their last use, revoked from a page or the CLI, and
revoked when the password changes; a read-only token cannot write."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import sqlalchemy as sa

from intake.extensions import db
from intake.models import ApiToken, User
from intake.clock import now_utc
from intake.services.accounts import issue_token, update_user

from .conftest import csrf_token_from
from .factories import email_for, user


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def can_read(client, token) -> bool:
    return client.get("/api/v1/categories", headers=bearer(token)).status_code == 200


def test_cli_names_lists_expires_and_revokes_tokens(runner, app, client, world):
    made = runner.invoke(args=["users", "token", email_for("technician"), "--name", "Inventaire", "--days", "30"])
    assert made.exit_code == 0, made.output
    token = made.output.strip()
    assert can_read(client, token)
    listing = runner.invoke(args=["users", "tokens", email_for("technician")])
    assert listing.exit_code == 0
    assert "Inventaire" in listing.output and "expires" in listing.output and "last used" in listing.output
    with app.app_context():
        row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "Inventaire"))
        assert row.last_used_at is not None  # the read above
        assert timedelta(days=29) < row.expires_at - now_utc() <= timedelta(days=30)
        token_id = row.id
    revoked = runner.invoke(args=["users", "revoke-token", str(token_id)])
    assert revoked.exit_code == 0, revoked.output
    assert not can_read(client, token)
    assert "revoked" in runner.invoke(args=["users", "tokens", email_for("technician")]).output


def test_an_expired_token_stops_working(app, client, world):
    with app.app_context():
        token = issue_token(db.session, user(world, "volunteer"), name="Vieux script", days=1)
        assert can_read(client, token)
        row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "Vieux script"))
        row.expires_at = now_utc() - timedelta(seconds=1)
        db.session.commit()
    assert not can_read(client, token)


def test_every_token_expires(app, world):
    with app.app_context():
        issue_token(db.session, user(world, "volunteer"))
        assert db.session.scalar(sa.select(ApiToken.expires_at)) is not None


def test_a_password_change_revokes_the_accounts_tokens(app, client, auth, world):
    with app.app_context():
        token = issue_token(db.session, user(world, "technician"), name="Script")
    assert can_read(client, token)
    auth.login_as("coordinator")
    url = f"/admin/users/{world.user_ids['technician']}"
    response = client.post(url, data={"csrf_token": csrf_token_from(client.get(url).get_data(as_text=True)),
                                      "email": email_for("technician"), "name": "Technician Test",
                                      "role": "technician", "organisation_id": 0,
                                      "password": "a brand new password", "active": "y"})
    assert response.status_code == 302
    assert not can_read(client, token)


def test_the_account_page_makes_lists_and_revokes_my_tokens(app, client, auth, world):
    auth.login_as("volunteer")
    page = client.get("/account")
    assert page.status_code == 200
    made = client.post("/account/tokens", data={"csrf_token": csrf_token_from(page.get_data(as_text=True)),
                                                "name": "Balance connectée", "days": "90"})
    assert made.status_code == 200
    html = made.get_data(as_text=True)
    token = re.search(r'<output[^>]*id="new-token"[^>]*>([^<]+)</output>', html).group(1)
    assert "ne sera plus affiché" in html
    assert can_read(client, token)
    listing = client.get("/account").get_data(as_text=True)
    assert "Balance connectée" in listing and token not in listing  # shown once only
    assert "Jamais" not in listing.split("Balance connectée", 1)[1].split("</tr>", 1)[0]  # it was used
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.name == "Balance connectée"))
    revoke = client.post(f"/account/tokens/{token_id}/revoke",
                         data={"csrf_token": csrf_token_from(listing)})
    assert revoke.status_code == 302
    assert not can_read(client, token)
    assert "Révoqué" in client.get("/account").get_data(as_text=True)


def test_nobody_revokes_or_sees_anothers_token(app, client, auth, world):
    with app.app_context():
        token = issue_token(db.session, user(world, "technician"), name="Script de l'atelier")
        token_id = db.session.scalar(sa.select(ApiToken.id))
    auth.login_as("volunteer")
    page = client.get("/account").get_data(as_text=True)
    assert "Script de l" not in page
    response = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 404
    assert can_read(client, token)


def test_a_read_only_token_cannot_write(app, client, world):
    with app.app_context():
        token = issue_token(db.session, user(world, "volunteer"), name="Tableau de bord", read_only=True)
    assert can_read(client, token)
    body = {"client_uuid": str(uuid.uuid4()), "category_id": world.bike_id, "weight_kg": 12, "grade": "B",
            "collection_point_id": world.point_id}
    assert client.post("/api/v1/items", json=body, headers=bearer(token)).status_code == 403


def test_service_password_change_revokes_tokens(app, client, world):
    with app.app_context():
        token = issue_token(db.session, user(world, "volunteer"))
        account = db.session.get(User, world.user_ids["volunteer"])
        update_user(db.session, account, name=account.name, role=account.role, organisation=None, active=True,
                    password="another long password")
    assert not can_read(client, token)
