"""Fixtures: a fresh app and database per test, on SQLite or on PostgreSQL.

``INTAKE_TEST_DATABASE_URL`` selects PostgreSQL; the run then fails at once
if the server cannot be reached, rather than skipping anything.
"""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from intake import create_app
from intake.extensions import db
from intake.models import Structure

from . import factories

POSTGRES_URL = os.environ.get("INTAKE_TEST_DATABASE_URL", "").strip()


def _postgres_url() -> str:
    url = POSTGRES_URL
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The database the whole run uses; on PostgreSQL the schema is made once. On SQLite, each test gets a
    file of its own, a copy of an empty one whose schema is made once (the URL is that file's)."""
    if not POSTGRES_URL:
        template = tmp_path_factory.mktemp("schema") / "empty.sqlite3"
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("INTAKE_INSTANCE_PATH", str(template.parent))
            app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}"})
            with app.app_context():
                db.create_all()
            dispose(app)
        return f"sqlite:///{template}"
    url = _postgres_url()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        pytest.exit(f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}", returncode=3)
    finally:
        engine.dispose()
    return url


def build_app(database_url, instance_path):
    """An app on an empty database (SQLite: a file of its own in the instance path; PostgreSQL: the run's,
    emptied), holding the structure the first migration makes."""
    url = database_url
    if url.startswith("sqlite"):
        url = "sqlite:///" + str(instance_path / "test.sqlite3")
        shutil.copyfile(sa.make_url(database_url).database, instance_path / "test.sqlite3")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "SERVER_NAME": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Hashing is slow on purpose; tests sign in hundreds of times.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Tests never reach outside: no map tiles, no geocoder (a test that wants tiles routes them itself).
        "MAP_TILE_URL": "",
        "GEOCODER_URL": "",
    })
    with app.app_context():
        if url.startswith("postgresql"):
            reset_postgres_schema()
        # What the first migration makes: the structure the instance's records belong to.
        db.session.add(Structure(name="", name_on_labels=False))
        db.session.commit()
    return app


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_INSTANCE_PATH", str(tmp_path))
    app = build_app(database_url, tmp_path)
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def module_app(database_url, tmp_path_factory):
    """One app and database for a whole module, for tables of cases that only read (every route × every
    role): filled once, where a fresh database per case cost most of the suite's time. Its tests take
    `module_client`; a module mixing them with the usual `app` keeps them together (PostgreSQL has one
    database, which `app` empties)."""
    instance_path = tmp_path_factory.mktemp("module")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INTAKE_INSTANCE_PATH", str(instance_path))
        app = build_app(database_url, instance_path)
        yield app
        dispose(app)


@pytest.fixture
def module_client(module_app):
    """A new visitor on the module's app, with rate limits counted afresh (cases sign in hundreds of times)."""
    from intake.extensions import limiter

    with module_app.app_context():
        limiter.reset()
    return module_app.test_client()


_schema_made = False


def reset_postgres_schema() -> None:
    """Empty every table (fast); make the schema afresh the first time in a run (a database kept from an
    earlier run may lack a column added since), and after a migration test."""
    global _schema_made
    inspector = sa.inspect(db.engine)
    existing = set(inspector.get_table_names())
    if not _schema_made or not set(db.metadata.tables) <= existing or "alembic_version" in existing:
        _schema_made = True
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.metadata.drop_all(db.engine)
        db.metadata.create_all(db.engine)
        return
    tables = ", ".join(f'"{name}"' for name in db.metadata.tables)
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def rls_role(app):
    """The URL of a PostgreSQL account that is not a superuser: row-level security applies to it, as it does
    in production to an application account that owns its tables (FORCE ROW LEVEL SECURITY). The tests'
    own account is a superuser, which row-level security never applies to."""
    import uuid

    role = f"intake_rls_{uuid.uuid4().hex[:8]}"
    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
            connection.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
            connection.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        yield db.engine.url.set(username=role)
        db.session.remove()
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
            connection.exec_driver_sql(f"DROP ROLE {role}")


@pytest.fixture
def freeze_clock():
    """Stop the app's one clock at a moment (aware); started again after the test."""
    from intake import clock

    yield clock.freeze
    clock.freeze(None)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """A small organisation: a collection point, categories, a partner and one account per role."""
    with app.app_context():
        return factories.make_world()


CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "y")
            else:
                self.values[name] = attrs.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and ("selected" in attrs or self._select not in self.values):
            self.values[self._select] = attrs.get("value", "")  # the selected option, else the first
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html: str) -> dict:
    """What a browser would send for the page's forms as shown (checked boxes, selected options)."""
    reader = _FormReader()
    reader.feed(html)
    return reader.values


class AuthActions:
    """Sign in and out through the real pages, with their CSRF tokens."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = factories.PASSWORD, follow_redirects=False):
        page = self.client.get("/login")
        if page.status_code == 302:  # someone is signed in: sign them out first
            self.client.post("/logout", data={"csrf_token": self.csrf_token()})
            page = self.client.get("/login")
        return self.client.post("/login", data={"email": email, "password": password,
                                                "csrf_token": csrf_token_from(page.get_data(as_text=True))},
                                follow_redirects=follow_redirects)

    def login_as(self, role: str):
        response = self.login(factories.email_for(role))
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def csrf_token(self, url: str = "/") -> str:
        """A CSRF token of this session, from any page with a form (every page has the footer's)."""
        return csrf_token_from(self.client.get(url, follow_redirects=True).get_data(as_text=True))


@pytest.fixture
def auth(client):
    return AuthActions(client)
