"""The structure running this instance: who the public, buyers and tenants deal with."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from ..clock import now_utc
from ..scoping import structure_for_insert
from .base import UTCDateTime, one_of

# A person's role in a structure. Staff work on items; partners' accounts see only what concerns them
# (a social landlord its tenants' devices, an eco-organism the batches handed to it).
ROLES = ("volunteer", "technician", "coordinator", "landlord", "eco_organism")
STAFF_ROLES = ("volunteer", "technician", "coordinator")
# Who works on items in the workshop: diagnose, repair, erase, sell, hand over (one definition for
# the status machine, the views and the templates).
WORKSHOP_ROLES = ("technician", "coordinator")


class Structure(db.Model):
    """A ressourcerie, workshop or refurbisher: everything it records carries its id (``StructureScoped``)
    and no other structure's work sees it. The embedded instance has one, made by the first migration.

    Shown on the public passport, receipts, exports and, if chosen, labels.
    """

    __tablename__ = "structure"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # 14 digits: the SIREN and the establishment's number, with a Luhn check digit (services/structure.py).
    siret: Mapped[Optional[str]] = mapped_column(sa.String(14))
    address: Mapped[Optional[str]] = mapped_column(sa.String(300))
    postcode: Mapped[Optional[str]] = mapped_column(sa.String(10))
    city: Mapped[Optional[str]] = mapped_column(sa.String(120))
    phone: Mapped[Optional[str]] = mapped_column(sa.String(30))
    email: Mapped[Optional[str]] = mapped_column(sa.String(254))
    name_on_labels: Mapped[bool] = mapped_column(default=False)
    # A small PNG re-encoded from the upload (nothing but pixels); read only where it is drawn.
    logo_png: Mapped[Optional[bytes]] = deferred(mapped_column(sa.LargeBinary))
    logo_width: Mapped[Optional[int]]
    logo_height: Mapped[Optional[int]]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    __table_args__ = (sa.CheckConstraint("siret IS NULL OR length(siret) = 14", name="siret_length"),)


class Membership(db.Model):
    """A person's place in a structure: their role there and, for a partner's account (a social landlord,
    an eco-organism), which of the structure's partners they speak for. One person may belong to several
    structures (a volunteer helping two ressourceries, a landlord working with several workshops).

    Not behind the structure wall: it is read to decide which structure a request works in."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id"), index=True,
                                              default=structure_for_insert)
    role: Mapped[str] = mapped_column(sa.String(16))
    organisation_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("organisation.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    structure: Mapped[Structure] = relationship(lazy="joined")  # read with it: is the structure active?
    organisation = relationship("Organisation")

    __table_args__ = (
        sa.UniqueConstraint("user_id", "structure_id", name="uq_membership_user_structure"),
        one_of("role", ROLES, "role"),
    )


class Network(db.Model):
    """A network of structures (Emmaüs, Envie, a ressourceries' network, L'Heureux Cyclage) that hosts
    them and compares their figures: its coordinators see aggregates, never a person or an item."""

    __tablename__ = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class NetworkMember(db.Model):
    """A structure in a network, since when; it may leave (the row goes, the network sees it no more)."""

    __tablename__ = "network_member"

    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id", ondelete="CASCADE"), primary_key=True)
    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id", ondelete="CASCADE"), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    network: Mapped[Network] = relationship()
    structure: Mapped[Structure] = relationship()


class NetworkCoordinator(db.Model):
    """An account that coordinates a network: it sees the members' aggregated figures and onboards structures."""

    __tablename__ = "network_coordinator"

    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)

    network: Mapped[Network] = relationship()
