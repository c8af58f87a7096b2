"""The schema comes only from migrations: from an empty database, they build exactly the models."""

from __future__ import annotations

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
