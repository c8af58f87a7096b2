"""The donated item, its append-only history and its photo."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..clock import now_utc
from .base import StructureScoped, UTCDateTime, one_of
from .category import Category
from .organisation import CollectionPoint, Organisation

# Condition at intake: A reuse as is, B to repair, C parts, D recycling.
GRADES = ("A", "B", "C", "D")

# The item's life (the machine itself lives in intake/services/status.py).
STATUSES = (
    "received",
    "diagnosing",
    "repairing",
    "ready",
    "sold",
    "handed_over",
    "returned",
    "to_recycle",
    "recycled",
    "dismantled",
    # Logged by mistake and undone at once ("Annuler"): kept, with its code, which is never reused.
    "voided",
)
# Still here: received and not yet gone (sold, handed over, recycled, dismantled) nor voided.
IN_STOCK = ("received", "diagnosing", "repairing", "ready", "returned", "to_recycle")


class Item(StructureScoped, db.Model):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    # Set by the device that logged the item: replaying an intake never makes a second item.
    client_uuid: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    # Digest of what was submitted, to tell a replay from a different item reusing a uuid.
    intake_digest: Mapped[str] = mapped_column(sa.String(64))

    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    brand: Mapped[Optional[str]] = mapped_column(sa.String(120))
    model: Mapped[Optional[str]] = mapped_column(sa.String(120))
    serial_number: Mapped[Optional[str]] = mapped_column(sa.String(120))
    description: Mapped[Optional[str]] = mapped_column(sa.Text)
    weight_kg: Mapped[Decimal] = mapped_column(sa.Numeric(9, 3))
    # The container's tare taken off the scale reading at intake: weight_kg + tare_kg is what the scale said.
    tare_kg: Mapped[Decimal] = mapped_column(sa.Numeric(9, 3), default=0, server_default="0")
    grade: Mapped[str] = mapped_column(sa.String(1))
    # NULL source: a private donor (nobody's name is recorded for them).
    source_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("organisation.id"))
    collection_point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_point.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default="received")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # Goes up with every change (amendment or status): the API's ETag, so that a correction made on a
    # stale copy is refused instead of undoing someone else's.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Set when an intake field was corrected; the corrections themselves are "amended" events.
    amended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Who moved it last: the workshop's "mine" list.
    handled_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    # The batch handed to the eco-organism, once the item is put in one.
    # Indexed with the columns the dashboard's recycled figures read (models/reporting.py).
    recycling_batch_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("recycling_batch.id"))

    category: Mapped[Category] = relationship()
    source: Mapped[Optional[Organisation]] = relationship()
    collection_point: Mapped[CollectionPoint] = relationship()
    created_by: Mapped[Optional["User"]] = relationship(foreign_keys=[created_by_id])  # noqa: F821
    photo: Mapped[Optional["Photo"]] = relationship(back_populates="item", uselist=False)
    events: Mapped[list["ItemEvent"]] = relationship(
        back_populates="item", order_by="ItemEvent.id", lazy="raise_on_sql"
    )

    __table_args__ = (
        one_of("grade", GRADES, "grade"),
        one_of("status", STATUSES, "status"),
        sa.CheckConstraint("weight_kg > 0", name="weight_positive"),
        sa.CheckConstraint("tare_kg >= 0", name="tare"),
        sa.Index("ix_item_point_created", "collection_point_id", "created_at"),
        sa.Index("ix_item_status", "status"),
        # The workshop's queue: one status of one structure, the longest waiting first, page after page.
        sa.Index("ix_item_queue", "structure_id", "status", "status_changed_at", "id"),
    )

    def __repr__(self) -> str:
        return f"<Item {self.code}>"


class ItemEvent(StructureScoped, db.Model):
    """One line of an item's story. Never updated, never deleted."""

    structure_indexed = False

    __tablename__ = "item_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    from_status: Mapped[Optional[str]] = mapped_column(sa.String(16))
    to_status: Mapped[Optional[str]] = mapped_column(sa.String(16))
    note: Mapped[Optional[str]] = mapped_column(sa.Text)
    minutes: Mapped[Optional[int]]
    parts: Mapped[Optional[str]] = mapped_column(sa.Text)
    data: Mapped[Optional[dict]] = mapped_column(sa.JSON)
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    collection_point_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("collection_point.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    item: Mapped[Item] = relationship(back_populates="events")
    user: Mapped[Optional["User"]] = relationship()  # noqa: F821
    collection_point: Mapped[Optional[CollectionPoint]] = relationship()

    __table_args__ = (sa.CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes"),)


@sa.event.listens_for(ItemEvent, "before_update")
@sa.event.listens_for(ItemEvent, "before_delete")
def _history_is_append_only(mapper, connection, target) -> None:
    raise PermissionError("item history is append-only")


class Photo(StructureScoped, db.Model):
    """The item's photo, re-encoded as a JPEG without metadata.

    Kept in the database rather than on disk so that any worker on any
    machine can serve it and a backup of the database is a backup of all.
    """

    structure_indexed = False

    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id"), unique=True)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    item: Mapped[Item] = relationship(back_populates="photo")


class Container(StructureScoped, db.Model):
    """A crate, bin or trolley whose tare is taken off the scale reading."""

    __tablename__ = "container"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    tare_kg: Mapped[Decimal] = mapped_column(sa.Numeric(9, 3))
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        sa.CheckConstraint("tare_kg >= 0", name="tare"),
        sa.UniqueConstraint("structure_id", "name", name="uq_container_structure_name"),
    )
