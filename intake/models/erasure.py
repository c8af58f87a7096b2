"""Data erasure records (NIST SP 800-88): never edited, never deleted, only superseded."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..clock import now_utc
from .base import StructureScoped, UTCDateTime, one_of

LEVELS = ("clear", "purge", "destroy")
VERIFICATIONS = ("passed", "failed")


class Erasure(StructureScoped, db.Model):
    structure_indexed = False
    __tablename__ = "erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id"), index=True)
    level: Mapped[str] = mapped_column(sa.String(8))
    method: Mapped[str] = mapped_column(sa.String(200))
    tool: Mapped[str] = mapped_column(sa.String(120))
    tool_version: Mapped[str] = mapped_column(sa.String(40))
    verification: Mapped[str] = mapped_column(sa.String(8))
    storage_serial: Mapped[Optional[str]] = mapped_column(sa.String(120))
    certificate_ref: Mapped[Optional[str]] = mapped_column(sa.String(200))
    operator_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    performed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # A later record for the same storage replaces this one in effect; both stay.
    supersedes_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("erasure.id"), unique=True)

    operator: Mapped["User"] = relationship()  # noqa: F821

    __table_args__ = (one_of("level", LEVELS, "level"), one_of("verification", VERIFICATIONS, "verification"))

    @property
    def passed(self) -> bool:
        return self.verification == "passed"


@sa.event.listens_for(Erasure, "before_update")
@sa.event.listens_for(Erasure, "before_delete")
def _erasures_are_permanent(mapper, connection, target) -> None:
    raise PermissionError("erasure records cannot be changed: record a new one that supersedes it")
