"""Goods counted by weight, not by label: a lot brought in bulk ("apport en vrac"), what leaves of each
category's kg (sold by weight, given, recycled, discarded) and the corrections of a stock found wrong."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..clock import now_utc
from ..extensions import db
from .base import StructureScoped, UTCDateTime, one_of
from .category import Category
from .organisation import CollectionPoint, Organisation

# How kg leave a category's stock, and the correction that sets a stock found wrong (signed).
EXIT_KINDS = ("sold", "given", "recycled", "discarded", "correction")


class Lot(StructureScoped, db.Model):
    """Goods of one category brought together and weighed once: no label, a short reference (``V-<id>``)."""

    __tablename__ = "lot"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    # What the scale said, and the container's tare taken off it: weight_kg = gross_kg - tare_kg.
    gross_kg: Mapped[Decimal] = mapped_column(sa.Numeric(9, 3))
    tare_kg: Mapped[Decimal] = mapped_column(sa.Numeric(9, 3), default=0)
    container_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("container.id"))
    weight_kg: Mapped[Decimal] = mapped_column(sa.Numeric(9, 3))
    # NULL source: a private donor.
    source_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("organisation.id"))
    collection_point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_point.id"))
    note: Mapped[Optional[str]] = mapped_column(sa.Text)
    # The photo, a clean JPEG (services/photos.py), read only when shown.
    photo_jpeg: Mapped[Optional[bytes]] = deferred(mapped_column(sa.LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))

    category: Mapped[Category] = relationship()
    source: Mapped[Optional[Organisation]] = relationship()
    collection_point: Mapped[CollectionPoint] = relationship()

    __table_args__ = (
        sa.CheckConstraint("weight_kg > 0", name="weight_positive"),
        sa.CheckConstraint("tare_kg >= 0", name="tare"),
        sa.CheckConstraint("gross_kg = weight_kg + tare_kg", name="net_of_tare"),
    )

    @property
    def reference(self) -> str:
        return f"V-{self.id}"


class LotExit(StructureScoped, db.Model):
    """kg of a category leaving the stock, or a correction of it. Never updated, never deleted."""

    __tablename__ = "lot_exit"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    # Leaving: more than 0. A correction: what it adds to the stock (less than 0: it takes away).
    weight_kg: Mapped[Decimal] = mapped_column(sa.Numeric(9, 3))
    lot_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("lot.id"))
    price: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(9, 2))  # sold
    recipient: Mapped[Optional[str]] = mapped_column(sa.String(200))  # given: the other structure's name
    batch_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("recycling_batch.id"), index=True)  # recycled
    waste_code: Mapped[Optional[str]] = mapped_column(sa.String(16))  # discarded as final waste
    collection_point_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("collection_point.id"))
    till_line_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("till_line.id"))  # sold at the till
    note: Mapped[Optional[str]] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))

    category: Mapped[Category] = relationship()

    __table_args__ = (
        one_of("kind", EXIT_KINDS, "kind"),
        sa.CheckConstraint("weight_kg > 0 OR (kind = 'correction' AND weight_kg <> 0)", name="weight"),
        sa.CheckConstraint("kind <> 'given' OR recipient IS NOT NULL", name="given_to"),
        sa.CheckConstraint("kind <> 'recycled' OR batch_id IS NOT NULL", name="recycled_in"),
        sa.CheckConstraint("kind <> 'discarded' OR waste_code IS NOT NULL", name="discarded_as"),
    )


class LotStock(StructureScoped, db.Model):
    """The kg of a category on hand (collected − left + corrections), kept by the writes themselves: the
    CHECK makes a stock below zero impossible, whatever two counters do at once."""

    __tablename__ = "lot_stock"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    kg: Mapped[Decimal] = mapped_column(sa.Numeric(12, 3), default=0)

    __table_args__ = (
        sa.UniqueConstraint("structure_id", "category_id", name="uq_lot_stock_category"),
        sa.CheckConstraint("kg >= 0", name="not_negative"),
    )


@sa.event.listens_for(LotExit, "before_update")
@sa.event.listens_for(LotExit, "before_delete")
def _exits_are_append_only(mapper, connection, target) -> None:
    raise PermissionError("lot exits are append-only")
