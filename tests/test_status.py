"""The item's life: every (status, target) pair for every role, readiness rules, erasures, races."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from intake.extensions import db
from intake.models import Erasure, Item, ItemEvent, User
from intake.models.item import STATUSES
from intake.services.accounts import issue_token
from intake.services.status import (MAY_MOVE_TO, NEEDS_OUTCOME, TRANSITIONS, change_status, record_checklist,
                                   record_erasure)

from .factories import ROLES, make_item

WORKSHOP_ROLES = ("volunteer", "technician", "coordinator")


@pytest.fixture
def tokens(app, world):
    with app.app_context():
        return {role: issue_token(db.session, db.session.get(User, world.user_ids[role])) for role in ROLES}


def put_in(app, code, status):
    """Place an item in a status directly (test set-up, not a transition)."""
    with app.app_context():
        db.session.execute(sa.update(Item).where(Item.code == code).values(status=status))
        db.session.commit()


def make_ready_to_release(app, world, code):
    """Pass its checklist and, for a phone, a verified Purge."""
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        technician = db.session.get(User, world.user_ids["technician"])
        record_checklist(db.session, item, {"Test fonctionnel complet": True}, user=technician)
        record_erasure(db.session, item, user=technician, level="purge", method="ATA Secure Erase", tool="nwipe",
                       tool_version="0.35", verification="passed", storage_serial="S3Z9NB0K", certificate_ref="EFF-1")


def events(app, code) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(ItemEvent.id)).join(Item).where(Item.code == code))


PAIRS = [(origin, target) for origin in STATUSES for target in STATUSES]


@pytest.mark.parametrize("role", WORKSHOP_ROLES + ("landlord",))
def test_every_pair_for_every_role(app, client, world, tokens, role):
    for origin, target in PAIRS:
        with app.app_context():
            code = make_item(world).code
        make_ready_to_release(app, world, code)
        put_in(app, code, origin)
        before = events(app, code)
        body = {"to": target, "note": "test", **({"reason": "breakdown"} if target == "returned" else {})}
        response = client.post(f"/api/v1/items/{code}/transitions", json=body,
                               headers={"Authorization": f"Bearer {tokens[role]}"})
        legal = target in TRANSITIONS[origin]
        if role == "landlord":
            expected = 403
        elif not legal:
            expected = 409
        elif role not in MAY_MOVE_TO[target]:
            expected = 403
        elif target in NEEDS_OUTCOME:
            expected = 409  # a sale, handover or recycling batch is recorded through its own route
        else:
            expected = 200
        assert response.status_code == expected, (role, origin, target, response.get_json())
        if expected == 200:
            assert response.get_json()["status"] == target
            assert events(app, code) == before + 1
            last = response.get_json()["events"][-1]
            assert (last["from_status"], last["to_status"], last["note"]) == (origin, target, "test")
        else:
            assert events(app, code) == before
            if expected == 409:
                body = response.get_json()
                assert body["current"] == origin
                assert set(body["allowed"]) == {t for t in TRANSITIONS[origin] if role in MAY_MOVE_TO[t]}


def test_volunteers_cannot_sell(app, client, world, tokens):
    with app.app_context():
        code = make_item(world).code
    make_ready_to_release(app, world, code)
    put_in(app, code, "ready")
    response = client.post(f"/api/v1/items/{code}/transitions", json={"to": "sold"},
                           headers={"Authorization": f"Bearer {tokens['volunteer']}"})
    assert response.status_code == 403


def move(client, token, code, target, **extra):
    return client.post(f"/api/v1/items/{code}/transitions", json={"to": target, **extra},
                       headers={"Authorization": f"Bearer {token}"})


def test_ready_needs_a_passed_checklist_and_for_a_phone_a_passed_erasure(app, client, world, tokens):
    token = tokens["technician"]
    with app.app_context():
        code = make_item(world).code  # a phone: data-bearing
        technician = db.session.get(User, world.user_ids["technician"])
    assert move(client, token, code, "diagnosing").status_code == 200
    refused = move(client, token, code, "ready")
    assert refused.status_code == 409
    assert "checklist" in refused.get_json()["message"] and "effacées" in refused.get_json()["message"]
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        record_checklist(db.session, item, {"Test fonctionnel complet": False}, user=technician)
    assert move(client, token, code, "ready").status_code == 409
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        record_checklist(db.session, item, {"Test fonctionnel complet": True}, user=technician)
    still = move(client, token, code, "ready")
    assert still.status_code == 409 and "checklist" not in still.get_json()["message"]
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        record_erasure(db.session, item, user=technician, level="clear", method="overwrite", tool="nwipe",
                       tool_version="0.35", verification="failed")
    assert "échoué" in move(client, token, code, "ready").get_json()["message"]
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        record_erasure(db.session, item, user=technician, level="clear", method="overwrite", tool="nwipe",
                       tool_version="0.35", verification="passed")
    # After a failure, a Clear is not enough.
    assert move(client, token, code, "ready").status_code == 409
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        record_erasure(db.session, item, user=technician, level="purge", method="ATA Secure Erase", tool="hdparm",
                       tool_version="9.65", verification="passed")
    assert move(client, token, code, "ready").status_code == 200


def test_a_bike_needs_only_its_checklist(app, client, world, tokens):
    with app.app_context():
        code = make_item(world, category_id=world.bike_id, weight_kg=14).code
        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        record_checklist(db.session, item, {"Test fonctionnel complet": True},
                         user=db.session.get(User, world.user_ids["technician"]))
    put_in(app, code, "repairing")
    assert move(client, tokens["technician"], code, "ready", minutes=45, parts="2 patins de frein").status_code == 200


def test_a_returned_item_needs_new_checks_and_erasure(app, client, world, tokens):
    with app.app_context():
        code = make_item(world).code
    make_ready_to_release(app, world, code)
    token = tokens["technician"]
    put_in(app, code, "handed_over")
    no_reason = move(client, token, code, "returned", note="écran qui clignote")
    assert no_reason.status_code == 422 and "revenu" in no_reason.get_json()["message"]
    assert move(client, token, code, "returned", note="écran qui clignote", reason="breakdown").status_code == 200
    assert move(client, token, code, "repairing").status_code == 200
    assert move(client, token, code, "ready").status_code == 409  # old checklist and erasure do not count
    make_ready_to_release(app, world, code)
    assert move(client, token, code, "ready").status_code == 200


def test_erasure_records_cannot_be_altered(app, world):
    with app.app_context():
        code = make_item(world).code
    make_ready_to_release(app, world, code)
    with app.app_context():
        erasure = db.session.scalar(sa.select(Erasure))
        erasure.verification = "failed"
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(PermissionError):
            db.session.delete(db.session.scalar(sa.select(Erasure)))
            db.session.commit()


def test_moved_meanwhile_is_reported(app, client, world, tokens):
    with app.app_context():
        code = make_item(world).code
    token = tokens["technician"]
    assert move(client, token, code, "diagnosing", **{"from": "received"}).status_code == 200
    late = move(client, token, code, "to_recycle", **{"from": "received"})
    assert late.status_code == 409
    assert "entre-temps" in late.get_json()["message"] and late.get_json()["current"] == "diagnosing"


def test_two_technicians_at_once(app, world, tokens):
    with app.app_context():
        code = make_item(world).code
    put_in(app, code, "diagnosing")
    barrier = threading.Barrier(2)
    results = {}

    def act(name, target):
        with app.test_client() as own:
            barrier.wait()
            results[name] = move(own, tokens["technician"], code, target, **{"from": "diagnosing"})

    threads = [threading.Thread(target=act, args=("a", "repairing")), threading.Thread(target=act, args=("b", "to_recycle"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(response.status_code for response in results.values())
    assert statuses == [200, 409]
    loser = next(r for r in results.values() if r.status_code == 409).get_json()
    assert "entre-temps" in loser["message"]
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        changes = db.session.scalars(sa.select(ItemEvent).where(ItemEvent.item_id == item.id,
                                                                ItemEvent.kind == "status")).all()
        assert len(changes) == 1 and changes[0].to_status == item.status


def test_service_refuses_unknown_barrier(app, world):
    from intake.services.status import TransitionRefused, Work

    with app.app_context():
        item = make_item(world)
        with pytest.raises(TransitionRefused):
            change_status(db.session, item, "to_recycle", user=db.session.get(User, world.user_ids["technician"]),
                          work=Work(barrier="bored"))


def test_coordinator_sets_a_category_checklist(app, client, auth, world, tokens):
    from .conftest import csrf_token_from

    auth.login_as("coordinator")
    url = f"/admin/categories/{world.bike_id}"
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"name": "Vélo", "parent_id": 0, "family": "leisure", "deee_category": "",
                                      "default_weight_kg": "14", "icon": "🚲", "active": "y",
                                      "checklist": "Freins\n  Vitesses \n\nPneus\n", "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    with app.app_context():
        code = make_item(world, category_id=world.bike_id, weight_kg=14).code
    item_page = client.get(f"/i/{code}/checklist").get_data(as_text=True)
    assert "Freins" in item_page and "Vitesses" in item_page and "Pneus" in item_page
    checks = {"check-0": "pass", "check-1": "pass", "check-2": "fail"}
    client.post(f"/i/{code}/checklist", data={**checks, "csrf_token": csrf_token_from(item_page)})
    put_in(app, code, "repairing")
    assert move(client, tokens["coordinator"], code, "ready").status_code == 409  # tyres failed
    client.post(f"/i/{code}/checklist", data={**checks, "check-2": "pass", "csrf_token": csrf_token_from(item_page)})
    assert move(client, tokens["coordinator"], code, "ready").status_code == 200


def test_item_page_forms_move_the_item(app, client, auth, world):
    from .conftest import csrf_token_from

    with app.app_context():
        code = make_item(world).code
    auth.login_as("technician")
    page = client.get(f"/i/{code}").get_data(as_text=True)
    token = csrf_token_from(page)
    done = client.post(f"/i/{code}/status", data={"to": "diagnosing", "seen_status": "received", "note": "écran fêlé",
                                                  "minutes": "10", "csrf_token": token}, follow_redirects=True)
    assert "Désormais : En diagnostic." in done.get_data(as_text=True)
    stale = client.post(f"/i/{code}/status", data={"to": "to_recycle", "seen_status": "received", "csrf_token": token},
                        follow_redirects=True)
    assert "entre-temps" in stale.get_data(as_text=True)
    erasure = client.post(f"/i/{code}/erasure", data={"level": "purge", "method": "Réinitialisation chiffrée",
                                                      "tool": "Android", "tool_version": "14", "verification": "passed",
                                                      "certificate_ref": "<b>EFF-2</b>", "csrf_token": token},
                          follow_redirects=True)
    assert "Effacement enregistré." in erasure.get_data(as_text=True)
    records = client.get(f"/i/{code}/erasure").get_data(as_text=True)
    assert "&lt;b&gt;EFF-2&lt;/b&gt;" in records and "<b>EFF-2" not in records
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Erasure.id))) == 1


def test_staff_scanning_with_the_phone_camera_app_get_back_to_the_item(app, client, world):
    from .conftest import csrf_token_from
    from .factories import PASSWORD, email_for

    with app.app_context():
        code = make_item(world).code
    passport = client.get(f"/i/{code}").get_data(as_text=True)
    assert f"/login?next=/i/{code}" in passport
    page = client.get(f"/login?next=/i/{code}").get_data(as_text=True)
    response = client.post(f"/login?next=/i/{code}", data={"email": email_for("technician"), "password": PASSWORD,
                                                          "csrf_token": csrf_token_from(page)})
    assert response.headers["Location"] == f"/i/{code}"


def test_typed_code_opens_the_item_or_explains(app, client, auth, world):
    with app.app_context():
        code = make_item(world).code
    auth.login_as("technician")
    assert client.get(f"/scan/go?code={code.lower()}").headers["Location"] == f"/i/{code}"
    assert "pas valide" in client.get("/scan/go?code=ABC", follow_redirects=True).get_data(as_text=True)


def test_workshop_queue_oldest_first_and_mine(app, client, auth, world, tokens):
    with app.app_context():
        first, second = make_item(world).code, make_item(world).code
    move(client, tokens["technician"], second, "diagnosing")
    move(client, tokens["coordinator"], first, "diagnosing")
    auth.login_as("technician")
    everyone = client.get("/workshop?status=diagnosing").get_data(as_text=True)
    assert everyone.index(second) < everyone.index(first)  # waiting longer comes first
    mine = client.get("/workshop?status=diagnosing&mine=1").get_data(as_text=True)
    assert second in mine and first not in mine
