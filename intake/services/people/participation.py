"""Self-repair workshop sessions: who came (members or not), what they brought and what became of it,
and the volunteers' hours given to them (or to the day's work)."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from ...models import Attendance, BroughtItem, Member, VolunteerHours, WorkshopSession
from ...models.people import REPAIR_OUTCOMES
from ..accounts import members
from . import PeopleRefused

# Session kinds offered first (any other may be typed).
SESSION_KINDS = ("Vélo", "Informatique", "Couture", "Petit électroménager", "Téléphonie")


def create_session(session: Session, *, held_on: date, starts_at: time | None, minutes: int | None, place: str,
                   kind: str, capacity: int, facilitators: str | None) -> WorkshopSession:
    """A session planned (or held). Commits."""
    errors = {}
    if not (place or "").strip():
        errors["place"] = _l("Say where the session is held.")
    if not (kind or "").strip():
        errors["kind"] = _l("Say what the session is about.")
    if capacity is None or capacity < 1:
        errors["capacity"] = _l("At least one place.")
    if errors:
        raise PeopleRefused(errors)
    record = WorkshopSession(held_on=held_on, starts_at=starts_at, minutes=minutes or None, place=place.strip(),
                             kind=kind.strip(), capacity=capacity, facilitators=(facilitators or "").strip() or None)
    session.add(record)
    session.commit()
    return record


def session_by_id(session: Session, session_id: int) -> WorkshopSession | None:
    return session.scalar(sa.select(WorkshopSession).where(WorkshopSession.id == session_id)
                          .options(selectinload(WorkshopSession.attendances), selectinload(WorkshopSession.items)))


def sessions_around(session: Session, today: date, limit: int = 30) -> list[tuple[WorkshopSession, int, int]]:
    """Today's and the coming sessions, then the latest past ones: (session, attendees, of them members)."""
    counts = (sa.select(Attendance.session_id, sa.func.count().label("attendees"),
                        sa.func.count(Attendance.member_id).label("members"))
              .group_by(Attendance.session_id).subquery())
    query = (sa.select(WorkshopSession, sa.func.coalesce(counts.c.attendees, 0), sa.func.coalesce(counts.c.members, 0))
             .outerjoin(counts, counts.c.session_id == WorkshopSession.id))
    coming = session.execute(query.where(WorkshopSession.held_on >= today)
                             .order_by(WorkshopSession.held_on, WorkshopSession.starts_at).limit(limit)).all()
    past = session.execute(query.where(WorkshopSession.held_on < today)
                           .order_by(WorkshopSession.held_on.desc()).limit(limit)).all()
    return [tuple(row) for row in (*coming, *past)]


def check_in(session: Session, workshop_session: WorkshopSession, member_id: int | None = None) -> Attendance:
    """Someone at the door: a member (once per session) or a visitor who is none. Commits."""
    if member_id is not None:
        if session.scalar(sa.select(Member.id).where(Member.id == member_id)) is None:
            raise PeopleRefused({"": _l("No such member.")})
        if any(attendance.member_id == member_id for attendance in workshop_session.attendances):
            raise PeopleRefused({"": _l("This member is already checked in.")})
    attendance = Attendance(session=workshop_session, member_id=member_id)
    session.add(attendance)
    session.commit()
    return attendance


def bring_item(session: Session, workshop_session: WorkshopSession, *, description: str, outcome: str) -> BroughtItem:
    """An item brought to the session and what became of it. Commits."""
    errors = {}
    if not (description or "").strip():
        errors["description"] = _l("Say what the item is.")
    if outcome not in REPAIR_OUTCOMES:
        errors["outcome"] = _l("Choose what became of it.")
    if errors:
        raise PeopleRefused(errors)
    item = BroughtItem(session_id=workshop_session.id, description=description.strip(), outcome=outcome)
    session.add(item)
    session.commit()
    return item


def volunteer_accounts(session: Session) -> list[tuple[int, str]]:
    """The structure's staff accounts whose hours may be recorded: (id, name)."""
    return [(user.id, user.name) for user in members(session, active_only=True)
            if user.role in ("volunteer", "technician", "coordinator")]


def record_hours(session: Session, *, worked_on: date, hours: Decimal, user_id: int | None,
                 session_id: int | None) -> VolunteerHours:
    """Hours of volunteering, for a session or a day. Commits."""
    errors = {}
    if hours is None or not (0 < hours <= 24):
        errors["hours"] = _l("Between a few minutes and 24 hours.")
    if user_id and user_id not in {account_id for account_id, _ in volunteer_accounts(session)}:
        errors["user_id"] = _l("Choose an account of the structure.")
    if session_id and session_by_id(session, session_id) is None:
        errors["session_id"] = _l("Choose a session.")
    if errors:
        raise PeopleRefused(errors)
    record = VolunteerHours(worked_on=worked_on, hours=hours, user_id=user_id or None, session_id=session_id or None)
    session.add(record)
    session.commit()
    return record


def latest_hours(session: Session, limit: int = 20) -> list[VolunteerHours]:
    return list(session.scalars(sa.select(VolunteerHours).options(selectinload(VolunteerHours.user),
                                                                  selectinload(VolunteerHours.session))
                                .order_by(VolunteerHours.worked_on.desc(), VolunteerHours.id.desc()).limit(limit)))
