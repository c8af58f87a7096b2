"""The flask commands: accounts, tokens, demo data, backups, upgrade."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from intake.extensions import db
from intake.models import Category, CollectionPoint, Item, Organisation, Territory, User

from .conftest import POSTGRES_URL


def test_users_create_with_password_option(runner, app, world):
    result = runner.invoke(args=["users", "create", "Alice@Example.org", "--role", "technician",
                                 "--name", "Alice", "--password", "a long enough one"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "alice@example.org"))
        assert user.role == "technician" and user.check_password("a long enough one")


def test_users_create_prompts_for_the_password(runner, app, world):
    result = runner.invoke(args=["users", "create", "bob@example.org", "--role", "volunteer"],
                           input="another long one\nanother long one\n")
    assert result.exit_code == 0, result.output
    assert "another long one" not in result.output


@pytest.mark.parametrize("args, message", [
    (["x@example.org", "--role", "landlord", "--password", "long enough pw"], "bailleur social"),
    (["x@example.org", "--role", "landlord", "--org", "Orange", "--password", "long enough pw"], "bailleur social"),
    (["x@example.org", "--role", "volunteer", "--password", "short"], "10"),
    (["volunteer@example.org", "--role", "volunteer", "--password", "long enough pw"], "existe déjà"),
    (["x@example.org", "--role", "volunteer", "--org", "Nobody", "--password", "long enough pw"], "Nobody"),
])
def test_users_create_refuses_bad_input(runner, app, world, args, message):
    result = runner.invoke(args=["users", "create", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_landlord_account_with_its_organisation(runner, app, world):
    result = runner.invoke(args=["users", "create", "gestion@toit.example", "--role", "landlord",
                                 "--org", "Le Toit Angevin", "--password", "long enough pw"])
    assert result.exit_code == 0, result.output


def test_token_authenticates_the_api(runner, app, client, world):
    result = runner.invoke(args=["users", "token", "volunteer@example.org"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert client.get("/api/v1/categories", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert runner.invoke(args=["users", "token", "nobody@example.org"]).exit_code != 0


def test_demo_fills_an_empty_database(runner, app):
    result = runner.invoke(args=["demo", "--items", "60"])
    assert result.exit_code == 0, result.output
    assert "coordination@demo.intake.fr" in result.output and "demo-intake-2026" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 60
        kinds = set(db.session.scalars(sa.select(Organisation.kind)))
        assert {"social_landlord", "eco_organism", "telecom_operator", "retailer", "public_service",
                "insertion_workshop", "municipality", "epci", "department", "region", "regional_park"} <= kinds
        zones = set(db.session.scalars(sa.select(Territory.zone_type).join(CollectionPoint)))
        assert zones == {"rural", "semi_urban", "dense_urban"}
        assert db.session.scalar(sa.select(sa.func.count(Category.id))) > 30
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "no demo data added" in again.output
    assert "benevole@demo.intake.fr" in again.output  # the logins are shown again


def test_demo_accounts_can_sign_in(runner, app, auth):
    runner.invoke(args=["demo", "--items", "5"])
    assert auth.login("benevole@demo.intake.fr", "demo-intake-2026").status_code == 302


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite backup; the PostgreSQL one is tested below")
def test_backup_of_sqlite_is_a_consistent_copy(runner, app, world, tmp_path):
    from .factories import make_item

    with app.app_context():
        make_item(world)
    target = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM item").fetchone() == (1,)


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL")
def test_backup_of_postgresql_is_a_dump(runner, app, world, tmp_path):
    target = tmp_path / "backup.dump"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"PGDMP")


def test_users_create_in_a_structure(runner, app, world):
    """--structure names where the account works, and where its organisation is looked up."""
    from intake import scoping
    from intake.models import Membership, Structure

    with app.app_context():
        other = Structure(name="Recyclerie du Lac", name_on_labels=False)
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    missing = runner.invoke(args=["users", "create", "lac@example.org", "--role", "landlord", "--org", "Le Toit Angevin",
                                  "--password", "assez long oui", "--structure", str(other_id)])
    assert missing.exit_code != 0 and f"in structure {other_id}" in missing.output  # that landlord is the first's
    made = runner.invoke(args=["users", "create", "lac@example.org", "--role", "technician",
                               "--password", "assez long oui", "--structure", str(other_id)])
    assert made.exit_code == 0, made.output
    with app.app_context(), scoping.all_structures():
        memberships = db.session.execute(sa.select(Membership.structure_id, Membership.role).join(User)
                                         .where(User.email == "lac@example.org")).all()
        assert memberships == [(other_id, "technician")]
    assert runner.invoke(args=["users", "create", "x@example.org", "--role", "technician", "--password",
                               "assez long oui", "--structure", "999999"]).exit_code != 0
