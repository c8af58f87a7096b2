"""After-sales: a fault reported on a device that left (handed over to a landlord's tenant, or sold), and
what the workshop made of it, step by step, for the reporter to follow."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now_utc
from ..extensions import db
from .base import StructureScoped, UTCDateTime, one_of
from .item import Item, ItemEvent
from .outcome import Handover, Sale

# Who reported it: a landlord from its portal, a buyer from the passport with its receipt number.
FAULT_SOURCES = ("landlord", "buyer")
# open: waiting for the workshop; accepted: the item came back (then repaired as any returned item);
# replaced: another ready item went out in its place; closed: answered (after a repair, or without a return).
TICKET_STATES = ("open", "accepted", "replaced", "closed")
STILL_OPEN = ("open", "accepted")
# The steps the reporter sees: the report, then the workshop's answers.
TICKET_STEPS = ("reported", "accepted", "replaced", "closed")


class FaultTicket(StructureScoped, db.Model):
    """One fault report on one device that left; its reference is made from its id (``reference``)."""

    __tablename__ = "fault_ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id"), index=True)
    source: Mapped[str] = mapped_column(sa.String(12))
    # The outcome the report was made on: one of the two, by source.
    handover_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("handover.id"), index=True)
    sale_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("sale.id"))
    reported_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))  # a landlord's account
    problem: Mapped[str] = mapped_column(sa.Text)
    noticed_on: Mapped[Optional[date]]
    # The tenant's availability, as the landlord says it (free text, no name asked).
    availability: Mapped[Optional[str]] = mapped_column(sa.String(200))
    # A buyer's address for the answers, if they gave one (mail goes out only where configured).
    contact_email: Mapped[Optional[str]] = mapped_column(sa.String(200))
    # Decided from the dates on the day of the report (services/aftersales.py, warranty_on).
    under_warranty: Mapped[bool]
    warranty_until: Mapped[Optional[date]]
    state: Mapped[str] = mapped_column(sa.String(12), default="open")
    answer: Mapped[Optional[str]] = mapped_column(sa.Text)
    # The item's history, linked: its return, and the item that went out in its place.
    return_event_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("item_event.id"))
    replacement_item_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("item.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    item: Mapped[Item] = relationship(foreign_keys=[item_id])
    replacement: Mapped[Optional[Item]] = relationship(foreign_keys=[replacement_item_id])
    handover: Mapped[Optional[Handover]] = relationship()
    sale: Mapped[Optional[Sale]] = relationship()
    return_event: Mapped[Optional[ItemEvent]] = relationship()
    reported_by: Mapped[Optional["User"]] = relationship()  # noqa: F821
    steps: Mapped[list["FaultTicketStep"]] = relationship(
        back_populates="ticket", order_by="FaultTicketStep.id", lazy="selectin")

    __table_args__ = (
        one_of("source", FAULT_SOURCES, "source"),
        one_of("state", TICKET_STATES, "state"),
        sa.CheckConstraint("(handover_id IS NULL) <> (sale_id IS NULL)", name="one_outcome"),
    )

    @property
    def reference(self) -> str:
        return f"SAV-{self.id:05d}"


class FaultTicketStep(StructureScoped, db.Model):
    """One step of a ticket as its reporter reads it; append-only."""

    structure_indexed = False

    __tablename__ = "fault_ticket_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("fault_ticket.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    message: Mapped[Optional[str]] = mapped_column(sa.Text)  # what the reporter is told
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    ticket: Mapped[FaultTicket] = relationship(back_populates="steps")

    __table_args__ = (one_of("kind", TICKET_STEPS, "kind"),)
