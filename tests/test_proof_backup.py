"""Proof harness, CI part: a backup restores into a fresh database with the same rows, twice over.

`flask --app intake backup PATH` is the command; restoring is the ordinary tool
of each database: copying the SQLite file into place, or pg_restore into an
empty PostgreSQL database. bench/proof.py also takes a backup in the middle of
its load test.
"""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa

from intake import create_app
from intake.extensions import db
from intake.services.accounts import issue_token

from bench.proof_checks import database_digest, drop, intake_ledger, ledger_problems, restore, sqlite_integrity

from .factories import make_handover, make_item, user


@pytest.fixture
def filled(app, world):
    """A little of everything: items with history, a handover with a signature, a session, tokens."""
    with app.app_context():
        for number in range(5):
            make_item(world, brand=f"Marque {number}", description="écran fêlé\nà revoir")
        make_handover(world)
        issue_token(db.session, user(world, "technician"))
    return world


def digest_of(database_url: str):
    engine = sa.create_engine(database_url)
    try:
        return database_digest(engine)
    finally:
        engine.dispose()


def test_backup_restores_with_equal_counts_and_content_twice(app, runner, filled, tmp_path):
    backup = tmp_path / "intake.backup"
    result = runner.invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        live_url = db.engine.url.render_as_string(hide_password=False)
        live = database_digest(db.engine)
    assert live[0]["item"] == 6 and live[0]["handover"] == 1

    restored = []
    for number in (1, 2):
        name = str(tmp_path / f"restored-{number}.sqlite3") if live_url.startswith("sqlite") \
            else f"{sa.make_url(live_url).database}_restored_{number}"
        url = restore(backup, name, live_url)
        try:
            restored.append(digest_of(url))
            if url.startswith("sqlite"):
                assert sqlite_integrity(sa.create_engine(url)) == "ok"
            # The restored database serves the app: an item reads back through the API.
            copy = create_app({"TESTING": True, "SECRET_KEY": "restored", "SQLALCHEMY_DATABASE_URI": url})
            with copy.app_context():
                token = issue_token(db.session, user(filled, "technician"))
                code = db.session.scalar(sa.select(sa.text("code")).select_from(sa.text("item")).limit(1))
                db.session.remove()
                db.engine.dispose()
            response = copy.test_client().get(f"/api/v1/items/{code}", headers={"Authorization": f"Bearer {token}"})
            with copy.app_context():
                db.engine.dispose()
            assert response.status_code == 200 and response.get_json()["code"] == code
        finally:
            drop(url)
    assert restored[0][0] == live[0], "the restored database has the same rows per table"
    assert restored[0][1] == live[1], "and the same content"
    assert restored[1] == restored[0], "restoring twice gives the same database"


def test_backup_taken_while_intakes_arrive_is_consistent(app, runner, world, tmp_path):
    """The copy is one moment of the database: every item in it has its intake event."""
    with app.app_context():
        token = issue_token(db.session, user(world, "volunteer"))
        live_url = db.engine.url.render_as_string(hide_password=False)
    acknowledged, refused, stop = {}, [], threading.Event()

    def keep_registering():
        client = app.test_client()
        for _ in range(400):
            if stop.is_set():
                return
            body = {"client_uuid": str(uuid.uuid4()), "category_id": world.phone_id, "weight_kg": 0.2, "grade": "B",
                    "collection_point_id": world.point_id}
            response = client.post("/api/v1/items", json=body, headers={"Authorization": f"Bearer {token}"})
            if response.status_code != 201:
                refused.append(response.get_data(as_text=True)[:200])
                return
            acknowledged[body["client_uuid"]] = response.get_json()["code"]

    writer = threading.Thread(target=keep_registering)
    writer.start()
    try:
        while len(acknowledged) < 10 and writer.is_alive():
            stop.wait(0.01)
        before = dict(acknowledged)
        backup = tmp_path / "during.backup"
        result = runner.invoke(args=["backup", str(backup)])
    finally:
        stop.set()
        writer.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert refused == [], "intakes go on while the backup runs"
    name = str(tmp_path / "during.sqlite3") if live_url.startswith("sqlite") \
        else f"{sa.make_url(live_url).database}_during"
    url = restore(backup, name, live_url)
    try:
        engine = sa.create_engine(url)
        figures = intake_ledger(engine, before)
        engine.dispose()
    finally:
        drop(url)
    assert ledger_problems(figures) == [], "what was acknowledged before the backup began is in it, consistent"
    assert figures["stored"] == len(before) and figures["others"] <= len(acknowledged) - len(before) + 1
