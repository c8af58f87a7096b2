"""Accounts: creation, sign-in checks and API tokens."""

from __future__ import annotations

import functools
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash
from sqlalchemy.orm import Session

from ..database import reading
from ..models import ApiToken, Membership, Organisation, User
from ..clock import now_utc
from ..models.user import ROLES
from ..scoping import current_structure_id

MIN_PASSWORD_LENGTH = 10
TOKEN_DAYS = (30, 90, 365)  # the lifetimes offered; a year at most
# A token's last use is written at most this often: a script's every request need not write.
LAST_USE_PRECISION = timedelta(minutes=1)


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
    check_password_strength(password)
    if session.scalar(sa.select(User.id).where(User.email == email)):
        raise AccountError(_l("An account already exists for %(email)s.", email=email))
    user = User(email=email, name=name or email.split("@")[0])
    place(user, role, organisation)
    user.set_password(password)
    session.add(user)
    session.commit()
    return user


def account_by_email(session: Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def join_structure(session: Session, user: User, *, role: str, organisation: Organisation | None) -> User:
    """An account of another structure (a volunteer helping two ressourceries) takes a place in ours with
    ``role``; its name and password stay its holder's. Commits."""
    _check_role(role, organisation)
    if current_structure_id() is not None and user.membership_in(current_structure_id()) is not None:
        raise AccountError(_l("An account already exists for %(email)s.", email=user.email))
    place(user, role, organisation)
    session.commit()
    return user


def update_user(session: Session, user: User, *, name: str, role: str, organisation: Organisation | None,
                active: bool, password: str | None = None) -> User:
    """Change an account; the last active coordinator cannot lock everyone out. Commits.

    An account that also works in another structure belongs to its holder, not to us: its name and password
    are not ours to change, and closing it here only takes it out of our structure."""
    _check_role(role, organisation)
    shared = len(user.memberships) > 1
    if shared and (password or name != user.name):
        raise AccountError(_l("This person also works in another structure: their name and password are "
                              "theirs to change, not ours."))
    if user.role == "coordinator" and user.active and (role != "coordinator" or not active):
        others = session.scalar(sa.select(sa.func.count()).select_from(User).join(User.memberships).where(
            Membership.structure_id == user.membership.structure_id, Membership.role == "coordinator",
            User.active, User.id != user.id))
        if not others:
            raise AccountError(_l("This is the last active coordinator: name another one first."))
    if shared and not active:
        user.memberships.remove(user.membership)  # out of our structure; still active in theirs
        session.commit()
        return user
    user.name, user.active = name, active
    place(user, role, organisation)
    if password:
        check_password_strength(password)
        user.set_password(password)  # which also ends every session (see User.get_id)
        _revoke_tokens(session, user)
    session.commit()
    return user


def place(user: User, role: str, organisation: Organisation | None) -> Membership:
    """Give ``user`` this role (and partner organisation) in the structure of the work at hand."""
    membership = user.membership
    if membership is None:
        membership = Membership(structure_id=current_structure_id())
        user.memberships.append(membership)
    membership.role, membership.organisation = role, organisation
    return membership


def members(session: Session, *, role: str | None = None, active_only: bool = False) -> list[User]:
    """The accounts of the structure at hand (every structure's outside a request), by name."""
    query = sa.select(User).join(User.memberships).order_by(User.name, User.id)
    structure_id = current_structure_id()
    if structure_id is not None:
        query = query.where(Membership.structure_id == structure_id)
    if role is not None:
        query = query.where(Membership.role == role)
    if active_only:
        query = query.where(User.active)
    return list(session.scalars(query.distinct()))


def member(session: Session, user_id: int) -> User | None:
    """The account of that id if it belongs to the structure at hand, else None."""
    user = session.get(User, user_id)
    structure_id = current_structure_id()
    if user is None or (structure_id is not None and user.membership_in(structure_id) is None):
        return None
    return user


def _check_role(role: str, organisation: Organisation | None) -> None:
    if role not in ROLES:
        raise AccountError(_l("Unknown role."))
    if role == "landlord" and (organisation is None or organisation.kind != "social_landlord"):
        raise AccountError(_l("A social landlord account needs an organisation of kind social landlord."))
    if role == "eco_organism" and (organisation is None or organisation.kind != "eco_organism"):
        raise AccountError(_l("An eco-organism account needs an organisation of kind eco-organism."))


def check_password_strength(password: str) -> None:
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


def issue_token(session: Session, user: User, *, name: str | None = None, days: int | None = None,
                read_only: bool = False) -> str:
    """A new bearer token for scripts, valid ``days`` (API_TOKEN_DAYS by default, a year at most);
    only its digest is kept. Commits."""
    days = days or current_app.config["API_TOKEN_DAYS"]
    if not 1 <= days <= max(TOKEN_DAYS):
        raise AccountError(_l("A token is valid from 1 to %(max)s days.", max=max(TOKEN_DAYS)))
    name = (name or "").strip() or None
    if name and len(name) > 80:
        raise AccountError(_l("A token's name has at most 80 characters."))
    token = secrets.token_urlsafe(32)
    membership = user.membership
    session.add(ApiToken(user_id=user.id, token_sha256=ApiToken.digest(token), name=name, read_only=read_only,
                         structure_id=membership.structure_id if membership else None,
                         expires_at=now_utc() + timedelta(days=days)))
    session.commit()
    return token


def valid_token(session: Session, token: str) -> ApiToken | None:
    """The token, if it is one of an active account, neither revoked nor expired; its use is noted."""
    now = now_utc()
    row = session.scalar(
        sa.select(ApiToken)
        .where(ApiToken.token_sha256 == ApiToken.digest(token), ApiToken.revoked_at.is_(None),
               ApiToken.expires_at > now)
        # The account and its places, in the same statement: the request enters a structure next.
        .options(sa.orm.joinedload(ApiToken.user).joinedload(User.memberships))
    )
    if row is None or not row.user.active:
        return None
    if row.last_used_at is None or row.last_used_at < now - LAST_USE_PRECISION:
        row.last_used_at = now
        session.commit()
    return row


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The account's tokens, newest first, revoked and expired ones included."""
    return list(session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(session: Session, token_id: int, *, owner: User | None = None) -> ApiToken | None:
    """Revoke one token: any (CLI), or only one of ``owner``'s (None for anyone else's). Commits."""
    query = sa.select(ApiToken).where(ApiToken.id == token_id)
    if owner is not None:
        query = query.where(ApiToken.user_id == owner.id)
    row = session.scalar(query)
    if row is not None and row.revoked_at is None:
        row.revoked_at = now_utc()
        session.commit()
    return row


def _revoke_tokens(session: Session, user: User) -> None:
    session.execute(sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=now_utc()))


def end_sessions(session: Session, user: User) -> None:
    """End every session of the account, on every device, copied cookies included. Commits."""
    session.execute(sa.update(User).where(User.id == user.id).values(session_version=User.session_version + 1))
    session.commit()
    session.refresh(user)
