"""Corrections, plausibility and undo through the pages, as volunteers and coordinators use them."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from intake import clock
from intake.extensions import db
from intake.models import IssuedCode, Item, ItemEvent

from .conftest import csrf_token_from, form_values
from .factories import email_for, make_item


def stored(app, code) -> Item:
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == code))
        db.session.expunge(item)
        return item


def correction_form(page: str) -> dict:
    """The correction page's fields as it shows them (what a person who changes nothing would send)."""
    return {name: value for name, value in form_values(page).items() if name != "weight_confirmed"}


def test_a_volunteer_corrects_the_weight_and_the_item_page_shows_the_trail(app, client, auth, world):
    with app.app_context():
        code = make_item(world).code
    auth.login(email_for("volunteer"))
    item_page = client.get(f"/i/{code}").get_data(as_text=True)
    assert f"/i/{code}/correct" in item_page
    page = client.get(f"/i/{code}/correct").get_data(as_text=True)
    form = correction_form(page)
    assert form["weight_kg"] == "0,2"
    response = client.post(f"/i/{code}/correct", data={**form, "weight_kg": "0,35"})
    assert response.status_code == 302, (sorted(form), re.findall(r"class=\"error[^>]*>([^<]*)", response.get_data(as_text=True)))
    assert response.status_code == 302
    item_page = client.get(f"/i/{code}").get_data(as_text=True)
    assert "corrigé" in item_page
    assert re.search(r"Poids : <del>0,2 kg</del> → <ins>0,35 kg</ins>", item_page)
    assert stored(app, code).weight_kg == Decimal("0.35")


def test_after_the_window_the_volunteer_is_told_to_ask_a_coordinator(app, client, auth, world, freeze_clock):
    with app.app_context():
        code = make_item(world).code
    auth.login(email_for("volunteer"))
    moment = clock.now_utc() + timedelta(minutes=16)
    freeze_clock(moment)
    assert f"/i/{code}/correct" not in client.get(f"/i/{code}").get_data(as_text=True)
    response = client.get(f"/i/{code}/correct", follow_redirects=True)
    assert "demandez à la coordination" in response.get_data(as_text=True)


def test_a_coordinator_gives_a_reason_and_a_stale_page_changes_nothing(app, client, auth, world):
    with app.app_context():
        code = make_item(world).code
    auth.login(email_for("coordinator"))
    page = client.get(f"/i/{code}/correct").get_data(as_text=True)
    form = correction_form(page)
    no_reason = client.post(f"/i/{code}/correct", data={**form, "grade": "C"})
    assert no_reason.status_code == 422 and "Dites pourquoi" in no_reason.get_data(as_text=True)
    assert client.post(f"/i/{code}/correct", data={**form, "grade": "C", "reason": "vu à l'atelier"}).status_code == 302
    stale = client.post(f"/i/{code}/correct", data={**form, "grade": "D", "reason": "encore"})
    assert stale.status_code == 422 and "entre-temps" in stale.get_data(as_text=True)
    assert stored(app, code).grade == "C"


def test_the_intake_page_asks_before_storing_an_implausible_weight(app, client, auth, world):
    auth.login(email_for("volunteer"))
    client.post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": 0,
                                       "csrf_token": auth.csrf_token("/intake/setup")})
    page = client.get("/intake").get_data(as_text=True)
    assert 'data-max-weight="20' in page  # the phone's range, for the page's own check
    body = {"csrf_token": csrf_token_from(page), "client_uuid": re.search(r'name="client_uuid"[^>]*value="([^"]+)"', page).group(1),
            "category_id": world.phone_id, "weight_kg": "1250,5", "grade": "B", "source_id": 0, "container_id": 0}
    asked = client.post("/intake", data=body)
    text = asked.get_data(as_text=True)
    assert asked.status_code == 422
    assert "1\u202f250,5 kg pour « Téléphone mobile » ?" in text or "1 250,5 kg pour « Téléphone mobile » ?" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 0
    saved = client.post("/intake", data={**body, "weight_confirmed": "y"})
    assert saved.status_code == 302
    with app.app_context():
        event = db.session.scalar(sa.select(ItemEvent).where(ItemEvent.kind == "received"))
        assert event.data["weight_confirmed"] is True


def test_same_again_says_what_it_copied_and_undo_voids_the_code_for_good(app, client, auth, world, monkeypatch):
    with app.app_context():
        code = make_item(world, source_id=world.partner_id).code
    auth.login(email_for("volunteer"))
    page = client.get(f"/i/{code}").get_data(as_text=True)
    copy_uuid = re.search(r'name="client_uuid" value="([^"]+)"', page).group(1)
    response = client.post(f"/i/{code}/again", data={"csrf_token": csrf_token_from(page), "client_uuid": copy_uuid},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert f"copie de {code}" in text and "Téléphone mobile · 0,2 kg · B" in text
    copy = re.search(r'/i/(\w+)/undo', text).group(1)
    assert copy != code
    undone = client.post(f"/i/{copy}/undo", data={"csrf_token": csrf_token_from(text)}, follow_redirects=True)
    assert "ne sera jamais réutilisé" in undone.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Item.status).where(Item.code == copy)) == "voided"
        assert db.session.get(IssuedCode, copy) is not None  # still in the register: never drawn again
        kinds = db.session.scalars(sa.select(ItemEvent.kind).join(Item).where(Item.code == copy)).all()
        assert kinds == ["received", "voided"]
    assert copy not in client.get("/items?all=1").get_data(as_text=True)


def test_undo_is_refused_after_its_seconds_and_to_anyone_else(app, client, auth, world, freeze_clock):
    with app.app_context():
        code = make_item(world).code
        other = make_item(world, role="technician").code
    auth.login(email_for("volunteer"))
    page = client.get(f"/i/{code}").get_data(as_text=True)
    assert f"/i/{code}/undo" in page
    token = csrf_token_from(page)
    assert f"/i/{other}/undo" not in client.get(f"/i/{other}").get_data(as_text=True)
    client.post(f"/i/{other}/undo", data={"csrf_token": token})
    moment = clock.now_utc() + timedelta(seconds=30)
    freeze_clock(moment)
    assert f"/i/{code}/undo" not in client.get(f"/i/{code}").get_data(as_text=True)
    late = client.post(f"/i/{code}/undo", data={"csrf_token": token}, follow_redirects=True)
    assert "ne peut plus être annulée" in late.get_data(as_text=True)
    assert stored(app, code).status == "received" and stored(app, other).status == "received"


def tile_names(page: str) -> list[str]:
    return re.findall(r'<span class="tile-name">([^<]+)</span>', page)


def test_tiles_keep_the_coordinators_order_whatever_is_logged(app, client, auth, world):
    auth.login(email_for("coordinator"))
    page = client.get(f"/intake/tiles/{world.point_id}").get_data(as_text=True)
    assert client.post(f"/intake/tiles/{world.point_id}", data={
        "csrf_token": csrf_token_from(page), f"position-{world.bike_id}": "1", f"position-{world.phone_id}": "2",
    }).status_code == 302
    with app.app_context():
        for _ in range(5):
            make_item(world)  # phones: the most used, yet the bike stays first
    client.post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": 0,
                                       "csrf_token": auth.csrf_token("/intake/setup")})
    assert tile_names(client.get("/intake").get_data(as_text=True)) == ["Vélo", "Téléphone mobile"]
    # The same order through the API the offline page uses.
    response = client.get(f"/api/v1/categories?collection_point_id={world.point_id}")
    assert [c["name"] for c in response.get_json()] == ["Vélo", "Téléphone mobile"]
    # Only when the coordinator chooses it does use decide.
    page = client.get(f"/intake/tiles/{world.point_id}").get_data(as_text=True)
    client.post(f"/intake/tiles/{world.point_id}", data={
        "csrf_token": csrf_token_from(page), f"position-{world.bike_id}": "1", f"position-{world.phone_id}": "2",
        "most_used_first": "y"})
    assert tile_names(client.get("/intake").get_data(as_text=True)) == ["Téléphone mobile", "Vélo"]
    # Another point keeps its own (default) order.
    with app.app_context():
        from intake.services.catalogue import intake_categories
        assert [c.name for c in intake_categories(db.session, world.other_point_id)] == ["Téléphone mobile", "Vélo"]


def test_only_coordinators_set_the_tile_order(app, client, auth, world):
    auth.login(email_for("volunteer"))
    assert client.get(f"/intake/tiles/{world.point_id}").status_code == 403
    assert client.post(f"/intake/tiles/{world.point_id}",
                       data={"csrf_token": auth.csrf_token(), f"position-{world.bike_id}": "1"}).status_code == 403


def test_a_coordinator_sets_a_categorys_plausible_range(app, client, auth, world):
    auth.login(email_for("coordinator"))
    url = f"/admin/categories/{world.bike_id}"
    values = form_values(client.get(url).get_data(as_text=True))
    wrong = client.post(url, data={**values, "min_weight_kg": "20", "max_weight_kg": "5"})
    assert wrong.status_code in (200, 422) and "doit dépasser" in wrong.get_data(as_text=True)
    assert client.post(url, data={**values, "min_weight_kg": "5", "max_weight_kg": "25"}).status_code == 302
    with app.app_context():
        from intake.models import Category
        from intake.services.weights import implausible_weight
        bike = db.session.get(Category, world.bike_id)
        assert (bike.min_weight_kg, bike.max_weight_kg) == (Decimal("5"), Decimal("25"))
        assert implausible_weight(bike, Decimal("30")) and not implausible_weight(bike, Decimal("24"))


def test_same_again_copies_an_unusual_weight_that_was_confirmed(app, client, auth, world):
    with app.app_context():
        code = make_item(world, weight_kg=Decimal("30"), weight_confirmed=True).code  # a 30 kg "phone"
    auth.login(email_for("volunteer"))
    page = client.get(f"/i/{code}").get_data(as_text=True)
    copy_uuid = re.search(r'name="client_uuid" value="([^"]+)"', page).group(1)
    response = client.post(f"/i/{code}/again", data={"csrf_token": csrf_token_from(page), "client_uuid": copy_uuid})
    assert response.status_code == 302 and f"/i/{code}" not in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id)).where(Item.weight_kg == Decimal("30"))) == 2
