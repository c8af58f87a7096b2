"""Sessions end on the server too: a copied cookie dies at sign-out, "sign out everywhere" ends every
session of the account, and staff sessions last a working day, not a month."""

from __future__ import annotations

from intake.clock import now_utc

from .conftest import csrf_token_from
from .factories import email_for


def copied_session(app, client):
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_copied_cookie_stops_working_at_sign_out(app, client, auth, world):
    auth.login_as("technician")
    thief = copied_session(app, client)
    assert thief.get("/items").status_code == 200
    client.post("/logout", data={"csrf_token": auth.csrf_token()})
    assert thief.get("/items").status_code == 302
    assert thief.get("/api/v1/categories").status_code == 401


def test_sign_out_everywhere_from_the_account_page(app, client, auth, world):
    auth.login_as("volunteer")
    phone = copied_session(app, client)
    page = client.get("/account").get_data(as_text=True)
    assert "Se déconnecter partout" in page
    response = client.post("/account/sign-out-everywhere", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert phone.get("/items").status_code == 302
    assert client.get("/items").status_code == 302
    assert auth.login(email_for("volunteer")).status_code == 302  # signing in again works
    assert client.get("/items").status_code == 200
    assert phone.get("/items").status_code == 302


def test_a_coordinator_signs_an_account_out_everywhere(app, client, auth, world):
    lost_phone = app.test_client()
    from .conftest import AuthActions

    AuthActions(lost_phone).login_as("volunteer")
    assert lost_phone.get("/items").status_code == 200
    auth.login_as("coordinator")
    url = f"/admin/users/{world.user_ids['volunteer']}"
    page = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/sign-out-everywhere", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert lost_phone.get("/items").status_code == 302
    assert client.get("/items").status_code == 200  # the coordinator's own session goes on


def test_an_account_is_signed_out_everywhere_from_the_command_line(app, client, auth, runner, world):
    auth.login_as("volunteer")
    assert client.get("/items").status_code == 200
    result = runner.invoke(args=["users", "sign-out", email_for("volunteer")])
    assert result.exit_code == 0, result.output
    assert client.get("/items").status_code == 302


def test_staff_sessions_last_a_working_day(app, client, auth, world):
    app.config["STAFF_SESSION_HOURS"] = 12
    auth.login_as("technician")
    assert client.get("/items").status_code == 200
    with client.session_transaction() as session:
        session["signed_in_at"] = int(now_utc().timestamp()) - 13 * 3600
    response = client.get("/items")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_landlords_keep_the_longer_lifetime(app, client, auth, world):
    app.config["STAFF_SESSION_HOURS"] = 12
    auth.login_as("landlord")
    with client.session_transaction() as session:
        session["signed_in_at"] = int(now_utc().timestamp()) - 13 * 3600
    assert client.get("/landlord/").status_code == 200
