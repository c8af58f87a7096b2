"""Every code ever handed out: bound to an item, or waiting on a pre-printed sticker."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..clock import now_utc
from .base import StructureScoped, UTCDateTime, one_of

# assigned: drawn for an item at intake; preprinted: printed blank, bound at intake.
CODE_KINDS = ("assigned", "preprinted")


class IssuedCode(StructureScoped, db.Model):
    """The register of codes. Its primary key is what keeps any two labels from sharing a code."""

    structure_indexed = False

    __tablename__ = "issued_code"

    code: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    # The print run a pre-printed code belongs to.
    batch: Mapped[Optional[str]] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    item_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("item.id"), unique=True)
    bound_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    item: Mapped[Optional["Item"]] = relationship()  # noqa: F821

    __table_args__ = (
        one_of("kind", CODE_KINDS, "kind"),
        # Pre-printed runs only: the codes given at intake (nearly all of them) have none, and an index
        # holding them made SQLite's statistics judge it useless (a run's page scanned a million codes).
        sa.Index("ix_issued_code_batch", "batch", sqlite_where=sa.text("batch IS NOT NULL"),
                 postgresql_where=sa.text("batch IS NOT NULL")),
    )
