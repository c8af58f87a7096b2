"""Binding extensions and blueprints to the app, and what every response gets."""

from __future__ import annotations

import os
from datetime import timedelta

from flask import Flask, current_app, has_request_context, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import api, babel, compress, csrf, db, limiter, login_manager, migrate


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    # Batch mode: SQLite can only change a table by rebuilding it.
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=os.path.join(os.path.dirname(__file__), "translations"))
    api.init_app(app)
    compress.init_app(app)

    from .auth import identity

    identity.init_login_manager(app, login_manager)

    if app.config["PROXY_COUNT"]:
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from . import formatting

    formatting.register_template_helpers(app)
    app.after_request(set_security_headers)


def register_blueprints(app: Flask) -> None:
    from .admin.routes import bp as admin_bp
    from .api.routes import register_api
    from .auth.routes import bp as auth_bp
    from .items.routes import bp as items_bp
    from .landlord.routes import bp as landlord_bp
    from .outcomes.routes import bp as outcomes_bp
    from .main.routes import bp as main_bp
    from .printing.routes import bp as printing_bp
    from .pwa.routes import bp as pwa_bp
    from .reports.routes import bp as reports_bp
    from .workshop.routes import bp as workshop_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(items_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(printing_bp)
    app.register_blueprint(workshop_bp)
    app.register_blueprint(outcomes_bp)
    app.register_blueprint(landlord_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(pwa_bp)
    register_api(app)


def select_locale() -> str:
    """The language chosen in this browser, else French."""
    languages = current_app.config["LANGUAGES"]
    choice = session.get("lang") if has_request_context() else None
    return choice if choice in languages else languages[0]


def set_security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
        "style-src 'self'; script-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'",
    )
    if request.endpoint and not request.endpoint.startswith("static"):
        # Pages can hold what volunteers typed: keep them out of shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def amendment_window() -> timedelta:
    """How long the person who logged an item may correct it."""
    return timedelta(minutes=current_app.config["AMENDMENT_WINDOW_MINUTES"])


def undo_window() -> timedelta:
    """How long "Same again" may be undone: the seconds the button shows, and a few for the request."""
    return timedelta(seconds=current_app.config["UNDO_SECONDS"] + 5)
