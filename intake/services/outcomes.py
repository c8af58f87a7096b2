"""How an item leaves: a sale, a handover to a social landlord's tenant, and a return afterwards.

Both go through the status machine (``change_status``), which refuses them for
a data-bearing item without a passed erasure; the sale or handover record is
saved in the same transaction as the status change.
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_date, lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session, joinedload

from ..clock import local_date, local_today
from ..models import AccompanimentSession, Handover, Item, Organisation, Sale, TenantIdentity, User
from ..models.outcome import SALE_CHANNELS
from .status import ReleaseState, TransitionRefused, Work, change_status, readiness_problems, release_state

MAX_WARRANTY_MONTHS = 60
# Prices are stored in euros with cents (Numeric(9, 2)).
MAX_PRICE = Decimal("999999.99")
PRICE_MESSAGE = _l("Type the price in euros, 0 or more, for example 89,90.")
MAX_SIGNATURE_BYTES = 200_000
MAX_SIGNATURE_SIDE = 2000


class OutcomeRejected(TransitionRefused):
    """The sale or handover is not valid as given: ``errors`` maps field names to messages."""

    def __init__(self, errors: dict):
        super().__init__(" ".join(str(message) for message in errors.values()), status=422)
        self.errors = errors


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


def sale_warranty_until(sale: Sale) -> date | None:
    return add_months(sale.sold_on, sale.warranty_months) if sale.warranty_months else None


def is_refurbished(session: Session, item: Item, state: ReleaseState | None = None) -> bool:
    """May the item be called "reconditionné"? All functions tested and its data erased (décret 2022-190).
    ``state``: its release state, if already read."""
    return not readiness_problems(state or release_state(session, item), item, "ready")


def _check_warranty(months: int | None, errors: dict) -> int:
    if months is None:
        return 0
    if not 0 <= months <= MAX_WARRANTY_MONTHS:
        errors["warranty_months"] = _l("A warranty is between 0 and %(max)s months.", max=MAX_WARRANTY_MONTHS)
    return months


def record_sale(session: Session, item: Item, *, user: User, price: Decimal, sold_on: date, channel: str,
                warranty_months: int | None = 0, seen_status: str | None = None, note: str | None = None,
                commit: bool = True) -> Sale:
    """Sell a ready item. Refused (409) for a data-bearing item without a passed erasure. Commits (unless
    ``commit=False``: a till basket sells its items in one transaction)."""
    errors: dict = {}
    if price is None or not 0 <= price <= MAX_PRICE or price != price.quantize(Decimal("0.01")):
        errors["price"] = PRICE_MESSAGE
    if channel not in SALE_CHANNELS:
        errors["channel"] = _l("Choose where it was sold.")
    warranty_months = _check_warranty(warranty_months, errors)
    if errors:
        raise OutcomeRejected(errors)
    state = release_state(session, item)  # read once: what "reconditionné" and the move to sold both check
    sale = Sale(item_id=item.id, price=price, sold_on=sold_on, channel=channel, warranty_months=warranty_months,
                refurbished=is_refurbished(session, item, state), sold_by_id=user.id)
    change_status(session, item, "sold", user=user, work=Work(note=note), seen_status=seen_status, outcome=sale,
                  commit=commit, release=state)
    return sale


@dataclass(frozen=True)
class Acceptance:
    """How the tenant accepted the device: a typed name or a signature drawn on the phone (PNG)."""

    typed_name: str | None = None
    signature_png: bytes | None = None

    @property
    def kind(self) -> str | None:
        if self.signature_png:
            return "signature"
        if self.typed_name and self.typed_name.strip():
            return "typed_name"
        return None


def signature_from_data_url(data_url: str | None) -> bytes | None:
    """The PNG of a signature canvas (``data:image/png;base64,...``), checked; None if there is none."""
    if not data_url:
        return None
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise OutcomeRejected({"signature": _l("The signature could not be read: draw it again.")})
    try:
        content = base64.b64decode(data_url[len(prefix):], validate=True)
    except (binascii.Error, ValueError):
        raise OutcomeRejected({"signature": _l("The signature could not be read: draw it again.")}) from None
    return checked_signature(content)


def checked_signature(content: bytes) -> bytes:
    """A small PNG with something drawn on it, re-encoded so nothing but pixels is kept."""
    if len(content) > MAX_SIGNATURE_BYTES:
        raise OutcomeRejected({"signature": _l("The signature image is too large.")})
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != "PNG" or max(image.size) > MAX_SIGNATURE_SIDE:
                raise OutcomeRejected({"signature": _l("The signature could not be read: draw it again.")})
            drawing = image.convert("LA")
    except (UnidentifiedImageError, OSError):
        raise OutcomeRejected({"signature": _l("The signature could not be read: draw it again.")}) from None
    (ink_min, ink_max), (alpha_min, alpha_max) = drawing.getextrema()
    if alpha_max == 0 or (ink_min == ink_max and alpha_min == alpha_max):
        raise OutcomeRejected({"signature": _l("The signature is empty: ask the tenant to sign.")})
    out = io.BytesIO()
    drawing.save(out, "PNG", optimize=True)
    return out.getvalue()


def record_handover(session: Session, item: Item, *, user: User, landlord_id: int, tenant_ref: str, residence: str,
                    handed_on: date, acceptance: Acceptance, warranty_months: int | None, retention_days: int,
                    tenant_contact: str | None = None, seen_status: str | None = None,
                    today: date | None = None) -> Handover:
    """Hand a ready item to a landlord's tenant. Refused (409) for a data-bearing item without a passed erasure.

    The tenant is known by the landlord's own reference; a typed name, a
    signature or a contact go to ``TenantIdentity``, kept ``retention_days``.
    Commits.
    """
    errors: dict = {}
    landlord = session.get(Organisation, landlord_id) if landlord_id else None
    if landlord is None or landlord.kind != "social_landlord" or not landlord.active:
        errors["landlord_id"] = _l("Choose a social landlord.")
    tenant_ref = (tenant_ref or "").strip()
    residence = (residence or "").strip()
    if not tenant_ref or len(tenant_ref) > 60:
        errors["tenant_ref"] = _l("Give the landlord's tenant reference (60 characters at most).")
    if not residence or len(residence) > 200:
        errors["residence"] = _l("Give the residence.")
    if acceptance.kind is None:
        errors["acceptance"] = _l("The tenant accepts the device: a typed name or a signature.")
    warranty_months = _check_warranty(warranty_months, errors)
    _check_handover_date(item, handed_on, today or local_today(), errors)
    if errors:
        raise OutcomeRejected(errors)

    state = release_state(session, item)
    released_by = state.released_by
    handover = Handover(item_id=item.id, landlord_id=landlord.id, tenant_ref=tenant_ref, residence=residence,
                        handed_on=handed_on, handed_by_id=user.id, acceptance=acceptance.kind,
                        warranty_until=add_months(handed_on, warranty_months) if warranty_months else None,
                        refurbished=is_refurbished(session, item, state),
                        erasure_certificate_ref=released_by.certificate_ref if released_by else None,
                        erasure_level=released_by.level if released_by else None)
    records = [handover]
    name = (acceptance.typed_name or "").strip() or None
    contact = (tenant_contact or "").strip() or None
    if name or contact or acceptance.signature_png:
        records.append(TenantIdentity(handover=handover, name=name, contact=contact,
                                      signature_png=acceptance.signature_png,
                                      delete_after=handed_on + timedelta(days=retention_days)))
    change_status(session, item, "handed_over", user=user, seen_status=seen_status, outcome=records, release=state)
    return handover


def _check_handover_date(item: Item, handed_on: date | None, today: date, errors: dict) -> None:
    """Not before the item came in, not after tomorrow (the day it happens, whatever the time zone): the
    tenant's identity is kept for the retention period from this date, so a date far ahead would keep it."""
    first = local_date(item.created_at)
    if handed_on is None or not first <= handed_on <= today + timedelta(days=1):
        errors["handed_on"] = _l("The handover date is between the item's intake (%(first)s) and tomorrow.",
                                 first=format_date(first, "short"))


def record_return(session: Session, item: Item, *, user: User, reason: str, note: str | None = None,
                  seen_status: str | None = None, commit: bool = True):
    """A sold or handed-over item comes back, with the reason; it goes through the workshop again."""
    return change_status(session, item, "returned", user=user, work=Work(note=note, reason=reason),
                         seen_status=seen_status, commit=commit)


def plan_session(session: Session, handover: Handover, *, topic: str, planned_on: date,
                 partner_id: int | None = None) -> AccompanimentSession:
    """A training session for the tenant (by a cyber centre, say). Commits."""
    topic = (topic or "").strip()
    if not topic or len(topic) > 200:
        raise OutcomeRejected({"topic": _l("Say what the session is about.")})
    planned = AccompanimentSession(handover_id=handover.id, topic=topic, planned_on=planned_on,
                                   partner_id=partner_id or None)
    session.add(planned)
    session.commit()
    return planned


def attendance_problem(planned: AccompanimentSession, attended_on: date, today: date):
    """Why the tenant cannot be said to have attended on that day, or None.

    A session is attended on its planned day or later, and never in the future: the landlord must not
    read that a tenant attended a session still to come.
    """
    if planned.planned_on > today:
        return _l("This session is still to come: it can be marked attended once it has taken place.")
    if not planned.planned_on <= attended_on <= today:
        return _l("The attendance date is between the session's planned day and today.")
    return None


def mark_attended(session: Session, planned: AccompanimentSession, attended_on: date | None, *,
                  today: date) -> None:
    """The tenant came (on ``attended_on``), or the mark is taken back (None). Commits."""
    problem = attendance_problem(planned, attended_on, today) if attended_on is not None else None
    if problem:
        raise OutcomeRejected({"attended_on": problem})
    planned.attended_on = attended_on
    session.commit()


def latest_outcome(session: Session, item: Item) -> Sale | Handover | None:
    """The item's latest sale or handover, whichever is newer."""
    sale = session.scalar(sa.select(Sale).where(Sale.item_id == item.id).order_by(Sale.id.desc()).limit(1))
    handover = session.scalar(sa.select(Handover).where(Handover.item_id == item.id)
                              .order_by(Handover.id.desc()).limit(1))
    candidates = [record for record in (sale, handover) if record is not None]
    return max(candidates, key=lambda record: record.created_at) if candidates else None




def sale_with_item(session: Session, sale_id: int) -> Sale | None:
    """A sale with its item and category, for its receipt."""
    return session.scalar(sa.select(Sale).where(Sale.id == sale_id)
                          .options(joinedload(Sale.item).joinedload(Item.category)))


def handover_with_item(session: Session, handover_id: int) -> Handover | None:
    """A handover with its item, landlord and the person who handed it over, for its page and receipt."""
    return session.scalar(sa.select(Handover).where(Handover.id == handover_id)
                          .options(joinedload(Handover.item).joinedload(Item.category),
                                   joinedload(Handover.landlord), joinedload(Handover.handed_by)))


def planned_session(session: Session, handover_id: int, session_id: int) -> AccompanimentSession | None:
    """One training session of one handover (never another handover's)."""
    return session.scalar(sa.select(AccompanimentSession).where(
        AccompanimentSession.id == session_id, AccompanimentSession.handover_id == handover_id))
