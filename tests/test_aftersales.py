"""After-sales: a landlord (portal) or a buyer (passport + receipt number) reports a fault; the workshop takes
it back, repairs, replaces or answers; the reporter sees each step; warranty from the dates; the figures."""

from __future__ import annotations

import html
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from intake.extensions import db
from intake.models import FaultTicket, Handover, Item, ItemEvent, LandlordAccess, Organisation, Sale
from intake.services.outcomes import record_sale
from intake.services.receipts import receipt_number
from intake.services.status import change_status

from .factories import make_handover, make_ready, pass_checks, user

# Handovers are on 2026-11-20 with 12 months of warranty (factories.make_handover): until 2027-11-20.
REPORTED = datetime(2027, 3, 1, 10, 0, tzinfo=timezone.utc)
PERIOD = "start=2026-11-01&end=2027-12-31"  # the two handovers, the report, its resolution


@pytest.fixture
def handovers(app, world):
    """The test landlord's handover, and another landlord's."""
    with app.app_context():
        other = Organisation(name="Podeliha", kind="social_landlord")
        db.session.add(other)
        db.session.commit()
        mine = make_handover(world, tenant_ref="A-0042")
        theirs = make_handover(world, landlord_id=other.id, tenant_ref="B-0007", residence="Résidence Belle-Beille")
        return {"mine": mine.id, "mine_item": mine.item_id, "theirs": theirs.id}


@pytest.fixture
def sale(app, world):
    with app.app_context():
        sold = record_sale(db.session, make_ready(world, brand="Fairphone"), user=user(world, "technician"),
                           price=Decimal("80"), sold_on=date(2026, 11, 21), channel="shop", warranty_months=6)
        item = db.session.get(Item, sold.item_id)
        return {"id": sold.id, "code": item.code, "number": receipt_number(sold)}


def post(client, auth, url, data, page=None):
    return client.post(url, data={"csrf_token": auth.csrf_token(page or "/account"), **data})


def report(client, auth, handover_id, problem="L'écran reste noir au démarrage."):
    return post(client, auth, f"/landlord/handovers/{handover_id}/fault",
                {"problem": problem, "noticed_on": "2027-02-25", "availability": "Mardi après-midi"})


def last_ticket(app) -> FaultTicket:
    with app.app_context():
        return db.session.scalars(sa.select(FaultTicket).order_by(FaultTicket.id.desc())).first()


def test_a_landlord_reports_the_workshop_repairs_and_the_landlord_sees_each_step(app, client, auth, world, handovers,
                                                                               freeze_clock):
    freeze_clock(REPORTED)
    auth.login_as("landlord")
    response = report(client, auth, handovers["mine"])
    assert response.status_code == 302
    ticket = last_ticket(app)
    assert response.headers["Location"].endswith(f"/landlord/tickets/{ticket.id}")
    assert (ticket.source, ticket.state, ticket.under_warranty, ticket.warranty_until) == (
        "landlord", "open", True, date(2027, 11, 20))
    page = client.get(f"/landlord/tickets/{ticket.id}").get_data(as_text=True)
    assert ticket.reference in page and "Fault reported" not in page  # French by default
    assert "Panne signalée" in page and "Sous garantie" in page and "Mardi après-midi" in page
    assert ticket.reference in client.get(f"/landlord/handovers/{handovers['mine']}").get_data(as_text=True)
    assert ticket.reference in client.get("/landlord/tickets").get_data(as_text=True)
    # A second report while the first is handled: refused, said on the form.
    again = report(client, auth, handovers["mine"])
    assert again.status_code == 422 and "déjà" in again.get_data(as_text=True)

    # The workshop sees it in its queue, with its age; takes it back: the item is `returned`, linked.
    freeze_clock(datetime(2027, 3, 4, 10, 0, tzinfo=timezone.utc))
    auth.login_as("technician")
    queue = client.get("/workshop").get_data(as_text=True)
    assert ticket.reference in queue and "attend depuis 3 j" in queue
    url = f"/workshop/tickets/{ticket.id}"
    assert post(client, auth, url, {"action": "accept", "message": "Nous passons le chercher jeudi."}, url).status_code == 302
    with app.app_context():
        item = db.session.get(Item, handovers["mine_item"])
        assert item.status == "returned"
        back = db.session.get(FaultTicket, ticket.id)
        event = db.session.get(ItemEvent, back.return_event_id)
        assert (event.to_status, event.data["ticket"], event.data["reason"]) == ("returned", ticket.reference,
                                                                               "breakdown")
        # Then repaired as today.
        technician = user(world, "technician")
        change_status(db.session, item, "repairing", user=technician)
        pass_checks(world, item)
        change_status(db.session, item, "ready", user=technician)
    assert ticket.reference in client.get(f"/i/{item.code}/history").get_data(as_text=True)
    freeze_clock(datetime(2027, 3, 8, 10, 0, tzinfo=timezone.utc))
    auth.login_as("technician")  # a staff session lasts a working day
    assert post(client, auth, url, {"action": "close", "answer": ""}, url).status_code == 422  # an answer is needed
    assert post(client, auth, url, {"action": "close", "answer": "Écran remplacé, rendu le 8 mars."},
                url).status_code == 302
    assert post(client, auth, url, {"action": "accept"}, url).status_code == 422  # closed: nothing more

    auth.login_as("landlord")
    page = html.unescape(client.get(f"/landlord/tickets/{ticket.id}").get_data(as_text=True))
    for seen in ("Panne signalée", "Reprise à l'atelier", "Nous passons le chercher jeudi.", "Répondu",
                 "Écran remplacé, rendu le 8 mars.", "Répondu et clos"):
        assert seen in page, seen
    assert "Technician Test" not in page  # no staff name

    # The figures: one fault, under warranty, came back, resolved in 7 days.
    auth.login_as("coordinator")
    board = client.get(f"/indicators?{PERIOD}").get_data(as_text=True)
    assert "Pannes signalées, par catégorie" in board and "Téléphone mobile" in board
    csv = client.get(f"/indicators/fault_resolution.csv?{PERIOD}").get_data(as_text=True)
    assert "Signalement → résolution;1;7,0;7,0;" in csv  # 1 March to 8 March
    assert "Revenus sous garantie;1;;;50,00" in csv and "Vendus ou remis;2;" in csv  # of the two handovers


def test_a_landlord_cannot_report_on_or_read_another_landlords_device(app, client, auth, world, handovers):
    auth.login_as("landlord")
    for handover_id in (handovers["theirs"], 999999):
        before = datetime.now(timezone.utc).replace(microsecond=0)
        response = report(client, auth, handover_id)
        assert response.status_code == 404
        with app.app_context():
            logged = db.session.scalars(sa.select(LandlordAccess).order_by(LandlordAccess.id.desc())).first()
            assert (logged.granted, logged.route, logged.at >= before) == (
                False, f"/landlord/handovers/{handover_id}/fault", True)
            assert db.session.scalar(sa.select(sa.func.count(FaultTicket.id))) == 0
    # Another landlord's ticket, by a guessed id: 404, logged; absent from the list.
    with app.app_context():
        theirs = db.session.get(Handover, handovers["theirs"])
        db.session.add(FaultTicket(item_id=theirs.item_id, source="landlord", handover_id=theirs.id,
                                   problem="B-SECRET", under_warranty=True, state="open"))
        db.session.commit()
        ticket_id = db.session.scalar(sa.select(FaultTicket.id))
    response = client.get(f"/landlord/tickets/{ticket_id}")
    assert response.status_code == 404 and "B-SECRET" not in response.get_data(as_text=True)
    assert "B-SECRET" not in client.get("/landlord/tickets").get_data(as_text=True)
    with app.app_context():
        refused = db.session.scalars(sa.select(LandlordAccess).where(LandlordAccess.object_kind == "ticket")).all()
        assert [(row.granted, row.object_ref) for row in refused] == [(False, str(ticket_id))]


def test_a_buyer_reports_with_the_receipt_number_and_a_wrong_number_reveals_nothing(app, client, auth, world, sale,
                                                                                  freeze_clock):
    freeze_clock(REPORTED)
    passport = client.get(f"/i/{sale['code']}").get_data(as_text=True)
    assert f"/i/{sale['code']}/fault" in passport
    form = client.get(f"/i/{sale['code']}/fault")
    assert form.status_code == 200 and "Fairphone" not in form.get_data(as_text=True)
    wrong_answers = set()
    for number in ("AAAA-AAAA", "", sale["number"][:-1] + ("A" if sale["number"][-1] != "A" else "B")):
        response = post(client, auth, f"/i/{sale['code']}/fault",
                        {"receipt_number": number, "problem": "Ne charge plus."}, f"/i/{sale['code']}/fault")
        text = response.get_data(as_text=True)
        assert response.status_code == 422 and "Fairphone" not in text and "SAV-" not in text
        if number:
            wrong_answers.add(text.count("ne correspond pas"))
    assert wrong_answers == {1}
    # An item never sold answers the same, word for word.
    with app.app_context():
        never_sold = make_ready(world).code
    response = post(client, auth, f"/i/{never_sold}/fault", {"receipt_number": "AAAA-AAAA", "problem": "x"},
                    f"/i/{never_sold}/fault")
    assert response.status_code == 422 and "ne correspond pas" in response.get_data(as_text=True)
    assert client.get("/i/ZZZZZZ/fault").status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(FaultTicket.id))) == 0

    # The right number, typed loosely: a ticket, under the legal guarantee (24 months from the sale).
    typed = sale["number"].lower().replace("-", " ")
    response = post(client, auth, f"/i/{sale['code']}/fault", {"receipt_number": typed, "problem": "Ne charge plus."},
                    f"/i/{sale['code']}/fault")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "SAV-" in text and "Ne charge plus." in text
    ticket = last_ticket(app)
    assert (ticket.source, ticket.sale_id, ticket.under_warranty, ticket.warranty_until) == (
        "buyer", sale["id"], True, date(2028, 11, 21))
    # Following: the number again shows it; a wrong one does not.
    follow = post(client, auth, f"/i/{sale['code']}/fault/follow", {"follow-receipt_number": sale["number"]},
                  f"/i/{sale['code']}/fault")
    assert follow.status_code == 200 and ticket.reference in follow.get_data(as_text=True)
    follow = post(client, auth, f"/i/{sale['code']}/fault/follow", {"follow-receipt_number": "AAAA-AAAA"},
                  f"/i/{sale['code']}/fault")
    assert follow.status_code == 422 and ticket.reference not in follow.get_data(as_text=True)


def test_warranty_is_decided_from_the_dates_with_the_frozen_clock(app, client, auth, world, handovers, sale,
                                                                 freeze_clock):
    # The last day of the handover's warranty, in Paris: under warranty; the day after: not.
    freeze_clock(datetime(2027, 11, 20, 23, 30, tzinfo=timezone.utc))  # 21 November, 00:30 in Paris
    auth.login_as("landlord")
    report(client, auth, handovers["mine"])
    ticket = last_ticket(app)
    assert (ticket.under_warranty, ticket.warranty_until) == (False, date(2027, 11, 20))
    page = client.get(f"/landlord/tickets/{ticket.id}").get_data(as_text=True)
    assert "Garantie terminée le 20 nov. 2027" in page.replace("\u202f", " ") or "Garantie terminée" in page
    with app.app_context():
        db.session.delete(db.session.get(FaultTicket, ticket.id).steps[0])
        db.session.delete(db.session.get(FaultTicket, ticket.id))
        db.session.commit()
    freeze_clock(datetime(2027, 11, 20, 22, 30, tzinfo=timezone.utc))  # 20 November, 23:30 in Paris
    report(client, auth, handovers["mine"])
    assert last_ticket(app).under_warranty is True
    # A sale: the legal guarantee of conformity, two years from the sale (the commercial one is shorter).
    client.post("/logout", data={"csrf_token": auth.csrf_token("/account")})
    freeze_clock(datetime(2028, 11, 22, 12, 0, tzinfo=timezone.utc))
    post(client, auth, f"/i/{sale['code']}/fault", {"receipt_number": sale["number"], "problem": "Écran"},
         f"/i/{sale['code']}/fault")
    assert (last_ticket(app).under_warranty, last_ticket(app).warranty_until) == (False, date(2028, 11, 21))


def test_a_replacement_goes_to_the_same_tenant_and_both_histories_are_linked(app, client, auth, world, handovers,
                                                                           freeze_clock):
    freeze_clock(REPORTED)
    auth.login_as("landlord")
    report(client, auth, handovers["mine"])
    ticket = last_ticket(app)
    with app.app_context():
        spare = make_ready(world, brand="Spare").code
    auth.login_as("technician")
    url = f"/workshop/tickets/{ticket.id}"
    missing_name = post(client, auth, url, {"action": "replace", "replacement_code": spare}, url)
    assert missing_name.status_code == 422
    response = post(client, auth, url, {"action": "replace", "replacement_code": spare.lower(),
                                        "typed_name": "Locataire", "warranty_months": "12",
                                        "message": "Un autre ordinateur vous est remis."}, url)
    assert response.status_code == 302
    with app.app_context():
        done = db.session.get(FaultTicket, ticket.id)
        replacement = db.session.scalar(sa.select(Item).where(Item.code == spare))
        assert (done.state, done.replacement_item_id, replacement.status) == ("replaced", replacement.id, "handed_over")
        assert db.session.get(Item, handovers["mine_item"]).status == "returned"
        new = db.session.scalar(sa.select(Handover).where(Handover.item_id == replacement.id))
        assert (new.tenant_ref, new.landlord_id) == ("A-0042", world.landlord_org_id)
        links = {event.item_id: event.data for event in db.session.scalars(
            sa.select(ItemEvent).where(ItemEvent.kind == "aftersales"))}
        original_code = db.session.get(Item, handovers["mine_item"]).code
        assert links == {handovers["mine_item"]: {"ticket": ticket.reference, "replaced_by": spare},
                         replacement.id: {"ticket": ticket.reference, "replaces": original_code}}
    auth.login_as("landlord")
    page = client.get(f"/landlord/tickets/{ticket.id}").get_data(as_text=True)
    assert spare in page and "Un autre ordinateur vous est remis." in page
    assert "A-0042" in client.get("/landlord/").get_data(as_text=True)
    # The faulty device came back: no new report on its old handover.
    again = report(client, auth, handovers["mine"])
    assert again.status_code == 422 and "déjà revenu" in html.unescape(again.get_data(as_text=True))


@pytest.mark.parametrize("mail", [None, "memory://"])
def test_mail_goes_out_only_where_configured(app, client, auth, world, handovers, sale, mail, freeze_clock):
    app.config["MAIL_SERVER"] = mail
    freeze_clock(REPORTED)
    auth.login_as("landlord")
    report(client, auth, handovers["mine"])
    client.post("/logout", data={"csrf_token": auth.csrf_token("/account")})
    form = client.get(f"/i/{sale['code']}/fault").get_data(as_text=True)
    assert ('name="contact_email"' in form) == bool(mail)
    post(client, auth, f"/i/{sale['code']}/fault", {"receipt_number": sale["number"], "problem": "Écran",
                                                     "contact_email": "acheteur@example.org"}, f"/i/{sale['code']}/fault")
    ticket = last_ticket(app)
    auth.login_as("technician")
    url = f"/workshop/tickets/{ticket.id}"
    assert post(client, auth, url, {"action": "close", "answer": "Passez en boutique."}, url).status_code == 302
    outbox = app.extensions.get("mail_outbox", [])
    if not mail:
        assert outbox == []
        return
    assert [message["To"] for message in outbox] == ["landlord@example.org", "acheteur@example.org",
                                                      "acheteur@example.org"]
    assert "Passez en boutique." in outbox[-1].get_content()
    assert ticket.reference in outbox[-1]["Subject"]


def test_the_sale_receipt_prints_its_number(app, client, auth, world, sale):
    auth.login_as("technician")
    assert sale["number"] in client.get(f"/sales/{sale['id']}/receipt").get_data(as_text=True)
    with app.app_context():
        assert receipt_number(db.session.get(Sale, sale["id"])) == sale["number"]


def test_guessing_receipt_numbers_is_rate_limited_like_the_passport(app, client, auth, world, sale):
    app.config["PASSPORT_RATE_LIMIT"] = "3 per minute"
    url = f"/i/{sale['code']}/fault/follow"
    token = auth.csrf_token(f"/i/{sale['code']}/fault")
    answers = [client.post(url, data={"csrf_token": token, "follow-receipt_number": f"AAAA-AAA{n}"}).status_code
               for n in range(4)]
    assert answers == [422, 422, 422, 429]
