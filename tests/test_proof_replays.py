"""Proof harness, CI part: every intake sent 1–4 times in random interleaving, from several clients at once.

An answer lost on the way back makes a phone send the same intake again, maybe
while the first send is still being served. Whatever the order, each
acknowledged intake must be stored exactly once, under the code every answer
gave, with its intake event. The whole run (gunicorn, 2,000 intakes, killed
workers) is bench/proof.py; this is its small, in-process twin.
"""

from __future__ import annotations

import os
import random
import threading
import uuid
from collections import defaultdict

from intake.extensions import db
from intake.services.accounts import issue_token

from bench.proof_checks import intake_ledger, ledger_problems

from .factories import user

INTAKES = int(os.environ.get("PROOF_REPLAY_INTAKES", "40"))
CLIENTS = 4
SEED = int(os.environ.get("PROOF_SEED", "13"))


def replay_plan(world, rng: random.Random) -> list[dict]:
    """Every intake 1–4 times, shuffled; one in five sent as a burst of copies, as a phone retrying at once."""
    kinds = ((world.phone_id, 0.2, "Fairphone"), (world.bike_id, 14, "Décathlon"), (world.bike_id, 12.5, None))
    bodies = []
    for category_id, weight_kg, brand in (rng.choice(kinds) for _ in range(INTAKES)):
        bodies.append({"client_uuid": str(uuid.uuid4()), "category_id": category_id, "weight_kg": weight_kg,
                       "grade": rng.choice("ABCD"), "collection_point_id": world.point_id, "brand": brand})
    sends, bursts = [], []
    for number, body in enumerate(bodies):
        copies = [body] * rng.randint(1, 4)
        if number % 5 == 0:
            bursts.append(copies)
        else:
            sends.extend(copies)
    rng.shuffle(sends)
    for copies in bursts:
        at = rng.randint(0, len(sends))
        sends[at:at] = copies
    return sends


def test_replayed_intakes_are_stored_exactly_once(app, world):
    rng = random.Random(SEED)
    with app.app_context():
        token = issue_token(db.session, user(world, "volunteer"))
    sends = replay_plan(world, rng)
    answers, unexpected, lock = defaultdict(list), [], threading.Lock()
    queue = iter(sends)

    def client_loop():
        client = app.test_client()
        while True:
            with lock:
                body = next(queue, None)
            if body is None:
                return
            response = client.post("/api/v1/items", json=body, headers={"Authorization": f"Bearer {token}"})
            with lock:
                if response.status_code in (200, 201):
                    answers[body["client_uuid"]].append((response.status_code, response.get_json()["code"]))
                else:
                    unexpected.append((response.status_code, response.get_data(as_text=True)[:200]))

    threads = [threading.Thread(target=client_loop) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client is still waiting after 120 s"

    assert unexpected == [], f"{len(unexpected)} of {len(sends)} sends failed, e.g. {unexpected[:3]}"
    created_twice = {key: got for key, got in answers.items() if [status for status, _ in got].count(201) != 1}
    assert created_twice == {}, "each intake is created (201) once, every replay answers 200"
    two_codes = {key: got for key, got in answers.items() if len({code for _, code in got}) != 1}
    assert two_codes == {}, "every answer for one intake gives the same code"

    # A replay with other content is refused and changes nothing.
    first = sends[0]
    changed = app.test_client().post("/api/v1/items", json={**first, "weight_kg": 99, "grade": "D"},
                                     headers={"Authorization": f"Bearer {token}"})
    assert changed.status_code == 422 and "client_uuid" in changed.get_json()["errors"]["json"]

    with app.app_context():
        acknowledged = {key: got[0][1] for key, got in answers.items()}
        figures = intake_ledger(db.engine, acknowledged)
    assert figures["acknowledged"] == INTAKES and figures["stored"] == INTAKES
    assert ledger_problems(figures) == []
