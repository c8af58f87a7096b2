"""Staff and partner accounts, and API tokens for scripts."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..clock import now_utc
from ..scoping import current_structure_id
from .base import UTCDateTime
from .structure import ROLES, STAFF_ROLES, WORKSHOP_ROLES, Membership  # noqa: F401 (the roles' home is here too)


class User(UserMixin, db.Model):
    """A person who signs in. What they may do depends on the structure they work in at the moment
    (their ``Membership`` there): ``role`` and ``organisation`` read it."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # In every session cookie and checked on each request: raising it ends every session of the account
    # (signing out, "sign out everywhere"), copied cookies included.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    memberships: Mapped[list[Membership]] = relationship(cascade="all, delete-orphan",
                                                         order_by=Membership.id)

    def __init__(self, *, role: str | None = None, organisation=None, **values):
        super().__init__(**values)
        if role is not None:
            self.memberships.append(Membership(role=role, organisation=organisation,
                                               structure_id=current_structure_id()))

    def membership_in(self, structure_id: int | None) -> Membership | None:
        return next((m for m in self.memberships if m.structure_id == structure_id), None)

    @property
    def membership(self) -> Membership | None:
        """Their place in the structure of the work at hand (outside any, their first)."""
        structure_id = current_structure_id()
        if structure_id is not None:
            return self.membership_in(structure_id)
        return self.memberships[0] if self.memberships else None

    @property
    def role(self) -> str | None:
        membership = self.membership
        return membership.role if membership else None

    @property
    def organisation(self):
        membership = self.membership
        return membership.organisation if membership else None

    @property
    def organisation_id(self) -> int | None:
        membership = self.membership
        return membership.organisation_id if membership else None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def get_id(self) -> str:
        # A new session version or password hash invalidates every session of the account.
        return f"{self.id}:{self.session_version}:{self.password_hash[-12:]}"


class ApiToken(db.Model):
    """A bearer token for scripts, named by its owner. Only its SHA-256 is stored; it expires, and is
    revoked by hand or when its owner's password changes."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # The structure its requests work in (the one its owner was working in when it was made).
    structure_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("structure.id"))
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[Optional[str]] = mapped_column(sa.String(80))
    read_only: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
