"""The figures funders ask of insertion workshops and self-repair workshops, for a period (both days
included). Counts only: nothing here names anyone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...models import Attendance, BroughtItem, Person, PersonSkill, VolunteerHours, WorkshopSession
from ...models.people import EXIT_OUTCOMES, POSITIVE_EXITS, REPAIR_OUTCOMES
from ...vocabulary import term
from .insertion import repairs_by
from .members import active_members_on, fees_in, lapsed_in


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class SessionLine:
    """One session's attendance."""

    session: WorkshopSession
    attendees: int
    members: int

    @property
    def rate(self) -> float | None:
        return share(self.attendees, self.session.capacity)


@dataclass
class MonthLine:
    month: date
    sessions: int = 0
    attendees: int = 0
    capacity: int = 0

    @property
    def rate(self) -> float | None:
        return share(self.attendees, self.capacity)


@dataclass
class PeopleFigures:
    start: date
    end: date
    # Insertion
    people: int = 0
    requalified: int = 0
    exits: dict = field(default_factory=dict)
    followups: int = 0
    followups_positive: int = 0
    repaired_items: int = 0
    repair_hours: Decimal = Decimal(0)
    # Participation
    sessions: list = field(default_factory=list)
    months: list = field(default_factory=list)
    active_members: int = 0
    new_members: int = 0
    renewed_members: int = 0
    lapsed_members: int = 0
    brought: dict = field(default_factory=dict)
    volunteer_hours: Decimal = Decimal(0)

    @property
    def exit_count(self) -> int:
        return sum(self.exits.values())

    @property
    def positive_exits(self) -> int:
        return sum(self.exits.get(code, 0) for code in POSITIVE_EXITS)

    @property
    def positive_share(self) -> float | None:
        """"Sorties dynamiques": the share of exits to a job or a training."""
        return share(self.positive_exits, self.exit_count)

    @property
    def attendees(self) -> int:
        return sum(line.attendees for line in self.sessions)

    @property
    def member_attendees(self) -> int:
        return sum(line.members for line in self.sessions)

    @property
    def capacity(self) -> int:
        return sum(line.session.capacity for line in self.sessions)

    @property
    def attendance_rate(self) -> float | None:
        """Attendees over the places offered, every session of the period together."""
        return share(self.attendees, self.capacity)

    @property
    def brought_count(self) -> int:
        return sum(self.brought.values())

    @property
    def repair_rate(self) -> float | None:
        """Items repaired over items brought."""
        return share(self.brought.get("fixed", 0), self.brought_count)

    def lines(self) -> list[tuple[str, object]]:
        """The funders' table: (indicator, value), counts and rates only."""
        out = [(_l("People in insertion in the period"), self.people),
               (_l("People requalified (a skill validated in the period)"), self.requalified),
               (_l("Exits"), self.exit_count)]
        out += [(_l("Exits: %(outcome)s", outcome=term("exit_outcome", code)), self.exits.get(code, 0)) for code in EXIT_OUTCOMES]
        out += [(_l("Positive exits (sorties dynamiques)"), self.positive_exits),
                (_l("Share of positive exits (%)"), _percent(self.positive_share)),
                (_l("Follow-ups at 6 months recorded"), self.followups),
                (_l("Of them in a job or training"), self.followups_positive),
                (_l("Items worked on by people in insertion"), self.repaired_items),
                (_l("Hours recorded on repairs"), self.repair_hours),
                (_l("Self-repair sessions"), len(self.sessions)),
                (_l("Attendees"), self.attendees),
                (_l("Of them members"), self.member_attendees),
                (_l("Places offered"), self.capacity),
                (_l("Attendance rate (%)"), _percent(self.attendance_rate)),
                (_l("Active members on the last day"), self.active_members),
                (_l("New members"), self.new_members),
                (_l("Renewed members"), self.renewed_members),
                (_l("Lapsed members"), self.lapsed_members),
                (_l("Items brought to sessions"), self.brought_count)]
        out += [(_l("Items brought: %(outcome)s", outcome=term("repair_outcome", code)), self.brought.get(code, 0))
                for code in REPAIR_OUTCOMES]
        out += [(_l("Repair rate (%)"), _percent(self.repair_rate)),
                (_l("Volunteer hours"), self.volunteer_hours)]
        return out


def _percent(value: float | None) -> Decimal | None:
    return None if value is None else (Decimal(str(value)) * 100).quantize(Decimal("0.1"))


def people_figures(session: Session, start: date, end: date) -> PeopleFigures:
    figures = PeopleFigures(start=start, end=end)
    _insertion(session, figures)
    _participation(session, figures)
    return figures


def _insertion(session: Session, figures: PeopleFigures) -> None:
    start, end = figures.start, figures.end
    present = (Person.contract_start <= end) & (sa.func.coalesce(Person.exit_on, Person.contract_end) >= start)
    figures.people = session.scalar(sa.select(sa.func.count()).select_from(Person).where(present)) or 0
    figures.requalified = session.scalar(
        sa.select(sa.func.count(sa.distinct(PersonSkill.person_id))).join(Person, Person.id == PersonSkill.person_id)
        .where(present, PersonSkill.validated_on.between(start, end))) or 0
    figures.exits = dict(session.execute(sa.select(Person.exit_outcome, sa.func.count())
                                         .where(Person.exit_on.between(start, end))
                                         .group_by(Person.exit_outcome)).all())
    followed = session.execute(sa.select(Person.followup_outcome)
                               .where(Person.followup_on.between(start, end),
                                      Person.followup_outcome.is_not(None))).scalars().all()
    figures.followups = len(followed)
    figures.followups_positive = sum(outcome in POSITIVE_EXITS for outcome in followed)
    accounts = list(session.scalars(sa.select(Person.user_id).where(present, Person.user_id.is_not(None)).distinct()))
    figures.repaired_items, figures.repair_hours = repairs_by(session, accounts, start, end)


def _participation(session: Session, figures: PeopleFigures) -> None:
    start, end = figures.start, figures.end
    counts = dict((row[0], row[1:]) for row in session.execute(
        sa.select(Attendance.session_id, sa.func.count(), sa.func.count(Attendance.member_id))
        .join(WorkshopSession, WorkshopSession.id == Attendance.session_id)
        .where(WorkshopSession.held_on.between(start, end)).group_by(Attendance.session_id)))
    sessions = session.scalars(sa.select(WorkshopSession).where(WorkshopSession.held_on.between(start, end))
                               .order_by(WorkshopSession.held_on, WorkshopSession.id)).all()
    figures.sessions = [SessionLine(record, *counts.get(record.id, (0, 0))) for record in sessions]
    months: dict[date, MonthLine] = {}
    for line in figures.sessions:
        month = line.session.held_on.replace(day=1)
        month_line = months.setdefault(month, MonthLine(month))
        month_line.sessions += 1
        month_line.attendees += line.attendees
        month_line.capacity += line.session.capacity
    figures.months = list(months.values())
    figures.active_members = active_members_on(session, end)
    joined = fees_in(session, start, end)
    figures.new_members, figures.renewed_members = joined["join"], joined["renewal"]
    figures.lapsed_members = lapsed_in(session, start, end)
    figures.brought = dict(session.execute(
        sa.select(BroughtItem.outcome, sa.func.count()).join(WorkshopSession, WorkshopSession.id == BroughtItem.session_id)
        .where(WorkshopSession.held_on.between(start, end)).group_by(BroughtItem.outcome)).all())
    figures.volunteer_hours = Decimal(session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(VolunteerHours.hours), 0))
        .where(VolunteerHours.worked_on.between(start, end))) or 0)
