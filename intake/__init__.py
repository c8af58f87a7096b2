"""intake: follow every donated item from the collection point to its second life."""

from __future__ import annotations

import os
import secrets

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, then extensions, blueprints and commands."""
    project_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_path=os.environ.get("INTAKE_INSTANCE_PATH") or os.path.join(project_root, "instance"),
        static_folder=os.path.join(project_root, "static"),
        template_folder=os.path.join(project_root, "templates"),
    )
    from .config import Defaults, database_url_from_env

    app.config.from_object(Defaults)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url_from_env(app.instance_path)
    app.config.from_prefixed_env("INTAKE")
    if config:
        app.config.update(config)
    if app.config["STATIC_FOLDER"]:
        app.static_folder = app.config["STATIC_FOLDER"]
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)
    if app.config["SESSION_COOKIE_SECURE"] is None:
        # Secure cookies everywhere but on a development machine served over plain http.
        app.config["SESSION_COOKIE_SECURE"] = app.config["ENV"] != "development"
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]

    from . import cli, errors, web
    from .services.label_stock import load_stocks

    # Read once at start: a malformed stock file stops the app here, naming the file and field.
    app.extensions["label_stocks"] = load_stocks(app.config["LABELS_DIR"] or os.path.join(project_root, "labels"))
    from .extensions import db

    from .pwa.routes import refresh_static_version

    # The service worker's cache is named after the static files' content: a deploy that changes
    # any of them updates every phone, and old and new files never mix.
    refresh_static_version(app)
    web.register_extensions(app)
    web.register_blueprints(app)
    errors.register_error_handlers(app)
    cli.register_commands(app)
    with app.app_context():
        from .database import configure_engine

        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    return app


def _instance_secret_key(instance_path: str) -> str:
    """A key kept in the instance folder, so that every worker and restart shares it."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        # Written aside then linked in: a worker starting at the same moment
        # either sees no file or the whole key, and the first link wins.
        draft = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    with open(path) as key_file:
        return key_file.read().strip()
