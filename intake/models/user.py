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
from .base import UTCDateTime, one_of
from .organisation import Organisation

ROLES = ("volunteer", "technician", "coordinator", "landlord")
# Roles that work on items (the landlord only sees its own handovers).
STAFF_ROLES = ("volunteer", "technician", "coordinator")
# Who works on items in the workshop: diagnose, repair, erase, sell, hand over (one definition for
# the status machine, the views and the templates).
WORKSHOP_ROLES = ("technician", "coordinator")


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(16))
    organisation_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # In every session cookie and checked on each request: raising it ends every session of the account
    # (signing out, "sign out everywhere"), copied cookies included.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    organisation: Mapped[Optional[Organisation]] = relationship()

    __table_args__ = (one_of("role", ROLES, "role"),)

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
