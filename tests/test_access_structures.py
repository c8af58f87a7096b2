"""Route × role × own/other structure: what staff of one structure get for another structure's records.

Two structures, each with a record of every kind a URL can name. For every rule of the app a decision
(a new rule without one fails):

* ``OBJECT``: the URL names a record; another structure's is a 404 (a role refused anyway stays refused)
  and the body shows nothing of it;
* ``PASSPORT``: the label's URL (``/i/<code>``): another structure's item gives its public passport, as to
  anyone, never the workshop's page;
* ``LISTING``: no record in the URL (lists, exports, reports, static files): the page of one structure
  shows nothing of the other's, whose every name carries ``MARK``.

HTML, JSON, CSV and PDF (their text) are read; PNGs (labels, photos, signatures) are checked by status.
Writes: staff posting to another structure's record get a 404 and nothing of that structure changes,
nor does a record of theirs point at the other structure's afterwards.
"""

from __future__ import annotations

import io
import uuid
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pypdfium2
import pytest
import sqlalchemy as sa
from PIL import Image

from intake import scoping
from intake.extensions import db
from intake.models import (
    Category,
    CollectionPoint,
    Container,
    Item,
    Organisation,
    Photo,
    Structure,
    Territory,
    User,
    scoped_tables,
)
from intake.services import aftersales
from intake.services.accounts import issue_token
from intake.services.code_register import reserve_codes
from intake.services.outcomes import plan_session, record_sale
from intake.services.recycling import add_items, close_batch, open_batch
from intake.services.reporting.register import record_shipment
from intake.services.status import change_status

from .factories import make_handover, make_item, make_people, make_ready, make_world, user
from .test_access import GET_ROUTES, POST_FORBIDDEN, partnership_records, till_records

MARK = "Zzyzx"  # in every name of the other structure's records, and in nothing of ours
ROLES = ("volunteer", "technician", "coordinator", "landlord")
PERIOD = "start=2000-01-01&end=2099-12-31"

OBJECT, PASSPORT, LISTING = "object", "passport", "listing"

# The decision for every rule, and the other structure's URL for it ({...} filled from its records).
# LISTING rules are fetched as tests/test_access.py does, with our own records.
DECISIONS = {
    "/": LISTING, "/login": LISTING, "/account": LISTING, "/today": LISTING, "/healthz": LISTING,
    "/favicon.ico": LISTING, "/intake": LISTING, "/intake/setup": LISTING,
    "/intake/tiles/<int:point_id>": OBJECT,
    "/items": LISTING,
    "/i/<code>": PASSPORT,
    "/i/<code>/history": OBJECT, "/i/<code>/correct": OBJECT, "/i/<code>/photo": OBJECT,
    "/admin/": LISTING, "/admin/<slug>/": LISTING, "/admin/<slug>/new": LISTING,
    "/admin/<slug>/<int:record_id>": OBJECT,
    "/admin/structure": LISTING,
    "/structure/logo.png": LISTING,
    "/api/v1/items/<code>": OBJECT,
    "/api/v1/categories": LISTING, "/api/v1/collection-points": LISTING, "/api/v1/organisations": LISTING,
    "/api/v1/containers": LISTING, "/api/v1/openapi.json": LISTING,
    "/static/<path:filename>": LISTING,
    "/i/<code>/label.png": OBJECT, "/i/<code>/label.pdf": OBJECT,
    "/labels": LISTING,
    "/labels/sheet.pdf": OBJECT, "/labels/print": OBJECT,  # the codes, in the query string
    "/labels/print.css": LISTING, "/labels/calibration.pdf": LISTING, "/labels/preprinted": LISTING,
    "/labels/preprinted/<batch_id>": OBJECT,
    "/workshop": LISTING,
    "/i/<code>/checklist": OBJECT, "/i/<code>/erasure": OBJECT,
    "/scan": LISTING,
    "/scan/go": OBJECT,  # the code, in the query string
    "/scan/many": LISTING, "/vendor/<path:filename>": LISTING,
    "/i/<code>/sale": OBJECT,
    "/sales/<int:sale_id>/receipt": OBJECT, "/sales/<int:sale_id>/receipt.pdf": OBJECT,
    "/i/<code>/handover": OBJECT,
    "/handovers/<int:handover_id>": OBJECT, "/handovers/<int:handover_id>/receipt.pdf": OBJECT,
    "/handovers/<int:handover_id>/signature.png": OBJECT,
    "/i/<code>/return": OBJECT,
    "/recycling": LISTING, "/recycling/new": LISTING,
    "/recycling/<int:batch_id>": OBJECT,
    "/recycling/register.csv": LISTING,
    "/indicators": LISTING, "/landlord-access": LISTING, "/indicators/<key>.csv": LISTING,
    "/indicators/factors": LISTING,
    "/partners/<int:organisation_id>/report": OBJECT, "/partners/<int:organisation_id>/report.pdf": OBJECT,
    "/results": LISTING,
    "/register": LISTING, "/register.csv": LISTING, "/register.pdf": LISTING,
    "/register/<int:batch_id>": OBJECT,
    "/exports": LISTING, "/exports/items.csv": LISTING, "/exports/events.csv": LISTING,
    "/exports/ords.csv": LISTING,
    "/manifest.webmanifest": LISTING, "/sw.js": LISTING, "/offline": LISTING,
    "/landlord/": LISTING,
    "/landlord/handovers/<int:handover_id>": OBJECT, "/landlord/handovers/<int:handover_id>/receipt.pdf": OBJECT,
    "/landlord/export.csv": LISTING,
    "/api/v1/landlord/handovers": LISTING,
    "/api/v1/landlord/handovers/<int:handover_id>": OBJECT,
    # The eco-organism's portal: batches of the structures it works with only (tests/test_partner_portals.py).
    "/eco/": LISTING, "/eco/export.csv": LISTING,
    # A network's pages name no structure's record: its coordinators' own (tests/test_networks.py walks
    # another network's and leaving a network one's structure is not in).
    "/network/": LISTING, "/network/figures.csv": LISTING, "/network/structures/new": LISTING,
    "/network/membership": LISTING, "/network/<int:network_id>/leave": None,
    # Writes only (tested below, in WRITES); GET is not allowed on them.
    "/logout": None, "/structure": None, "/language": None, "/account/tokens": None,
    "/account/tokens/<int:token_id>/revoke": OBJECT, "/account/sign-out-everywhere": None,
    "/admin/users/<int:record_id>/sign-out-everywhere": OBJECT,
    "/i/<code>/again": OBJECT, "/i/<code>/undo": OBJECT, "/api/v1/items": None, "/i/<code>/print": OBJECT,
    # Many items at once, and their label job (the codes in the form): tested below, as cases.
    "/api/v1/items/batch": None, "/labels/send": None,
    "/i/<code>/status": OBJECT, "/api/v1/items/<code>/transitions": OBJECT, "/api/v1/code-blocks": None,
    "/handovers/<int:handover_id>/sessions": OBJECT,
    "/handovers/<int:handover_id>/sessions/<int:session_id>": OBJECT,
    "/recycling/<int:batch_id>/all": OBJECT, "/recycling/<int:batch_id>/remove/<code>": OBJECT,
    "/recycling/<int:batch_id>/close": OBJECT, "/register/<int:batch_id>/delete": OBJECT,
    # partnerships
    "/partners/": LISTING, "/partners/<int:organisation_id>": OBJECT,
    "/partners/<int:organisation_id>/contacts/new": OBJECT, "/partners/contacts/<int:contact_id>": OBJECT,
    "/partners/<int:organisation_id>/conventions/new": OBJECT, "/partners/conventions/<int:convention_id>": OBJECT,
    "/partners/conventions/<int:convention_id>/document.pdf": OBJECT,
    "/partners/<int:organisation_id>/location": OBJECT, "/partners/points/<int:point_id>/location": OBJECT,
    "/partners/map": LISTING, "/partners/map.geojson": LISTING, "/partners/import": LISTING,
    "/partners/<int:organisation_id>/move": OBJECT, "/partners/<int:organisation_id>/events": OBJECT,
    "/partners/contacts/<int:contact_id>/delete": OBJECT,
    # weighed lots and the till
    "/lots/new": LISTING, "/lots": LISTING, "/lots/<int:lot_id>": OBJECT, "/lots/<int:lot_id>/photo.jpg": OBJECT,
    "/lots/out": LISTING, "/till": LISTING, "/till/open": None, "/till/sessions/<int:session_id>/sale": OBJECT,
    "/till/sessions/<int:session_id>": OBJECT, "/till/sessions/<int:session_id>/close": OBJECT,
    "/till/sales/<int:sale_id>": OBJECT, "/till/sales/<int:sale_id>/ticket.pdf": OBJECT,
    "/till/sales/<int:sale_id>/refund": OBJECT, "/till/methods": LISTING, "/till/archive.csv": LISTING,
    # After-sales: tickets are a structure's records; the buyer's report speaks for any structure's item, as
    # the passport does; following one is proven by the receipt number alone (tests/test_aftersales.py).
    "/landlord/tickets": LISTING, "/landlord/tickets/<int:ticket_id>": OBJECT,
    "/workshop/tickets/<int:ticket_id>": OBJECT, "/landlord/handovers/<int:handover_id>/fault": OBJECT,
    "/i/<code>/fault": PASSPORT, "/i/<code>/fault/follow": None,
    # people
    "/people/": LISTING, "/people/export.csv": LISTING, "/people/insertion": LISTING, "/people/insertion/new": LISTING,
    "/people/insertion/<int:person_id>": OBJECT, "/people/insertion/<int:person_id>/skills": OBJECT,
    "/people/insertion/<int:person_id>/exit": OBJECT, "/people/skills": LISTING, "/people/sessions": LISTING,
    "/people/sessions/new": LISTING, "/people/sessions/<int:session_id>": OBJECT,
    "/people/sessions/<int:session_id>/find": OBJECT, "/people/sessions/<int:session_id>/attend": OBJECT,
    "/people/sessions/<int:session_id>/join": OBJECT, "/people/sessions/<int:session_id>/items": OBJECT,
    "/people/hours": LISTING, "/people/members": LISTING, "/people/members/new": LISTING,
    "/people/members/<int:member_id>": OBJECT, "/people/members/<int:member_id>/renew": OBJECT,
}

# The record-naming URLs a GET can take, with a listing's query where it widens what is shown.
OWN = {rule: (url, expected) for rule, url, expected in GET_ROUTES}
ADMIN_SLUGS = ("organisations", "territories", "collection-points", "categories", "containers", "users")
LISTING_QUERIES = {"/indicators": "?" + PERIOD, "/indicators/<key>.csv": "?" + PERIOD,
                   "/register": "?" + PERIOD, "/register.csv": "?" + PERIOD, "/register.pdf": "?" + PERIOD,
                   "/exports/items.csv": "?" + PERIOD, "/exports/events.csv": "?" + PERIOD,
                   "/exports/ords.csv": "?" + PERIOD, "/items": "?q="}


def furnish(world, mark: str | None) -> dict:
    """A record of every kind a URL names, in the current structure; with ``mark``, every name and text
    of them carries it (the other structure's)."""
    if mark:
        for model in (Territory, Organisation, CollectionPoint, Category, Container):
            for record in db.session.scalars(sa.select(model)):
                record.name = f"{mark} {record.name}"
        for user_id in world.user_ids.values():
            db.session.get(User, user_id).name = f"{mark} {db.session.get(User, user_id).name}"
        db.session.commit()
    text = mark or "Aubépine"
    item = make_item(world, brand=f"{text}brand", model=f"{text}model", serial_number=f"{text}-SN",
                     description=f"{text} description")
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(jpeg, "JPEG")
    db.session.add(Photo(item_id=item.id, content=jpeg.getvalue(), width=8, height=8, sha256="0" * 64))
    db.session.commit()
    handover = make_handover(world, tenant_ref=f"{text}-LOC", residence=f"Résidence {text}")
    planned = plan_session(db.session, handover, topic=f"{text} prise en main", planned_on=date(2026, 12, 1))
    sale = record_sale(db.session, make_ready(world, brand=f"{text}sold"), user=user(world, "technician"),
                       price=Decimal(45), sold_on=date(2026, 11, 21), channel="shop", warranty_months=6,
                       note=f"{text} sale note")
    eco = Organisation(name=f"{text} Ecosystem", kind="eco_organism", siren="830300000")
    db.session.add(eco)
    db.session.commit()
    technician = user(world, "technician")
    recycled, waiting = (make_item(world, brand=f"{text}bin") for _ in range(2))
    for to_recycle in (recycled, waiting):
        change_status(db.session, to_recycle, "to_recycle", user=technician)
    closed = open_batch(db.session, user=technician, eco_organism_id=eco.id, pickup_on=date(2026, 11, 24),
                        stream="small", waste_code="20 01 36", slip_number=f"{text}-SLIP")
    add_items(db.session, closed, [recycled.code])
    close_batch(db.session, closed, user=user(world, "coordinator"))
    record_shipment(db.session, closed, {"carrier_name": f"{text} Transports",
                                         "destination_name": f"{text} Broyage"})
    batch = open_batch(db.session, user=technician, eco_organism_id=eco.id, pickup_on=date(2026, 11, 30),
                       stream="small", waste_code="20 01 36", slip_number=f"{text}-OPEN")
    add_items(db.session, batch, [waiting.code])
    labels = f"{text.lower()}-labels"
    reserved = reserve_codes(db.session, 2, batch=labels, user=user(world, "coordinator"))
    issue_token(db.session, user(world, "volunteer"), name=f"{text} script")
    token_id = db.session.scalar(sa.select(sa.func.max(sa.text("id"))).select_from(sa.table("api_token")))
    codes = [item.code, recycled.code, waiting.code, *reserved,
             *db.session.scalars(sa.select(Item.code).where(Item.id.in_([handover.item_id, sale.item_id])))]
    ticket = aftersales.report_from_landlord(db.session, user(world, "landlord"), handover.id,
                                             aftersales.FaultReport(f"{text} panne"), route="/fixture")
    return {"code": item.code, "point_id": world.point_id, "batch": labels, "handover": handover.id, "ticket": ticket,
            "session": planned.id, "sale": sale.id, "recycling": batch.id, "closed": closed.id,
            "partner": world.partner_id, "token": token_id, "codes": codes, "waiting": waiting.code,
            "records": {"organisations": world.partner_id, "territories": db.session.scalar(sa.select(Territory.id)),
                        "collection-points": world.point_id, "categories": world.phone_id,
                        "containers": world.crate_id, "users": world.user_ids["volunteer"]},
            "users": world.user_ids, "world": world, **partnership_records(world.partner_id, text),
            **till_records(world, text), **make_people(text)}


@pytest.fixture
def two(app, world):
    """Ours (the first structure, the usual world) and theirs, a second structure marked everywhere."""
    with app.app_context():
        first = db.session.scalar(sa.select(sa.func.min(Structure.id)))
        other = Structure(name=f"{MARK} Recyclerie", name_on_labels=True)
        db.session.add(other)
        db.session.commit()
        with scoping.scoped_to(first):
            ours = furnish(world, None)
        with scoping.scoped_to(other.id):
            theirs = furnish(make_world(email_domain=f"{MARK.lower()}.example.org"), MARK)
        db.session.remove()
        return {"first": first, "other": other.id, "ours": ours, "theirs": theirs}


def fill(url: str, records: dict) -> str:
    return url.format(**{key: value for key, value in records.items() if not isinstance(value, (dict, list))})


def text_of(response) -> str:
    """What a person could read in the response: HTML, JSON, CSV as text, a PDF's text; nothing of an image."""
    kind = response.mimetype or ""
    if kind == "application/pdf":
        document = pypdfium2.PdfDocument(response.data)
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    if kind.startswith("image/"):
        return ""
    return response.get_data(as_text=True)


def leaks(response, theirs: dict, asked: str = "") -> list[str]:
    """What of the other structure the response shows (the URL asked for, echoed in the page's language
    form, is no news)."""
    body = text_of(response).replace(asked, "")
    found = [MARK] if MARK.lower() in body.lower() else []
    return found + [code for code in theirs["codes"] if code in body]


def other_urls(rule: str, theirs: dict, ours: dict) -> list[str]:
    """The URLs naming the other structure's record(s) for a GET rule."""
    if rule == "/admin/<slug>/<int:record_id>":
        return [f"/admin/{slug}/{theirs['records'][slug]}" for slug in ADMIN_SLUGS]
    if rule == "/recycling/<int:batch_id>":
        return [f"/recycling/{theirs['recycling']}", f"/recycling/{theirs['closed']}"]
    if rule == "/register/<int:batch_id>":
        return [f"/register/{theirs['closed']}", f"/register/{theirs['recycling']}"]
    return [fill(OWN[rule][0], theirs)]


def sign_in(auth, role: str):
    auth.login_as(role)


def test_every_route_has_a_decision(app):
    """A new route must say what staff of another structure get, here."""
    declared = {rule.rule for rule in app.url_map.iter_rules()}
    assert declared - set(DECISIONS) == set()
    assert {rule for rule, decision in DECISIONS.items() if decision is not None} - set(OWN) <= set(WRITE_RULES)


@pytest.mark.parametrize("role", ROLES)
def test_reads_of_the_other_structure(client, auth, two, role):
    """Every GET rule, for one role of ours: our record as tests/test_access.py says, theirs a 404 (or the
    passport), and no page of ours showing anything of theirs."""
    ours, theirs = two["ours"], two["theirs"]
    sign_in(auth, role)
    wrong = []
    for rule, decision in DECISIONS.items():
        if decision is None or rule not in OWN:
            continue
        url, expected = OWN[rule]
        own_status = expected[role]
        own_url = fill(url, ours) + (LISTING_QUERIES.get(rule, "") if decision == LISTING else "")
        response = client.get(own_url)
        if response.status_code != own_status:
            wrong.append(f"{rule}: ours {own_url} -> {response.status_code}, expected {own_status}")
        if decision == LISTING:
            if shown := leaks(response, theirs):
                wrong.append(f"{rule}: {own_url} shows theirs: {shown}")
            continue
        for other_url in other_urls(rule, theirs, ours):
            response = client.get(other_url)
            if decision == PASSPORT:
                want = 404 if role == "landlord" else 200
                is_passport = "js/item.js" not in response.get_data(as_text=True)
                if response.status_code != want or not is_passport:
                    wrong.append(f"{rule}: theirs {other_url} -> {response.status_code} (passport: {is_passport})")
                continue
            if rule == "/scan/go" and own_status != 403:
                # A typed code: their item is no item of ours, said on the scan page as for a mistyped code.
                where = urlsplit(response.headers.get("Location", "")).path
                if response.status_code != 302 or where != "/scan":
                    wrong.append(f"{rule}: theirs {other_url} -> {response.status_code} {where}")
                client.get("/scan")  # the message, read
                continue
            want = 403 if own_status == 403 else 404
            if response.status_code != want:
                wrong.append(f"{rule}: theirs {other_url} -> {response.status_code}, expected {want}")
            if shown := leaks(response, theirs, other_url):
                wrong.append(f"{rule}: theirs {other_url} -> {response.status_code} shows {shown}")
    assert not wrong, "\n".join(wrong)


def test_the_passport_speaks_for_each_structure(client, two):
    """Anyone scanning a label of either structure gets its passport, in that structure's name."""
    for records, name in ((two["ours"], None), (two["theirs"], f"{MARK} Recyclerie")):
        page = client.get(f"/i/{records['code']}")
        assert page.status_code == 200
        if name:
            assert name in page.get_data(as_text=True)
    assert MARK not in client.get(f"/i/{two['ours']['code']}").get_data(as_text=True)


def snapshot(app, structure_id: int, user_ids) -> dict:
    """Every row of one structure, and its people's accounts and tokens, as they are now."""
    with app.app_context(), db.engine.connect() as connection:
        rows = {}
        for table in scoped_tables():
            rows[table] = sorted(map(repr, connection.execute(
                sa.text(f'SELECT * FROM "{table}" WHERE structure_id = :s'), {"s": structure_id})))
        ids = ", ".join(map(str, user_ids))
        for table, column in (("user", "id"), ("api_token", "user_id"), ("membership", "user_id")):
            rows[table] = sorted(map(repr, connection.execute(
                sa.text(f'SELECT * FROM "{table}" WHERE {column} IN ({ids})'))))
        return rows


def jpeg_upload():
    jpeg = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(jpeg, "JPEG")
    return (io.BytesIO(jpeg.getvalue()), "photo.jpg")


def writes(ours: dict, theirs: dict) -> list[tuple[str, str, str, dict]]:
    """(rule, method, URL naming their record, what a browser or script would send)."""
    world = ours["world"]
    today = date.today().isoformat()
    item_fields = {"version": "1", "category_id": world.phone_id, "weight_kg": "0,3", "tare_kg": "0",
                   "grade": "A", "source_id": "0", "collection_point_id": world.point_id, "brand": "Changed",
                   "reason": "test"}
    out = [
        ("/i/<code>/again", "POST", "/i/{code}/again", {"client_uuid": str(uuid.uuid4())}),
        ("/i/<code>/correct", "POST", "/i/{code}/correct", item_fields),
        ("/i/<code>/undo", "POST", "/i/{code}/undo", {}),
        ("/i/<code>/photo", "POST", "/i/{code}/photo", {"photo": "file"}),
        ("/i/<code>/print", "POST", "/i/{code}/print", {}),
        ("/i/<code>/status", "POST", "/i/{code}/status", {"to": "diagnosing", "seen_status": "received"}),
        ("/i/<code>/checklist", "POST", "/i/{code}/checklist", {"check-0": "y", "check-1": "y"}),
        ("/i/<code>/erasure", "POST", "/i/{code}/erasure",
         {"level": "purge", "method": "x", "tool": "x", "tool_version": "1", "verification": "passed"}),
        ("/i/<code>/sale", "POST", "/i/{code}/sale",
         {"price": "10", "sold_on": today, "channel": "shop", "warranty_months": "6"}),
        ("/i/<code>/handover", "POST", "/i/{code}/handover",
         {"landlord_id": world.landlord_org_id, "residence": "R", "tenant_ref": "T", "handed_on": today,
          "warranty_months": "12", "acceptance": "typed", "typed_name": "Tenant"}),
        ("/i/<code>/return", "POST", "/i/{code}/return", {"reason": "breakdown"}),
        ("/handovers/<int:handover_id>/sessions", "POST", "/handovers/{handover}/sessions",
         {"topic": "Changed", "planned_on": today, "partner_id": "0"}),
        ("/handovers/<int:handover_id>/sessions/<int:session_id>", "POST", "/handovers/{handover}/sessions/{session}",
         {"attended_on": today}),
        ("/recycling/<int:batch_id>", "POST", "/recycling/{recycling}", {"codes": ours["waiting"]}),
        ("/recycling/<int:batch_id>/all", "POST", "/recycling/{recycling}/all", {}),
        ("/recycling/<int:batch_id>/remove/<code>", "POST", "/recycling/{recycling}/remove/{waiting}", {}),
        ("/recycling/<int:batch_id>/close", "POST", "/recycling/{recycling}/close", {}),
        ("/register/<int:batch_id>", "POST", "/register/{closed}", {"carrier_name": "Changed"}),
        ("/register/<int:batch_id>/delete", "POST", "/register/{closed}/delete", {}),
        ("/intake/tiles/<int:point_id>", "POST", "/intake/tiles/{point_id}", {"most_used_first": "y"}),
        ("/admin/users/<int:record_id>/sign-out-everywhere", "POST",
         f"/admin/users/{theirs['users']['volunteer']}/sign-out-everywhere", {}),
        ("/account/tokens/<int:token_id>/revoke", "POST", "/account/tokens/{token}/revoke", {}),
        ("/api/v1/items/<code>/transitions", "POST", "/api/v1/items/{code}/transitions", {"json": {"to": "diagnosing"}}),
        ("/api/v1/items/<code>", "PATCH", "/api/v1/items/{code}", {"json": {"brand": "Changed"}}),
        # partnerships
        ("/partners/<int:organisation_id>/move", "POST", "/partners/{partner}/move",
         {"to": "met", "seen_status": "identified", "happened_on": today}),
        ("/partners/<int:organisation_id>/events", "POST", "/partners/{partner}/events",
         {"kind": "note", "happened_on": today, "note": "Changed"}),
        ("/partners/<int:organisation_id>/contacts/new", "POST", "/partners/{partner}/contacts/new", {"name": "New"}),
        ("/partners/contacts/<int:contact_id>", "POST", "/partners/contacts/{contact}", {"name": "Changed"}),
        ("/partners/contacts/<int:contact_id>/delete", "POST", "/partners/contacts/{contact}/delete", {}),
        ("/partners/<int:organisation_id>/conventions/new", "POST", "/partners/{partner}/conventions/new",
         {"title": "New", "starts_on": today, "ends_on": today}),
        ("/partners/conventions/<int:convention_id>", "POST", "/partners/conventions/{convention}",
         {"title": "Changed", "starts_on": today, "ends_on": today}),
        ("/partners/<int:organisation_id>/location", "POST", "/partners/{partner}/location",
         {"latitude": "47", "longitude": "-0,5"}),
        ("/partners/points/<int:point_id>/location", "POST", "/partners/points/{point_id}/location",
         {"latitude": "47", "longitude": "-0,5"}),
        # weighed lots and the till
        ("/till/sessions/<int:session_id>/sale", "POST", "/till/sessions/{till}/sale",
         {"action": "pay", "kind": "goods", "category_id": world.bike_id, "price": "1", "method_id": "1",
          "amount": "1"}),
        ("/till/sessions/<int:session_id>/close", "POST", "/till/sessions/{till}/close", {"counted_cash": "10"}),
        ("/till/sales/<int:sale_id>/refund", "POST", "/till/sales/{till_sale}/refund",
         {"session_id": ours["till"], "method_id": "1", "reason": "Changed", "line_id": "1"}),
        # After-sales
        ("/workshop/tickets/<int:ticket_id>", "POST", "/workshop/tickets/{ticket}", {"action": "close",
                                                                                 "answer": "Changed"}),
        ("/landlord/handovers/<int:handover_id>/fault", "POST", "/landlord/handovers/{handover}/fault",
         {"problem": "Changed"}),
        # people
        ("/people/insertion/<int:person_id>/skills", "POST", "/people/insertion/{person}/skills",
         {"skill_id": "1", "validated_on": today}),
        ("/people/insertion/<int:person_id>/exit", "POST", "/people/insertion/{person}/exit",
         {"exit_on": today, "outcome": "cdi"}),
        ("/people/sessions/<int:session_id>/find", "POST", "/people/sessions/{workshop}/find", {"text": "Marie"}),
        ("/people/sessions/<int:session_id>/attend", "POST", "/people/sessions/{workshop}/attend", {}),
        ("/people/sessions/<int:session_id>/join", "POST", "/people/sessions/{workshop}/join",
         {"name": "Changed Name", "amount": "10", "paid_on": today}),
        ("/people/sessions/<int:session_id>/items", "POST", "/people/sessions/{workshop}/items",
         {"description": "Changed", "outcome": "fixed"}),
        ("/people/members/<int:member_id>/renew", "POST", "/people/members/{member}/renew",
         {"amount": "10", "paid_on": today}),
    ]
    for slug in ADMIN_SLUGS:
        out.append(("/admin/<slug>/<int:record_id>", "POST", f"/admin/{slug}/{theirs['records'][slug]}",
                    {"name": "Changed", "email": "changed@example.org", "role": "volunteer", "population": "1",
                     "zone_type": "dense_urban", "tare_kg": "1", "family": "electrical", "kind": "other"}))
    return out


WRITE_RULES = {"/i/<code>/again", "/i/<code>/undo", "/i/<code>/print", "/i/<code>/status",
               "/api/v1/items/<code>/transitions", "/handovers/<int:handover_id>/sessions",
               "/handovers/<int:handover_id>/sessions/<int:session_id>", "/recycling/<int:batch_id>/all",
               "/recycling/<int:batch_id>/remove/<code>", "/recycling/<int:batch_id>/close",
               "/register/<int:batch_id>/delete", "/account/tokens/<int:token_id>/revoke",
               "/admin/users/<int:record_id>/sign-out-everywhere",
               # partnerships
               "/partners/<int:organisation_id>/move", "/partners/<int:organisation_id>/events",
               "/partners/contacts/<int:contact_id>/delete",
               # weighed lots and the till
               "/till/sessions/<int:session_id>/close", "/till/sales/<int:sale_id>/refund",
               # after-sales
               "/landlord/handovers/<int:handover_id>/fault",
               # people
               "/people/insertion/<int:person_id>/skills", "/people/insertion/<int:person_id>/exit",
               "/people/sessions/<int:session_id>/find", "/people/sessions/<int:session_id>/attend",
               "/people/sessions/<int:session_id>/join", "/people/sessions/<int:session_id>/items",
               "/people/members/<int:member_id>/renew"}


def send(client, auth, method: str, url: str, data: dict):
    token = auth.csrf_token("/account")
    headers = {"X-CSRFToken": token}
    if "json" in data:
        return client.open(url, method=method, json=data["json"], headers=headers)
    data = {**data, "csrf_token": token}
    if data.get("photo") == "file":
        data["photo"] = jpeg_upload()
    return client.open(url, method=method, data=data, headers=headers, content_type="multipart/form-data")


def test_every_write_to_a_record_is_tried(two):
    tried = {rule for rule, *_ in writes(two["ours"], two["theirs"])}
    naming = {rule for rule, decision in DECISIONS.items() if decision == OBJECT} - set(OWN)
    assert naming - tried == set()


@pytest.mark.parametrize("role", ("volunteer", "technician", "coordinator"))
def test_writes_to_the_other_structure_are_404_and_change_nothing(app, client, auth, two, role):
    ours, theirs = two["ours"], two["theirs"]
    theirs_ids = list(theirs["users"].values())
    before = snapshot(app, two["other"], theirs_ids)
    sign_in(auth, role)
    wrong = []
    for rule, method, url, data in writes(ours, theirs):
        response = send(client, auth, method, fill(url, theirs), data)
        refused = role in POST_FORBIDDEN.get(rule, ()) or (
            rule == "/admin/<slug>/<int:record_id>" and role != "coordinator")
        want = 403 if refused else 404
        if response.status_code != want:
            wrong.append(f"{method} {rule} {fill(url, theirs)} -> {response.status_code}, expected {want}")
        elif MARK.lower() in text_of(response).lower():
            wrong.append(f"{method} {rule}: the refusal shows {MARK}")
    assert not wrong, "\n".join(wrong)
    after = snapshot(app, two["other"], theirs_ids)
    assert {table: rows for table, rows in after.items() if rows != before[table]} == {}


@pytest.mark.parametrize("case", ["api_category", "api_point", "api_source", "api_container", "api_client_uuid",
                                  "api_their_code", "api_their_preprinted", "setup_point", "handover_landlord",
                                  "batch_eco", "batch_code", "admin_point_host", "admin_user_org", "scan_many",
                                  "correct_point", "session_partner", "batch_point", "labels_their_codes"])
def test_our_writes_cannot_point_at_their_records(app, client, auth, two, case):
    """A form or script of ours naming one of their records (by id or code) is refused: nothing of ours
    ends up pointing at theirs, nothing of theirs changes."""
    ours, theirs = two["ours"], two["theirs"]
    world, their_world = ours["world"], theirs["world"]
    before = snapshot(app, two["other"], list(theirs["users"].values()))
    auth.login_as("coordinator")
    token = auth.csrf_token("/account")
    form = {"csrf_token": token}
    today = date.today().isoformat()
    if case in ("api_category", "api_point"):
        body = {"client_uuid": str(uuid.uuid4()), "category_id": world.phone_id, "weight_kg": "0.3",
                "grade": "B", "collection_point_id": world.point_id}
        body["category_id" if case == "api_category" else "collection_point_id"] = (
            their_world.phone_id if case == "api_category" else their_world.point_id)
        response = client.post("/api/v1/items", json=body, headers={"X-CSRFToken": token})
    elif case.startswith("api_"):
        body = {"client_uuid": str(uuid.uuid4()), "category_id": world.phone_id, "weight_kg": "0.3",
                "grade": "B", "collection_point_id": world.point_id}
        with app.app_context(), scoping.all_structures():
            their_item = db.session.scalar(sa.select(Item).where(Item.code == theirs["code"]))
            body.update({"api_source": {"source_id": their_world.partner_id},
                         "api_container": {"container_id": their_world.crate_id},
                         "api_client_uuid": {"client_uuid": str(their_item.client_uuid)},
                         "api_their_code": {"code": theirs["code"]},
                         "api_their_preprinted": {"code": theirs["codes"][3]}}[case])
        response = client.post("/api/v1/items", json=body, headers={"X-CSRFToken": token})
        assert response.status_code in (400, 404, 409, 422), response.get_data(as_text=True)
        if case == "api_client_uuid":  # a phone that switched structure with an intake in its outbox
            assert "autre structure" in response.json["errors"]["json"]["client_uuid"][0]
    elif case == "setup_point":
        response = client.post("/intake/setup", data={**form, "collection_point_id": their_world.point_id,
                                                      "source_id": "0"})
    elif case == "handover_landlord":
        with app.app_context(), scoping.scoped_to(two["first"]):
            code = make_ready(world).code
        response = client.post(f"/i/{code}/handover", data={
            **form, "landlord_id": their_world.landlord_org_id, "residence": "R", "tenant_ref": "T",
            "handed_on": today, "warranty_months": "12", "acceptance": "typed", "typed_name": "Tenant"})
    elif case == "batch_eco":
        with app.app_context(), scoping.all_structures():
            eco = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == f"{MARK} Ecosystem"))
        response = client.post("/recycling/new", data={**form, "eco_organism_id": eco, "stream": "small",
                                                       "pickup_on": today})
    elif case == "batch_code":
        response = client.post(f"/recycling/{ours['recycling']}", data={**form, "codes": theirs["waiting"]})
    elif case == "admin_point_host":
        response = client.post("/admin/collection-points/new", data={
            **form, "name": "Nouveau point", "organisation_id": their_world.partner_id, "territory_id": "0",
            "label_offset_x_mm": "0", "label_offset_y_mm": "0"})
    elif case == "admin_user_org":
        response = client.post("/admin/users/new", data={
            **form, "email": "new@example.org", "name": "New", "role": "landlord",
            "organisation_id": their_world.landlord_org_id, "password": "correct horse battery staple"})
    elif case == "scan_many":
        response = client.post("/scan/many", data={**form, "to": "diagnosing", "codes": theirs["code"]})
    elif case == "correct_point":
        with app.app_context(), scoping.scoped_to(two["first"]):
            version = db.session.scalar(sa.select(Item.version).where(Item.code == ours["code"])) \
                if hasattr(Item, "version") else 1
        response = client.post(f"/i/{ours['code']}/correct", data={
            **form, "version": version, "category_id": world.phone_id, "weight_kg": "0,3", "tare_kg": "0",
            "grade": "A", "source_id": "0", "collection_point_id": their_world.point_id, "reason": "x"})
    elif case == "session_partner":
        response = client.post(f"/handovers/{ours['handover']}/sessions", data={
            **form, "topic": "Changed", "planned_on": today, "partner_id": their_world.partner_id})
    elif case == "batch_point":
        response = client.post("/api/v1/items/batch", headers={"X-CSRFToken": token}, json={
            "client_uuid": str(uuid.uuid4()), "category_id": world.phone_id, "weight_kg": "0.3", "grade": "B",
            "collection_point_id": their_world.point_id, "quantity": 3})
        assert response.status_code == 422
    elif case == "labels_their_codes":
        client.post("/intake/setup", data={**form, "collection_point_id": world.point_id, "source_id": "0"})
        response = client.post("/labels/send", data={**form, "codes": f"{ours['code']} {theirs['code']}"})
        assert response.status_code == 404
    assert response.status_code != 500
    assert MARK.lower() not in text_of(response).lower()
    # Nothing of ours points at theirs, whatever the answer was.
    with app.app_context(), db.engine.connect() as connection:
        crossing = crossings(connection)
    assert crossing == []
    assert snapshot(app, two["other"], list(theirs["users"].values())) == before


def crossings(connection) -> list[str]:
    """Every foreign key between two scoped tables whose rows belong to different structures."""
    found = []
    scoped = set(scoped_tables())
    for table in scoped:
        for foreign_key in db.metadata.tables[table].foreign_keys:
            target = foreign_key.column.table.name
            if target not in scoped:
                continue
            column, target_column = foreign_key.parent.name, foreign_key.column.name
            count = connection.execute(sa.text(
                f'SELECT count(*) FROM "{table}" a JOIN "{target}" b ON a."{column}" = b."{target_column}" '
                f"WHERE a.structure_id <> b.structure_id")).scalar()
            if count:
                found.append(f"{table}.{column} -> {target}: {count}")
    # Memberships' organisations too: an account of ours tied to their organisation.
    count = connection.execute(sa.text(
        "SELECT count(*) FROM membership m JOIN organisation o ON m.organisation_id = o.id "
        "WHERE m.structure_id <> o.structure_id")).scalar()
    if count:
        found.append(f"membership.organisation_id -> organisation: {count}")
    return found


def test_no_record_points_across_structures_after_the_fixtures(app, two):
    with app.app_context(), db.engine.connect() as connection:
        assert crossings(connection) == []



@pytest.mark.parametrize("which", ["item", "reserved"])
def test_a_code_drawn_that_another_structure_holds_is_drawn_again(client, auth, two, monkeypatch, which):
    """Codes are unique in the instance: a drawn code that one of their items (or their pre-printed labels)
    holds fails the insert, unseen through the walls; it is drawn again rather than ending in a 500."""
    from intake.services import intake as intake_service

    their_code = two["theirs"]["code"] if which == "item" else two["theirs"]["codes"][3]
    draws = iter([their_code])
    monkeypatch.setattr(intake_service, "new_code", lambda: next(draws, None) or real_new_code())
    world = two["ours"]["world"]
    auth.login_as("volunteer")
    response = client.post("/api/v1/items", headers={"X-CSRFToken": auth.csrf_token("/account")}, json={
        "client_uuid": str(uuid.uuid4()), "category_id": world.phone_id, "weight_kg": "0.3", "grade": "B",
        "collection_point_id": world.point_id})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["code"] != their_code


def real_new_code():
    from intake.services.codes import new_code

    return new_code()
