"""Who is asking: session users for pages, bearer tokens for API scripts, and role checks."""

from __future__ import annotations

from functools import wraps

from datetime import timedelta

from flask import abort, current_app, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from .. import scoping
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
    app.jinja_env.globals["structure_choices"] = structure_choices


STRUCTURE_KEY = "structure_id"  # in the session, and in a cookie the phone keeps across sign-ins
STRUCTURE_COOKIE = "intake_structure"


def enter_structure(user: User, preferred: int | None = None) -> None:
    """Work in one of ``user``'s structures: the one asked for, else the one this phone chose last,
    else the first they joined. Someone with no structure (a network's coordinator) works in none."""
    if preferred is None:
        preferred = _int(session.get(STRUCTURE_KEY)) or _int(request.cookies.get(STRUCTURE_COOKIE))
    active = [m for m in user.memberships if m.structure.active]
    membership = next((m for m in active if m.structure_id == preferred), active[0] if active else None)
    scoping.enter(scoping.Scope(structure_id=membership.structure_id) if membership else scoping.NOTHING)
    scoping.refresh_transaction(db.session)


def enter_public_structure(structure_id: int | None) -> None:
    """A public page (results) speaks for one structure: the one named, else the first."""
    from ..services.structure import public_structure_id

    scoping.enter(scoping.Scope(structure_id=public_structure_id(db.session, structure_id)))


def choose_structure(user: User, structure_id: int, response) -> bool:
    """Make ``structure_id`` the structure ``user`` works in, on this phone from now on (kept across
    sign-ins); False when they are no member of it."""
    membership = user.membership_in(structure_id)
    if membership is None or not membership.structure.active:
        return False
    session[STRUCTURE_KEY] = structure_id
    response.set_cookie(STRUCTURE_COOKIE, str(structure_id), max_age=STRUCTURE_COOKIE_DAYS * 86400,
                        secure=request.is_secure, httponly=True, samesite="Lax")
    return True


STRUCTURE_COOKIE_DAYS = 365
# Partners' accounts: their portals read across the structures they work with (services/landlord.py,
# services/eco_organism.py).
PORTAL_ROLES = ("landlord", "eco_organism")


def structure_choices() -> list[tuple[int, str, bool]]:
    """The structures the signed-in person may switch between: (id, name, current), or nothing when they
    belong to one only (the embedded instance never shows the word)."""
    if not current_user.is_authenticated or len(current_user.memberships) < 2:
        return []
    if all(m.role in PORTAL_ROLES for m in current_user.memberships):
        return []  # a partner's portal shows every structure it works with at once: nothing to switch
    current = scoping.current_structure_id()
    return [(m.structure_id, m.structure.name or str(_l("Structure %(number)s", number=m.structure_id)),
             m.structure_id == current)
            for m in current_user.memberships if m.structure.active]


def _int(value) -> int | None:
    return int(value) if isinstance(value, (int, str)) and str(value).isdigit() else None


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
    user = db.session.get(User, int(user_id), options=[joinedload(User.memberships)])  # one query for both
    # The session version and the password stamp: signing out, or a new password, ends every session.
    if user is None or user.get_id() != session_id:
        return None
    enter_structure(user)
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
    if g.api_token is None:
        return None
    enter_structure(g.api_token.user, preferred=g.api_token.structure_id)
    return g.api_token.user


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


def coordinated_networks() -> list:
    """The networks the signed-in account coordinates (read once per request)."""
    if "coordinated_networks" not in g:
        from ..services.networks import coordinated_networks as networks_of_user

        g.coordinated_networks = networks_of_user(db.session, current_user.id) if current_user.is_authenticated else []
    return g.coordinated_networks


def menu_role() -> str | None:
    """Whose menu and home the signed-in account gets: its role in the structure it works in, else
    "network" for a network's coordinator who belongs to no structure, else None."""
    role = current_user.role
    if role is None and coordinated_networks():
        return "network"
    return role


def network_coordinator_required(view):
    """Let only accounts that coordinate a network through (whatever their role, if any, in a structure);
    others get 403. The view reads which networks with ``coordinated_networks()``."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not coordinated_networks():
            abort(403)
        return view(*args, **kwargs)

    return wrapped
