"""People in insertion (IAE): their contract, the skills they validated, their repairs in the workshop,
their exit and its follow-up six months later. Lists and pages name them by their reference only; the
name, if kept, is coordinators' (``PersonIdentity``), deleted ``retention_days`` after the contract ends
or the person leaves, whichever is later."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from ...clock import local_days
from ...models import ItemEvent, Person, PersonIdentity, PersonSkill, Skill
from ...models.people import EXIT_OUTCOMES, PROGRAMMES
from ..accounts import members
from ..retention import kept_on
from . import PeopleRefused

FOLLOWUP_AFTER = timedelta(days=183)  # "à 6 mois"


def add_skill(session: Session, name: str) -> Skill:
    """A skill on the structure's list. Commits."""
    name = (name or "").strip()
    if not name:
        raise PeopleRefused({"name": _l("Give the skill's name.")})
    if session.scalar(sa.select(Skill.id).where(sa.func.lower(Skill.name) == name.lower())) is not None:
        raise PeopleRefused({"name": _l("This skill is already on the list.")})
    skill = Skill(name=name)
    session.add(skill)
    session.commit()
    return skill


def skills(session: Session) -> list[Skill]:
    return list(session.scalars(sa.select(Skill).where(Skill.active.is_(True)).order_by(Skill.name)))


def linkable_accounts(session: Session) -> list[tuple[int, str]]:
    """The structure's workshop accounts a person in insertion may work under: (id, name)."""
    return [(user.id, user.name) for user in members(session, active_only=True)
            if user.role in ("technician", "coordinator")]


def _forget_after(person: Person, retention_days: int) -> date:
    return max(person.contract_end, person.exit_on or person.contract_end) + timedelta(days=retention_days)


def create_person(session: Session, *, reference: str, programme: str, contract_start: date, contract_end: date,
                  weekly_hours: Decimal | None, user_id: int | None, name: str | None, contact: str | None,
                  retention_days: int) -> Person:
    """A person starting an insertion contract; their name apart, if given. Commits."""
    reference = (reference or "").strip()
    errors = {}
    if not reference:
        errors["reference"] = _l("Give a reference (never the person's name).")
    elif session.scalar(sa.select(Person.id).where(Person.reference == reference)) is not None:
        errors["reference"] = _l("This reference is already someone's.")
    if programme not in PROGRAMMES:
        errors["programme"] = _l("Choose a programme.")
    if contract_end < contract_start:
        errors["contract_end"] = _l("The contract cannot end before it starts.")
    if weekly_hours is not None and not (0 < weekly_hours <= 48):
        errors["weekly_hours"] = _l("Between 1 and 48 hours a week.")
    if user_id and user_id not in {account_id for account_id, _ in linkable_accounts(session)}:
        errors["user_id"] = _l("Choose an account of the workshop.")
    if errors:
        raise PeopleRefused(errors)
    person = Person(reference=reference, programme=programme, contract_start=contract_start,
                    contract_end=contract_end, weekly_hours=weekly_hours, user_id=user_id or None)
    session.add(person)
    session.flush()
    if name and name.strip():
        session.add(PersonIdentity(person_id=person.id, name=name.strip(), contact=(contact or "").strip() or None,
                                   delete_after=_forget_after(person, retention_days)))
    session.commit()
    return person


def person_by_id(session: Session, person_id: int) -> Person | None:
    return session.scalar(sa.select(Person).where(Person.id == person_id)
                          .options(selectinload(Person.skills).joinedload(PersonSkill.skill)))


def people(session: Session) -> list[Person]:
    """Everyone, those still under contract first, then the latest starts."""
    return list(session.scalars(sa.select(Person).options(selectinload(Person.skills))
                                .order_by(Person.exit_on.is_not(None), Person.contract_start.desc(), Person.id)))


def identity_of(session: Session, person_id: int, today: date) -> PersonIdentity | None:
    return session.scalar(sa.select(PersonIdentity).where(PersonIdentity.person_id == person_id,
                                                          kept_on(PersonIdentity, today)))


def validate_skill(session: Session, person: Person, skill_id: int, validated_on: date) -> PersonSkill:
    """A skill of the list validated on a day. Commits."""
    skill = session.scalar(sa.select(Skill).where(Skill.id == skill_id))
    if skill is None:
        raise PeopleRefused({"skill_id": _l("Choose a skill of the list.")})
    if any(held.skill_id == skill_id for held in person.skills):
        raise PeopleRefused({"skill_id": _l("This skill is already validated.")})
    held = PersonSkill(person=person, skill=skill, validated_on=validated_on)
    session.add(held)
    session.commit()
    return held


def record_exit(session: Session, person: Person, *, exit_on: date, outcome: str, followup_outcome: str | None,
                followup_on: date | None, retention_days: int) -> Person:
    """The person's exit and, later, what became of them six months on. Commits."""
    errors = {}
    if outcome not in EXIT_OUTCOMES:
        errors["outcome"] = _l("Choose an outcome.")
    if exit_on < person.contract_start:
        errors["exit_on"] = _l("The exit cannot come before the contract starts.")
    if followup_outcome and followup_outcome not in EXIT_OUTCOMES:
        errors["followup_outcome"] = _l("Choose an outcome.")
    if errors:
        raise PeopleRefused(errors)
    person.exit_on, person.exit_outcome = exit_on, outcome
    person.followup_outcome = followup_outcome or None
    person.followup_on = (followup_on or exit_on + FOLLOWUP_AFTER) if followup_outcome else None
    identity = session.scalar(sa.select(PersonIdentity).where(PersonIdentity.person_id == person.id))
    if identity is not None:
        identity.delete_after = _forget_after(person, retention_days)
    session.commit()
    return person


def followups_due(session: Session, today: date) -> list[Person]:
    """Exits six months ago or more whose follow-up is not recorded yet."""
    return list(session.scalars(sa.select(Person).where(Person.exit_on.is_not(None),
                                                        Person.exit_on <= today - FOLLOWUP_AFTER,
                                                        Person.followup_outcome.is_(None))
                                .order_by(Person.exit_on)))


def repairs_by(session: Session, user_ids: list[int], start: date, end: date) -> tuple[int, Decimal]:
    """What accounts did in the workshop in the period: (items worked on, hours recorded on them)."""
    if not user_ids:
        return 0, Decimal(0)
    since, until = local_days(start, end)
    items, minutes = session.execute(
        sa.select(sa.func.count(sa.distinct(ItemEvent.item_id)), sa.func.coalesce(sa.func.sum(ItemEvent.minutes), 0))
        .where(ItemEvent.user_id.in_(user_ids), ItemEvent.at >= since, ItemEvent.at < until)).one()
    return items, (Decimal(minutes) / 60).quantize(Decimal("0.1"))
