"""Every route, for every kind of visitor: who gets in, who is sent to sign in, who is refused."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from PIL import Image

from intake.extensions import db
from intake.models import Organisation, Photo, User
from intake.services.code_register import reserve_codes
from intake.services.outcomes import plan_session, record_sale
from intake.services.recycling import open_batch

from .factories import make_handover, make_item, make_ready, user

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
}


@pytest.fixture
def ids(app, world):
    """A handover with a signature and a training session, a sale, a recycling batch with an eco-organism."""
    with app.app_context():
        handover = make_handover(world)
        planned = plan_session(db.session, handover, topic="Prise en main", planned_on=date(2026, 12, 1))
        sale = record_sale(db.session, make_ready(world), user=user(world, "technician"), price=Decimal("45"),
                           sold_on=date(2026, 11, 21), channel="shop", warranty_months=6)
        eco = Organisation(name="ecosystem", kind="eco_organism", siren="830300000")
        db.session.add(eco)
        db.session.commit()
        batch = open_batch(db.session, user=user(world, "technician"), eco_organism_id=eco.id,
                           pickup_on=date(2026, 11, 30), stream="small", waste_code="20 01 36")
        return {"handover": handover.id, "session": planned.id, "sale": sale.id, "recycling": batch.id,
                "partner": world.partner_id}


@pytest.fixture
def item_code(app, world, ids):
    with app.app_context():
        item = make_item(world)
        jpeg = io.BytesIO()
        Image.new("RGB", (8, 8), "green").save(jpeg, "JPEG")
        db.session.add(Photo(item_id=item.id, content=jpeg.getvalue(), width=8, height=8, sha256="0" * 64))
        db.session.commit()
        reserve_codes(db.session, 3, batch="b1", user=db.session.get(User, world.user_ids["coordinator"]))
        return item.code


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
def test_get(client, auth, world, ids, item_code, visitor, rule, url, expected):
    sign_in(auth, visitor)
    response = client.get(url.format(code=item_code, point_id=world.point_id, batch="b1", **ids))
    want = expected[visitor]
    if want == "login":
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/login"
    else:
        assert response.status_code == want, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("rule, url", POST_ROUTES, ids=[r[0] for r in POST_ROUTES])
def test_post_is_refused_to_roles_without_the_right(client, auth, world, ids, item_code, visitor, rule, url):
    sign_in(auth, visitor)
    headers = {}
    data = {}
    if visitor != "anonymous":
        token = auth.csrf_token("/login")
        data["csrf_token"] = token
        headers["X-CSRFToken"] = token
    response = client.post(url.format(code=item_code, point_id=world.point_id, **ids), data=data, headers=headers)
    if visitor in POST_FORBIDDEN.get(rule, ()):
        assert response.status_code == 403
    elif visitor == "anonymous" and rule not in ("/login", "/language"):
        assert response.status_code in (302, 400, 401)
        if response.status_code == 302:
            assert urlsplit(response.headers["Location"]).path == "/login"
    else:
        assert response.status_code != 403


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
