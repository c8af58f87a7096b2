"""One instance, many structures: each sealed off by two walls (the ORM criterion, and on PostgreSQL
row-level security), each tested alone; and a person working in several structures."""

from __future__ import annotations


import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from intake import scoping
from intake.extensions import db
from intake.models import Item, Structure, scoped_tables

from .conftest import POSTGRES_URL
from .factories import make_item, make_world, user


@pytest.fixture
def two(app, world):
    """The usual world in the first structure, and a second structure with its own world."""
    with app.app_context():
        other = Structure(name="Recyclerie du Lac", name_on_labels=False)
        db.session.add(other)
        db.session.commit()
        with scoping.scoped_to(other.id):
            other_world = make_world(email_domain="lac.example.org")
            theirs = make_item(other_world, brand="Theirs")
        mine = make_item(world, brand="Mine")
        first = db.session.scalar(sa.select(sa.func.min(Structure.id)))
        return {"first": first, "other": other.id, "mine": mine.code, "theirs": theirs.code,
                "other_world": other_world}


def codes_seen(session, statement) -> set[str]:
    return set(session.scalars(statement))


def test_every_table_but_the_access_ones_carries_its_structure(app):
    """Every record that belongs to a structure is behind the wall; the rest is said by name."""
    unscoped = set(db.metadata.tables) - set(scoped_tables())
    assert unscoped == {"structure", "user", "membership", "api_token", "network", "network_member",
                        "network_coordinator"}
    for table in scoped_tables():
        assert "structure_id" in db.metadata.tables[table].c, table


def test_orm_wall_alone_shows_one_structure(app, two):
    """The ORM criterion by itself (SQLite has no other wall): a query that names no structure sees the
    current one's rows only, loaders and aggregates included; outside any, all of them."""
    with app.app_context():
        with scoping.scoped_to(two["other"]):
            assert codes_seen(db.session, sa.select(Item.code)) == {two["theirs"]}
            assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 1
            assert db.session.scalar(sa.select(Item).where(Item.code == two["mine"])) is None
        db.session.expunge_all()
        with scoping.scoped_to(two["first"]):
            assert codes_seen(db.session, sa.select(Item.code)) == {two["mine"]}
        with scoping.all_structures():
            assert codes_seen(db.session, sa.select(Item.code)) == {two["mine"], two["theirs"]}
        token = scoping.set_scope(scoping.NOTHING)
        try:
            assert codes_seen(db.session, sa.select(Item.code)) == set()
        finally:
            scoping.reset_scope(token)


def test_new_records_take_the_current_structure(app, two):
    with app.app_context():
        with scoping.scoped_to(two["other"]):
            item = make_item(two["other_world"])
        with scoping.all_structures():
            assert db.session.get(Item, item.id).structure_id == two["other"]
            assert {e.structure_id for e in db.session.get(Item, item.id).events} == {two["other"]}


def test_staff_of_one_structure_never_reach_another_s_records(client, auth, two):
    auth.login_as("technician")
    assert two["mine"] in client.get("/items").get_data(as_text=True)
    listed = client.get("/items").get_data(as_text=True)
    assert two["theirs"] not in listed and "Theirs" not in listed
    # Its label's URL gives the public passport only, as for anyone, not the workshop's page.
    page = client.get(f"/i/{two['theirs']}")
    workshop_page = "js/item.js"  # the staff's item page, with its panels; the passport has none
    assert page.status_code == 200 and workshop_page not in page.get_data(as_text=True)
    assert workshop_page in client.get(f"/i/{two['mine']}").get_data(as_text=True)
    assert "Theirs" not in client.get(f"/i/{two['theirs']}/history").get_data(as_text=True)
    assert client.get(f"/i/{two['theirs']}/history").status_code == 404
    assert client.get(f"/api/v1/items/{two['theirs']}").status_code == 404


def test_a_person_in_two_structures_switches_and_the_phone_remembers(app, client, auth, two):
    with app.app_context():
        volunteer = user(two["other_world"], "volunteer")
        with scoping.scoped_to(two["first"]):
            volunteer.memberships.append(scoping_membership(two["first"], "volunteer"))
        db.session.commit()
    auth.login("volunteer@lac.example.org")
    home = client.get("/items").get_data(as_text=True)
    assert two["theirs"] in home and two["mine"] not in home
    assert "Recyclerie du Lac" in home  # the switch shows, since there are two
    token = auth.csrf_token("/items")
    client.post("/structure", data={"csrf_token": token, "structure_id": two["first"]})
    listed = client.get("/items").get_data(as_text=True)
    assert two["mine"] in listed and two["theirs"] not in listed
    # Signed out and in again on this phone: still the structure chosen last.
    client.post("/logout", data={"csrf_token": auth.csrf_token("/items")})
    auth.login("volunteer@lac.example.org")
    assert two["mine"] in client.get("/items").get_data(as_text=True)
    # A structure they do not belong to: refused, nothing changes.
    with app.app_context():
        third = Structure(name="Ailleurs", name_on_labels=False)
        db.session.add(third)
        db.session.commit()
        third_id = third.id
    refused = client.post("/structure", data={"csrf_token": auth.csrf_token("/items"), "structure_id": third_id})
    assert refused.status_code == 404
    assert two["mine"] in client.get("/items").get_data(as_text=True)


def scoping_membership(structure_id: int, role: str):
    from intake.models import Membership

    return Membership(structure_id=structure_id, role=role)


def test_one_structure_never_shows_the_word(client, auth, world):
    auth.login_as("volunteer")
    assert "structure-switch" not in client.get("/items").get_data(as_text=True)


@pytest.mark.skipif(not POSTGRES_URL, reason="row-level security is PostgreSQL's")
def test_row_level_security_alone_holds(app, two, rls_role):
    """The second wall by itself: an account that is not the tables' superuser, the ORM criterion lifted
    from every query, raw SQL included; only the per-transaction setting decides."""
    with app.app_context():
        engine = sa.create_engine(rls_role)
        scoping.install_engine_wall(engine)
        lifted = {scoping.ALL_STRUCTURES_OPTION: True}
        try:
            with Session(engine) as session:
                with scoping.scoped_to(two["other"]):
                    assert set(session.scalars(sa.text("SELECT code FROM item"))) == {two["theirs"]}
                    assert codes_seen(session, sa.select(Item.code).execution_options(**lifted)) == {two["theirs"]}
                    # Another structure's rows cannot be changed, nor can a row be moved into it.
                    changed = session.execute(sa.text("UPDATE item SET brand = 'x' WHERE code = :code"),
                                              {"code": two["mine"]})
                    assert changed.rowcount == 0
                    with pytest.raises(sa.exc.DBAPIError, match="row-level security"):
                        session.execute(sa.text("UPDATE item SET structure_id = :first WHERE code = :theirs"),
                                        {"first": two["first"], "theirs": two["theirs"]})
                    session.rollback()
                with scoping.scoped_to(two["first"]):
                    assert set(session.scalars(sa.text("SELECT code FROM item"))) == {two["mine"]}
                    session.commit()
                token = scoping.set_scope(scoping.NOTHING)
                try:
                    assert set(session.scalars(sa.text("SELECT code FROM item"))) == set()
                    session.commit()
                finally:
                    scoping.reset_scope(token)
                with scoping.all_structures():
                    assert set(session.scalars(sa.text("SELECT code FROM item"))) == {two["mine"], two["theirs"]}
        finally:
            engine.dispose()


@pytest.mark.skipif(not POSTGRES_URL, reason="row-level security is PostgreSQL's")
def test_orm_wall_alone_holds_on_postgresql(app, two):
    """The tests' account is the superuser, which row-level security never applies to: the ORM wall alone."""
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
        with scoping.scoped_to(two["other"]):
            assert set(db.session.scalars(sa.text("SELECT code FROM item"))) == {two["mine"], two["theirs"]}
            assert codes_seen(db.session, sa.select(Item.code)) == {two["theirs"]}


def test_scanning_a_label_of_my_other_structure_offers_to_switch(app, client, auth, two):
    """A technician helping two workshops scans the other one's label: its passport, and one tap to switch
    and open it; someone who is not a member of that structure gets the passport alone."""
    with app.app_context():
        technician = user(two["other_world"], "technician")
        technician.memberships.append(scoping_membership(two["first"], "technician"))
        db.session.commit()
    auth.login("technician@lac.example.org")
    client.post("/structure", data={"csrf_token": auth.csrf_token("/items"), "structure_id": two["first"]})
    passport = client.get(f"/i/{two['theirs']}").get_data(as_text=True)
    assert "Passer à Recyclerie du Lac et ouvrir l’objet" in passport and "js/item.js" not in passport
    opened = client.post("/structure", data={"csrf_token": auth.csrf_token("/items"), "structure_id": two["other"],
                                             "next": f"/i/{two['theirs']}"})
    assert opened.headers["Location"] == f"/i/{two['theirs']}"
    assert "js/item.js" in client.get(f"/i/{two['theirs']}").get_data(as_text=True)
    # Off-site "next" addresses are ignored.
    away = client.post("/structure", data={"csrf_token": auth.csrf_token("/items"), "structure_id": two["other"],
                                           "next": "https://evil.example/"})
    assert away.headers["Location"] == "/"
    auth.login_as("technician")  # of the first structure only
    assert "ouvrir l’objet" not in client.get(f"/i/{two['theirs']}").get_data(as_text=True)


@pytest.mark.skipif(not POSTGRES_URL, reason="row-level security is PostgreSQL's")
def test_the_app_works_behind_row_level_security(app, two, rls_role):
    """Served through an account that row-level security applies to, every page still finds what it
    should (each transaction is told its scope, blocks that read across structures included)."""
    from intake import create_app

    served = create_app({**{key: app.config[key] for key in ("TESTING", "SECRET_KEY", "RATELIMIT_STORAGE_URI",
                                                             "PASSWORD_HASH_METHOD")},
                         "SQLALCHEMY_DATABASE_URI": rls_role.render_as_string(hide_password=False),
                         "SERVER_NAME": None})
    client = served.test_client()
    from .conftest import AuthActions

    auth = AuthActions(client)
    try:
        # Anyone: the passport of either structure's item.
        assert client.get(f"/i/{two['theirs']}").status_code == 200
        assert client.get(f"/i/{two['mine']}").status_code == 200
        auth.login_as("technician")
        assert two["mine"] in client.get("/items").get_data(as_text=True)
        assert "js/item.js" in client.get(f"/i/{two['mine']}").get_data(as_text=True)
        page = client.get(f"/i/{two['theirs']}")
        assert page.status_code == 200 and "js/item.js" not in page.get_data(as_text=True)
        moved = client.post(f"/i/{two['mine']}/status", data={"csrf_token": auth.csrf_token(f"/i/{two['mine']}"),
                                                              "to": "diagnosing", "note": "Écran fissuré"})
        assert moved.status_code == 302
        assert "Écran fissuré" in client.get(f"/i/{two['mine']}").get_data(as_text=True)
        auth.login_as("landlord")
        assert client.get("/landlord/").status_code == 200
    finally:
        with served.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.skipif(not POSTGRES_URL, reason="row-level security is PostgreSQL's")
def test_a_backup_holds_every_structure_behind_row_level_security(app, two, rls_role, tmp_path):
    import subprocess

    from intake.services.backup import backup_database

    # Another application's schema in the same database, which our role may not even read: not ours to copy.
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS another_app CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA another_app")
        connection.exec_driver_sql("CREATE TABLE another_app.secret (id integer)")
    engine = sa.create_engine(rls_role)
    try:
        backup_database(engine, str(tmp_path / "backup.dump"))
    finally:
        engine.dispose()
        with app.app_context(), db.engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA another_app CASCADE")
    rows = subprocess.run(["pg_restore", "--data-only", "--table=item", "--file=-", str(tmp_path / "backup.dump")],
                          capture_output=True, text=True, check=True).stdout
    assert two["mine"] in rows and two["theirs"] in rows


def test_public_results_speak_for_the_structure_asked_for(app, client, two):
    """/results is the first structure's; ?structure=<id> another's, its period links keeping it."""
    with app.app_context():
        db.session.get(Structure, two["first"]).name = "Ressourcerie Centre"
        db.session.commit()
    first = client.get("/results").get_data(as_text=True)
    assert "Ressourcerie Centre" in first and "Recyclerie du Lac" not in first
    other = client.get(f"/results?structure={two['other']}").get_data(as_text=True)
    assert "Recyclerie du Lac" in other and "Ressourcerie Centre" not in other
    assert f"structure={two['other']}" in other.split("period-shortcuts", 1)[1].split("</nav>", 1)[0]
    # An unknown one: the first structure's, as without.
    assert "Ressourcerie Centre" in client.get("/results?structure=999999").get_data(as_text=True)


def test_an_account_shared_with_another_structure_is_its_holder_s(app, client, auth, two):
    """The other structure's coordinator, also a volunteer with us: our coordinator can change their role
    here, not their password or name (that would take over their account there); closing the account here
    only takes them out of our structure."""
    from .test_admin import submit

    with app.app_context():
        theirs = user(two["other_world"], "coordinator")
        theirs.memberships.append(scoping_membership(two["first"], "volunteer"))
        db.session.commit()
        theirs_id = theirs.id
    auth.login_as("coordinator")
    url = f"/admin/users/{theirs_id}"
    fields = {"email": "coordinator@lac.example.org", "name": "Coordinator Test", "role": "volunteer",
              "organisation_id": 0, "active": "y"}
    taken_over = submit(client, url, **{**fields, "password": "un autre mot de passe"})
    assert taken_over.status_code == 200 and "son nom et son mot de passe sont à elle" in taken_over.get_data(as_text=True)
    assert submit(client, url, **{**fields, "role": "technician"}).status_code == 302
    closed = submit(client, url, **{key: value for key, value in fields.items() if key != "active"})
    assert closed.status_code == 302
    assert f"/admin/users/{theirs_id}" not in client.get("/admin/users/").get_data(as_text=True)
    # Still themselves, with their password, coordinating the other structure.
    auth.login("coordinator@lac.example.org")
    assert two["theirs"] in client.get("/items").get_data(as_text=True)
    assert "structure-switch" not in client.get("/items").get_data(as_text=True)


def test_a_coordinator_adds_someone_of_another_structure(app, client, auth, two):
    """A volunteer of the first structure comes to help at the second: its coordinator adds them by e-mail;
    they keep their password and find the second structure in their switch."""
    from .test_admin import submit

    auth.login("coordinator@lac.example.org")
    fields = {"email": "Volunteer@example.org", "name": "Ignored", "role": "technician", "organisation_id": 0,
              "password": "ignoré car le compte existe", "active": "y"}
    added = submit(client, "/admin/users/new", **fields)
    assert added.status_code == 302
    assert "avait déjà un compte" in client.get("/admin/users/").get_data(as_text=True)
    again = submit(client, "/admin/users/new", **fields)
    assert again.status_code == 200 and "Un compte existe déjà" in again.get_data(as_text=True)
    auth.login("volunteer@example.org")  # their own password
    client.post("/structure", data={"csrf_token": auth.csrf_token("/items"), "structure_id": two["other"]})
    assert two["theirs"] in client.get("/items").get_data(as_text=True)
    assert "Technicien" in client.get("/items").get_data(as_text=True)
