"""Partnerships: who to talk to at a partner, how the relationship goes (its pipeline and its timeline),
and the conventions that formalise it with the volumes each side expects."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..clock import now_utc
from ..extensions import db
from .base import StructureScoped, UTCDateTime, one_of
from .category import FAMILIES

# The seed's steps of a partnership, in order; "ended" may start again from "identified".
PIPELINE_STATUSES = ("identified", "met", "negotiating", "signed", "active", "ended")
# What a line of a partner's timeline is: a move along the pipeline, a meeting, a note (difficulties,
# added value: the "évaluation continue").
PARTNER_EVENT_KINDS = ("status", "meeting", "note")


class ContactPerson(StructureScoped, db.Model):
    """A "personne relais" at a partner: coordinators only (a person's name, phone and e-mail)."""

    structure_indexed = False  # read through its organisation

    __tablename__ = "contact_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # Their role in their own structure (développement durable, achats, RSE…).
    role: Mapped[Optional[str]] = mapped_column(sa.String(120))
    phone: Mapped[Optional[str]] = mapped_column(sa.String(30))
    email: Mapped[Optional[str]] = mapped_column(sa.String(254))
    notes: Mapped[Optional[str]] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class PartnerEvent(StructureScoped, db.Model):
    """One line of a partner's timeline, append-only: a status change (from, to), a meeting or a note."""

    structure_indexed = False  # read through its organisation

    __tablename__ = "partner_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    from_status: Mapped[Optional[str]] = mapped_column(sa.String(16))
    to_status: Mapped[Optional[str]] = mapped_column(sa.String(16))
    happened_on: Mapped[date]
    note: Mapped[Optional[str]] = mapped_column(sa.Text)
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    user = relationship("User")

    __table_args__ = (
        one_of("kind", PARTNER_EVENT_KINDS, "kind"),
        sa.CheckConstraint("kind <> 'status' OR to_status IS NOT NULL", name="status_has_target"),
    )


class Convention(StructureScoped, db.Model):
    """A partnership agreement: its period, what each side commits to, the volumes expected per year and
    the signed document (a PDF, read only where it is downloaded)."""

    __tablename__ = "convention"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    renewal_on: Mapped[Optional[date]]
    our_commitments: Mapped[Optional[str]] = mapped_column(sa.Text)
    partner_commitments: Mapped[Optional[str]] = mapped_column(sa.Text)
    expected_items_per_year: Mapped[Optional[int]]
    expected_kg_per_year: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(12, 3))
    document_pdf: Mapped[Optional[bytes]] = deferred(mapped_column(sa.LargeBinary))
    document_size: Mapped[Optional[int]]
    document_uploaded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    organisation = relationship("Organisation")
    volumes: Mapped[list["ConventionVolume"]] = relationship(
        back_populates="convention", cascade="all, delete-orphan", order_by="ConventionVolume.family")

    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="period"),
        sa.CheckConstraint("expected_items_per_year IS NULL OR expected_items_per_year >= 0", name="items"),
        sa.CheckConstraint("expected_kg_per_year IS NULL OR expected_kg_per_year >= 0", name="kg"),
    )


class ConventionVolume(StructureScoped, db.Model):
    """The volume a convention expects per year of one family of items (optional detail)."""

    structure_indexed = False  # read through its convention

    __tablename__ = "convention_volume"

    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("convention.id", ondelete="CASCADE"), primary_key=True)
    family: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    items_per_year: Mapped[Optional[int]]
    kg_per_year: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(12, 3))

    convention: Mapped[Convention] = relationship(back_populates="volumes")

    __table_args__ = (
        one_of("family", FAMILIES, "family"),
        sa.CheckConstraint("items_per_year IS NULL OR items_per_year >= 0", name="items"),
        sa.CheckConstraint("kg_per_year IS NULL OR kg_per_year >= 0", name="kg"),
    )
