"""Signing in: CSRF, the next URL, throttling, sessions tied to the password."""

from __future__ import annotations

import pytest

from intake.extensions import db
from intake.models import User
from intake.services.accounts import update_user

from .factories import PASSWORD, email_for


def test_sign_in_lands_on_the_role_home(client, auth, world):
    response = auth.login(email_for("volunteer"))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/intake"


def test_wrong_password_is_refused_with_a_message(client, auth, world):
    response = auth.login(email_for("volunteer"), "not the password")
    assert response.status_code == 200
    assert "E-mail ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/items").status_code == 302


def test_email_is_case_insensitive(auth, world):
    assert auth.login(email_for("volunteer").upper()).status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/items", "/items"),
    ("/i/ABCDEF", "/i/ABCDEF"),
    ("https://evil.example/", "/"),
    ("//evil.example/x", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_url_stays_on_this_site(client, world, target, expected):
    from .conftest import csrf_token_from

    page = client.get("/login", query_string={"next": target})
    response = client.post("/login", query_string={"next": target}, data={
        "email": email_for("volunteer"), "password": PASSWORD,
        "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == expected


def test_protected_page_sends_to_sign_in_and_back(client, auth, world):
    response = client.get("/items")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    from .conftest import csrf_token_from

    login_url = response.headers["Location"]
    page = client.get(login_url)
    back = client.post(login_url, data={"email": email_for("volunteer"), "password": PASSWORD,
                                        "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert back.headers["Location"] == "/items"


def test_login_without_csrf_token_is_refused(client, world):
    response = client.post("/login", data={"email": email_for("volunteer"), "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/items").status_code == 302


def test_login_is_throttled(client, auth, world):
    statuses = [auth.login(email_for("volunteer"), "wrong password").status_code for _ in range(12)]
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]
    # Even the right password waits: the limit is on attempts.
    assert auth.login(email_for("volunteer")).status_code == 429
    assert "Trop de tentatives" in auth.login(email_for("volunteer")).get_data(as_text=True)


def test_inactive_account_cannot_sign_in(app, auth, world):
    with app.app_context():
        user = db.session.get(User, world.user_ids["technician"])
        user.active = False
        db.session.commit()
    assert auth.login(email_for("technician")).status_code == 200


def test_password_change_ends_other_sessions(app, client, auth, world):
    auth.login_as("technician")
    assert client.get("/items").status_code == 200
    with app.app_context():
        user = db.session.get(User, world.user_ids["technician"])
        update_user(db.session, user, name=user.name, role=user.role, organisation=None, active=True,
                    password="a brand new password")
    assert client.get("/items").status_code == 302


def test_logout_needs_a_post_with_token(client, auth, world):
    auth.login_as("volunteer")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": auth.csrf_token()}).status_code == 302
    assert client.get("/items").status_code == 302


def test_session_cookie_flags(app, auth, world):
    response = auth.login(email_for("volunteer"))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie  # not a development configuration


def test_development_allows_plain_http_cookies(tmp_path, monkeypatch):
    from intake import create_app

    monkeypatch.setenv("INTAKE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("INTAKE_ENV", "development")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert len(app.config["SECRET_KEY"]) == 64
    # The generated key is kept, so every worker and restart shares it.
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"] == app.config["SECRET_KEY"]
