"""What an outside review found exposed: the landlord access log growing a row per handover per list,
unlimited landlord and passport requests, no HSTS over https, database and backup files readable by
every account of the server."""

from __future__ import annotations

import os
import stat

import pytest
import sqlalchemy as sa

from intake.extensions import db
from intake.models import LandlordAccess
from intake.services.accounts import issue_token

from .conftest import POSTGRES_URL
from .factories import make_handover, make_item, user


@pytest.fixture
def handover_ids(app, world):
    with app.app_context():
        return [make_handover(world, tenant_ref=f"LOC-{n}").id for n in range(3)]


def access_rows(app):
    with app.app_context():
        return db.session.scalars(sa.select(LandlordAccess).order_by(LandlordAccess.id)).all()


@pytest.mark.parametrize("url", ["/landlord/", "/landlord/export.csv", "/api/v1/landlord/handovers"])
def test_a_list_view_is_one_row_naming_every_handover_shown(app, client, auth, world, handover_ids, url):
    auth.login_as("landlord")
    for _ in range(2):
        assert client.get(url).status_code == 200
    rows = access_rows(app)
    assert len(rows) == 2
    for row in rows:
        assert (row.object_kind, row.route, row.granted) == ("list", url, True)
        assert sorted(row.shown_ids) == sorted(handover_ids)


def test_an_empty_list_is_a_look_too(app, client, auth, world):
    auth.login_as("landlord")
    assert client.get("/landlord/").status_code == 200
    assert [row.shown_ids for row in access_rows(app)] == [[]]


def test_landlord_views_are_rate_limited_per_account(app, client, auth, world, handover_ids):
    app.config["LANDLORD_RATE_LIMIT"] = "4 per minute"
    with app.app_context():
        token = issue_token(db.session, user(world, "landlord"))
    auth.login_as("landlord")
    statuses = [client.get("/landlord/").status_code for _ in range(3)]
    statuses += [client.get("/api/v1/landlord/handovers", headers={"Authorization": f"Bearer {token}"}).status_code
                 for _ in range(2)]
    assert statuses == [200, 200, 200, 200, 429]
    assert len(access_rows(app)) == 4  # refused views write nothing


def test_the_public_passport_is_rate_limited_for_anonymous_visitors(app, client, auth, world):
    app.config["PASSPORT_RATE_LIMIT"] = "3 per minute"
    with app.app_context():
        code = make_item(world).code
    statuses = [client.get(f"/i/{code}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/i/ZZZZZZ").status_code == 429  # guessing codes counts too
    auth.login_as("technician")  # staff scanning labels all day are not
    assert all(client.get(f"/i/{code}").status_code == 200 for _ in range(5))


def test_the_public_results_page_is_rate_limited_for_anonymous_visitors(app, client, auth, world):
    app.config["RESULTS_RATE_LIMIT"] = "2 per minute"
    assert [client.get("/results").status_code for _ in range(3)] == [200, 200, 429]
    auth.login_as("coordinator")
    assert all(client.get("/results").status_code == 200 for _ in range(3))


def test_hsts_over_https_only(client, world):
    secure = client.get("/login", base_url="https://intake.example.org")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_hsts_behind_a_proxy_that_terminates_https(app, client, world):
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1)
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.skipif(bool(POSTGRES_URL), reason="the SQLite file; PostgreSQL's files are the server's")
def test_the_sqlite_database_is_created_readable_by_its_owner_only(app, world):
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
    for path in (database, database + "-wal", database + "-shm"):
        if os.path.exists(path):
            assert mode(path) == 0o600, path


def test_backups_are_readable_by_their_owner_only(app, runner, world, tmp_path):
    target = tmp_path / "intake.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600


def test_coordinators_read_which_handovers_a_list_showed(app, client, auth, world, handover_ids):
    auth.login_as("landlord")
    client.get("/landlord/")
    auth.login_as("coordinator")
    page = client.get("/landlord-access").get_data(as_text=True)
    assert f"remises affichées : 3 ({', '.join(map(str, handover_ids))})" in page
