"""How an item's story ends: sold, handed over to a landlord's tenant, or recycled in a batch.

Tenants' names and signatures live apart (``TenantIdentity``): coordinators
only, deleted after the retention period, while the handover itself stays,
anonymised, for the indicators.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..clock import now_utc
from .base import StructureScoped, UTCDateTime, one_of
from .category import WASTE_STREAMS
from .item import Item
from .organisation import Organisation

SALE_CHANNELS = ("shop", "online", "event", "partner")
ACCEPTANCE_KINDS = ("typed_name", "signature")
BATCH_STATES = ("open", "closed")
# Why an item came back after a sale or a handover.
RETURN_REASONS = ("breakdown", "missing_part", "does_not_suit", "other")


class Sale(StructureScoped, db.Model):
    __tablename__ = "sale"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id"), index=True)
    price: Mapped[Decimal] = mapped_column(sa.Numeric(9, 2))
    sold_on: Mapped[date]
    channel: Mapped[str] = mapped_column(sa.String(16))
    warranty_months: Mapped[int] = mapped_column(default=0)
    # "Reconditionné" may be said only when the checks and the erasure passed (décret 2022-190).
    refurbished: Mapped[bool] = mapped_column(default=False)
    sold_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    item: Mapped[Item] = relationship()
    sold_by: Mapped["User"] = relationship()  # noqa: F821

    __table_args__ = (
        one_of("channel", SALE_CHANNELS, "channel"),
        sa.CheckConstraint("price >= 0", name="price"),
        sa.CheckConstraint("warranty_months >= 0", name="warranty"),
    )


class Handover(StructureScoped, db.Model):
    """A device handed to a social landlord's tenant, known to us by the landlord's own reference."""

    __tablename__ = "handover"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id"), index=True)
    landlord_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    tenant_ref: Mapped[str] = mapped_column(sa.String(60))
    residence: Mapped[str] = mapped_column(sa.String(200))
    handed_on: Mapped[date]
    handed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    acceptance: Mapped[str] = mapped_column(sa.String(16))
    warranty_until: Mapped[Optional[date]]
    refurbished: Mapped[bool] = mapped_column(default=False)
    # The erasure that released the item, copied for the receipt and the landlord.
    erasure_certificate_ref: Mapped[Optional[str]] = mapped_column(sa.String(200))
    erasure_level: Mapped[Optional[str]] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    item: Mapped[Item] = relationship()
    landlord: Mapped[Organisation] = relationship()
    handed_by: Mapped["User"] = relationship()  # noqa: F821
    sessions: Mapped[list["AccompanimentSession"]] = relationship(
        back_populates="handover", order_by="AccompanimentSession.planned_on", lazy="selectin")

    __table_args__ = (one_of("acceptance", ACCEPTANCE_KINDS, "acceptance"),
                      # The landlord portal's pages: its handovers in the portal's order, 50 at a time.
                      sa.Index("ix_handover_portal", "landlord_id", "structure_id", "residence", "tenant_ref", "id"))


class TenantIdentity(StructureScoped, db.Model):
    """Who received a device, if recorded at all: coordinators only, deleted after the retention period."""

    structure_indexed = False

    __tablename__ = "tenant_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(sa.ForeignKey("handover.id"), unique=True)
    name: Mapped[Optional[str]] = mapped_column(sa.String(200))
    contact: Mapped[Optional[str]] = mapped_column(sa.String(200))
    # The signature drawn on the phone, as a PNG.
    signature_png: Mapped[Optional[bytes]] = mapped_column(sa.LargeBinary)
    delete_after: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    handover: Mapped[Handover] = relationship()


class AccompanimentSession(StructureScoped, db.Model):
    """Training for the tenant by a partner (a cyber centre): planned, then attended or not."""

    structure_indexed = False

    __tablename__ = "accompaniment_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(sa.ForeignKey("handover.id"), index=True)
    partner_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("organisation.id"))
    topic: Mapped[str] = mapped_column(sa.String(200))
    planned_on: Mapped[date]
    attended_on: Mapped[Optional[date]]

    handover: Mapped[Handover] = relationship(back_populates="sessions")
    partner: Mapped[Optional[Organisation]] = relationship(lazy="joined")


class RecyclingBatch(StructureScoped, db.Model):
    """Items handed together to an eco-organism: one line of the waste register."""

    __tablename__ = "recycling_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    eco_organism_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    pickup_on: Mapped[date]
    slip_number: Mapped[Optional[str]] = mapped_column(sa.String(60))
    # One stream per batch: a WEEE flow, or "other" waste; only items of its stream's categories go in.
    stream: Mapped[str] = mapped_column(sa.String(16))
    waste_code: Mapped[str] = mapped_column(sa.String(16))
    weighed_kg: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(10, 3))
    # Its items' logged weights added up when it closed (an item of a closed batch keeps its weight): what a
    # weight measured at pickup is shared out by, without reading the items again.
    logged_kg: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(12, 3))
    state: Mapped[str] = mapped_column(sa.String(8), default="open")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))

    eco_organism: Mapped[Organisation] = relationship()

    __table_args__ = (
        one_of("state", BATCH_STATES, "state"),
        one_of("stream", WASTE_STREAMS, "stream"),
        sa.CheckConstraint("weighed_kg IS NULL OR weighed_kg > 0", name="weighed"),
    )


class LandlordAccess(StructureScoped, db.Model):
    """Every look of a landlord user at a handover, an item or a list (one row naming every handover it
    showed), granted or refused."""

    __tablename__ = "landlord_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    organisation_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("organisation.id"))
    object_kind: Mapped[str] = mapped_column(sa.String(16))
    object_ref: Mapped[str] = mapped_column(sa.String(60))
    granted: Mapped[bool]
    route: Mapped[str] = mapped_column(sa.String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # A list or an export: the ids of the handovers it showed.
    shown_ids: Mapped[Optional[list]] = mapped_column(sa.JSON)

    user: Mapped["User"] = relationship()  # noqa: F821
    organisation: Mapped[Optional[Organisation]] = relationship()
