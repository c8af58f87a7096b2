"""Partners and places: organisations, territories, collection points."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..clock import now_utc
from .base import StructureScoped, UTCDateTime, one_of

# Organisation kinds, as stored; their French names are in intake/vocabulary.py.
ORGANISATION_KINDS = (
    "association",
    "social_landlord",
    "eco_organism",
    "municipality",
    "epci",
    "department",
    "region",
    "regional_park",
    "retailer",
    "telecom_operator",
    "public_service",
    "insertion_workshop",
    "other",
)

ZONE_TYPES = ("rural", "semi_urban", "dense_urban")


class Organisation(StructureScoped, db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(32))
    siren: Mapped[Optional[str]] = mapped_column(sa.String(9))
    address: Mapped[Optional[str]] = mapped_column(sa.String(300))
    postcode: Mapped[Optional[str]] = mapped_column(sa.String(10))
    city: Mapped[Optional[str]] = mapped_column(sa.String(120))
    latitude: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(9, 6))
    email: Mapped[Optional[str]] = mapped_column(sa.String(254))
    phone: Mapped[Optional[str]] = mapped_column(sa.String(30))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # When it started bringing items: the indicators compare the months before and after
    # (None: from its first item).
    partner_since: Mapped[Optional[date]]
    # It agreed to be named on the public results page; without it, it is counted but never named.
    public_name_consent: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Where the partnership stands (models/partnership.py PIPELINE_STATUSES); each move is a PartnerEvent.
    pipeline_status: Mapped[str] = mapped_column(sa.String(16), default="identified", server_default="identified")

    __table_args__ = (
        one_of("kind", ORGANISATION_KINDS, "kind"),
        sa.UniqueConstraint("structure_id", "name", name="uq_organisation_structure_name"),
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"


class Territory(StructureScoped, db.Model):
    """A commune or area: the base of collection per inhabitant."""

    __tablename__ = "territory"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    insee_code: Mapped[Optional[str]] = mapped_column(sa.String(10))
    population: Mapped[int] = mapped_column(default=0)
    zone_type: Mapped[str] = mapped_column(sa.String(16))

    __table_args__ = (
        sa.CheckConstraint("population >= 0", name="population"),
        one_of("zone_type", ZONE_TYPES, "zone_type"),
        sa.UniqueConstraint("structure_id", "name", name="uq_territory_structure_name"),
    )


class CollectionPoint(StructureScoped, db.Model):
    __tablename__ = "collection_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("organisation.id"))
    territory_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("territory.id"))
    address: Mapped[Optional[str]] = mapped_column(sa.String(300))
    latitude: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(9, 6))
    # A network label printer: "brother-ql://host[:port]?model=QL-820NWB" or "zpl://host[:port]".
    printer_uri: Mapped[Optional[str]] = mapped_column(sa.String(200))
    printer_stock: Mapped[Optional[str]] = mapped_column(sa.String(40))
    # Corrects a sheet printer's drift, in mm (positive: right, down).
    label_offset_x_mm: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=0, server_default="0")
    label_offset_y_mm: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=0, server_default="0")
    # Volunteers tap the intake tiles by position: the order is the coordinator's (CategoryPosition),
    # and "most used first" only when the coordinator chooses it.
    most_used_first: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    active: Mapped[bool] = mapped_column(default=True)

    organisation: Mapped[Optional[Organisation]] = relationship()
    territory: Mapped[Optional[Territory]] = relationship()

    __table_args__ = (sa.UniqueConstraint("structure_id", "name", name="uq_collection_point_structure_name"),)


class CategoryPosition(StructureScoped, db.Model):
    """Where a category's tile stands on a collection point's intake page (1 = first)."""

    structure_indexed = False

    __tablename__ = "category_position"

    collection_point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_point.id"), primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"), primary_key=True)
    position: Mapped[int]

    __table_args__ = (sa.CheckConstraint("position >= 1 AND position <= 10000", name="position"),)
