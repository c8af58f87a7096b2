"""What every request and response gets, whatever the page: bounded ids, no control characters,
the language, the security headers, and the key rate limits count by."""

from __future__ import annotations

from urllib.parse import urlsplit

import os

from flask import Flask, abort, current_app, has_request_context, render_template, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_smorest import abort as api_abort
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from ..errors import is_api_request
from ..extensions import babel
from ..models.user import WORKSHOP_ROLES
from ..scoping import current_structure_id
from ..inputs import CONTROL_CHARACTERS_MESSAGE, MAX_ID, has_control_characters, texts_with_control_characters


def init_app(app: Flask) -> None:
    """What every request and response gets: ids bounded in routes, the language, no control characters,
    the security headers."""
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=os.path.join(app.root_path, "translations"))
    app.url_map.converters["int"] = DatabaseIntConverter  # before any route is made with it
    if app.config["PROXY_COUNT"]:
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    # One definition of who works in the workshop, for the templates too.
    app.jinja_env.globals["WORKSHOP_ROLES"] = WORKSHOP_ROLES
    # The structure of the page at hand (public pages that speak for one carry it in their links).
    app.jinja_env.globals["current_structure_id"] = current_structure_id
    app.before_request(refuse_control_characters)
    app.after_request(set_security_headers)


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` in every route stops at the database's integer: a larger id names nothing (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def rate_limit_key() -> str:
    """Rate limits count per account once signed in (several people may share an address), else per address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def refuse_control_characters():
    """NUL and other control characters are refused wherever text enters (query, form, JSON): PostgreSQL
    cannot store NUL and nobody types one. The API names the fields; a path holding one names nothing."""
    if any(isinstance(value, str) and has_control_characters(value) for value in (request.view_args or {}).values()):
        abort(404)
    found = {"query": texts_with_control_characters(request.args.items(multi=True))}
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        found["form"] = texts_with_control_characters(request.form.items(multi=True))
        body = request.get_json(silent=True) if request.is_json else None
        found["json"] = texts_with_control_characters(body.items() if isinstance(body, dict) else [("_schema", body)])
    found = {location: names for location, names in found.items() if names}
    if not found:
        return None
    if is_api_request():
        api_abort(422, message="Text with control characters was refused.",
                  errors={location: {name: [str(CONTROL_CHARACTERS_MESSAGE)] for name in names}
                          for location, names in found.items()})
    return render_template("errors/error.html", code=422, message=CONTROL_CHARACTERS_MESSAGE), 422


def select_locale() -> str:
    """The language chosen in this browser, else French."""
    languages = current_app.config["LANGUAGES"]
    choice = session.get("lang") if has_request_context() else None
    return choice if choice in languages else languages[0]


def content_security_policy(images: tuple[str, ...] = (), connect: tuple[str, ...] = ()) -> str:
    """The pages' policy: everything from here only; a page may add the origins of its map tiles (images)
    or of a service the browser asks itself (connect), each from a setting."""
    extra_images = "".join(f" {origin}" for origin in images)
    extra_connect = "".join(f" {origin}" for origin in connect)
    return ("default-src 'self'; img-src 'self' data: blob:" + extra_images + "; media-src 'self' blob:; "
            + (f"connect-src 'self'{extra_connect}; " if connect else "")
            + "style-src 'self'; script-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
            "frame-ancestors 'none'")


def origin_of(url_template: str | None) -> str | None:
    """The origin of a setting's URL, its ``{s}`` subdomains as a wildcard (None: no such setting)."""
    if not url_template:
        return None
    parts = urlsplit(url_template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def set_security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    if request.is_secure:
        # Over https (directly, or through a proxy trusted with PROXY_COUNT): browsers keep to it.
        response.headers.setdefault("Strict-Transport-Security", f"max-age={current_app.config['HSTS_MAX_AGE']}")
    if request.endpoint and not request.endpoint.startswith("static"):
        # Pages can hold what volunteers typed: keep them out of shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def limit_from_setting(name: str):
    """A rate limit read from a setting when a request comes (Flask-Limiter takes a callable)."""
    return lambda: current_app.config[name]


def signed_in() -> bool:
    """Public pages limit anonymous visitors only: a signed-in account is counted elsewhere."""
    return current_user.is_authenticated
