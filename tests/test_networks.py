"""Networks: their coordinators see their members' figures added up and nothing else, a structure leaves,
and a new structure is onboarded (form and command line) with its own default categories."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from intake import scoping
from intake.extensions import db
from intake.models import (Category, Item, Membership, Network, NetworkCoordinator, NetworkMember,
                           Structure, User)
from intake.services import onboarding
from intake.services.catalogue import CHECKLISTS, DEFAULT_CATEGORIES
from intake.services.networks import network_figures
from intake.services.outcomes import record_sale
from intake.services.reporting.dashboard import dashboard
from intake.services.reporting.filters import Filters
from intake.services.structure import StructureRejected

from .conftest import POSTGRES_URL, csrf_token_from
from .factories import PASSWORD, make_handover, make_item, make_ready, make_world, user

YEAR = 2026
NETWORK_EMAIL = "reseau@ouest.example.org"


def _sell(world, price: str):
    return record_sale(db.session, make_ready(world), user=user(world, "technician"), price=Decimal(price),
                       sold_on=date(YEAR, 11, 21), channel="shop", warranty_months=6)


@pytest.fixture
def net(app, world):
    """Two structures in the network "Réseau Ouest" with items sold and handed over; a third structure in
    another network; a coordinator of "Réseau Ouest" who belongs to no structure."""
    with app.app_context():
        first = db.session.scalar(sa.select(sa.func.min(Structure.id)))
        db.session.get(Structure, first).name = "Ressourcerie d'Angers"
        lac = Structure(name="Recyclerie du Lac", name_on_labels=False)
        far = Structure(name="Atelier Lointain", name_on_labels=False)
        west, other = Network(name="Réseau Ouest"), Network(name="Réseau Est")
        db.session.add_all([lac, far, west, other])
        db.session.commit()
        with scoping.scoped_to(first):
            codes = [make_item(world).code, make_item(world, weight_kg=Decimal("1.5")).code]
            for price in ("10", "20", "30"):
                codes.append(_sell(world, price).item.code)
            codes.append(make_handover(world, tenant_ref="LOC-0042").item.code)
        with scoping.scoped_to(lac.id):
            lac_world = make_world(email_domain="lac.example.org")
            codes.append(make_item(lac_world, weight_kg=Decimal(3)).code)
            codes.append(_sell(lac_world, "77.70").item.code)  # one sale: its price is never shown
        with scoping.scoped_to(far.id):
            far_world = make_world(email_domain="loin.example.org")
            codes.append(make_item(far_world, weight_kg=Decimal(9)).code)
        coordinator = User(email=NETWORK_EMAIL, name="Camille Réseau")
        coordinator.set_password(PASSWORD)
        db.session.add(coordinator)
        db.session.flush()
        db.session.add_all([NetworkMember(network_id=west.id, structure_id=first),
                            NetworkMember(network_id=west.id, structure_id=lac.id),
                            NetworkMember(network_id=other.id, structure_id=far.id),
                            NetworkCoordinator(network_id=west.id, user_id=coordinator.id)])
        db.session.commit()
        return {"first": first, "lac": lac.id, "far": far.id, "west": west.id, "other": other.id, "codes": codes}


def _secrets(app) -> list[str]:
    """What a network must never see: item codes, people's names, tenants' references, a single price."""
    with app.app_context(), scoping.all_structures():
        people = list(db.session.scalars(sa.select(User.name)))
        codes = list(db.session.scalars(sa.select(Item.code)))
    return [*codes, *people, "LOC-0042", "Les Justices", "77,70", "77.70", "Atelier Lointain"]


def test_a_network_coordinator_lands_on_the_network_and_sees_only_aggregates(app, client, auth, net):
    response = auth.login(NETWORK_EMAIL)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/network/")
    page = client.get(f"/network/?year={YEAR}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ressourcerie d&#39;Angers" in html and "Recyclerie du Lac" in html and "Réseau Ouest" in html
    assert 'href="/network/"' in html  # the menu's entry
    csv_file = client.get(f"/network/figures.csv?year={YEAR}")
    assert csv_file.status_code == 200 and csv_file.mimetype == "text/csv"
    text = csv_file.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["Recyclerie du Lac", "Ressourcerie d'Angers", "Total"]
    for secret in _secrets(app):
        assert secret not in html.replace("Camille Réseau", ""), secret  # (their own name is in the footer)
        assert secret not in text, secret
    # Another network's figures, and the structures' own pages: nothing.
    assert client.get(f"/network/?network={net['other']}").status_code == 404
    assert client.get(f"/network/figures.csv?network={net['other']}").status_code == 404
    for url in ("/items", "/indicators", "/admin/", "/network/membership", f"/i/{net['codes'][0]}/history"):
        assert client.get(url).status_code in (403, 404), url


def test_the_network_s_numbers_are_the_sum_of_its_structures_dashboards(app, net):
    with app.app_context():
        figures = network_figures(db.session, net["west"], date(YEAR, 1, 1), date(YEAR, 12, 31))
        assert [f.name for f in figures.structures] == ["Recyclerie du Lac", "Ressourcerie d'Angers"]
        expected = {"items": 0, "kg": Decimal(0), "sold": 0, "handed": 0, "reused_kg": Decimal(0)}
        for structure_id in (net["first"], net["lac"]):
            with scoping.scoped_to(structure_id):
                board = dashboard(db.session, Filters(start=date(YEAR, 1, 1), end=date(YEAR, 12, 31)))
            by_source = board.tables["by_source"].rows
            expected["items"] += sum(row[1] for row in by_source)
            expected["kg"] += sum(row[2] for row in by_source)
            destinations = board.tables["destinations"].rows
            expected["sold"] += destinations[0][1]
            expected["handed"] += destinations[1][1]
            expected["reused_kg"] += board.totals.reused_kg
        total = figures.total
        assert (total.collected_items, total.collected_kg) == (expected["items"], expected["kg"])
        assert (total.sold_items, total.handed_items) == (expected["sold"], expected["handed"]) == (4, 1)
        assert total.sold_kg + total.handed_kg == expected["reused_kg"]
        # Revenue: shown for three sales or more, left out of the total below (one sale's price would show).
        angers, lac = figures.structures[1], figures.structures[0]
        assert angers.revenue == Decimal("60.00") and lac.revenue is None and total.revenue == Decimal("60.00")
        assert total.reuse_rate == Decimal(1)  # nothing recycled: all that left had a second life
        # kg per inhabitant: both worlds' territory is Angers (157 175 inhabitants each, their own records).
        assert total.population == 2 * 157175
        assert figures.per_inhabitant(total) == (total.territory_kg / total.population
                                                 / Decimal(str(figures.years))).quantize(Decimal("0.001"))


def test_a_structure_that_leaves_disappears_from_the_network(app, client, auth, net):
    auth.login("coordinator@lac.example.org")
    assert 'href="/network/membership"' in client.get("/admin/").get_data(as_text=True)
    page = client.get("/network/membership").get_data(as_text=True)
    assert "Réseau Ouest" in page and "Réseau Est" not in page
    token = csrf_token_from(page)
    unconfirmed = client.post(f"/network/{net['west']}/leave", data={"csrf_token": token}, follow_redirects=True)
    assert "Réseau Ouest" in unconfirmed.get_data(as_text=True)
    assert client.post(f"/network/{net['west']}/leave", data={"confirm": "y"}).status_code == 400  # no CSRF
    client.post(f"/network/{net['west']}/leave", data={"csrf_token": token, "confirm": "y"})
    assert "Réseau Ouest" not in client.get("/network/membership").get_data(as_text=True)
    assert 'href="/network/membership"' not in client.get("/admin/").get_data(as_text=True)
    # A network it is not in: nothing to leave.
    assert client.post(f"/network/{net['other']}/leave", data={"csrf_token": token, "confirm": "y"}).status_code == 404
    auth.login(NETWORK_EMAIL)
    html = client.get(f"/network/?year={YEAR}").get_data(as_text=True)
    assert "Recyclerie du Lac" not in html and "Ressourcerie d&#39;Angers" in html
    with app.app_context():
        figures = network_figures(db.session, net["west"], date(YEAR, 1, 1), date(YEAR, 12, 31))
        assert [f.name for f in figures.structures] == ["Ressourcerie d'Angers"]


def _signs_in_to_an_empty_structure_of_its_own(app, client, auth, email, password, structure_id):
    with app.app_context(), scoping.scoped_to(structure_id):
        checklists = dict(db.session.execute(sa.select(Category.name, Category.checklist)).all())
    # The default tree, with its checklists.
    assert len(checklists) == len(DEFAULT_CATEGORIES) + sum(len(c) for _, c in DEFAULT_CATEGORIES.values())
    assert {name: checks for name, checks in checklists.items() if checks} == CHECKLISTS
    response = auth.login(email, password)
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/today")  # a coordinator's home
    items = client.get("/items").get_data(as_text=True)
    with app.app_context(), scoping.all_structures():
        codes = list(db.session.scalars(sa.select(Item.code)))
    assert codes and not any(code in items for code in codes)
    listed = client.get("/admin/categories/").get_data(as_text=True)
    assert "Ordinateur portable" in listed and "Téléphone mobile" in listed


def test_onboarding_from_the_form(app, client, auth, net):
    auth.login(NETWORK_EMAIL)
    page = client.get("/network/structures/new")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    made = client.post("/network/structures/new", data={
        "csrf_token": token, "network_id": net["west"], "name": "Ressourcerie des Mauges",
        "coordinator_name": "Dominique Mauges", "coordinator_email": "dominique@mauges.example.org"})
    html = made.get_data(as_text=True)
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    password = html.split('<p class="first-password"><code>')[1].split("</code>")[0]
    assert len(password) >= 12
    # Another network's id, a name already taken: refused.
    again = client.post("/network/structures/new", data={
        "csrf_token": token, "network_id": net["west"], "name": "ressourcerie des mauges",
        "coordinator_name": "X", "coordinator_email": "x@mauges.example.org"})
    assert again.status_code == 422
    elsewhere = client.post("/network/structures/new", data={
        "csrf_token": token, "network_id": net["other"], "name": "Ailleurs",
        "coordinator_name": "X", "coordinator_email": "x@ailleurs.example.org"})
    assert elsewhere.status_code == 422
    with app.app_context():
        structure = db.session.scalar(sa.select(Structure).where(Structure.name == "Ressourcerie des Mauges"))
        assert db.session.get(NetworkMember, (net["west"], structure.id)) is not None
        assert db.session.scalar(sa.select(Structure.id).where(Structure.name == "Ailleurs")) is None
        structure_id = structure.id
    assert "Ressourcerie des Mauges" in client.get(f"/network/?year={YEAR}").get_data(as_text=True)
    _signs_in_to_an_empty_structure_of_its_own(app, client, auth, "dominique@mauges.example.org", password,
                                               structure_id)


def test_onboarding_from_the_command_line(app, runner, client, auth, net):
    result = runner.invoke(args=["structures", "create", "--name", "Atelier Vélo Nord",
                                 "--coordinator-email", "Alex@Velo.example.org", "--coordinator-name", "Alex",
                                 "--network", "Réseau Ouest"])
    assert result.exit_code == 0, result.output
    password = result.output.split("First password (shown once): ")[1].strip()
    listed = runner.invoke(args=["structures", "list"]).output
    assert "Atelier Vélo Nord" in listed and "Réseau Ouest" in listed
    with app.app_context():
        structure_id = db.session.scalar(sa.select(Structure.id).where(Structure.name == "Atelier Vélo Nord"))
    _signs_in_to_an_empty_structure_of_its_own(app, client, auth, "alex@velo.example.org", password, structure_id)
    refused = runner.invoke(args=["structures", "create", "--name", "X", "--coordinator-email", "y@z.org",
                                  "--network", "Nulle part"])
    assert refused.exit_code != 0 and "no network" in refused.output


def test_network_commands(app, runner, client, auth, net):
    assert runner.invoke(args=["networks", "create", "L'Heureux Cyclage"]).exit_code == 0
    assert runner.invoke(args=["networks", "create", "l'heureux cyclage"]).exit_code != 0
    result = runner.invoke(args=["networks", "add-coordinator", "L'Heureux Cyclage", "coordinator@example.org"])
    assert result.exit_code == 0, result.output
    assert "password" not in result.output  # an existing account keeps its own
    result = runner.invoke(args=["networks", "add-coordinator", "L'Heureux Cyclage", "claude@cyclage.example.org",
                                 "--name", "Claude Cyclage"])
    password = result.output.split("first password (shown once): ")[1].strip()
    result = runner.invoke(args=["networks", "add-structure", "L'Heureux Cyclage", str(net["far"])])
    assert result.exit_code == 0 and "joined" in result.output
    assert runner.invoke(args=["networks", "add-structure", "L'Heureux Cyclage", "9999"]).exit_code != 0
    with app.app_context():
        network = db.session.scalar(sa.select(Network).where(Network.name == "L'Heureux Cyclage"))
        assert db.session.get(NetworkMember, (network.id, net["far"])) is not None
    auth.login("claude@cyclage.example.org", password)
    assert client.get("/").headers["Location"].endswith("/network/")
    assert "Atelier Lointain" in client.get("/network/").get_data(as_text=True)


def test_an_existing_account_becomes_the_new_structure_s_coordinator(app, net):
    with app.app_context():
        made = onboarding.create_structure(db.session, name="Deuxième atelier",
                                           coordinator_email="volunteer@example.org")
        assert not made.new_account and made.password is None
        volunteer = db.session.scalar(sa.select(User).where(User.email == "volunteer@example.org"))
        assert {(m.structure_id, m.role) for m in volunteer.memberships} == {
            (net["first"], "volunteer"), (made.structure_id, "coordinator")}
        assert volunteer.check_password(PASSWORD)


def test_each_structure_adapts_its_own_categories(app, net):
    with app.app_context():
        one = onboarding.create_structure(db.session, name="Un", coordinator_email="un@example.org")
        two = onboarding.create_structure(db.session, name="Deux", coordinator_email="deux@example.org")
        with scoping.scoped_to(one.structure_id):
            laptop = db.session.scalar(sa.select(Category).where(Category.name == "Ordinateur portable"))
            laptop.name = "PC portable"
            laptop.checklist = [*laptop.checklist, "Webcam"]
            db.session.commit()
        db.session.expunge_all()
        with scoping.scoped_to(two.structure_id):
            theirs = db.session.scalar(sa.select(Category).where(Category.name == "Ordinateur portable"))
            assert theirs is not None and "Webcam" not in theirs.checklist
            assert db.session.scalar(sa.select(Category).where(Category.name == "PC portable")) is None
        with scoping.scoped_to(net["first"]):  # the first structure's own catalogue is untouched
            assert db.session.scalar(sa.select(Category).where(Category.name == "Ordinateur portable")) is None


def test_onboarding_is_all_or_nothing(app, net, monkeypatch):
    def broken(session, *, commit=True):
        session.add(Category(name="half made", family="other"))
        session.flush()
        raise RuntimeError("disk full")

    monkeypatch.setattr(onboarding, "install_default_categories", broken)
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(Structure.id)))
        with pytest.raises(RuntimeError):
            onboarding.create_structure(db.session, name="Jamais", coordinator_email="jamais@example.org")
        with scoping.all_structures():
            assert db.session.scalar(sa.select(sa.func.count(Structure.id))) == before
            assert db.session.scalar(sa.select(User.id).where(User.email == "jamais@example.org")) is None
            assert db.session.scalar(sa.select(Category.id).where(Category.name == "half made")) is None
            assert db.session.scalar(sa.select(sa.func.count(Membership.id)).where(
                Membership.user_id.is_(None))) == 0


def test_refusals(app, net):
    with app.app_context():
        for values, field in (({"name": " ", "coordinator_email": "a@b.org"}, "name"),
                              ({"name": "Recyclerie du Lac", "coordinator_email": "a@b.org"}, "name"),
                              ({"name": "Neuf", "coordinator_email": "pas-un-courriel"}, "coordinator_email"),
                              ({"name": "Neuf", "coordinator_email": "a@b.org", "password": "court"}, "password")):
            with pytest.raises(StructureRejected) as refused:
                onboarding.create_structure(db.session, **values)
            assert field in refused.value.errors


@pytest.mark.parametrize("role", ["volunteer", "technician", "coordinator", "landlord"])
def test_structure_staff_are_no_network_coordinators(client, auth, net, role):
    auth.login_as(role)
    for url in ("/network/", "/network/figures.csv", "/network/structures/new"):
        assert client.get(url).status_code == 403, url


@pytest.mark.skipif(not POSTGRES_URL, reason="row-level security is PostgreSQL's")
def test_figures_and_onboarding_pass_row_level_security(app, net, rls_role):
    """A network coordinator's request works in no structure: its transaction begins with the setting that
    shows nothing. Each structure's figures, and a new structure's first rows, are read and written inside
    that structure's wall on PostgreSQL too (an account that row-level security applies to)."""
    with app.app_context():
        expected = network_figures(db.session, net["west"], date(YEAR, 1, 1), date(YEAR, 12, 31)).table().rows
        engine = sa.create_engine(rls_role)
        scoping.install_engine_wall(engine)
        token = scoping.set_scope(scoping.NOTHING)
        try:
            with Session(engine) as session:
                assert session.scalar(sa.text("SELECT count(*) FROM item")) == 0  # the request's transaction
                figures = network_figures(session, net["west"], date(YEAR, 1, 1), date(YEAR, 12, 31))
                assert figures.table().rows == expected
                made = onboarding.create_structure(session, name="Sous RLS", coordinator_email="rls@example.org")
            with scoping.scoped_to(made.structure_id), Session(engine) as session:
                assert session.scalar(sa.text("SELECT count(*) FROM category")) == made.categories > 0
        finally:
            scoping.reset_scope(token)
            engine.dispose()
