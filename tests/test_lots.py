"""Weighed lots without labels and the kg leaving each category: the stock stays exact, never below zero
without a correction, and the lots count in the collected figures and the waste register."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from intake.clock import local_today
from intake.extensions import db
from intake.models import Organisation
from intake.services.lots import kept_stock, stock
from intake.services.recycling import open_batch

from .conftest import csrf_token_from
from .factories import user


def post(client, url: str, data: dict, page: str | None = None):
    token = csrf_token_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def on_hand(app, category_id: int) -> Decimal:
    """The stock as the page's ledger says it, checked equal to the stock the writes kept."""
    with app.app_context():
        lines = {line.category_id: line for line in stock(db.session)}
        kept = kept_stock(db.session)
        assert {key: line.on_hand_kg for key, line in lines.items()} == {key: kept[key] for key in lines}
        return lines[category_id].on_hand_kg


def test_a_lot_and_its_exits_keep_the_kg_stock_exact(app, client, auth, world):
    with app.app_context():
        eco = Organisation(name="ecosystem", kind="eco_organism", siren="830300000")
        db.session.add(eco)
        db.session.commit()
        batch = open_batch(db.session, user=user(world, "technician"), eco_organism_id=eco.id,
                           pickup_on=date(2026, 11, 30), stream="other", waste_code="20 03 07").id
    auth.login_as("volunteer")
    intake_page = client.get(f"/intake?point={world.point_id}").get_data(as_text=True)
    assert f"/lots/new?point={world.point_id}" in intake_page  # "Sans étiquette" from the phone's intake page
    lot_url = f"/lots/new?point={world.point_id}"
    response = post(client, lot_url, {"category_id": world.bike_id, "gross_kg": "26,2", "container_id": world.crate_id,
                                      "source_id": world.partner_id, "note": "Vélos d'enfants"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert post(client, lot_url, {"category_id": world.bike_id, "gross_kg": "10", "container_id": "0",
                                  "source_id": "0"}).status_code == 302
    refused = post(client, lot_url, {"category_id": world.bike_id, "gross_kg": "1", "container_id": world.crate_id,
                                     "source_id": "0"})
    assert refused.status_code == 422 and "tare" in refused.get_data(as_text=True)
    assert on_hand(app, world.bike_id) == Decimal("35")  # 26,2 − 1,2 + 10

    auth.login_as("technician")
    exits = [{"kind": "sold", "weight_kg": "5", "price": "12"},
             {"kind": "given", "weight_kg": "3,5", "recipient": "Emmaüs Angers"},
             {"kind": "recycled", "weight_kg": "4", "batch_id": batch},
             {"kind": "discarded", "weight_kg": "2", "waste_code": "20 03 01"}]
    for fields in exits:
        response = post(client, "/lots/out", {"category_id": world.bike_id, "lot": "", **fields})
        assert response.status_code == 302, (fields, response.get_data(as_text=True)[-2000:])
    assert on_hand(app, world.bike_id) == Decimal("20.5")
    # More than the stock: refused, nothing changes. A correction is the coordinator's, with its reason.
    too_much = post(client, "/lots/out", {"category_id": world.bike_id, "kind": "given", "weight_kg": "21",
                                          "recipient": "Recyclerie"})
    assert too_much.status_code == 422 and "20,5" in too_much.get_data(as_text=True)
    assert post(client, "/lots/out", {"category_id": world.bike_id, "kind": "correction", "weight_kg": "-0,5",
                                      "note": "recompté"}).status_code == 422  # not a technician's choice
    auth.login_as("coordinator")
    assert post(client, "/lots/out", {"category_id": world.bike_id, "kind": "correction", "weight_kg": "-0,5",
                                      "note": "recompté"}).status_code == 302
    assert on_hand(app, world.bike_id) == Decimal("20")
    page = client.get("/lots").get_data(as_text=True)
    assert "35 kg" in page and "14,5 kg" in page and "20 kg" in page

    # The lots' kg are collected kg; the discarded final waste is a line of the waste register.
    with app.app_context():
        period = f"year={local_today().year}"
    rows = list(csv.reader(io.StringIO(client.get(f"/indicators/by_category.csv?{period}")
                                       .get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    bikes = next(row for row in rows if row[0] == "Vélo")
    assert bikes[2:] == ["0", "35,000"], rows  # kg, no items
    # The batch holding only lot kg closes, and its line counts them.
    assert post(client, f"/recycling/{batch}/close", {}, page=f"/recycling/{batch}").status_code == 302
    register = list(csv.reader(io.StringIO(client.get(f"/register.csv?{period}").get_data(as_text=True)
                                           .lstrip("\ufeff")), delimiter=";"))
    lines = {row[2]: row for row in register[1:]}
    assert lines["20 03 01"][1] == "Vélo" and lines["20 03 01"][6] == "2,000"  # discarded: final waste
    assert lines["20 03 07"][1] == "Vélo" and lines["20 03 07"][6] == "4,000"  # recycled in the batch
