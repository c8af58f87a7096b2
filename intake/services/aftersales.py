"""After-sales: a landlord (from its portal) or a buyer (from the passport, with its receipt number) reports
a fault on a device that left; the workshop takes it back, replaces it, or answers; the reporter follows
every step.

- **Warranty** is decided from the dates on the day of the report (the structure's today, ``clock``): a
  handover's warranty date; for a sale, the legal guarantee of conformity or the commercial warranty,
  whichever ends later (services/receipts.py).
- **Proof for a buyer**: the receipt number printed on its receipt, a keyed digest of the sale (not its id,
  which could be guessed); a wrong number, an unknown code, an item never sold all get the same None.
- **The landlord** reports only on its own handovers (``landlord.visible_to``), every look logged there.
- **Linked histories**: the item's return carries the ticket's reference (``Work.ticket``), a replacement
  writes an "aftersales" event on both items naming the other.

Reporters get plain dicts (``reporter_row``): the device, the report and the steps, no staff name.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from .. import scoping
from ..clock import local_today, now_utc
from ..models import FaultTicket, FaultTicketStep, Handover, Item, ItemEvent, Sale, User
from ..models.aftersales import STILL_OPEN
from ..vocabulary import term
from . import landlord as landlord_view
from .items import find_item
from .mail import send_mail
from .outcomes import Acceptance, latest_outcome, record_handover, record_sale
from .receipts import receipt_number, sale_guarantees
from .status import TransitionRefused, Work, change_status

MAX_PROBLEM_LENGTH = 2000
MAX_ANSWER_LENGTH = 2000
# The workshop's queue shows this many tickets still open, the oldest first.
QUEUE_LENGTH = 50


class TicketRefused(Exception):
    """The report or the workshop's step is not valid as given: ``errors`` maps field names to messages."""

    def __init__(self, errors: dict):
        super().__init__(" ".join(str(message) for message in errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class FaultReport:
    """What the reporter says: what happens, since when, when the tenant is in, where to answer a buyer."""

    problem: str
    noticed_on: date | None = None
    availability: str | None = None
    contact_email: str | None = None


@dataclass(frozen=True)
class Warranty:
    under: bool
    until: date | None


# ---------------------------------------------------------------------------------------------- warranty

def handover_warranty(handover: Handover, today: date) -> Warranty:
    until = handover.warranty_until
    return Warranty(until is not None and today <= until, until)


def sale_warranty(sale: Sale, today: date) -> Warranty:
    """The legal guarantee of conformity, or the commercial warranty if it ends later."""
    guarantees = sale_guarantees(sale)
    until = max(day for day in (guarantees.legal_until, guarantees.commercial_until) if day is not None)
    return Warranty(today <= until, until)


# ---------------------------------------------------------------------------------------------- the buyer's proof

def _proves(sale: Sale, typed: str | None) -> bool:
    cleaned = re.sub(r"[^A-Z0-9]", "", (typed or "").upper())
    return hmac.compare_digest(cleaned, receipt_number(sale).replace("-", ""))


def known_code(session: Session, code: str) -> bool:
    """Whether an item (of any structure) holds this code: the passport says as much to anyone."""
    with scoping.all_structures(session):
        return session.scalar(sa.select(Item.id).where(Item.code == code)) is not None


def _proven_sale(session: Session, code: str, typed_number: str | None) -> Sale | None:
    """The item's latest sale, if the number is its receipt's; None for anything else, alike."""
    with scoping.all_structures(session):
        sale = session.scalar(sa.select(Sale).join(Item, Sale.item_id == Item.id).where(Item.code == code)
                              .options(joinedload(Sale.item).joinedload(Item.category))
                              .order_by(Sale.id.desc()).limit(1))
    if sale is None or not _proves(sale, typed_number):
        return None
    return sale


# ---------------------------------------------------------------------------------------------- reporting

def _checked(report: FaultReport) -> FaultReport:
    errors = {}
    problem = (report.problem or "").strip()
    if not problem or len(problem) > MAX_PROBLEM_LENGTH:
        errors["problem"] = _l("Say what happens (%(count)s characters at most).", count=MAX_PROBLEM_LENGTH)
    if report.noticed_on is not None and report.noticed_on > local_today():
        errors["noticed_on"] = _l("The fault was noticed today or earlier.")
    if errors:
        raise TicketRefused(errors)
    return FaultReport(problem, report.noticed_on, (report.availability or "").strip()[:200] or None,
                       (report.contact_email or "").strip()[:200] or None)


def _open_ticket(session: Session, item: Item, outcome, warranty: Warranty, report: FaultReport, **values) -> FaultTicket:
    """A new ticket on ``item``, which must still be out with ``outcome`` and have no ticket still open.
    Commits (in the item's structure: the caller's block)."""
    latest = latest_outcome(session, item)
    if item.status not in ("sold", "handed_over") or latest is None or (type(latest), latest.id) != (type(outcome),
                                                                                                      outcome.id):
        raise TicketRefused({"problem": _l("This device has already come back to the workshop.")})
    if session.scalar(sa.select(FaultTicket.id).where(FaultTicket.item_id == item.id,
                                                      FaultTicket.state.in_(STILL_OPEN)).limit(1)):
        raise TicketRefused({"problem": _l("A fault reported on this device is being handled already.")})
    ticket = FaultTicket(item_id=item.id, problem=report.problem, noticed_on=report.noticed_on,
                         availability=report.availability, contact_email=report.contact_email,
                         under_warranty=warranty.under, warranty_until=warranty.until, state="open", **values)
    session.add(ticket)
    session.add(FaultTicketStep(ticket=ticket, kind="reported"))
    session.commit()
    return ticket


def report_from_landlord(session: Session, user: User, handover_id: int, report: FaultReport, *,
                         route: str) -> int | None:
    """A landlord's report on one of its own handovers: the new ticket's id, or None for a handover that is
    not its own (the attempt is logged, as any look of the portal). Raises TicketRefused."""
    found = landlord_view.own_handover(session, user, handover_id, route=route)
    if found is None:
        return None
    handover, _row = found
    report = _checked(report)
    with scoping.scoped_to(handover.structure_id, session):
        item = session.get(Item, handover.item_id)
        ticket = _open_ticket(session, item, handover, handover_warranty(handover, local_today()), report,
                              source="landlord", handover_id=handover.id, reported_by_id=user.id)
        _notify(ticket, ticket.steps[-1])
        return ticket.id


def report_from_buyer(session: Session, code: str, typed_number: str | None, report: FaultReport) -> list[dict] | None:
    """A buyer's report, proven by its receipt number: the sale's tickets as the buyer reads them, or None
    when the number does not prove a sale of this item. Raises TicketRefused."""
    sale = _proven_sale(session, code, typed_number)
    if sale is None:
        return None
    report = _checked(report)
    with scoping.scoped_to(sale.structure_id, session):
        ticket = _open_ticket(session, sale.item, sale, sale_warranty(sale, local_today()), report,
                              source="buyer", sale_id=sale.id)
        _notify(ticket, ticket.steps[-1])
        return _sale_rows(session, sale)


def buyer_tickets(session: Session, code: str, typed_number: str | None) -> list[dict] | None:
    """The tickets of the sale the receipt number proves, or None (as for a report)."""
    sale = _proven_sale(session, code, typed_number)
    if sale is None:
        return None
    with scoping.scoped_to(sale.structure_id, session):
        return _sale_rows(session, sale)


def _with_item():
    return (joinedload(FaultTicket.item).joinedload(Item.category), joinedload(FaultTicket.replacement),
            joinedload(FaultTicket.handover))


def _sale_rows(session: Session, sale: Sale) -> list[dict]:
    return [reporter_row(ticket) for ticket in session.scalars(
        sa.select(FaultTicket).where(FaultTicket.sale_id == sale.id).options(*_with_item())
        .order_by(FaultTicket.id.desc()))]


def reporter_row(ticket: FaultTicket) -> dict:
    """A ticket as its reporter sees it: the device, the report, the warranty, each step; no staff name."""
    item = ticket.item
    handover = ticket.handover
    return {
        "ticket_id": ticket.id, "reference": ticket.reference, "source": ticket.source,
        "code": item.code, "category": item.category.name, "brand": item.brand, "model": item.model,
        "tenant_ref": handover.tenant_ref if handover else None, "residence": handover.residence if handover else None,
        "handover_id": handover.id if handover else None,
        "reported_at": ticket.created_at, "problem": ticket.problem, "noticed_on": ticket.noticed_on,
        "availability": ticket.availability, "under_warranty": ticket.under_warranty,
        "warranty_until": ticket.warranty_until, "state": ticket.state, "answer": ticket.answer,
        "resolved_at": ticket.resolved_at,
        "replacement_code": ticket.replacement.code if ticket.replacement else None,
        "steps": [{"kind": step.kind, "at": step.at, "message": step.message} for step in ticket.steps],
    }


# ---------------------------------------------------------------------------------------------- the landlord's view

def _landlord_tickets(user: User):
    return (sa.select(FaultTicket).join(Handover, FaultTicket.handover_id == Handover.id)
            .where(landlord_view.visible_to(user)).options(*_with_item()))


def landlord_tickets(session: Session, user: User, *, handover_id: int | None = None) -> list[dict]:
    """The landlord's tickets, newest first (of one handover, already checked as its own, if given)."""
    with scoping.all_structures(session):
        query = _landlord_tickets(user).order_by(FaultTicket.id.desc())
        if handover_id is not None:
            query = query.where(FaultTicket.handover_id == handover_id)
        return [reporter_row(ticket) for ticket in session.scalars(query).unique()]


def landlord_ticket(session: Session, user: User, ticket_id: int, *, route: str) -> dict | None:
    """One of the landlord's own tickets, or None for any other (the attempt is logged)."""
    with scoping.all_structures(session):
        ticket = session.scalar(_landlord_tickets(user).where(FaultTicket.id == ticket_id))
        row = reporter_row(ticket) if ticket is not None else None
        landlord_view.log_look(session, user, ticket.handover if ticket else None, kind="ticket", ref=str(ticket_id),
                               route=route)
    return row


# ---------------------------------------------------------------------------------------------- the workshop

def open_tickets(session: Session) -> list[dict]:
    """Tickets still open (reported, or accepted and in repair), the oldest first, with their age in days."""
    now = now_utc()
    return [{"ticket_id": ticket.id, "reference": ticket.reference, "code": ticket.item.code,
             "category": ticket.item.category.name, "source": ticket.source, "state": ticket.state,
             "under_warranty": ticket.under_warranty, "age_days": (now - ticket.created_at).days}
            for ticket in session.scalars(sa.select(FaultTicket).where(FaultTicket.state.in_(STILL_OPEN))
                                          .options(joinedload(FaultTicket.item).joinedload(Item.category))
                                          .order_by(FaultTicket.created_at, FaultTicket.id).limit(QUEUE_LENGTH))]


def workshop_ticket(session: Session, ticket_id: int) -> FaultTicket | None:
    """One ticket of the structure, with what its page shows."""
    return session.scalar(sa.select(FaultTicket).where(FaultTicket.id == ticket_id).options(
        *_with_item(), joinedload(FaultTicket.sale),
        joinedload(FaultTicket.handover).joinedload(Handover.landlord)))


def _still_open(ticket: FaultTicket, states=STILL_OPEN) -> None:
    if ticket.state not in states:
        raise TicketRefused({"action": _l("This ticket has moved on meanwhile: look at it again.")})


def _answer(text: str | None, *, required: bool) -> str | None:
    text = (text or "").strip()
    if required and not text:
        raise TicketRefused({"answer": _l("Write the answer the reporter will read.")})
    if len(text) > MAX_ANSWER_LENGTH:
        raise TicketRefused({"answer": _l("Answer in %(count)s characters at most.", count=MAX_ANSWER_LENGTH)})
    return text or None


def accept(session: Session, ticket: FaultTicket, *, user: User, message: str | None = None,
           notify: bool = True) -> ItemEvent:
    """The item comes back: ``returned`` through the status machine, its event naming the ticket; then it is
    repaired as any returned item. Commits; raises TicketRefused or TransitionRefused."""
    _still_open(ticket, ("open",))
    message = _answer(message, required=False)
    ticket.state = "accepted"
    step = FaultTicketStep(ticket=ticket, kind="accepted", message=message, user_id=user.id)
    session.add(step)
    try:
        event = change_status(session, ticket.item, "returned", user=user,
                              work=Work(note=message, reason="breakdown", ticket=ticket.reference))
    except TransitionRefused:
        session.rollback()
        raise
    ticket.return_event_id = event.id
    session.commit()
    if notify:
        _notify(ticket, step)
    return event


def replace(session: Session, ticket: FaultTicket, *, user: User, replacement_code: str,
            message: str | None, typed_name: str | None = None, warranty_months: int | None = None,
            retention_days: int = 365) -> Item:
    """Another ready item goes out in the faulty one's place: handed over to the same tenant (accepted by
    ``typed_name``) or sold to the same buyer at no cost, with the original sale's warranty. The faulty item
    comes back first if it has not yet. Both histories name each other. Commits."""
    _still_open(ticket)
    message = _answer(message, required=False)
    replacement = find_item(session, replacement_code or "")
    if replacement is None or replacement.id == ticket.item_id or replacement.status != "ready":
        raise TicketRefused({"replacement_code": _l("Give the code of a ready item of ours.")})
    if ticket.handover_id and not (typed_name or "").strip():
        raise TicketRefused({"typed_name": _l("The tenant accepts the device: a typed name.")})
    if ticket.state == "open":
        accept(session, ticket, user=user, notify=False)
    today = local_today()
    note = _("In place of %(code)s (%(reference)s)", code=ticket.item.code, reference=ticket.reference)
    if ticket.handover_id:
        original = ticket.handover
        record_handover(session, replacement, user=user, landlord_id=original.landlord_id,
                        tenant_ref=original.tenant_ref, residence=original.residence, handed_on=today,
                        acceptance=Acceptance(typed_name=typed_name), warranty_months=warranty_months,
                        retention_days=retention_days, today=today)
    else:
        original = ticket.sale
        record_sale(session, replacement, user=user, price=Decimal(0), sold_on=today, channel=original.channel,
                    warranty_months=original.warranty_months, note=note)
    session.add_all([
        ItemEvent(item_id=ticket.item_id, kind="aftersales", user_id=user.id,
                  data={"ticket": ticket.reference, "replaced_by": replacement.code}),
        ItemEvent(item_id=replacement.id, kind="aftersales", user_id=user.id, note=note,
                  data={"ticket": ticket.reference, "replaces": ticket.item.code}),
    ])
    ticket.state, ticket.replacement_item_id, ticket.answer = "replaced", replacement.id, message
    ticket.resolved_at = now_utc()
    step = FaultTicketStep(ticket=ticket, kind="replaced", message=message, user_id=user.id)
    session.add(step)
    session.commit()
    _notify(ticket, step)
    return replacement


def close(session: Session, ticket: FaultTicket, *, user: User, answer: str | None) -> None:
    """The workshop answers and closes the ticket (after the repair, or without taking the item back).
    Commits."""
    _still_open(ticket)
    answer = _answer(answer, required=True)
    ticket.state, ticket.answer, ticket.resolved_at = "closed", answer, now_utc()
    step = FaultTicketStep(ticket=ticket, kind="closed", message=answer, user_id=user.id)
    session.add(step)
    session.commit()
    _notify(ticket, step)


# ---------------------------------------------------------------------------------------------- notices

def _notify(ticket: FaultTicket, step: FaultTicketStep) -> bool:
    """Tell the reporter by e-mail (the address a buyer gave, a landlord's account's), where mail is
    configured; the portal and the passport show every step anyway."""
    recipient = ticket.contact_email or (ticket.reported_by.email if ticket.reported_by else None)
    if not recipient:
        return False
    subject = _("Fault report %(reference)s: %(step)s", reference=ticket.reference, step=term("ticket_step", step.kind))
    lines = [subject, "", _("Device: %(code)s", code=ticket.item.code)]
    if step.message:
        lines += ["", step.message]
    lines += ["", _("Every step is shown where you reported the fault.")]
    return send_mail(recipient, subject, "\n".join(lines))
