"""Every route, for every kind of visitor: who gets in, who is sent to sign in, who is refused."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from PIL import Image

from intake.extensions import db
from intake.models import ContactPerson, Convention, Organisation, Photo, User
from intake.services import aftersales
from intake.services.code_register import reserve_codes
from intake.services.outcomes import plan_session, record_sale
from intake.services.recycling import open_batch

from .conftest import AuthActions
from .factories import make_handover, make_item, make_people, make_ready, make_world, user

VISITORS = ("anonymous", "volunteer", "technician", "coordinator", "landlord")
STAFF = {"volunteer": 200, "technician": 200, "coordinator": 200, "landlord": 403, "anonymous": "login"}
COORDINATOR_ONLY = {"volunteer": 403, "technician": 403, "coordinator": 200, "landlord": 403, "anonymous": "login"}
API = {"volunteer": 200, "technician": 200, "coordinator": 200, "landlord": 403, "anonymous": 401}
EVERYONE = dict.fromkeys(VISITORS, 200)
WORKSHOP = {**STAFF, "volunteer": 403}
LANDLORD = {"volunteer": 403, "technician": 403, "coordinator": 403, "landlord": 200, "anonymous": "login"}
LANDLORD_API = {"volunteer": 403, "technician": 403, "coordinator": 403, "landlord": 200, "anonymous": 401}
# A network's coordinators only (accounts with no role here: tests/test_networks.py signs them in).
NETWORK = {"volunteer": 403, "technician": 403, "coordinator": 403, "landlord": 403, "anonymous": "login"}
# The eco-organism's portal (its own visitor's walk: tests/test_partner_portals.py).
ECO = {"volunteer": 403, "technician": 403, "coordinator": 403, "landlord": 403, "anonymous": "login"}

# (URL rule, concrete URL, expected status per visitor). "login" means: redirected to /login?next=...
GET_ROUTES = [
    ("/", "/", {"volunteer": 302, "technician": 302, "coordinator": 302, "landlord": 302, "anonymous": "login"}),
    ("/login", "/login", {**dict.fromkeys(VISITORS, 302), "anonymous": 200}),
    ("/account", "/account", {**dict.fromkeys(VISITORS, 200), "anonymous": "login"}),
    ("/today", "/today", COORDINATOR_ONLY),
    ("/healthz", "/healthz", EVERYONE),
    ("/favicon.ico", "/favicon.ico", EVERYONE),
    ("/intake", "/intake", {**STAFF, "volunteer": 302, "technician": 302, "coordinator": 302}),  # -> choose a point first
    ("/intake/setup", "/intake/setup", STAFF),
    ("/intake/tiles/<int:point_id>", "/intake/tiles/{point_id}", COORDINATOR_ONLY),
    ("/items", "/items", STAFF),
    # A landlord user sees only its own tenants' devices: any other item is a 404.
    ("/i/<code>", "/i/{code}", {**EVERYONE, "landlord": 404}),
    ("/i/<code>/history", "/i/{code}/history", STAFF),
    # The item was logged by the volunteer: the others are sent back to the item page, told why.
    ("/i/<code>/correct", "/i/{code}/correct", {**STAFF, "technician": 302}),
    ("/i/<code>/photo", "/i/{code}/photo", STAFF),
    ("/admin/", "/admin/", COORDINATOR_ONLY),
    ("/admin/<slug>/", "/admin/users/", COORDINATOR_ONLY),
    ("/admin/<slug>/new", "/admin/organisations/new", COORDINATOR_ONLY),
    ("/admin/<slug>/<int:record_id>", "/admin/collection-points/{point_id}", COORDINATOR_ONLY),
    ("/admin/structure", "/admin/structure", COORDINATOR_ONLY),
    # Public (the passport shows it); 404 until a coordinator gives a logo.
    ("/structure/logo.png", "/structure/logo.png", dict.fromkeys(VISITORS, 404)),
    ("/api/v1/items/<code>", "/api/v1/items/{code}", API),
    ("/api/v1/categories", "/api/v1/categories", API),
    ("/api/v1/collection-points", "/api/v1/collection-points", API),
    ("/api/v1/organisations", "/api/v1/organisations", API),
    ("/api/v1/containers", "/api/v1/containers", API),
    ("/api/v1/openapi.json", "/api/v1/openapi.json", EVERYONE),
    ("/static/<path:filename>", "/static/css/app.css", EVERYONE),
    ("/i/<code>/label.png", "/i/{code}/label.png", STAFF),
    ("/i/<code>/label.pdf", "/i/{code}/label.pdf", STAFF),
    ("/labels", "/labels", STAFF),
    ("/labels/sheet.pdf", "/labels/sheet.pdf?codes={code}", STAFF),
    ("/labels/print", "/labels/print?codes={code}", STAFF),
    ("/labels/print.css", "/labels/print.css", STAFF),
    ("/labels/calibration.pdf", "/labels/calibration.pdf", STAFF),
    ("/labels/preprinted", "/labels/preprinted", COORDINATOR_ONLY),
    ("/labels/preprinted/<batch_id>", "/labels/preprinted/{batch}", COORDINATOR_ONLY),
    ("/workshop", "/workshop", STAFF),
    ("/i/<code>/checklist", "/i/{code}/checklist", WORKSHOP),
    ("/i/<code>/erasure", "/i/{code}/erasure", WORKSHOP),
    ("/scan", "/scan", STAFF),
    ("/scan/go", "/scan/go?code={code}", {**STAFF, "volunteer": 302, "technician": 302, "coordinator": 302}),
    ("/scan/many", "/scan/many", STAFF),
    ("/vendor/<path:filename>", "/vendor/qr-scanner/qr-scanner.min.js", EVERYONE),
    ("/i/<code>/sale", "/i/{code}/sale", WORKSHOP),
    ("/sales/<int:sale_id>/receipt", "/sales/{sale}/receipt", WORKSHOP),
    ("/sales/<int:sale_id>/receipt.pdf", "/sales/{sale}/receipt.pdf", WORKSHOP),
    ("/i/<code>/handover", "/i/{code}/handover", WORKSHOP),
    ("/handovers/<int:handover_id>", "/handovers/{handover}", WORKSHOP),
    ("/handovers/<int:handover_id>/receipt.pdf", "/handovers/{handover}/receipt.pdf", WORKSHOP),
    ("/handovers/<int:handover_id>/signature.png", "/handovers/{handover}/signature.png", COORDINATOR_ONLY),
    ("/i/<code>/return", "/i/{code}/return", WORKSHOP),
    ("/recycling", "/recycling", WORKSHOP),
    ("/recycling/new", "/recycling/new", WORKSHOP),
    ("/recycling/<int:batch_id>", "/recycling/{recycling}", WORKSHOP),
    ("/recycling/register.csv", "/recycling/register.csv", COORDINATOR_ONLY),
    ("/indicators", "/indicators", COORDINATOR_ONLY),
    ("/landlord-access", "/landlord-access", COORDINATOR_ONLY),
    ("/indicators/<key>.csv", "/indicators/by_source.csv", COORDINATOR_ONLY),
    ("/indicators/factors", "/indicators/factors", COORDINATOR_ONLY),
    ("/partners/<int:organisation_id>/report", "/partners/{partner}/report", COORDINATOR_ONLY),
    ("/partners/<int:organisation_id>/report.pdf", "/partners/{partner}/report.pdf", COORDINATOR_ONLY),
    ("/results", "/results", EVERYONE),
    ("/register", "/register", COORDINATOR_ONLY),
    ("/register.csv", "/register.csv", COORDINATOR_ONLY),
    ("/register.pdf", "/register.pdf", COORDINATOR_ONLY),
    ("/register/<int:batch_id>", "/register/{recycling}", COORDINATOR_ONLY),
    ("/exports", "/exports", COORDINATOR_ONLY),
    ("/exports/items.csv", "/exports/items.csv", COORDINATOR_ONLY),
    ("/exports/events.csv", "/exports/events.csv", COORDINATOR_ONLY),
    ("/exports/ords.csv", "/exports/ords.csv", COORDINATOR_ONLY),
    ("/manifest.webmanifest", "/manifest.webmanifest", EVERYONE),
    ("/sw.js", "/sw.js", EVERYONE),
    ("/offline", "/offline", EVERYONE),
    ("/landlord/", "/landlord/", LANDLORD),
    ("/landlord/handovers/<int:handover_id>", "/landlord/handovers/{handover}", LANDLORD),
    ("/landlord/handovers/<int:handover_id>/receipt.pdf", "/landlord/handovers/{handover}/receipt.pdf", LANDLORD),
    ("/landlord/export.csv", "/landlord/export.csv", LANDLORD),
    ("/api/v1/landlord/handovers", "/api/v1/landlord/handovers", LANDLORD_API),
    ("/api/v1/landlord/handovers/<int:handover_id>", "/api/v1/landlord/handovers/{handover}", LANDLORD_API),
    ("/eco/", "/eco/", ECO),
    ("/eco/export.csv", "/eco/export.csv", ECO),
    ("/network/", "/network/", NETWORK),
    ("/network/figures.csv", "/network/figures.csv", NETWORK),
    ("/network/structures/new", "/network/structures/new", NETWORK),
    ("/network/membership", "/network/membership", COORDINATOR_ONLY),
    # partnerships: contact persons, conventions and their signed PDF are the coordinators' only
    ("/partners/", "/partners/", COORDINATOR_ONLY),
    ("/partners/<int:organisation_id>", "/partners/{partner}", COORDINATOR_ONLY),
    ("/partners/<int:organisation_id>/contacts/new", "/partners/{partner}/contacts/new", COORDINATOR_ONLY),
    ("/partners/contacts/<int:contact_id>", "/partners/contacts/{contact}", COORDINATOR_ONLY),
    ("/partners/<int:organisation_id>/conventions/new", "/partners/{partner}/conventions/new", COORDINATOR_ONLY),
    ("/partners/conventions/<int:convention_id>", "/partners/conventions/{convention}", COORDINATOR_ONLY),
    ("/partners/conventions/<int:convention_id>/document.pdf", "/partners/conventions/{convention}/document.pdf",
     COORDINATOR_ONLY),
    ("/partners/<int:organisation_id>/location", "/partners/{partner}/location", COORDINATOR_ONLY),
    ("/partners/points/<int:point_id>/location", "/partners/points/{point_id}/location", COORDINATOR_ONLY),
    ("/partners/map", "/partners/map", COORDINATOR_ONLY),
    ("/partners/map.geojson", "/partners/map.geojson", COORDINATOR_ONLY),
    ("/partners/import", "/partners/import", COORDINATOR_ONLY),
    # weighed lots and the till
    ("/lots/new", "/lots/new?point={point_id}", STAFF),
    ("/lots", "/lots", STAFF),
    ("/lots/<int:lot_id>", "/lots/{lot}", STAFF),
    ("/lots/<int:lot_id>/photo.jpg", "/lots/{lot}/photo.jpg", STAFF),
    ("/lots/out", "/lots/out", WORKSHOP),
    ("/till", "/till", WORKSHOP),
    ("/till/sessions/<int:session_id>/sale", "/till/sessions/{till}/sale", WORKSHOP),
    ("/till/sessions/<int:session_id>", "/till/sessions/{till}", WORKSHOP),
    ("/till/sales/<int:sale_id>", "/till/sales/{till_sale}", WORKSHOP),
    ("/till/sales/<int:sale_id>/ticket.pdf", "/till/sales/{till_sale}/ticket.pdf", WORKSHOP),
    ("/till/methods", "/till/methods", COORDINATOR_ONLY),
    ("/till/archive.csv", "/till/archive.csv?start=2026-01-01&end=2026-12-31", COORDINATOR_ONLY),
    # After-sales: the landlord's tickets, the workshop's ticket page, the buyer's report on the passport
    # (a landlord is sent to its own device's page, any other is a 404, as for the passport).
    ("/landlord/tickets", "/landlord/tickets", LANDLORD),
    ("/landlord/tickets/<int:ticket_id>", "/landlord/tickets/{ticket}", LANDLORD),
    ("/workshop/tickets/<int:ticket_id>", "/workshop/tickets/{ticket}", WORKSHOP),
    ("/i/<code>/fault", "/i/{code}/fault", {**EVERYONE, "landlord": 404}),
    # people: names, insertion and figures for coordinators; the sessions' door and hours for every staff member
    ("/people/", "/people/", COORDINATOR_ONLY),
    ("/people/export.csv", "/people/export.csv", COORDINATOR_ONLY),
    ("/people/insertion", "/people/insertion", COORDINATOR_ONLY),
    ("/people/insertion/new", "/people/insertion/new", COORDINATOR_ONLY),
    ("/people/insertion/<int:person_id>", "/people/insertion/{person}", COORDINATOR_ONLY),
    ("/people/skills", "/people/skills", COORDINATOR_ONLY),
    ("/people/sessions", "/people/sessions", STAFF),
    ("/people/sessions/new", "/people/sessions/new", STAFF),
    ("/people/sessions/<int:session_id>", "/people/sessions/{workshop}", STAFF),
    ("/people/hours", "/people/hours", STAFF),
    ("/people/members", "/people/members", COORDINATOR_ONLY),
    ("/people/members/new", "/people/members/new", COORDINATOR_ONLY),
    ("/people/members/<int:member_id>", "/people/members/{member}", COORDINATOR_ONLY),
]

# State-changing routes: visitors who may not use them are stopped before the form is even read.
POST_ROUTES = [
    ("/login", "/login"),
    ("/logout", "/logout"),
    # Anyone signed in may switch to one of their structures; any other is a 404 (tests/test_structure_walls.py).
    ("/structure", "/structure"),
    ("/account/tokens", "/account/tokens"),
    ("/account/tokens/<int:token_id>/revoke", "/account/tokens/999/revoke"),
    ("/account/sign-out-everywhere", "/account/sign-out-everywhere"),
    ("/admin/users/<int:record_id>/sign-out-everywhere", "/admin/users/1/sign-out-everywhere"),
    ("/language", "/language"),
    ("/intake", "/intake"),
    ("/intake/setup", "/intake/setup"),
    ("/i/<code>/again", "/i/{code}/again"),
    ("/i/<code>/correct", "/i/{code}/correct"),
    ("/i/<code>/undo", "/i/{code}/undo"),
    ("/intake/tiles/<int:point_id>", "/intake/tiles/{point_id}"),
    ("/admin/<slug>/new", "/admin/organisations/new"),
    ("/admin/<slug>/<int:record_id>", "/admin/collection-points/{point_id}"),
    ("/admin/structure", "/admin/structure"),
    ("/api/v1/items", "/api/v1/items"),
    ("/i/<code>/print", "/i/{code}/print"),
    ("/api/v1/items/batch", "/api/v1/items/batch"),
    ("/labels/send", "/labels/send"),
    ("/labels/preprinted", "/labels/preprinted"),
    ("/i/<code>/status", "/i/{code}/status"),
    ("/i/<code>/checklist", "/i/{code}/checklist"),
    ("/i/<code>/erasure", "/i/{code}/erasure"),
    ("/scan/many", "/scan/many"),
    ("/api/v1/items/<code>/transitions", "/api/v1/items/{code}/transitions"),
    ("/api/v1/code-blocks", "/api/v1/code-blocks"),
    ("/i/<code>/photo", "/i/{code}/photo"),
    ("/i/<code>/sale", "/i/{code}/sale"),
    ("/i/<code>/handover", "/i/{code}/handover"),
    ("/i/<code>/return", "/i/{code}/return"),
    ("/handovers/<int:handover_id>/sessions", "/handovers/{handover}/sessions"),
    ("/handovers/<int:handover_id>/sessions/<int:session_id>", "/handovers/{handover}/sessions/{session}"),
    ("/recycling/new", "/recycling/new"),
    ("/recycling/<int:batch_id>", "/recycling/{recycling}"),
    ("/recycling/<int:batch_id>/all", "/recycling/{recycling}/all"),
    ("/recycling/<int:batch_id>/remove/<code>", "/recycling/{recycling}/remove/{code}"),
    ("/recycling/<int:batch_id>/close", "/recycling/{recycling}/close"),
    ("/indicators/factors", "/indicators/factors"),
    ("/register/<int:batch_id>", "/register/{recycling}"),
    ("/register/<int:batch_id>/delete", "/register/{recycling}/delete"),
    ("/network/structures/new", "/network/structures/new"),
    ("/network/<int:network_id>/leave", "/network/1/leave"),
    # partnerships
    ("/partners/<int:organisation_id>/move", "/partners/{partner}/move"),
    ("/partners/<int:organisation_id>/events", "/partners/{partner}/events"),
    ("/partners/<int:organisation_id>/contacts/new", "/partners/{partner}/contacts/new"),
    ("/partners/contacts/<int:contact_id>", "/partners/contacts/{contact}"),
    ("/partners/contacts/<int:contact_id>/delete", "/partners/contacts/{contact}/delete"),
    ("/partners/<int:organisation_id>/conventions/new", "/partners/{partner}/conventions/new"),
    ("/partners/conventions/<int:convention_id>", "/partners/conventions/{convention}"),
    ("/partners/<int:organisation_id>/location", "/partners/{partner}/location"),
    ("/partners/points/<int:point_id>/location", "/partners/points/{point_id}/location"),
    ("/partners/import", "/partners/import"),
    # weighed lots and the till
    ("/lots/new", "/lots/new"),
    ("/lots/out", "/lots/out"),
    ("/till/open", "/till/open"),
    ("/till/sessions/<int:session_id>/sale", "/till/sessions/{till}/sale"),
    ("/till/sessions/<int:session_id>/close", "/till/sessions/{till}/close"),
    ("/till/sales/<int:sale_id>/refund", "/till/sales/{till_sale}/refund"),
    ("/till/methods", "/till/methods"),
    # After-sales
    ("/landlord/handovers/<int:handover_id>/fault", "/landlord/handovers/{handover}/fault"),
    ("/workshop/tickets/<int:ticket_id>", "/workshop/tickets/{ticket}"),
    ("/i/<code>/fault", "/i/{code}/fault"),
    ("/i/<code>/fault/follow", "/i/{code}/fault/follow"),
    # people
    ("/people/insertion/new", "/people/insertion/new"),
    ("/people/insertion/<int:person_id>/skills", "/people/insertion/{person}/skills"),
    ("/people/insertion/<int:person_id>/exit", "/people/insertion/{person}/exit"),
    ("/people/skills", "/people/skills"),
    ("/people/sessions/new", "/people/sessions/new"),
    ("/people/sessions/<int:session_id>/find", "/people/sessions/{workshop}/find"),
    ("/people/sessions/<int:session_id>/attend", "/people/sessions/{workshop}/attend"),
    ("/people/sessions/<int:session_id>/join", "/people/sessions/{workshop}/join"),
    ("/people/sessions/<int:session_id>/items", "/people/sessions/{workshop}/items"),
    ("/people/hours", "/people/hours"),
    ("/people/members/new", "/people/members/new"),
    ("/people/members/<int:member_id>/renew", "/people/members/{member}/renew"),
]
POST_FORBIDDEN = {
    "/intake": {"landlord"},
    "/intake/setup": {"landlord"},
    "/i/<code>/again": {"landlord"},
    "/i/<code>/correct": {"landlord"},
    "/i/<code>/undo": {"landlord"},
    "/intake/tiles/<int:point_id>": {"volunteer", "technician", "landlord"},
    "/admin/<slug>/new": {"volunteer", "technician", "landlord"},
    "/admin/users/<int:record_id>/sign-out-everywhere": {"volunteer", "technician", "landlord"},
    "/admin/<slug>/<int:record_id>": {"volunteer", "technician", "landlord"},
    "/admin/structure": {"volunteer", "technician", "landlord"},
    "/api/v1/items": {"landlord"},
    "/i/<code>/print": {"landlord"},
    "/api/v1/items/batch": {"landlord"},
    "/labels/send": {"landlord"},
    "/labels/preprinted": {"volunteer", "technician", "landlord"},
    "/i/<code>/status": {"landlord"},
    "/i/<code>/checklist": {"volunteer", "landlord"},
    "/i/<code>/erasure": {"volunteer", "landlord"},
    "/scan/many": {"landlord"},
    "/api/v1/items/<code>/transitions": {"landlord"},
    "/api/v1/code-blocks": {"landlord"},
    "/i/<code>/photo": {"landlord"},
    "/i/<code>/sale": {"volunteer", "landlord"},
    "/i/<code>/handover": {"volunteer", "landlord"},
    "/i/<code>/return": {"volunteer", "landlord"},
    "/handovers/<int:handover_id>/sessions": {"volunteer", "landlord"},
    "/handovers/<int:handover_id>/sessions/<int:session_id>": {"volunteer", "landlord"},
    "/recycling/new": {"volunteer", "landlord"},
    "/recycling/<int:batch_id>": {"volunteer", "landlord"},
    "/recycling/<int:batch_id>/all": {"volunteer", "landlord"},
    "/recycling/<int:batch_id>/remove/<code>": {"volunteer", "landlord"},
    "/recycling/<int:batch_id>/close": {"volunteer", "technician", "landlord"},
    "/indicators/factors": {"volunteer", "technician", "landlord"},
    "/register/<int:batch_id>": {"volunteer", "technician", "landlord"},
    "/register/<int:batch_id>/delete": {"volunteer", "technician", "landlord"},
    "/network/structures/new": {"volunteer", "technician", "coordinator", "landlord"},
    "/network/<int:network_id>/leave": {"volunteer", "technician", "landlord"},
    # partnerships
    **dict.fromkeys(("/partners/<int:organisation_id>/move", "/partners/<int:organisation_id>/events",
                     "/partners/<int:organisation_id>/contacts/new", "/partners/contacts/<int:contact_id>",
                     "/partners/contacts/<int:contact_id>/delete", "/partners/<int:organisation_id>/conventions/new",
                     "/partners/conventions/<int:convention_id>", "/partners/<int:organisation_id>/location",
                     "/partners/points/<int:point_id>/location", "/partners/import"),
                    {"volunteer", "technician", "landlord"}),
    # weighed lots and the till
    "/lots/new": {"landlord"},
    "/lots/out": {"volunteer", "landlord"},
    "/till/open": {"volunteer", "landlord"},
    "/till/sessions/<int:session_id>/sale": {"volunteer", "landlord"},
    "/till/sessions/<int:session_id>/close": {"volunteer", "landlord"},
    "/till/sales/<int:sale_id>/refund": {"volunteer", "landlord"},
    "/till/methods": {"volunteer", "technician", "landlord"},
    # After-sales
    "/landlord/handovers/<int:handover_id>/fault": {"volunteer", "technician", "coordinator"},
    "/workshop/tickets/<int:ticket_id>": {"volunteer", "landlord"},
    # people
    "/people/insertion/new": {"volunteer", "technician", "landlord"},
    "/people/insertion/<int:person_id>/skills": {"volunteer", "technician", "landlord"},
    "/people/insertion/<int:person_id>/exit": {"volunteer", "technician", "landlord"},
    "/people/skills": {"volunteer", "technician", "landlord"},
    "/people/sessions/new": {"landlord"},
    "/people/sessions/<int:session_id>/find": {"landlord"},
    "/people/sessions/<int:session_id>/attend": {"landlord"},
    "/people/sessions/<int:session_id>/join": {"landlord"},
    "/people/sessions/<int:session_id>/items": {"landlord"},
    "/people/hours": {"landlord"},
    "/people/members/new": {"volunteer", "technician", "landlord"},
    "/people/members/<int:member_id>/renew": {"volunteer", "technician", "landlord"},
}


def fill_route_records(world) -> dict:
    """A handover with a signature and a training session, a sale, a recycling batch with an eco-organism,
    a fault ticket, partnership, till and people records: an id for every route's placeholder."""
    handover = make_handover(world)
    planned = plan_session(db.session, handover, topic="Prise en main", planned_on=date(2026, 12, 1))
    sale = record_sale(db.session, make_ready(world), user=user(world, "technician"), price=Decimal("45"),
                       sold_on=date(2026, 11, 21), channel="shop", warranty_months=6)
    eco = Organisation(name="ecosystem", kind="eco_organism", siren="830300000")
    db.session.add(eco)
    db.session.commit()
    batch = open_batch(db.session, user=user(world, "technician"), eco_organism_id=eco.id,
                       pickup_on=date(2026, 11, 30), stream="small", waste_code="20 01 36")
    ticket = aftersales.report_from_landlord(db.session, user(world, "landlord"), handover.id,
                                             aftersales.FaultReport("Écran noir"), route="/fixture")
    return {"handover": handover.id, "session": planned.id, "sale": sale.id, "recycling": batch.id,
            "partner": world.partner_id, "ticket": ticket, **partnership_records(world.partner_id),
            **till_records(world), **make_people()}


def fill_item_with_photo_and_codes(world) -> str:
    """An item with a photo, and three pre-printed codes in batch "b1": the item's code."""
    item = make_item(world)
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(jpeg, "JPEG")
    db.session.add(Photo(item_id=item.id, content=jpeg.getvalue(), width=8, height=8, sha256="0" * 64))
    db.session.commit()
    reserve_codes(db.session, 3, batch="b1", user=db.session.get(User, world.user_ids["coordinator"]))
    return item.code


@dataclass(frozen=True)
class RouteWorld:
    """The module's app filled once for the route × role table, and a URL for each rule."""
    app: object
    world: object
    ids: dict
    item_code: str

    def url(self, pattern: str) -> str:
        return pattern.format(code=self.item_code, point_id=self.world.point_id, batch="b1", **self.ids)


@pytest.fixture(scope="module")
def routes(module_app):
    with module_app.app_context():
        world = make_world()
        ids = fill_route_records(world)
        return RouteWorld(module_app, world, ids, fill_item_with_photo_and_codes(world))


@pytest.fixture
def visitor_auth(module_client):
    return AuthActions(module_client)


@pytest.fixture
def ids(app, world):
    with app.app_context():
        return fill_route_records(world)


def partnership_records(partner_id: int, text: str = "Aubépine") -> dict:
    """A contact person and a convention with its signed PDF (partnerships), in the current structure."""
    contact = ContactPerson(organisation_id=partner_id, name=f"{text} Relais", email="relais@example.org")
    convention = Convention(organisation_id=partner_id, title=f"{text} convention", starts_on=date(2026, 1, 1),
                            ends_on=date(2026, 12, 31), document_pdf=b"%PDF-1.4\n%%EOF\n", document_size=14)
    db.session.add_all([contact, convention])
    db.session.commit()
    return {"contact": contact.id, "convention": convention.id}


def till_records(world, mark: str = "") -> dict:
    """A weighed lot with its photo, an open till and a sale in it (weighed lots and the till)."""
    from intake.services.lots import LotEntry, record_lot
    from intake.services.photos import EncodedPhoto
    from intake.services.till.closes import open_session
    from intake.services.till.sales import Basket, BasketLine, Paid, methods, record_basket

    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(jpeg, "JPEG")
    technician = user(world, "technician")
    lot = record_lot(db.session, LotEntry(category_id=world.bike_id, gross_kg=Decimal("12"),
                                          collection_point_id=world.point_id, note=f"{mark} lot note",
                                          photo=EncodedPhoto(jpeg.getvalue(), 8, 8, "0" * 64)), user=technician)
    till = open_session(db.session, device=f"{mark} Caisse".strip(), opening_float=Decimal(10), user=technician)
    cash = next(method.id for method in methods(db.session) if method.code == "cash")
    sale = record_basket(db.session, till, Basket([BasketLine("goods", Decimal(5), category_id=world.bike_id)],
                                                  [Paid(cash, Decimal(5))]), user=technician, today=date(2026, 11, 21))
    return {"lot": lot.id, "till": till.id, "till_sale": sale.id}


@pytest.fixture
def item_code(app, world, ids):
    with app.app_context():
        return fill_item_with_photo_and_codes(world)


def sign_in(auth, visitor):
    if visitor != "anonymous":
        auth.login_as(visitor)


def test_every_route_is_in_the_table(app):
    """A new route must say who may use it, here."""
    listed = {rule for rule, _, _ in GET_ROUTES} | {rule for rule, _ in POST_ROUTES}
    declared = {rule.rule for rule in app.url_map.iter_rules()}
    assert declared - listed == set()


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("rule, url, expected", GET_ROUTES, ids=[r[0] for r in GET_ROUTES])
def test_get(routes, module_client, visitor_auth, visitor, rule, url, expected):
    sign_in(visitor_auth, visitor)
    response = module_client.get(routes.url(url))
    want = expected[visitor]
    if want == "login":
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/login"
    else:
        assert response.status_code == want, response.get_data(as_text=True)[:300]


def refused(rule: str, visitor: str) -> bool:
    return visitor in POST_FORBIDDEN.get(rule, ()) or (visitor == "anonymous" and rule not in ("/login", "/language"))


def post_cases(want_refused: bool) -> list:
    return [pytest.param(rule, url, visitor, id=f"{rule}-{visitor}")
            for rule, url in POST_ROUTES for visitor in VISITORS if refused(rule, visitor) == want_refused]


def post_as(client, auth, visitor, url):
    sign_in(auth, visitor)
    headers = {}
    data = {}
    if visitor != "anonymous":
        token = auth.csrf_token("/login")
        data["csrf_token"] = token
        headers["X-CSRFToken"] = token
    return client.post(url, data=data, headers=headers)


@pytest.mark.parametrize("rule, url, visitor", post_cases(want_refused=True))
def test_post_is_refused_to_roles_without_the_right(routes, module_client, visitor_auth, rule, url, visitor):
    """Refused before anything is read or written: the module's one database serves every case."""
    response = post_as(module_client, visitor_auth, visitor, routes.url(url))
    if visitor == "anonymous":
        assert response.status_code in (302, 400, 401)
        if response.status_code == 302:
            assert urlsplit(response.headers["Location"]).path == "/login"
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("rule, url, visitor", post_cases(want_refused=False))
def test_post_is_let_through_to_roles_with_the_right(client, auth, world, ids, item_code, rule, url, visitor):
    """Let through (an empty form is then refused or acted on): a fresh database each, as it may write."""
    url = url.format(code=item_code, point_id=world.point_id, **ids)
    assert post_as(client, auth, visitor, url).status_code != 403


def test_staff_see_the_item_page_and_others_the_passport(client, auth, world, item_code):
    staff_page = None
    for visitor in VISITORS:
        if visitor != "anonymous":
            auth.login_as(visitor)
        html = client.get(f"/i/{item_code}").get_data(as_text=True)
        is_item_page = "Ressourcerie centre" in html  # the collection point: internal
        assert is_item_page == (visitor in ("volunteer", "technician", "coordinator")), visitor
        if visitor == "volunteer":
            staff_page = html
        client.post("/logout", data={"csrf_token": auth.csrf_token("/login")}) if visitor != "anonymous" else None
        client.delete_cookie("session")
    assert staff_page and "Volunteer Test" in staff_page
