"""Accounts: creation, sign-in checks and API tokens."""

from __future__ import annotations

import functools
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash
from sqlalchemy.orm import Session

from ..database import reading
from ..models import ApiToken, Organisation, User
from ..clock import now_utc
from ..models.user import ROLES

MIN_PASSWORD_LENGTH = 10


@functools.cache
def _unused_hash(method: str) -> str:
    return generate_password_hash("no account has this password", method=method)


class AccountError(ValueError):
    pass


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(session: Session, *, email: str, name: str, role: str, password: str,
                organisation: Organisation | None = None) -> User:
    """Create an account. Commits."""
    email = normalize_email(email)
    if "@" not in email:
        raise AccountError(_l("Not an e-mail address."))
    _check_role(role, organisation)
    _check_password(password)
    if session.scalar(sa.select(User.id).where(User.email == email)):
        raise AccountError(_l("An account already exists for %(email)s.", email=email))
    user = User(email=email, name=name or email.split("@")[0], role=role, organisation=organisation)
    user.set_password(password)
    session.add(user)
    session.commit()
    return user


def update_user(session: Session, user: User, *, name: str, role: str, organisation: Organisation | None,
                active: bool, password: str | None = None) -> User:
    """Change an account; the last active coordinator cannot lock everyone out. Commits."""
    _check_role(role, organisation)
    if user.role == "coordinator" and user.active and (role != "coordinator" or not active):
        others = session.scalar(sa.select(sa.func.count()).select_from(User).where(
            User.role == "coordinator", User.active, User.id != user.id))
        if not others:
            raise AccountError(_l("This is the last active coordinator: name another one first."))
    user.name, user.role, user.organisation, user.active = name, role, organisation, active
    if password:
        _check_password(password)
        user.set_password(password)
    session.commit()
    return user


def _check_role(role: str, organisation: Organisation | None) -> None:
    if role not in ROLES:
        raise AccountError(_l("Unknown role."))
    if role == "landlord" and (organisation is None or organisation.kind != "social_landlord"):
        raise AccountError(_l("A social landlord account needs an organisation of kind social landlord."))


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("The password needs at least %(n)s characters.", n=MIN_PASSWORD_LENGTH))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Records the sign-in time."""
    with reading(session):  # the slow hash check must not hold the write lock
        user = session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None:
        # Spend the same time as for a real account, so timing tells nothing.
        check_password_hash(_unused_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not user.active or not user.check_password(password):
        return None
    user.last_login_at = now_utc()
    session.commit()
    return user


def issue_token(session: Session, user: User) -> str:
    """A new bearer token for scripts; only its digest is kept. Commits."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_sha256=ApiToken.digest(token)))
    session.commit()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(
        sa.select(ApiToken)
        .where(ApiToken.token_sha256 == ApiToken.digest(token), ApiToken.revoked_at.is_(None))
        .options(sa.orm.joinedload(ApiToken.user))
    )
    if row is None or not row.user.active:
        return None
    return row.user
