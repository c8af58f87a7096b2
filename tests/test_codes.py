"""Item codes: unambiguous symbols, a check symbol that catches typos, no collisions under load."""

from __future__ import annotations

import itertools
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from intake.extensions import db
from intake.models import Item, User
from intake.services import codes
from intake.services.accounts import issue_token


def test_codes_avoid_ambiguous_symbols():
    drawn = {codes.new_code() for _ in range(2000)}
    assert len(drawn) > 1990
    assert all(len(code) == codes.CODE_LENGTH for code in drawn)
    assert not set("".join(drawn)) & set("01OI")


def test_every_single_typo_is_caught():
    code = "K7M2QX"
    code = code[:-1] + codes.check_symbol(code[:-1])
    assert codes.normalize_code(code) == code
    for position, symbol in itertools.product(range(len(code)), codes.ALPHABET):
        if symbol != code[position]:
            typo = code[:position] + symbol + code[position + 1:]
            assert codes.normalize_code(typo) is None, typo


def test_most_swapped_neighbours_are_caught():
    caught = total = 0
    for _ in range(300):
        code = codes.new_code()
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
                total += 1
                caught += codes.normalize_code(swapped) is None
    assert caught / total > 0.9


@pytest.mark.parametrize("typed", ["k7m-2q", " K7M 2Q ", "k7m.2q"])
def test_case_spaces_and_dashes_do_not_matter(typed):
    body = "K7M2Q"
    expected = body + codes.check_symbol(body)
    assert codes.normalize_code(typed + codes.check_symbol(body).lower()) == expected


@pytest.mark.parametrize("typed", ["", "K7M2", "K7M2QXX", "O0I1AB", "<script>"])
def test_impossible_codes_are_refused(typed):
    assert codes.normalize_code(typed) is None


def test_200_parallel_intakes_get_200_distinct_codes(app, client, world, monkeypatch):
    """Threads against the app, with the code space shrunk so that collisions really happen."""
    with app.app_context():
        token = issue_token(db.session, db.session.get(User, world.user_ids["volunteer"]))
    bodies = ["AAA" + x + y for x in codes.ALPHABET for y in codes.ALPHABET[:10]]
    pool = [body + codes.check_symbol(body) for body in bodies]  # 320 codes
    draws = itertools.count()

    def colliding_code():
        # One draw in four repeats the one before: a quarter of the draws are already taken.
        return pool[(next(draws) * 3 // 4) % len(pool)]

    monkeypatch.setattr(codes, "new_code", colliding_code)
    monkeypatch.setattr("intake.services.intake.new_code", colliding_code)

    def post(n):
        body = {"client_uuid": str(uuid.uuid4()), "category_id": world.phone_id, "weight_kg": 0.2,
                "grade": "B", "collection_point_id": world.point_id}
        with app.test_client() as own_client:
            response = own_client.post("/api/v1/items", json=body, headers={"Authorization": f"Bearer {token}"})
            return response.status_code, response.get_json().get("code")

    with ThreadPoolExecutor(max_workers=16) as executor:
        results = list(executor.map(post, range(200)))
    assert [status for status, _ in results] == [201] * 200
    assert len({code for _, code in results}) == 200
    assert next(draws) > 230  # collisions did happen, and were retried
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 200
        assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Item.code)))) == 200


def test_parallel_replays_of_one_intake_make_one_item(app, world):
    with app.app_context():
        token = issue_token(db.session, db.session.get(User, world.user_ids["volunteer"]))
    body = {"client_uuid": str(uuid.uuid4()), "category_id": world.phone_id, "weight_kg": 0.2,
            "grade": "B", "collection_point_id": world.point_id}

    def post(_):
        with app.test_client() as own_client:
            response = own_client.post("/api/v1/items", json=body, headers={"Authorization": f"Bearer {token}"})
            return response.status_code, response.get_json()["code"]

    with ThreadPoolExecutor(max_workers=8) as executor:
        results = list(executor.map(post, range(24)))
    assert sorted(status for status, _ in results) == [200] * 23 + [201]
    assert len({code for _, code in results}) == 1
