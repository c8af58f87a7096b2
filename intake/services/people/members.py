"""Members (adhérents): joining, renewing, lapsing; found at the door by name or card number.

A member is a card number and fees; each fee runs ``membership_days`` from its payment (a renewal paid
before the lapse runs on from the end of the previous one). A member is active on a day one of their fees
covers. Their name and contact (``MemberIdentity``) are deleted ``retention_days`` after the last fee runs out.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from ...models import Member, MemberFee, MemberIdentity
from ..retention import kept_on
from . import PeopleRefused

# At the door: typing fewer letters of a name finds nothing (a list of every member is no search).
MIN_NAME_SEARCH = 3
FOUND_AT_MOST = 6


def fee_runs_until(paid_on: date, previous_until: date | None, membership_days: int) -> date:
    """The last day a fee paid on ``paid_on`` covers: a renewal paid early runs on from the previous end."""
    start = paid_on if previous_until is None or previous_until < paid_on else previous_until + timedelta(days=1)
    return start + timedelta(days=membership_days - 1)


def next_card_number(session: Session) -> str:
    """The next free card number: the highest numeric one plus one, on four digits at least."""
    numbers = [int(number) for number in session.scalars(sa.select(Member.card_number)) if number.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"


def join(session: Session, *, name: str, contact: str | None, card_number: str | None, paid_on: date,
         amount: Decimal, membership_days: int, retention_days: int) -> Member:
    """A new member and their first fee. Commits."""
    name = (name or "").strip()
    card_number = (card_number or "").strip() or next_card_number(session)
    if not name:
        raise PeopleRefused({"name": _l("Give the member's name.")})
    if session.scalar(sa.select(Member.id).where(Member.card_number == card_number)) is not None:
        raise PeopleRefused({"card_number": _l("This card number is already a member's.")})
    if amount is None or amount < 0:
        raise PeopleRefused({"amount": _l("The fee cannot be negative.")})
    member = Member(card_number=card_number, joined_on=paid_on)
    until = fee_runs_until(paid_on, None, membership_days)
    member.fees.append(MemberFee(kind="join", paid_on=paid_on, amount=amount, valid_until=until))
    session.add(member)
    session.flush()
    session.add(MemberIdentity(member_id=member.id, name=name, contact=(contact or "").strip() or None,
                               delete_after=until + timedelta(days=retention_days)))
    session.commit()
    return member


def renew(session: Session, member: Member, *, paid_on: date, amount: Decimal, membership_days: int,
          retention_days: int) -> MemberFee:
    """A renewal; the member's name is kept until ``retention_days`` after its new end. Commits."""
    if amount is None or amount < 0:
        raise PeopleRefused({"amount": _l("The fee cannot be negative.")})
    previous = max((fee.valid_until for fee in member.fees), default=None)
    fee = MemberFee(kind="renewal", paid_on=paid_on, amount=amount,
                    valid_until=fee_runs_until(paid_on, previous, membership_days))
    member.fees.append(fee)
    identity = session.scalar(sa.select(MemberIdentity).where(MemberIdentity.member_id == member.id))
    if identity is not None:
        identity.delete_after = max(identity.delete_after, fee.valid_until + timedelta(days=retention_days))
    session.commit()
    return fee


def member_by_id(session: Session, member_id: int) -> Member | None:
    return session.scalar(sa.select(Member).where(Member.id == member_id).options(selectinload(Member.fees)))


def identity_of(session: Session, member_id: int, today: date) -> MemberIdentity | None:
    """The member's name and contact, unless their retention period is over."""
    return session.scalar(sa.select(MemberIdentity).where(MemberIdentity.member_id == member_id,
                                                          kept_on(MemberIdentity, today)))


def covered_until(member: Member) -> date | None:
    return max((fee.valid_until for fee in member.fees), default=None)


def members_with_names(session: Session, today: date) -> list[tuple[Member, str | None, date | None]]:
    """Every member for the coordinators' list: (member, name or None once deleted, covered until),
    the active first, then by name."""
    names = dict(session.execute(sa.select(MemberIdentity.member_id, MemberIdentity.name)
                                 .where(kept_on(MemberIdentity, today))).all())
    members = session.scalars(sa.select(Member).options(selectinload(Member.fees))).all()
    rows = [(member, names.get(member.id), covered_until(member)) for member in members]
    return sorted(rows, key=lambda row: (not (row[2] and row[2] >= today), (row[1] or "~").lower(),
                                         row[0].card_number))


def short_name(name: str | None) -> str:
    """What the door shows of a name: the first name and the initial of the last ("Marie D.")."""
    words = (name or "").split()
    if len(words) < 2:
        return words[0] if words else ""
    return f"{words[0]} {words[-1][0].upper()}."


def find_at_the_door(session: Session, text: str, today: date) -> list[tuple[Member, str, bool]]:
    """The members a volunteer at the door may mean: the card number typed, or names containing the text
    (three letters at least). (member, short name, active today), a few at most."""
    text = (text or "").strip()
    if not text:
        return []
    query = (sa.select(Member, MemberIdentity.name).join(MemberIdentity, MemberIdentity.member_id == Member.id)
             .where(kept_on(MemberIdentity, today)).options(selectinload(Member.fees)))
    if len(text) < MIN_NAME_SEARCH:
        query = query.where(Member.card_number == text)
    else:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(Member.card_number == text,
                                   sa.func.lower(MemberIdentity.name).like(pattern, escape="\\")))
    rows = session.execute(query.order_by(MemberIdentity.name).limit(FOUND_AT_MOST)).all()
    return [(member, short_name(name), (covered_until(member) or date.min) >= today) for member, name in rows]


def short_names(session: Session, member_ids: list[int | None], today: date) -> dict[int, tuple[str, str]]:
    """For the door's list of who came: member id -> (card number, short name)."""
    wanted = {member_id for member_id in member_ids if member_id}
    if not wanted:
        return {}
    rows = session.execute(sa.select(Member.id, Member.card_number, MemberIdentity.name)
                           .outerjoin(MemberIdentity, sa.and_(MemberIdentity.member_id == Member.id,
                                                              kept_on(MemberIdentity, today)))
                           .where(Member.id.in_(wanted))).all()
    return {member_id: (card, short_name(name)) for member_id, card, name in rows}


def active_members_on(session: Session, day: date) -> int:
    """How many members one of whose fees covers ``day``."""
    return session.scalar(sa.select(sa.func.count(sa.distinct(MemberFee.member_id)))
                          .where(MemberFee.paid_on <= day, MemberFee.valid_until >= day)) or 0


def fees_in(session: Session, start: date, end: date) -> dict[str, int]:
    """Members who joined and who renewed in the period (both days included): {"join": n, "renewal": n}."""
    counts = dict(session.execute(sa.select(MemberFee.kind, sa.func.count(sa.distinct(MemberFee.member_id)))
                                  .where(MemberFee.paid_on.between(start, end)).group_by(MemberFee.kind)).all())
    return {kind: counts.get(kind, 0) for kind in ("join", "renewal")}


def lapsed_in(session: Session, start: date, end: date) -> int:
    """Members whose last fee ran out in the period (its last day before ``end``) and who had not renewed
    by ``end``."""
    last = (sa.select(MemberFee.member_id, sa.func.max(MemberFee.valid_until).label("until"))
            .where(MemberFee.paid_on <= end).group_by(MemberFee.member_id).subquery())
    return session.scalar(sa.select(sa.func.count()).select_from(last)
                          .where(last.c.until >= start - timedelta(days=1), last.c.until < end)) or 0
