"""Partners' accounts across structures: a social landlord sees the handovers to its tenants from every
structure it works with, an eco-organism the batches handed to it, per structure; neither sees anything
else, of those structures or of any other."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from intake import scoping
from intake.extensions import db
from intake.models import (
    Handover,
    Item,
    LandlordAccess,
    Membership,
    Organisation,
    Structure,
    User,
)
from intake.services.accounts import AccountError, create_user
from intake.services.recycling import add_items, close_batch, open_batch
from intake.services.status import change_status

from .conftest import POSTGRES_URL
from .factories import PASSWORD, make_handover, make_item, make_world, user
from .test_access import GET_ROUTES, routes, visitor_auth  # noqa: F401 (fixtures of the route table)

FIRST, SECOND, THIRD = "Ressourcerie Angevine", "Recyclerie du Lac", "Atelier Ailleurs"
ECO_EMAIL = "collecte@ecosystem.example.org"


def _read(rows: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(rows.lstrip("\ufeff")), delimiter=";"))


def _batch(world, eco_id: int, *, pickup_on: date, stream="small", waste_code="20 01 36", slip: str,
           weighed_kg=None, close=True, count=1):
    """A batch for ``eco_id`` with ``count`` phones (0.2 kg each; bikes of 14 kg for other waste), handed
    over (closed) unless told."""
    technician = user(world, "technician")
    kind = {"category_id": world.bike_id, "weight_kg": Decimal(14)} if stream == "other" else {}
    items = [make_item(world, **kind) for _ in range(count)]
    for item in items:
        change_status(db.session, item, "to_recycle", user=technician)
    batch = open_batch(db.session, user=technician, eco_organism_id=eco_id, pickup_on=pickup_on, stream=stream,
                       waste_code=waste_code, slip_number=slip, weighed_kg=weighed_kg)
    add_items(db.session, batch, [item.code for item in items])
    if close:
        close_batch(db.session, batch, user=user(world, "coordinator"))
    return batch


@pytest.fixture
def three(app, world):
    """Three structures, each with the same partners under its own records: the landlord "Le Toit Angevin"
    (and another, Podeliha), the eco-organism Eco-Systèmes (and another, Ecologic). The landlord and the
    eco-organism accounts work with the first two structures, not the third."""
    with app.app_context():
        first = db.session.scalar(sa.select(Structure).order_by(Structure.id).limit(1))
        first.name = FIRST
        second, third = Structure(name=SECOND), Structure(name=THIRD)
        db.session.add_all([second, third])
        db.session.commit()
        worlds = {first.id: world}
        with scoping.scoped_to(second.id):
            worlds[second.id] = make_world(email_domain="lac.example.org")
        with scoping.scoped_to(third.id):
            worlds[third.id] = make_world(email_domain="ailleurs.example.org")
        found: dict = {"structures": [first.id, second.id, third.id], "worlds": worlds}
        for number, (structure_id, each) in enumerate(worlds.items(), start=1):
            with scoping.scoped_to(structure_id):
                podeliha = Organisation(name="Podeliha", kind="social_landlord")
                eco = Organisation(name="Eco-Systèmes", kind="eco_organism", siren="830300000")
                ecologic = Organisation(name="Ecologic", kind="eco_organism", siren="790000000")
                db.session.add_all([podeliha, eco, ecologic])
                db.session.commit()
                mine = make_handover(each, tenant_ref=f"MINE-{number}", residence=f"Résidence {number}")
                theirs = make_handover(each, landlord_id=podeliha.id, tenant_ref=f"THEIRS-{number}")
                ours = _batch(each, eco.id, pickup_on=date(2026, 3, number), slip=f"SLIP-{number}",
                              weighed_kg=Decimal("100.5") if number == 1 else None, count=2)
                metal = _batch(each, eco.id, pickup_on=date(2026, 4, number), stream="other",
                               waste_code="20 01 40", slip=f"METAL-{number}")
                _batch(each, ecologic.id, pickup_on=date(2026, 3, 10), slip=f"ECOLOGIC-{number}")
                _batch(each, eco.id, pickup_on=date(2026, 5, 1), slip=f"OPEN-{number}", close=False)
                found[number] = {"mine": mine.id, "theirs": theirs.id, "eco": eco.id, "batches": [ours.id, metal.id],
                                 "mine_code": db.session.get(Item, mine.item_id).code,
                                 "theirs_code": db.session.get(Item, theirs.item_id).code}
        # The landlord account of the first structure works with the second too (its record there).
        landlord = user(world, "landlord")
        landlord.memberships.append(Membership(structure_id=second.id, role="landlord",
                                               organisation_id=worlds[second.id].landlord_org_id))
        # One eco-organism account, in the first two structures.
        with scoping.scoped_to(first.id):
            eco_user = create_user(db.session, email=ECO_EMAIL, name="Collecte Eco-Systèmes", role="eco_organism",
                                   password=PASSWORD, organisation=db.session.get(Organisation, found[1]["eco"]))
        eco_user.memberships.append(Membership(structure_id=second.id, role="eco_organism",
                                               organisation_id=found[2]["eco"]))
        db.session.commit()
        return found


def sign_in(auth, email: str):
    assert auth.login(email).status_code == 302


def access_rows(app, **where) -> list[LandlordAccess]:
    with app.app_context(), scoping.all_structures():
        return list(db.session.scalars(sa.select(LandlordAccess).filter_by(**where).order_by(LandlordAccess.id)))


# --- The social landlord -------------------------------------------------------------------------------------

def test_a_landlord_sees_its_tenants_handovers_from_both_structures_and_nothing_else(app, client, auth, three):
    auth.login_as("landlord")
    mine, others = ("MINE-1", "MINE-2"), ("THEIRS-1", "THEIRS-2", "MINE-3", "THEIRS-3")
    page = client.get("/landlord/").get_data(as_text=True)
    csv_text = client.get("/landlord/export.csv").get_data(as_text=True)
    listed = client.get("/api/v1/landlord/handovers").get_json()
    for text in (page, csv_text, str(listed)):
        assert all(ref in text for ref in mine) and not any(ref in text for ref in others)
        assert three[3]["mine_code"] not in text and three[1]["theirs_code"] not in text
    # Each row says who handed it over.
    assert {(row["tenant_ref"], row["structure"]) for row in listed} == {("MINE-1", FIRST), ("MINE-2", SECOND)}
    rows = _read(csv_text)
    assert rows[0][-1] == "Remis par"
    assert {(row[2], row[-1]) for row in rows[1:]} == {("MINE-1", FIRST), ("MINE-2", SECOND)}
    assert "Remis par" in page and FIRST in page and SECOND in page and THIRD not in page
    # Both structures' residences in the filter; the filter keeps to them.
    assert "Résidence 2" in page and "Résidence 3" not in page
    only_second = client.get("/landlord/?residence=Résidence 2").get_data(as_text=True)
    assert "MINE-2" in only_second and "MINE-1" not in only_second
    # Its handover in the second structure, by page, receipt (in that structure's name), API and label.
    assert client.get(f"/landlord/handovers/{three[2]['mine']}").status_code == 200
    receipt = client.get(f"/landlord/handovers/{three[2]['mine']}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    assert client.get(f"/api/v1/landlord/handovers/{three[2]['mine']}").get_json()["structure"] == SECOND
    by_label = client.get(f"/i/{three[2]['mine_code']}")
    assert by_label.status_code == 302
    assert urlsplit(by_label.headers["Location"]).path == f"/landlord/handovers/{three[2]['mine']}"
    # The landlord works with both: no structure to switch between.
    assert "structure-switch" not in page


def test_receipt_is_in_the_name_of_the_structure_that_handed_over(app, client, auth, three):
    from .test_outcomes import pdf_text

    auth.login_as("landlord")
    text = pdf_text(client.get(f"/landlord/handovers/{three[2]['mine']}/receipt.pdf").data)
    assert SECOND in text and FIRST not in text and "MINE-2" in text


@pytest.mark.parametrize("target", ["theirs-1", "theirs-2", "mine-3", "theirs-3", "none"])
def test_a_landlord_gets_404_for_anything_else_in_any_structure_and_it_is_logged(app, client, auth, three,
                                                                                 target):
    kind, _, number = target.partition("-")
    handover_id = three[int(number)][kind] if number else 999999
    first, second, _third = three["structures"]
    auth.login_as("landlord")
    landlord_id = three["worlds"][first].user_ids["landlord"]
    urls = [f"/landlord/handovers/{handover_id}", f"/landlord/handovers/{handover_id}/receipt.pdf",
            f"/api/v1/landlord/handovers/{handover_id}"]
    if number:
        urls.append(f"/i/{three[int(number)][kind + '_code']}")
    for url in urls:
        before = len(access_rows(app))
        response = client.get(url)
        assert response.status_code == 404, url
        assert "THEIRS" not in response.get_data(as_text=True) and "MINE-3" not in response.get_data(as_text=True)
        # Refused: written down under each structure the landlord works with, never the third.
        logged = access_rows(app)[before:]
        assert sorted(row.structure_id for row in logged) == [first, second], url
        assert all((row.user_id, row.granted, row.route) == (landlord_id, False, url) for row in logged)
        assert {row.organisation_id for row in logged} == {three["worlds"][first].landlord_org_id,
                                                          three["worlds"][second].landlord_org_id}


def test_each_look_goes_to_the_structure_it_concerns_and_its_coordinators_read_their_own(app, client, auth,
                                                                                         three):
    first, second, _third = three["structures"]
    auth.login_as("landlord")
    client.get(f"/landlord/handovers/{three[2]['mine']}")
    granted = access_rows(app, object_kind="handover")
    assert [(row.structure_id, row.granted, row.object_ref) for row in granted] == [
        (second, True, str(three[2]["mine"]))]
    assert granted[0].organisation_id == three["worlds"][second].landlord_org_id
    client.get("/landlord/")
    lists = access_rows(app, object_kind="list")
    assert {row.structure_id: row.shown_ids for row in lists} == {first: [three[1]["mine"]],
                                                                  second: [three[2]["mine"]]}
    client.get("/landlord/handovers/999999")
    # Each structure's coordinators read their own rows: the second's see the look at its handover.
    auth.login("coordinator@lac.example.org")
    page = client.get("/landlord-access").get_data(as_text=True)
    assert f"remises affichées : 1 ({three[2]['mine']})" in page
    assert f"remises affichées : 1 ({three[1]['mine']})" not in page
    auth.login_as("coordinator")
    page = client.get("/landlord-access").get_data(as_text=True)
    assert f"remises affichées : 1 ({three[1]['mine']})" in page
    assert f"remises affichées : 1 ({three[2]['mine']})" not in page
    assert "999999" in page  # the refused guess is written in each
    auth.login("coordinator@ailleurs.example.org")
    assert "Landlord Test" not in client.get("/landlord-access").get_data(as_text=True)


def test_a_landlord_membership_in_a_closed_structure_shows_nothing_of_it(app, client, auth, three):
    with app.app_context():
        db.session.get(Structure, three["structures"][1]).active = False
        db.session.commit()
    auth.login_as("landlord")
    page = client.get("/landlord/").get_data(as_text=True)
    assert "MINE-1" in page and "MINE-2" not in page
    assert client.get(f"/landlord/handovers/{three[2]['mine']}").status_code == 404


def test_landlord_of_another_structure_only_sees_nothing_of_ours(app, client, auth, three):
    """The third structure's landlord account (same organisation name, its own record) sees its own only."""
    auth.login("landlord@ailleurs.example.org")
    page = client.get("/landlord/").get_data(as_text=True)
    assert "MINE-3" in page and "MINE-1" not in page and "MINE-2" not in page
    assert client.get(f"/landlord/handovers/{three[1]['mine']}").status_code == 404


# --- The eco-organism ----------------------------------------------------------------------------------------

def test_an_eco_organism_sees_the_batches_handed_to_it_per_structure_and_nothing_else(app, client, auth, three):
    sign_in(auth, ECO_EMAIL)
    home = client.get("/")
    assert urlsplit(home.headers["Location"]).path == "/eco/"
    page = client.get("/eco/?start=2026-01-01&end=2026-12-31").get_data(as_text=True)
    for slip in ("SLIP-1", "SLIP-2", "METAL-1", "METAL-2"):
        assert slip in page, slip
    for slip in ("SLIP-3", "METAL-3", "ECOLOGIC-1", "ECOLOGIC-2", "OPEN-1", "OPEN-2"):
        assert slip not in page, slip
    assert FIRST in page and SECOND in page and THIRD not in page
    # No item code, no person, no price.
    with app.app_context(), scoping.all_structures():
        codes = set(db.session.scalars(sa.select(Item.code)))
        names = set(db.session.scalars(sa.select(User.name).where(User.email != ECO_EMAIL)))
    assert not any(code in page for code in codes)
    assert not any(name in page for name in names)
    assert "€" not in page
    # Tonnage: the first structure's small batch weighed 100.5 kg, the second's is its items' 0.4 kg;
    # metal (a bike) 14 kg each.
    assert "100,5 kg" in page and "0,4 kg" in page and "14 kg" in page
    assert "128,9 kg" in page  # the whole period
    assert "114,5 kg" in page and "14,4 kg" in page  # each structure's total
    rows = _read(client.get("/eco/export.csv?start=2026-01-01&end=2026-12-31").get_data(as_text=True))
    assert rows[0] == ["Remis par", "Date d’enlèvement", "Flux", "Code déchet", "Bordereau de suivi",
                       "Poids (kg)", "Pesé à l’enlèvement"]
    assert sorted((row[0], row[4], row[5]) for row in rows[1:]) == sorted([
        (FIRST, "METAL-1", "14,000"), (FIRST, "SLIP-1", "100,500"),
        (SECOND, "METAL-2", "14,000"), (SECOND, "SLIP-2", "0,400")])


def test_the_eco_organism_period_keeps_to_its_dates(app, client, auth, three):
    sign_in(auth, ECO_EMAIL)
    page = client.get("/eco/?start=2026-03-02&end=2026-03-31").get_data(as_text=True)
    assert "SLIP-2" in page and "SLIP-1" not in page and "METAL-2" not in page
    rows = _read(client.get("/eco/export.csv?start=2026-03-02&end=2026-03-31").get_data(as_text=True))
    assert [row[4] for row in rows[1:]] == ["SLIP-2"]


def test_the_other_structures_eco_organism_account_sees_only_its_own(app, client, auth, three):
    third = three["structures"][2]
    with app.app_context(), scoping.scoped_to(third):
        create_user(db.session, email="eco@ailleurs.example.org", name="Eco Ailleurs", role="eco_organism",
                    password=PASSWORD, organisation=db.session.get(Organisation, three[3]["eco"]))
    sign_in(auth, "eco@ailleurs.example.org")
    page = client.get("/eco/?start=2026-01-01&end=2026-12-31").get_data(as_text=True)
    assert "SLIP-3" in page and "SLIP-1" not in page and "SLIP-2" not in page and FIRST not in page


def test_an_eco_organism_account_needs_an_eco_organism(app, world):
    with app.app_context():
        landlord = db.session.get(Organisation, world.landlord_org_id)
        for organisation in (None, landlord):
            with pytest.raises(AccountError):
                create_user(db.session, email="eco@example.org", name="Eco", role="eco_organism", password=PASSWORD,
                            organisation=organisation)


def test_a_coordinator_creates_an_eco_organism_account_from_the_accounts_form(app, client, auth, world):
    with app.app_context():
        eco = Organisation(name="Eco-Systèmes", kind="eco_organism")
        db.session.add(eco)
        db.session.commit()
        eco_id = eco.id
    auth.login_as("coordinator")
    token = auth.csrf_token("/admin/users/new")
    values = {"csrf_token": token, "email": "eco@example.org", "name": "Eco", "role": "eco_organism",
              "password": PASSWORD, "active": "y"}
    refused = client.post("/admin/users/new", data={**values, "organisation_id": world.landlord_org_id})
    assert refused.status_code == 200 and "éco-organisme" in refused.get_data(as_text=True)
    created = client.post("/admin/users/new", data={**values, "organisation_id": eco_id})
    assert created.status_code == 302
    sign_in(auth, "eco@example.org")
    assert client.get("/eco/").status_code == 200


def eco_expected(rule: str, expected: dict):
    """What an eco-organism account gets on a route: its portal; what anyone gets on public pages; its
    account page; the rest is refused."""
    if rule.startswith("/eco/"):
        return 200
    if rule in ("/", "/login"):
        return 302
    if rule == "/account":
        return 200
    if expected["anonymous"] in (200, 404):  # public: the passport, results, static files, health
        return expected["anonymous"]
    return 403


@pytest.fixture(scope="module")
def eco_routes(routes):  # noqa: F811
    """The route table's records, and an account for their eco-organism."""
    with routes.app.app_context():
        eco = db.session.scalar(sa.select(Organisation).where(Organisation.kind == "eco_organism"))
        create_user(db.session, email=ECO_EMAIL, name="Eco", role="eco_organism", password=PASSWORD, organisation=eco)
    return routes


@pytest.mark.parametrize("rule, url, expected", GET_ROUTES, ids=[r[0] for r in GET_ROUTES])
def test_every_other_route_refuses_an_eco_organism(eco_routes, module_client, visitor_auth,  # noqa: F811
                                                   rule, url, expected):
    sign_in(visitor_auth, ECO_EMAIL)
    response = module_client.get(eco_routes.url(url))
    assert response.status_code == eco_expected(rule, expected), response.get_data(as_text=True)[:300]
    if rule == "/i/<code>":
        assert "js/item.js" not in response.get_data(as_text=True)  # the passport, as for anyone


def test_an_eco_organism_never_sees_handovers_nor_a_landlord_batches(app, client, auth, three):
    sign_in(auth, ECO_EMAIL)
    assert client.get("/landlord/").status_code == 403
    assert client.get(f"/landlord/handovers/{three[1]['mine']}").status_code == 403
    assert client.get("/api/v1/landlord/handovers").status_code == 403
    auth.login_as("landlord")
    assert client.get("/eco/").status_code == 403
    assert client.get("/eco/export.csv").status_code == 403


def test_handover_rows_are_read_with_one_filter(app, three):
    """The portal's filter is the pairs of the account's landlord memberships, in every structure."""
    from intake.services.landlord import partnerships, visible_to

    with app.app_context(), scoping.all_structures():
        landlord = db.session.get(User, three["worlds"][three["structures"][0]].user_ids["landlord"])
        assert {pair.structure_id for pair in partnerships(landlord)} == set(three["structures"][:2])
        seen = set(db.session.scalars(sa.select(Handover.tenant_ref).where(visible_to(landlord))))
    assert seen == {"MINE-1", "MINE-2"}


@pytest.mark.skipif(not POSTGRES_URL, reason="row-level security is PostgreSQL's")
def test_portals_cross_the_row_level_security_wall_on_purpose_and_only_there(app, three, rls_role):
    """As an account row-level security applies to (the tests' superuser is exempt), in a transaction begun
    in the landlord's current structure, as a request's is: the portal tells the transaction it reads
    across structures, sees both structures' handovers, writes the access log under each, and the rest of
    the request is walled again."""
    from intake.services import eco_organism
    from intake.services.landlord import listed_for

    first, second, _third = three["structures"]
    with app.app_context():
        engine = sa.create_engine(rls_role)
        scoping.install_engine_wall(engine)
        try:
            with Session(engine) as session, scoping.scoped_to(first):
                landlord = session.get(User, three["worlds"][first].user_ids["landlord"])  # the transaction begins
                rows = listed_for(session, landlord, None, route="/landlord/").rows
                assert {row["tenant_ref"] for row in rows} == {"MINE-1", "MINE-2"}
                assert set(session.scalars(sa.text("SELECT structure_id FROM landlord_access"))) == {first}
                session.commit()
                eco_user = session.scalar(sa.select(User).where(User.email == ECO_EMAIL))
                slips = {row["slip_number"] for row in eco_organism.collected(session, eco_user, date(2026, 1, 1),
                                                                              date(2026, 12, 31)).rows}
                assert slips == {"SLIP-1", "SLIP-2", "METAL-1", "METAL-2"}
                # Walled again afterwards, in the same transaction.
                assert set(session.scalars(sa.text("SELECT DISTINCT structure_id FROM handover"))) == {first}
        finally:
            engine.dispose()
    with app.app_context(), scoping.all_structures():
        assert {row.structure_id for row in db.session.scalars(sa.select(LandlordAccess))} == {first, second}
