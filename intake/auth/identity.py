"""Who is asking: session users for pages, bearer tokens for API scripts, and role checks."""

from __future__ import annotations

from functools import wraps

from flask import abort, request, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from ..database import reading
from ..extensions import db
from ..models import User


def init_login_manager(app, login_manager: LoginManager) -> None:
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


def load_session_user(session_id: str) -> User | None:
    user_id, _, password_stamp = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    # The stamp ties the session to the password: changing it signs out everywhere.
    if user is None or user.get_id() != session_id:
        return None
    return user


def bearer_token() -> str | None:
    """The bearer token of an API request, if it carries one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def load_bearer_user(_request) -> User | None:
    # Tokens are for the JSON API only: pages always need a signed-in session.
    if request.blueprint not in ("api", "landlord_api"):
        return None
    token = bearer_token()
    if token is None:
        return None
    from ..services.accounts import user_for_token

    return user_for_token(db.session, token)


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
