"""Where a partnership stands and what happened with the partner: the pipeline's moves (compare-and-set,
each one an event), meetings and notes, its contact persons."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from ...models import ContactPerson, Organisation, PartnerEvent, User
from ...models.partnership import PIPELINE_STATUSES

# The seed's steps: identify, meet, negotiate, sign, work together; any partnership may end, and an ended
# one may be taken up again from the start.
NEXT_STEPS = {
    "identified": ("met",),
    "met": ("negotiating",),
    "negotiating": ("signed", "met"),
    "signed": ("active",),
    "active": (),
    "ended": ("identified",),
}


class PipelineRefused(Exception):
    """The move is not a step from where the partnership stands (or someone moved it meanwhile)."""


def allowed_moves(status: str) -> tuple[str, ...]:
    return NEXT_STEPS[status] + (("ended",) if status != "ended" else ())


def move_partner(session: Session, partner: Organisation, to_status: str, *, user: User | None, on: date,
                 note: str | None = None, seen_status: str | None = None) -> PartnerEvent:
    """Move the partnership one step, from the status the person saw (default: the current one); the
    database decides between two people moving it at once."""
    seen = seen_status or partner.pipeline_status
    if to_status not in PIPELINE_STATUSES or to_status not in allowed_moves(seen):
        raise PipelineRefused(to_status)
    moved = session.execute(
        sa.update(Organisation).where(Organisation.id == partner.id, Organisation.pipeline_status == seen)
        .values(pipeline_status=to_status).execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        session.rollback()
        raise PipelineRefused(to_status)
    event = PartnerEvent(organisation_id=partner.id, kind="status", from_status=seen, to_status=to_status,
                         happened_on=on, note=note or None, user_id=user.id if user else None)
    session.add(event)
    session.commit()
    session.refresh(partner)
    return event


def record_partner_event(session: Session, partner: Organisation, *, kind: str, on: date, note: str,
                         user: User | None) -> PartnerEvent:
    """A meeting or a note on the partner's timeline (difficulties met, value added)."""
    if kind not in ("meeting", "note"):
        raise ValueError(kind)
    event = PartnerEvent(organisation_id=partner.id, kind=kind, happened_on=on, note=note,
                         user_id=user.id if user else None)
    session.add(event)
    session.commit()
    return event


def partner_timeline(session: Session, partner: Organisation) -> list[PartnerEvent]:
    """The partner's events, the latest first."""
    return list(session.scalars(
        sa.select(PartnerEvent).options(joinedload(PartnerEvent.user))
        .where(PartnerEvent.organisation_id == partner.id)
        .order_by(PartnerEvent.happened_on.desc(), PartnerEvent.id.desc())))


def contacts_of(session: Session, partner: Organisation) -> list[ContactPerson]:
    return list(session.scalars(sa.select(ContactPerson).where(ContactPerson.organisation_id == partner.id)
                                .order_by(ContactPerson.name)))


def save_contact(session: Session, partner: Organisation, contact: ContactPerson | None, **fields) -> ContactPerson:
    """Add a contact person to the partner, or change one."""
    contact = contact or ContactPerson(organisation_id=partner.id)
    for name in ("name", "role", "phone", "email", "notes"):
        setattr(contact, name, (fields.get(name) or "").strip() or None)
    session.add(contact)
    session.commit()
    return contact


def delete_contact(session: Session, contact: ContactPerson) -> None:
    session.delete(contact)
    session.commit()


def partners_listed(session: Session, *, kind: str | None = None, status: str | None = None) -> list[Organisation]:
    """Every organisation by name, of a kind and at a pipeline status if asked."""
    query = sa.select(Organisation).order_by(Organisation.name)
    if kind:
        query = query.where(Organisation.kind == kind)
    if status:
        query = query.where(Organisation.pipeline_status == status)
    return list(session.scalars(query))
