"""Who is asking: session users for pages, bearer tokens for API scripts, and role checks."""

from __future__ import annotations

from functools import wraps

from datetime import timedelta

from flask import abort, current_app, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..clock import now_utc
from ..database import reading
from ..extensions import db, login_manager
from ..models import User


def init_app(app) -> None:
    """Sign-in by session for pages, by bearer token for the API; who is asking, read first."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)
    login_manager.request_loader(load_bearer_user)
    app.before_request(identify_without_write_lock)


def identify_without_write_lock() -> None:
    """Find out who is asking first, in a read transaction of its own.

    Otherwise the first query of a form or API write would be this one, and
    SQLite's write lock would be held from here to the end of the request,
    photo processing and all.
    """
    signed_in = "_user_id" in session or bearer_token() is not None
    if signed_in and request.endpoint and request.endpoint != "static":
        with reading(db.session):
            current_user._get_current_object()


API_BLUEPRINTS = ("api", "landlord_api")
SIGNED_IN_AT = "signed_in_at"


def load_session_user(session_id: str) -> User | None:
    if token_request():
        return None  # a request that brings a token is judged by its token alone, never by the cookie
    user_id, _, _stamps = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    # The session version and the password stamp: signing out, or a new password, ends every session.
    if user is None or user.get_id() != session_id:
        return None
    if user.is_staff and _older_than(timedelta(hours=current_app.config["STAFF_SESSION_HOURS"])):
        return None
    return user


def start_session_clock() -> None:
    """Called at sign-in: staff sessions last STAFF_SESSION_HOURS from here."""
    session[SIGNED_IN_AT] = int(now_utc().timestamp())


def _older_than(lifetime: timedelta) -> bool:
    signed_in_at = session.get(SIGNED_IN_AT)
    return not isinstance(signed_in_at, int) or now_utc().timestamp() - signed_in_at > lifetime.total_seconds()


def token_request() -> bool:
    """An API request that carries a bearer token: authenticated by it, or not at all."""
    return request.blueprint in API_BLUEPRINTS and bearer_token() is not None


def bearer_token() -> str | None:
    """The bearer token of an API request, if it carries one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def load_bearer_user(_request) -> User | None:
    # Tokens are for the JSON API only: pages always need a signed-in session.
    if not token_request():
        return None
    from ..services.accounts import valid_token

    g.api_token = valid_token(db.session, bearer_token())
    return g.api_token.user if g.api_token else None


def read_only_token() -> bool:
    """Whether the request is authenticated by a token that may only read."""
    token = g.get("api_token")
    return token is not None and token.read_only


def roles_required(*roles: str):
    """Let only signed-in users with one of ``roles`` through; others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from flask import current_app

                return current_app.login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
