"""What the reports need beyond the facts: coordinators' emission factors, the waste register's details of
each batch handed over, and the indexes the dashboard's aggregate queries read."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import now_utc
from ..extensions import db
from .base import UTCDateTime
from .item import Item, ItemEvent
from .outcome import Handover, Sale


class ImpactFactor(db.Model):
    """A coordinator's own emission factor for a category, instead of the shipped one
    (intake/data/impact_factors.toml): kg CO₂e avoided per kg reused, and where the figure comes from."""

    __tablename__ = "impact_factor"

    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"), primary_key=True)
    kg_co2e_per_kg: Mapped[Decimal] = mapped_column(sa.Numeric(10, 3))
    source: Mapped[str] = mapped_column(sa.String(300))
    updated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    __table_args__ = (sa.CheckConstraint("kg_co2e_per_kg >= 0 AND kg_co2e_per_kg <= 100000", name="factor"),)


class WasteShipment(db.Model):
    """The waste register's fields of a batch handed over (arrêté du 31 mai 2021, art. 2) that the batch
    itself does not hold: treatment, persistent organic pollutants, carrier and destination."""

    __tablename__ = "waste_shipment"

    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("recycling_batch.id"), primary_key=True)
    # Directive 2008/98/CE, annexes I and II: R1…R13 (recovery) or D1…D15 (disposal: the final waste).
    treatment_code: Mapped[Optional[str]] = mapped_column(sa.String(4))
    contains_pop: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    carrier_name: Mapped[Optional[str]] = mapped_column(sa.String(200))
    carrier_siren: Mapped[Optional[str]] = mapped_column(sa.String(9))
    carrier_address: Mapped[Optional[str]] = mapped_column(sa.String(300))
    carrier_receipt: Mapped[Optional[str]] = mapped_column(sa.String(60))  # récépissé de déclaration de transport
    destination_name: Mapped[Optional[str]] = mapped_column(sa.String(200))
    destination_siret: Mapped[Optional[str]] = mapped_column(sa.String(14))
    destination_address: Mapped[Optional[str]] = mapped_column(sa.String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)


# The dashboard counts by date: what reached a status in a period, what was sold or handed over in it.
sa.Index("ix_item_event_to_status_at", ItemEvent.to_status, ItemEvent.at)
sa.Index("ix_sale_sold_on", Sale.sold_on)
sa.Index("ix_handover_handed_on", Handover.handed_on)
# Intake per period read from the index alone (no table lookups) on both databases.
sa.Index("ix_item_created_figures", Item.created_at, Item.source_id, Item.collection_point_id, Item.category_id,
         Item.status, Item.grade, Item.weight_kg)
# A partner's first item, when it has no start date: one index seek.
sa.Index("ix_item_source_created", Item.source_id, Item.created_at)
