"""Many identical items in one intake: "50 téléphones Orange, 0,17 kg chacun" makes 50 items with 50 codes
at once, all or nothing, sent once (idempotent on the intake's client UUID), their labels printed as one job."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from intake.extensions import db
from intake.models import CollectionPoint, Container, IssuedCode, Item, ItemEvent

from .conftest import csrf_token_from
from .test_api_items import bearer, donation, token  # noqa: F401  (the fixture)
from .test_intake_form import intake_fields, volunteer  # noqa: F401  (the fixture)
from .test_labels import decode, pdf_pages
from .test_printer_targets import Listener


def items_of(app, **where):
    with app.app_context():
        query = sa.select(Item).order_by(Item.id)
        for name, value in where.items():
            query = query.where(getattr(Item, name) == value)
        return [(item.code, item.weight_kg, item.tare_kg, item.status) for item in db.session.scalars(query)]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_fifty_phones_at_0_17_kg_each_make_fifty_items_and_codes_once(client, app, world, token):
    body = donation(world, quantity=50, weight_kg="0.17", quantity_confirmed=True)
    first = client.post("/api/v1/items/batch", json=body, headers=bearer(token))
    assert first.status_code == 201, first.get_json()
    made = first.get_json()
    assert made["quantity"] == 50 and len(made["items"]) == 50
    codes = [item["code"] for item in made["items"]]
    assert len(set(codes)) == 50
    assert all(item["weight_kg"] == 0.17 and item["status"] == "received" and item["source"]["name"] == "Orange"
               for item in made["items"])
    stored = items_of(app, source_id=world.partner_id)
    assert [code for code, *_ in stored] == codes
    assert sum(weight for _, weight, *_ in stored) == Decimal("8.5")
    # Each one's own label in the register, and its own first event.
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCode)
                                 .where(IssuedCode.code.in_(codes), IssuedCode.kind == "assigned")) == 50
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ItemEvent)
                                 .where(ItemEvent.kind == "received")) == 50

    # Sent again (the outbox's retry after a lost answer): the same fifty, nothing more.
    again = client.post("/api/v1/items/batch", json=body, headers=bearer(token))
    assert again.status_code == 200
    assert [item["code"] for item in again.get_json()["items"]] == codes
    assert count(app, Item) == 50 and count(app, ItemEvent) == 50


def test_a_total_weight_is_shared_out_to_the_gram_and_adds_up(client, app, world, token):
    """0,5 kg for three phones: 167 + 167 + 166 g; with a crate's tare, shared out the same way."""
    created = client.post("/api/v1/items/batch", headers=bearer(token), json=donation(
        world, quantity=3, weight_kg="0.5", weight_per="total"))
    assert created.status_code == 201, created.get_json()
    assert [item["weight_kg"] for item in created.get_json()["items"]] == [0.167, 0.167, 0.166]

    with app.app_context():
        crate = Container(name="Caisse à vaisselle", tare_kg=Decimal("1.1"))
        db.session.add(crate)
        db.session.commit()
        crate_id = crate.id
    weighed = client.post("/api/v1/items/batch", headers=bearer(token), json=donation(
        world, quantity=4, weight_kg="2.1", weight_per="total", container_id=crate_id))
    assert weighed.status_code == 201, weighed.get_json()
    items = weighed.get_json()["items"]
    assert [item["weight_kg"] for item in items] == [0.25] * 4
    assert [item["tare_kg"] for item in items] == [0.275] * 4
    # The scale read 2,1 kg: net and tare of the four add up to it.
    assert sum(Decimal(str(i["weight_kg"])) + Decimal(str(i["tare_kg"])) for i in items) == Decimal("2.1")


@pytest.mark.parametrize("changes, field", [
    ({"quantity": 201, "quantity_confirmed": True}, "quantity"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": 5, "weight_per": "each"}, "weight_per"),
])
def test_out_of_range_numbers_are_refused_with_the_field_named(client, app, world, token, changes, field):
    response = client.post("/api/v1/items/batch", json=donation(world, **changes), headers=bearer(token))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
    assert count(app, Item) == 0


def test_a_large_number_is_asked_before_anything_is_made(client, app, world, token):
    body = donation(world, quantity=21)
    refused = client.post("/api/v1/items/batch", json=body, headers=bearer(token))
    assert refused.status_code == 422
    assert "21" in refused.get_json()["errors"]["json"]["quantity"][0]
    assert count(app, Item) == 0
    # Twenty needs no confirmation; twenty-one confirmed is made.
    assert client.post("/api/v1/items/batch", json=donation(world, quantity=20),
                       headers=bearer(token)).status_code == 201
    assert client.post("/api/v1/items/batch", json={**body, "quantity_confirmed": True},
                       headers=bearer(token)).status_code == 201
    assert count(app, Item) == 41


def test_what_cannot_apply_to_many_items_is_refused(client, app, world, token):
    with app.app_context():
        crate = Container(name="Caisse à vaisselle", tare_kg=Decimal("1"))
        db.session.add(crate)
        db.session.commit()
        crate_id = crate.id
    # One pre-printed sticker cannot go on five items.
    sticker = client.post("/api/v1/items/batch", json=donation(world, quantity=5, code="ABCD-EFGH"),
                          headers=bearer(token))
    assert "code" in sticker.get_json()["errors"]["json"]
    # A container's tare comes off a total, not off each item's weight.
    tare = client.post("/api/v1/items/batch", json=donation(world, quantity=5, container_id=crate_id, weight_kg=2),
                       headers=bearer(token))
    assert "container_id" in tare.get_json()["errors"]["json"]
    # Less than a gram each.
    light = client.post("/api/v1/items/batch", json=donation(world, quantity=5, weight_kg="0.004", weight_per="total"),
                        headers=bearer(token))
    assert "weight_kg" in light.get_json()["errors"]["json"]
    assert count(app, Item) == 0


def test_one_uuid_is_one_intake_whether_sent_as_one_item_or_many(client, app, world, token):
    body = donation(world)
    assert client.post("/api/v1/items", json=body, headers=bearer(token)).status_code == 201
    many = client.post("/api/v1/items/batch", json={**body, "quantity": 3}, headers=bearer(token))
    assert many.status_code == 422 and "client_uuid" in many.get_json()["errors"]["json"]
    other = donation(world, quantity=3)
    assert client.post("/api/v1/items/batch", json=other, headers=bearer(token)).status_code == 201
    single = client.post("/api/v1/items", json={k: v for k, v in other.items() if k != "quantity"},
                         headers=bearer(token))
    assert single.status_code == 422
    assert count(app, Item) == 4


def test_a_code_taken_meanwhile_draws_the_whole_lot_again(client, app, world, token, monkeypatch):
    """All or nothing: a drawn code that is already issued fails the transaction; the retry makes them all."""
    from intake.services import intake as intake_service

    with app.app_context():
        taken = client.post("/api/v1/items", json=donation(world), headers=bearer(token)).get_json()["code"]
    drawn = iter([taken] + [intake_service.new_code() for _ in range(10)])
    monkeypatch.setattr(intake_service, "new_code", lambda: next(drawn))
    made = client.post("/api/v1/items/batch", json=donation(world, quantity=5), headers=bearer(token))
    assert made.status_code == 201, made.get_json()
    codes = [item["code"] for item in made.get_json()["items"]]
    assert taken not in codes and len(set(codes)) == 5
    assert count(app, Item) == 6 and count(app, ItemEvent) == 6


def test_the_phone_form_makes_twenty_and_opens_their_label_job(volunteer, app, world):  # noqa: F811
    html, fields = intake_fields(volunteer)
    assert 'name="quantity"' in html and 'value="total"' in html
    response = volunteer.post("/intake", data={**fields, "category_id": world.phone_id, "weight_kg": "0,17",
                                               "grade": "B", "source_id": world.partner_id, "container_id": 0,
                                               "quantity": "20", "weight_per": "item"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/labels?codes=")
    codes = [code for code, *_ in items_of(app)]
    assert len(codes) == 20
    page = volunteer.get(location).get_data(as_text=True)
    assert "20 articles enregistrés" in page and "Étiquettes à imprimer : 20" in page
    assert all(code in page for code in codes)
    # One sheet PDF holds the twenty labels, each scanning to its own item.
    pdf = volunteer.get("/labels/sheet.pdf", query_string={"codes": " ".join(codes), "stock": "avery-l7651"})
    assert pdf.status_code == 200
    scanned = {text.rsplit("/", 1)[1] for _, image in pdf_pages(pdf.data, 300) for text in decode(image)}
    assert scanned == set(codes)


def test_the_form_asks_before_a_large_number_and_keeps_what_was_typed(volunteer, app, world):  # noqa: F811
    _, fields = intake_fields(volunteer)
    typed = {**fields, "category_id": world.phone_id, "weight_kg": "8,5", "grade": "B", "container_id": 0,
             "source_id": world.partner_id, "quantity": "50", "weight_per": "total"}
    asked = volunteer.post("/intake", data=typed)
    assert asked.status_code == 422
    page = asked.get_data(as_text=True)
    assert "50 articles d’un coup" in page or "50 articles d&#39;un coup" in page
    assert 'name="quantity_confirmed"' in page and 'value="50"' in page
    assert count(app, Item) == 0
    confirmed = volunteer.post("/intake", data={**typed, "quantity_confirmed": "y"})
    assert confirmed.status_code == 302
    assert [weight for _, weight, *_ in items_of(app)] == [Decimal("0.17")] * 50


def test_one_printer_job_for_the_lot_and_a_history_line_each(app, client, auth, world, token):
    made = client.post("/api/v1/items/batch", json=donation(world, quantity=4), headers=bearer(token)).get_json()
    codes = [item["code"] for item in made["items"]]
    listener = Listener()
    app.config["PRINTER_ALLOW_LOCAL"] = True
    app.config["PRINTER_PORTS"] = [listener.port]
    try:
        with app.app_context():
            point = db.session.get(CollectionPoint, world.point_id)
            point.printer_uri, point.printer_stock = f"zpl://127.0.0.1:{listener.port}", "zebra-50x25"
            db.session.commit()
        auth.login_as("volunteer")
        client.post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": 0,
                                           "csrf_token": auth.csrf_token("/intake/setup")})
        page = client.get("/labels", query_string={"codes": " ".join(codes)}).get_data(as_text=True)
        sent = client.post("/labels/send", data={"csrf_token": csrf_token_from(page), "codes": " ".join(codes)},
                           follow_redirects=True)
        assert "4 étiquettes envoyées à l’imprimante" in sent.get_data(as_text=True) or \
            "4 étiquettes envoyées à l&#39;imprimante" in sent.get_data(as_text=True)
    finally:
        listener.close()
    assert listener.received.count(b"^XA") == 4
    with app.app_context():
        printed = db.session.scalars(sa.select(Item.code).join(ItemEvent)
                                     .where(ItemEvent.kind == "label_printed")).all()
    assert sorted(printed) == sorted(codes)


def test_the_label_job_refuses_codes_that_are_not_items_and_needs_the_form_token(client, auth, world):
    auth.login_as("volunteer")
    page = client.get("/labels").get_data(as_text=True)
    assert client.post("/labels/send", data={"codes": "ABCD"}).status_code == 400  # no CSRF token
    unknown = client.post("/labels/send", data={"csrf_token": csrf_token_from(page), "codes": "not-a-code"})
    assert unknown.status_code == 400
    assert client.get("/labels?codes=not-a-code").status_code == 400
    # A code that is no item of ours: nothing is sent.
    other = client.post("/labels/send", data={"csrf_token": csrf_token_from(page), "codes": "ABCD-EFGH"})
    assert other.status_code in (400, 404)
