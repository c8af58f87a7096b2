"""Reads that write (the landlord's access log) while volunteers keep writing intakes.

On SQLite a request that reads first and writes later must not meet another
writer half-way and fail with "database is locked": the test drives the real
pages and API from several threads on a database file (or PostgreSQL).
"""

from __future__ import annotations

import threading
import uuid

import sqlalchemy as sa

from intake.extensions import db
from intake.models import Item, LandlordAccess, User
from intake.services.accounts import issue_token

from .factories import make_handover

WRITERS = 4
INTAKES_PER_WRITER = 40
READS_PER_READER = 40


def test_landlord_reads_never_fail_while_intakes_are_written(app, world):
    with app.app_context():
        handover_id = make_handover(world).id
        volunteer_token = issue_token(db.session, db.session.get(User, world.user_ids["volunteer"]))
        landlord_token = issue_token(db.session, db.session.get(User, world.user_ids["landlord"]))
    failures: list[str] = []

    def write_intakes():
        client = app.test_client()
        for _ in range(INTAKES_PER_WRITER):
            body = {"client_uuid": str(uuid.uuid4()), "category_id": world.bike_id, "weight_kg": 12,
                    "grade": "B", "collection_point_id": world.point_id}
            response = client.post("/api/v1/items", json=body, headers={"Authorization": f"Bearer {volunteer_token}"})
            if response.status_code != 201:
                failures.append(f"intake {response.status_code}")

    def read_as_landlord(urls):
        client = app.test_client()
        for index in range(READS_PER_READER):
            url = urls[index % len(urls)]
            response = client.get(url, headers={"Authorization": f"Bearer {landlord_token}"})
            if response.status_code != 200:
                failures.append(f"{url} {response.status_code}")

    def read_portal():
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"] = _session_id(app, world.user_ids["landlord"])
            cookie["_fresh"] = True
        for index in range(READS_PER_READER):
            url = ("/landlord/", f"/landlord/handovers/{handover_id}", "/landlord/export.csv")[index % 3]
            response = client.get(url)
            if response.status_code != 200:
                failures.append(f"{url} {response.status_code}")

    threads = [threading.Thread(target=write_intakes) for _ in range(WRITERS)]
    threads.append(threading.Thread(target=read_as_landlord, args=(
        ["/api/v1/landlord/handovers", f"/api/v1/landlord/handovers/{handover_id}"],)))
    threads.append(threading.Thread(target=read_portal))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == WRITERS * INTAKES_PER_WRITER + 1
        assert db.session.scalar(sa.select(sa.func.count(LandlordAccess.id))) == 2 * READS_PER_READER


def _session_id(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).get_id()
