"""Registering a donated item: the one path used by the form, the API and the sync."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..database import reading
from ..models import Category, CollectionPoint, Container, IssuedCode, Item, ItemEvent, Organisation, Photo, User
from ..clock import now_utc
from ..scoping import all_structures
from ..models.item import GRADES
from .codes import new_code, normalize_code
from .photos import EncodedPhoto
from .weights import implausible_weight

MAX_WEIGHT_KG = Decimal("5000")
_CODE_ATTEMPTS = 10
# Many identical items in one intake ("50 téléphones, 0,17 kg chacun"): at most this many, and above
# ASK_ABOVE the person confirms the number (a slip of the thumb, 200 for 20, makes 180 labels).
MAX_QUANTITY = 200
QUANTITY_ASK_ABOVE = 20
# The weight typed for many items: each one's, or the whole lot's (shared out to the gram).
WEIGHT_PER = ("item", "total")
_GRAM = Decimal("0.001")


class IntakeRejected(ValueError):
    """The donation cannot be registered; ``errors`` maps field -> message for the user.

    ``needs_confirmation`` names the fields that are refused only until the person confirms them
    (an unusual weight): the same values sent again with the confirmation are accepted.
    """

    def __init__(self, errors: dict, *, needs_confirmation: tuple[str, ...] = ()):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
        self.needs_confirmation = needs_confirmation


@dataclass(frozen=True)
class Donation:
    """What a volunteer says about one item at the drop-off point."""

    client_uuid: uuid.UUID
    category_id: int
    weight_kg: Decimal  # the scale reading; the container's tare is taken off
    grade: str
    collection_point_id: int
    source_id: int | None = None  # None: a private donor
    container_id: int | None = None
    brand: str | None = None
    model: str | None = None
    serial_number: str | None = None
    description: str | None = None
    photo: EncodedPhoto | None = field(default=None, compare=False)
    # When the volunteer logged it, if not now (an intake sent later from the outbox).
    logged_at: datetime | None = None
    # The code of a pre-printed label stuck on the item; None: draw a new code.
    code: str | None = None
    # The volunteer confirmed a weight outside the category's plausible range (kept in the history).
    weight_confirmed: bool = field(default=False, compare=False)
    # How many identical items (each its own code), and whether the weight is each one's or the total.
    quantity: int = 1
    weight_per: str = "item"
    # The person confirmed a number above QUANTITY_ASK_ABOVE.
    quantity_confirmed: bool = field(default=False, compare=False)

    def digest(self) -> str:
        """A fingerprint of everything submitted, to recognise a replay."""
        values = {
            "category_id": self.category_id,
            "weight_kg": str(Decimal(self.weight_kg).normalize()),
            "grade": self.grade,
            "collection_point_id": self.collection_point_id,
            "source_id": self.source_id,
            "container_id": self.container_id,
            "brand": self.brand or None,
            "model": self.model or None,
            "serial_number": self.serial_number or None,
            "description": self.description or None,
            "photo": self.photo.sha256 if self.photo else None,
            "logged_at": self.logged_at.isoformat() if self.logged_at else None,
            "code": normalize_code(self.code) if self.code else None,
        }
        if self.quantity != 1:  # (one item's fingerprint is what it always was: replays of old intakes match)
            values.update(quantity=self.quantity, weight_per=self.weight_per)
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Registration:
    item: Item  # the first (the only one, unless a quantity was given)
    created: bool  # False when the same donation had already been registered
    items: tuple[Item, ...] = ()  # every item made, in the order of their labels


def member_uuid(client_uuid: uuid.UUID, index: int) -> uuid.UUID:
    """The client UUID of the ``index``-th item of a many-items intake: the first keeps the intake's own,
    the others are derived from it, so that a replay finds every one of them."""
    return client_uuid if index == 0 else uuid.uuid5(client_uuid, str(index))


@dataclass(frozen=True)
class _Checked:
    """A donation as validated: each item's net weight and tare, and the records it names."""

    weights: tuple[Decimal, ...]
    tares: tuple[Decimal, ...]
    category: Category
    point: CollectionPoint
    source: Organisation | None


def register_donation(session: Session, donation: Donation, *, user: User) -> Registration:
    """Create the item (or ``donation.quantity`` items) with fresh codes and first events, or return those
    already made.

    Idempotent on ``client_uuid``: the same uuid with the same content returns the existing items; with
    other content it is rejected, never merged. All or nothing: many items are made in one transaction.
    Commits.
    """
    digest = donation.digest()
    for _ in range(_CODE_ATTEMPTS):
        with reading(session):
            try:
                checked = _validate(session, donation)
                preprinted = _check_preprinted(session, donation.code) if donation.code else None
            except IntakeRejected:
                # A replay stands even if, say, its category was retired or its sticker bound since.
                existing = _by_client_uuid(session, donation.client_uuid)
                if existing is None:
                    raise
                return _replay(session, existing, donation, digest)
        # Only the inserts hold the write lock (SQLite); the constraints guard what was read.
        codes = [preprinted] if preprinted else _drawn_codes(donation.quantity)
        try:
            items = _insert(session, donation, digest, checked, user, codes=codes)
            if preprinted:
                _bind_preprinted(session, items[0])
            else:
                # Entered in the register in the same transaction as the items: the code's primary key
                # there is what makes a drawn code that was already issued fail and be drawn again.
                session.execute(sa.insert(IssuedCode.__table__), [
                    {"code": item.code, "kind": "assigned", "created_by_id": user.id, "item_id": item.id,
                     "bound_at": item.created_at} for item in items])
            session.commit()
            return Registration(items[0], created=True, items=tuple(items))
        except (IntegrityError, CodeTaken) as error:
            session.rollback()
            failure = error
        # Lost a race: the same intake was registered meanwhile, the sticker was bound by
        # another intake (the next round says so), or a random code was taken (retry).
        with reading(session):
            existing = _by_client_uuid(session, donation.client_uuid)
            issued = session.get(IssuedCode, preprinted) if preprinted else None
            elsewhere = existing is None and _in_any_structure(session, Item.client_uuid == donation.client_uuid)
            # Codes are unique in the whole instance: a drawn code another structure holds was taken too.
            taken = issued is not None or (not preprinted and (
                _in_any_structure(session, IssuedCode.code.in_(codes)) or _in_any_structure(session, Item.code.in_(codes))))
        if existing is not None:
            return _replay(session, existing, donation, digest)
        if elsewhere:
            # A phone whose person switched structure with an intake still in its outbox: it went to the
            # other one (the uuid is unique across structures); say so rather than fail, nothing of it shown.
            raise IntakeRejected({"client_uuid": _l("This intake was already sent to another structure.")})
        if not taken or (preprinted and issued.item_id is None):
            raise failure  # the code is not what failed: another one would fail the same
    raise RuntimeError("could not allocate a free item code")


def _drawn_codes(quantity: int) -> list[str]:
    codes: dict[str, None] = {}
    while len(codes) < quantity:
        codes[new_code()] = None
    return list(codes)


class CodeTaken(Exception):
    """The pre-printed code was bound by another intake between the check and the write."""


def _check_preprinted(session: Session, typed: str) -> str:
    """The canonical pre-printed code, if it exists and is still free; else IntakeRejected."""
    code = normalize_code(typed)
    if code is None:
        raise IntakeRejected({"code": _l("This code is not valid: check the label, or type it again.")})
    issued = session.get(IssuedCode, code)
    if issued is None or issued.kind != "preprinted":
        raise IntakeRejected({"code": _l("The code %(code)s was never printed here.", code=code)})
    if issued.item_id is not None:
        raise IntakeRejected({"code": _l("The code %(code)s is already on another item.", code=code)})
    return code


def _bind_preprinted(session: Session, item: Item) -> None:
    """Bind the sticker to the item, unless another intake got there first."""
    bound = session.execute(
        sa.update(IssuedCode)
        .where(IssuedCode.code == item.code, IssuedCode.kind == "preprinted", IssuedCode.item_id.is_(None))
        .values(item_id=item.id, bound_at=item.created_at)
    )
    if bound.rowcount != 1:
        raise CodeTaken(item.code)


def _by_client_uuid(session: Session, client_uuid: uuid.UUID) -> Item | None:
    return session.scalar(sa.select(Item).where(Item.client_uuid == client_uuid))


def _in_any_structure(session: Session, condition) -> bool:
    """Whether an item of any structure meets ``condition``: both walls lifted for this yes or no only."""
    with all_structures(session):
        return bool(session.scalar(sa.select(sa.exists().where(condition))))


def _replay(session: Session, first: Item, donation: Donation, digest: str) -> Registration:
    if first.intake_digest != digest:
        raise IntakeRejected({"client_uuid": _l("This intake was already sent with different content.")})
    if donation.quantity == 1:
        return Registration(first, created=False, items=(first,))
    uuids = [member_uuid(donation.client_uuid, index) for index in range(donation.quantity)]
    items = tuple(session.scalars(sa.select(Item).where(Item.client_uuid.in_(uuids)).order_by(Item.id)))
    return Registration(first, created=False, items=items)


def reference_errors(session: Session, values: dict) -> tuple[dict, dict]:
    """Check the references among ``values`` (category_id, collection_point_id, source_id, grade): each must
    name something in use. Returns (field -> message, field -> the record found). Used by intake and by
    corrections, so that both refuse the same things with the same words."""
    errors, found = {}, {}
    if "category_id" in values:
        category = session.get(Category, values["category_id"])
        if category is None or not category.active:
            errors["category_id"] = _l("This category does not exist or is no longer used.")
        found["category_id"] = category
    if "collection_point_id" in values:
        point = session.get(CollectionPoint, values["collection_point_id"])
        if point is None or not point.active:
            errors["collection_point_id"] = _l("This collection point does not exist or is closed.")
        found["collection_point_id"] = point
    if values.get("source_id") is not None:
        source = session.get(Organisation, values["source_id"])
        if source is None or not source.active:
            errors["source_id"] = _l("This supply source does not exist or is no longer active.")
        found["source_id"] = source
    if "grade" in values and values["grade"] not in GRADES:
        errors["grade"] = _l("Choose a condition from A to D.")
    return errors, found


def _validate(session: Session, donation: Donation) -> _Checked:
    errors, found = reference_errors(session, {
        "category_id": donation.category_id, "collection_point_id": donation.collection_point_id,
        "source_id": donation.source_id, "grade": donation.grade})
    category, point = found["category_id"], found["collection_point_id"]
    quantity, total = donation.quantity, donation.weight_per == "total"
    errors.update(_quantity_errors(donation))

    tare = Decimal(0)
    if donation.container_id is not None:
        container = session.get(Container, donation.container_id)
        if container is None or not container.active:
            errors["container_id"] = _l("This container does not exist.")
        elif quantity > 1 and not total:
            errors["container_id"] = _l("A container's tare comes off the weight of the whole lot: weigh them "
                                        "together (\"in total\"), or choose no container.")
        else:
            tare = container.tare_kg
    net = Decimal(donation.weight_kg) - tare
    if abs(net) <= MAX_WEIGHT_KG:
        net = net.quantize(_GRAM)  # checked as it is stored: 0,0001 kg is 0 kg
    if net <= 0:
        errors["weight_kg"] = (
            _l("The weight must be more than the container's tare.") if tare else _l("The weight must be more than 0 kg.")
        )
    elif net > MAX_WEIGHT_KG:
        errors["weight_kg"] = _l("The weight cannot exceed %(max)s kg.", max=MAX_WEIGHT_KG)
    elif total and net < quantity * _GRAM:
        errors["weight_kg"] = _l("%(weight)s kg shared out between %(count)s items is less than a gram each.",
                                 weight=net, count=quantity)
    if errors:
        raise IntakeRejected(errors)
    weights = _shared_out(net, quantity) if total else (net,) * quantity
    tares = _shared_out(tare, quantity) if total else (tare,) * quantity
    # Shares differ by a gram at most: the lightest and the heaviest say it for all.
    question = None if donation.weight_confirmed else next(
        filter(None, (implausible_weight(category, weight) for weight in sorted({min(weights), max(weights)}))), None)
    if question:
        raise IntakeRejected({"weight_kg": question}, needs_confirmation=("weight_kg",))
    if quantity > QUANTITY_ASK_ABOVE and not donation.quantity_confirmed:
        raise IntakeRejected({"quantity": _l("Log %(count)s items at once, with %(count)s labels? Confirm the "
                                             "number.", count=quantity)}, needs_confirmation=("quantity",))
    return _Checked(weights, tares, category, point, found.get("source_id"))


def _quantity_errors(donation: Donation) -> dict:
    if not 1 <= donation.quantity <= MAX_QUANTITY:
        return {"quantity": _l("Log from 1 to %(max)s items at once.", max=MAX_QUANTITY)}
    if donation.weight_per not in WEIGHT_PER:
        return {"weight_per": _l("Say whether the weight is each item's or the total.")}
    if donation.quantity > 1 and donation.code:
        return {"code": _l("A pre-printed label is for one item: leave the code empty to log several.")}
    return {}


def _shared_out(weight: Decimal, quantity: int) -> tuple[Decimal, ...]:
    """``weight`` in ``quantity`` shares to the gram that add up to it exactly (the first ones a gram more)."""
    grams, rest = divmod(int(weight / _GRAM), quantity)
    return tuple((grams + (index < rest)) * _GRAM for index in range(quantity))


def _insert(session, donation: Donation, digest: str, checked: _Checked, user: User, *,
            codes: list[str]) -> list[Item]:
    """The items, the photo and each one's first event, as bulk INSERTs: each row once, no unit of work to
    sort out (the hot path of every intake). The items come back persistent, the photo (on the first one)
    known without a query."""
    logged_at = donation.logged_at or now_utc()
    quantity = len(codes)
    items = list(session.scalars(sa.insert(Item).returning(Item, sort_by_parameter_order=True), [{
        "code": code,
        "client_uuid": member_uuid(donation.client_uuid, index),
        "intake_digest": digest,
        "category_id": checked.category.id,
        "brand": donation.brand or None,
        "model": donation.model or None,
        "serial_number": donation.serial_number or None,
        "description": donation.description or None,
        "weight_kg": checked.weights[index],
        "tare_kg": checked.tares[index],
        "grade": donation.grade,
        "source_id": donation.source_id,
        "collection_point_id": checked.point.id,
        "status": "received",
        "created_by_id": user.id,
        "created_at": logged_at,
        "status_changed_at": logged_at,
    } for index, code in enumerate(codes)]))
    # What the caller reads next, known already: no lazy loads.
    for item in items:
        for name, value in (("category", checked.category), ("collection_point", checked.point),
                            ("source", checked.source)):
            set_committed_value(item, name, value)
    photo = donation.photo
    if photo:
        photo = session.scalars(sa.insert(Photo).returning(Photo), [{
            "item_id": items[0].id, "content": photo.content, "width": photo.width, "height": photo.height,
            "sha256": photo.sha256}]).one()
    for index, item in enumerate(items):
        set_committed_value(item, "photo", photo if index == 0 else None)
    events = session.scalars(sa.insert(ItemEvent).returning(ItemEvent, sort_by_parameter_order=True), [{
        "item_id": item.id,
        "kind": "received",
        "to_status": "received",
        "user_id": user.id,
        "collection_point_id": checked.point.id,
        "at": logged_at,
        "data": {"grade": donation.grade, "weight_kg": str(checked.weights[index]), "tare_kg": str(checked.tares[index]),
                 **({"weight_confirmed": True} if donation.weight_confirmed else {}),
                 **({"quantity": quantity} if quantity > 1 else {})},
    } for index, item in enumerate(items)])
    for item, event in zip(items, events):
        set_committed_value(item, "events", [event])
    return items
