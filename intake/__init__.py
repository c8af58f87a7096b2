"""intake: follow every donated item from the collection point to its second life."""

from __future__ import annotations

import os
import secrets

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, then extensions, the database, the web layer, features, commands."""
    project_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_path=os.environ.get("INTAKE_INSTANCE_PATH") or os.path.join(project_root, "instance"),
        static_folder=os.path.join(project_root, "static"),
        template_folder=os.path.join(project_root, "templates"),
    )
    from . import blueprints, cli, database, errors, extensions, formatting
    from .web import access, requests

    configure(app, config)
    extensions.init_app(app)
    database.init_app(app)
    requests.init_app(app)
    formatting.init_app(app)  # after the language (requests): templates translate through formatting
    access.init_app(app)
    blueprints.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def configure(app: Flask, config: dict | None) -> None:
    """Defaults, then the environment (INTAKE_*, DATABASE_URL), then what the caller gives."""
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
