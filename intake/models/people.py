"""People: insertion jobs, self-repair workshop sessions, members and volunteers' hours.

Lists name people by a pseudonymous reference (a person in insertion) or a card number (a member); their
real names, if kept at all, live apart (``PersonIdentity``, ``MemberIdentity``): coordinators only, deleted
by the retention job (``services/retention.py``) once ``delete_after`` has passed. What remains feeds the
indicators, which count and never name.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now_utc
from ..extensions import db
from .base import StructureScoped, UTCDateTime, one_of

# Insertion programmes (IAE): atelier et chantier d'insertion, entreprise d'insertion, association
# intermédiaire, entreprise de travail temporaire d'insertion.
PROGRAMMES = ("aci", "ei", "ai", "etti", "other")
# Exits as funders count them ("sorties dynamiques": the first five).
EXIT_OUTCOMES = ("cdi", "cdd_long", "cdd_short", "training", "other_job", "none", "unknown")
POSITIVE_EXITS = ("cdi", "cdd_long", "cdd_short", "training", "other_job")
# What became of an item brought to a self-repair session (ORDS repair_status).
REPAIR_OUTCOMES = ("fixed", "repairable", "end_of_life")
FEE_KINDS = ("join", "renewal")


class Skill(StructureScoped, db.Model):
    """A skill a person in insertion may have validated: the structure's own list."""

    __tablename__ = "skill"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (sa.UniqueConstraint("structure_id", "name", name="uq_skill_name"),)


class Person(StructureScoped, db.Model):
    """Someone working under an insertion contract, known in the app by a pseudonymous reference."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(40))
    programme: Mapped[str] = mapped_column(sa.String(16))
    contract_start: Mapped[date]
    contract_end: Mapped[date]
    weekly_hours: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(4, 1))
    # The technician account they work under: their repairs come from the workshop's history.
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    exit_on: Mapped[Optional[date]]
    exit_outcome: Mapped[Optional[str]] = mapped_column(sa.String(16))
    followup_on: Mapped[Optional[date]]
    followup_outcome: Mapped[Optional[str]] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    skills: Mapped[list["PersonSkill"]] = relationship(back_populates="person", order_by="PersonSkill.validated_on")
    user: Mapped[Optional["User"]] = relationship()  # noqa: F821

    __table_args__ = (
        sa.UniqueConstraint("structure_id", "reference", name="uq_person_reference"),
        one_of("programme", PROGRAMMES, "programme"),
        sa.CheckConstraint("exit_outcome IS NULL OR exit_outcome IN ("
                           + ", ".join(f"'{code}'" for code in EXIT_OUTCOMES) + ")", name="exit_outcome"),
        sa.CheckConstraint("followup_outcome IS NULL OR followup_outcome IN ("
                           + ", ".join(f"'{code}'" for code in EXIT_OUTCOMES) + ")", name="followup_outcome"),
        sa.CheckConstraint("contract_end >= contract_start", name="contract_dates"),
        sa.CheckConstraint("weekly_hours IS NULL OR (weekly_hours > 0 AND weekly_hours <= 48)",
                           name="weekly_hours"),
    )


class PersonIdentity(StructureScoped, db.Model):
    """A person's real name and contact, if the structure keeps them: coordinators only, deleted after the
    retention period (from the end of the contract or the exit)."""

    structure_indexed = False

    __tablename__ = "person_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    contact: Mapped[Optional[str]] = mapped_column(sa.String(200))
    delete_after: Mapped[date] = mapped_column(index=True)


class PersonSkill(StructureScoped, db.Model):
    """A skill validated, and when."""

    structure_indexed = False

    __tablename__ = "person_skill"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    skill_id: Mapped[int] = mapped_column(sa.ForeignKey("skill.id"))
    validated_on: Mapped[date]

    person: Mapped[Person] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()

    __table_args__ = (sa.UniqueConstraint("person_id", "skill_id", name="uq_person_skill"),)


class WorkshopSession(StructureScoped, db.Model):
    """A self-repair workshop session: bikes, computers, sewing…"""

    __tablename__ = "workshop_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(index=True)
    starts_at: Mapped[Optional[time]]
    minutes: Mapped[Optional[int]]
    place: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(60))
    capacity: Mapped[int]
    facilitators: Mapped[Optional[str]] = mapped_column(sa.String(200))

    attendances: Mapped[list["Attendance"]] = relationship(back_populates="session", order_by="Attendance.id")
    items: Mapped[list["BroughtItem"]] = relationship(order_by="BroughtItem.id")

    __table_args__ = (sa.CheckConstraint("capacity > 0", name="capacity"),
                      sa.CheckConstraint("minutes IS NULL OR minutes > 0", name="minutes"))


class Attendance(StructureScoped, db.Model):
    """Someone checked in at a session: a member, or a visitor who is none (``member_id`` empty)."""

    structure_indexed = False

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("workshop_session.id"), index=True)
    member_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("member.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    session: Mapped[WorkshopSession] = relationship(back_populates="attendances")
    member: Mapped[Optional["Member"]] = relationship()

    # A member is counted once per session (visitors, with no member, as many times as they come).
    __table_args__ = (sa.UniqueConstraint("session_id", "member_id", name="uq_attendance_member"),)


class BroughtItem(StructureScoped, db.Model):
    """An item brought to a session, and what became of it."""

    structure_indexed = False

    __tablename__ = "brought_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("workshop_session.id"), index=True)
    description: Mapped[str] = mapped_column(sa.String(200))
    outcome: Mapped[str] = mapped_column(sa.String(16))

    __table_args__ = (one_of("outcome", REPAIR_OUTCOMES, "outcome"),)


class Member(StructureScoped, db.Model):
    """A member (adhérent), known in lists by their card number; their fees say when they were members."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_number: Mapped[str] = mapped_column(sa.String(20))
    joined_on: Mapped[date]

    fees: Mapped[list["MemberFee"]] = relationship(back_populates="member", order_by="MemberFee.paid_on")
    identity: Mapped[Optional["MemberIdentity"]] = relationship(uselist=False, viewonly=True)

    __table_args__ = (sa.UniqueConstraint("structure_id", "card_number", name="uq_member_card"),)


class MemberFee(StructureScoped, db.Model):
    """A membership paid: joining or renewing, the fee, and the day it runs to."""

    structure_indexed = False

    __tablename__ = "member_fee"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    paid_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    valid_until: Mapped[date]

    member: Mapped[Member] = relationship(back_populates="fees")

    __table_args__ = (one_of("kind", FEE_KINDS, "kind"),
                      sa.CheckConstraint("amount >= 0", name="amount"),
                      sa.CheckConstraint("valid_until >= paid_on", name="dates"))


class MemberIdentity(StructureScoped, db.Model):
    """A member's name and contact: found at the door by name, listed to coordinators only, deleted a set
    time after the membership lapses."""

    structure_indexed = False

    __tablename__ = "member_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    contact: Mapped[Optional[str]] = mapped_column(sa.String(200))
    delete_after: Mapped[date] = mapped_column(index=True)


class VolunteerHours(StructureScoped, db.Model):
    """Hours of volunteering ("bénévolat"), per session or per day, for the funders' "valorisation"."""

    __tablename__ = "volunteer_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    worked_on: Mapped[date] = mapped_column(index=True)
    session_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("workshop_session.id"))
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    user: Mapped[Optional["User"]] = relationship()  # noqa: F821
    session: Mapped[Optional[WorkshopSession]] = relationship()

    __table_args__ = (sa.CheckConstraint("hours > 0 AND hours <= 24", name="hours"),)
