"""The till: a basket of labelled and unlabelled goods paid two ways makes the right Z; a refund after the
close shows in the next Z; a changed row of the sales is found by ``till verify``."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from urllib.parse import urlsplit

import pypdfium2
import sqlalchemy as sa

from intake.clock import local_today
from intake.extensions import db
from intake.models import Item, TillMethod, TillSession
from intake.services import lots

from .conftest import csrf_token_from
from .factories import make_item, make_ready, user


def token_of(client, url: str) -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


def method_ids(app) -> dict:
    with app.app_context():
        return {method.code or method.name: method.id for method in db.session.scalars(sa.select(TillMethod))}


def open_till(client, float_: str) -> int:
    response = client.post("/till/open", data={"csrf_token": token_of(client, "/till"), "device": "Caisse 1",
                                               "opening_float": float_})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(urlsplit(response.headers["Location"]).path.split("/")[3])


def basket(lines: list[dict], payments: list[tuple[int, str]]) -> dict:
    """The basket page's repeated inputs, as a browser posts them."""
    fields = {name: [line.get(name, "") for line in lines]
              for name in ("kind", "code", "category_id", "price", "quantity", "weight", "reason")}
    return {**fields, "method_id": [str(method) for method, _ in payments], "amount": [amount for _, amount in payments]}


def z_of(app, session_id: int) -> dict:
    with app.app_context():
        return db.session.get(TillSession, session_id).z_totals


def test_a_mixed_basket_paid_two_ways_makes_the_right_z_and_a_later_refund_the_next(app, client, auth, world):
    with app.app_context():
        phone = make_ready(world).code
        not_ready = make_item(world).code
        lots.record_lot(db.session, lots.LotEntry(category_id=world.bike_id, gross_kg=Decimal("20"),
                                                  collection_point_id=world.point_id), user=user(world, "volunteer"))
    auth.login_as("technician")
    till = open_till(client, "50")
    url = f"/till/sessions/{till}/sale"
    # A scanner types the code and Enter: the basket comes back with the item's line, its price to type.
    page = client.post(url, data={"csrf_token": token_of(client, url), "scan": phone.lower(), "action": "add"})
    assert page.status_code == 200 and phone in page.get_data(as_text=True)
    methods = method_ids(app)  # the usual four, made with the first basket
    lines = [{"kind": "item", "code": phone, "price": "30", "quantity": "1"},
             {"kind": "goods", "category_id": str(world.bike_id), "price": "8", "quantity": "1", "weight": "2"},
             {"kind": "goods", "category_id": str(world.bike_id), "price": "6,00", "quantity": "1", "weight": "1,5"},
             {"kind": "discount", "price": "4", "reason": "Tarif solidaire"}]
    token = token_of(client, url)
    # Refused, and nothing written: an item that is not ready; more by card than is due.
    for wrong, payments in (([{**lines[0], "code": not_ready}], [(methods["cash"], "30")]),
                            (lines, [(methods["cash"], "2"), (methods["card"], "43")])):
        response = client.post(url, data={"csrf_token": token, "action": "pay", **basket(wrong, payments)})
        assert response.status_code == 422
    response = client.post(url, data={"csrf_token": token, "action": "pay",
                                      **basket(lines, [(methods["cash"], "20"), (methods["card"], "25")])})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    ticket = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "40,00" in ticket and "5,00" in ticket and "Tarif solidaire" in ticket  # total, change, reason
    assert "garantie légale de conformité" in ticket and "reconditionné" in ticket
    sale_id = int(urlsplit(response.headers["Location"]).path.split("/")[3])
    pdf = client.get(f"/till/sales/{sale_id}/ticket.pdf")
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf.data))
    assert pdf.mimetype == "application/pdf" and "40,00" in text and "garantie" in text.lower()
    assert "paper-58" in client.get(f"/till/sales/{sale_id}?paper=58").get_data(as_text=True)

    close_url = f"/till/sessions/{till}/close"
    response = client.post(close_url, data={"csrf_token": token_of(client, f"/till/sessions/{till}"),
                                            "counted_cash": "64"})
    assert response.status_code == 302
    z = z_of(app, till)
    amounts = {row["code"]: row["amount"] for row in z["methods"]}
    assert (z["sales"], z["total"], amounts["cash"], amounts["card"]) == (1, "40.00", "15.00", "25.00")
    assert {row["name"]: (row["amount"], row["kg"]) for row in z["categories"]} == {
        "Téléphone mobile": ("30.00", "0.200"), "Vélo": ("14.00", "3.500")}
    assert (z["discounts"], z["expected_cash"], z["counted_cash"], z["difference"]) == ("-4.00", "65.00", "64.00",
                                                                                       "-1.00")
    assert "−1,00" in client.get(f"/till/sessions/{till}").get_data(as_text=True).replace("-", "−")
    with app.app_context():
        assert db.session.scalar(sa.select(Item.status).where(Item.code == phone)) == "sold"
        assert lots.kept_stock(db.session)[world.bike_id] == Decimal("16.5")

    # The next day's till: a refund of the phone and of one bike line, given back by card.
    next_till = open_till(client, "50")
    with app.app_context():
        from intake.models import TillLine
        refunded = list(db.session.scalars(sa.select(TillLine.id).where(TillLine.sale_id == sale_id,
                                                                        TillLine.position.in_([1, 2]))))
    ticket_url = f"/till/sales/{sale_id}"
    response = client.post(f"{ticket_url}/refund", data={"csrf_token": token_of(client, ticket_url),
                                                         "line_id": [str(line) for line in refunded],
                                                         "session_id": next_till, "method_id": methods["card"],
                                                         "reason": "Ne convient pas"})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    again = client.post(f"{ticket_url}/refund", data={"csrf_token": token_of(client, ticket_url),
                                                      "line_id": [str(line) for line in refunded],
                                                      "session_id": next_till, "method_id": methods["card"],
                                                      "reason": "Deux fois"})
    assert again.status_code == 422  # each line is given back once
    client.post(f"/till/sessions/{next_till}/close", data={"csrf_token": token_of(client, f"/till/sessions/{next_till}"),
                                                          "counted_cash": "50"})
    z = z_of(app, next_till)
    amounts = {row["code"]: row["amount"] for row in z["methods"]}
    assert (z["sales"], z["refunds"], z["total"], amounts["card"], z["difference"]) == (0, 1, "-38.00", "-38.00",
                                                                                        "0.00")
    assert z_of(app, till)["total"] == "40.00"  # the first Z stays as it was closed
    with app.app_context():
        assert db.session.scalar(sa.select(Item.status).where(Item.code == phone)) == "returned"
        assert lots.kept_stock(db.session)[world.bike_id] == Decimal("18.5")

    auth.login_as("coordinator")
    with app.app_context():
        year = local_today().year
    archive = client.get(f"/till/archive.csv?start={year}-01-01&end={year}-12-31").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(archive.lstrip("\ufeff")), delimiter=";"))
    assert [row[1] for row in rows[1:]] == ["sale", "close", "refund", "close", "verify"]
    assert rows[-1][6] == "ok"


def test_till_verify_finds_a_changed_sales_row(app, client, auth, world, runner):
    with app.app_context():
        code = make_ready(world).code
    auth.login_as("coordinator")
    till = open_till(client, "0")
    url = f"/till/sessions/{till}/sale"
    assert client.get(url).status_code == 200
    methods = method_ids(app)
    for price in ("12", "15"):
        with app.app_context():
            code = make_ready(world).code
        response = client.post(url, data={"csrf_token": token_of(client, url), "action": "pay", **basket(
            [{"kind": "item", "code": code, "price": price, "quantity": "1"}], [(methods["cash"], price)])})
        assert response.status_code == 302
    intact = runner.invoke(args=["till", "verify"])
    assert intact.exit_code == 0 and "3 records" not in intact.output and "2 records, chain intact" in intact.output
    with app.app_context():
        db.session.execute(sa.text("UPDATE till_sale SET total = 1.00 WHERE chain_seq = 1"))
        db.session.commit()
    broken = runner.invoke(args=["till", "verify"])
    assert broken.exit_code == 1 and "sale 1 was changed" in broken.output, broken.output
