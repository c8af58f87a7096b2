"""The schema comes only from migrations: from an empty database, they build exactly the models."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from intake import create_app
from intake.extensions import db

from .conftest import POSTGRES_URL, _postgres_url

SCHEMA = "migration_check"


@pytest.fixture
def empty_database_url(tmp_path):
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path}/migrated.sqlite3"
        return
    # A schema of its own inside the test database, found first on the search path.
    admin = sa.create_engine(_postgres_url())
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    yield _postgres_url() + ("&" if "?" in _postgres_url() else "?") + f"options=-csearch_path%3D{SCHEMA}"
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


@pytest.fixture
def migrated_app(empty_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_upgrade_from_empty_builds_the_models(migrated_app):
    result = migrated_app.test_cli_runner().invoke(args=["upgrade"])
    assert result.exit_code == 0, result.output
    assert "default categories installed" in result.output
    with migrated_app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        assert db.session.execute(sa.text("SELECT count(*) FROM category")).scalar() > 30
        # The counters and lead times the database keeps itself: every trigger the models declare is there
        # (a migration rebuilding a table on SQLite would silently drop those on it).
        assert triggers_in(db.session) == declared_triggers(db.engine.dialect.name)


def declared_triggers(dialect: str) -> set:
    from intake.models.base import TRIGGERS

    return {name for create in TRIGGERS for statement in create(dialect)
            for name in re.findall(r"CREATE TRIGGER (\w+)", statement)}


def triggers_in(session) -> set:
    if session.get_bind().dialect.name == "sqlite":
        return set(session.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    return set(session.execute(sa.text(
        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal "
        "AND n.nspname = current_schema()")).scalars())


def test_upgrade_twice_changes_nothing(migrated_app):
    runner = migrated_app.test_cli_runner()
    assert runner.invoke(args=["upgrade"]).exit_code == 0
    second = runner.invoke(args=["upgrade"])
    assert second.exit_code == 0 and "categories installed" not in second.output


def test_downgrade_to_empty_and_back(migrated_app):
    runner = migrated_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    with migrated_app.app_context():
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0


BEFORE_STRUCTURES = "b7e2c9d4a1f3"  # the revision before d1a2b3c4e5f6 (structures, memberships, networks)


def row_counts(connection) -> dict[str, int]:
    tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
    return {table: connection.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar() for table in tables}


def test_structures_migration_keeps_the_demo_data(migrated_app):
    """A one-structure instance full of demo data goes down to before structures and up again: every table
    keeps its rows, each account its one membership (same role and organisation), every record its one
    structure; on PostgreSQL each scoped table has its row-level security policy again."""
    from intake.models import scoped_tables

    runner = migrated_app.test_cli_runner()
    for args in (["upgrade"], ["demo", "--items", "60"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    people = sa.text("SELECT u.id, m.role, m.organisation_id FROM membership m JOIN \"user\" u ON u.id = m.user_id")
    with migrated_app.app_context(), db.engine.connect() as connection:
        before = row_counts(connection)
        memberships = set(connection.execute(people))
        structures = {table: connection.execute(sa.text(f'SELECT DISTINCT structure_id FROM "{table}"')).scalars().all()
                      for table in scoped_tables()}
    assert before["item"] == 60 and before["membership"] == before["user"] > 0
    assert {id_ for ids in structures.values() for id_ in ids} == {structures["item"][0]}

    result = runner.invoke(args=["db", "downgrade", BEFORE_STRUCTURES])
    assert result.exit_code == 0, result.output
    with migrated_app.app_context(), db.engine.connect() as connection:
        down = row_counts(connection)
        roles = set(connection.execute(sa.text('SELECT id, role, organisation_id FROM "user"')))
    assert {t: n for t, n in before.items() if t in down} == down
    # Gone: the structures' tables (and those of later migrations).
    assert {"membership", "network", "network_member", "network_coordinator"} <= set(before) - set(down)
    assert roles == memberships

    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with migrated_app.app_context(), db.engine.connect() as connection:
        assert row_counts(connection) == before
        assert set(connection.execute(people)) == memberships
        for table in scoped_tables():
            assert connection.execute(sa.text(f'SELECT DISTINCT structure_id FROM "{table}"')).scalars().all() \
                == structures[table], table
        if connection.dialect.name == "postgresql":
            policies = set(connection.execute(sa.text(
                "SELECT tablename FROM pg_policies WHERE policyname = 'structure_wall' "
                "AND schemaname = current_schema()")).scalars())
            assert policies == set(scoped_tables())
            forced = set(connection.execute(sa.text(
                "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity "
                "AND relnamespace = current_schema()::regnamespace")).scalars())
            assert forced == set(scoped_tables())
