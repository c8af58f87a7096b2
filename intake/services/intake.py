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
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Registration:
    item: Item
    created: bool  # False when the same donation had already been registered


def register_donation(session: Session, donation: Donation, *, user: User) -> Registration:
    """Create the item with a fresh code and its first event, or return the one already made.

    Idempotent on ``client_uuid``: the same uuid with the same content returns
    the existing item; with other content it is rejected, never merged.
    Commits.
    """
    digest = donation.digest()
    for _ in range(_CODE_ATTEMPTS):
        with reading(session):
            try:
                net_weight, tare, category, point = _validate(session, donation)
                preprinted = _check_preprinted(session, donation.code) if donation.code else None
            except IntakeRejected:
                # A replay stands even if, say, its category was retired or its sticker bound since.
                existing = _by_client_uuid(session, donation.client_uuid)
                if existing is None:
                    raise
                return _replay(existing, digest)
        # Only the inserts hold the write lock (SQLite); the constraints guard what was read.
        code = preprinted or new_code()
        try:
            item = _insert(session, donation, digest, net_weight, tare, category, point, user, code=code)
            if preprinted:
                session.flush()
                _bind_preprinted(session, item)
            else:
                # Entered in the register in the same flush as the item: the code's primary key
                # there is what makes a drawn code that was already issued fail and be drawn again.
                session.add(IssuedCode(code=item.code, kind="assigned", created_by_id=user.id, item=item,
                                       bound_at=item.created_at))
            session.commit()
            return Registration(item, created=True)
        except (IntegrityError, CodeTaken) as error:
            session.rollback()
            failure = error
        # Lost a race: the same intake was registered meanwhile, the sticker was bound by
        # another intake (the next round says so), or the random code was taken (retry).
        with reading(session):
            existing = _by_client_uuid(session, donation.client_uuid)
            issued = session.get(IssuedCode, code)
            elsewhere = existing is None and _in_any_structure(session, Item.client_uuid == donation.client_uuid)
            # Codes are unique in the whole instance: a drawn code another structure holds was taken too.
            taken = issued is not None or (not preprinted and (_in_any_structure(session, IssuedCode.code == code)
                                                               or _in_any_structure(session, Item.code == code)))
        if existing is not None:
            return _replay(existing, digest)
        if elsewhere:
            # A phone whose person switched structure with an intake still in its outbox: it went to the
            # other one (the uuid is unique across structures); say so rather than fail, nothing of it shown.
            raise IntakeRejected({"client_uuid": _l("This intake was already sent to another structure.")})
        if not taken or (preprinted and issued.item_id is None):
            raise failure  # the code is not what failed: another one would fail the same
    raise RuntimeError("could not allocate a free item code")


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


def _replay(item: Item, digest: str) -> Registration:
    if item.intake_digest != digest:
        raise IntakeRejected({"client_uuid": _l("This intake was already sent with different content.")})
    return Registration(item, created=False)


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
    if "grade" in values and values["grade"] not in GRADES:
        errors["grade"] = _l("Choose a condition from A to D.")
    return errors, found


def _validate(session: Session, donation: Donation) -> tuple[Decimal, Decimal, Category, CollectionPoint]:
    errors, found = reference_errors(session, {
        "category_id": donation.category_id, "collection_point_id": donation.collection_point_id,
        "source_id": donation.source_id, "grade": donation.grade})
    category, point = found["category_id"], found["collection_point_id"]

    tare = Decimal(0)
    if donation.container_id is not None:
        container = session.get(Container, donation.container_id)
        if container is None or not container.active:
            errors["container_id"] = _l("This container does not exist.")
        else:
            tare = container.tare_kg
    net = Decimal(donation.weight_kg) - tare
    if abs(net) <= MAX_WEIGHT_KG:
        net = net.quantize(Decimal("0.001"))  # checked as it is stored: 0,0001 kg is 0 kg
    if net <= 0:
        errors["weight_kg"] = (
            _l("The weight must be more than the container's tare.") if tare else _l("The weight must be more than 0 kg.")
        )
    elif net > MAX_WEIGHT_KG:
        errors["weight_kg"] = _l("The weight cannot exceed %(max)s kg.", max=MAX_WEIGHT_KG)
    if errors:
        raise IntakeRejected(errors)
    question = None if donation.weight_confirmed else implausible_weight(category, net)
    if question:
        raise IntakeRejected({"weight_kg": question}, needs_confirmation=("weight_kg",))
    return net, tare, category, point


def _insert(session, donation: Donation, digest: str, net_weight: Decimal, tare: Decimal,
            category: Category, point: CollectionPoint, user: User, *, code: str) -> Item:
    logged_at = donation.logged_at or now_utc()
    photo = donation.photo
    item = Item(
        code=code,
        client_uuid=donation.client_uuid,
        intake_digest=digest,
        category=category,
        brand=donation.brand or None,
        model=donation.model or None,
        serial_number=donation.serial_number or None,
        description=donation.description or None,
        weight_kg=net_weight,
        tare_kg=tare,
        grade=donation.grade,
        source_id=donation.source_id,
        collection_point=point,
        status="received",
        created_by_id=user.id,
        created_at=logged_at,
        status_changed_at=logged_at,
        # Set while the item is new, so that nothing is loaded to find an old one.
        photo=Photo(content=photo.content, width=photo.width, height=photo.height, sha256=photo.sha256)
        if photo else None,
    )
    ItemEvent(
        item=item,
        kind="received",
        to_status="received",
        user_id=user.id,
        collection_point_id=point.id,
        at=logged_at,
        data={"grade": donation.grade, "weight_kg": str(net_weight), "tare_kg": str(tare),
              **({"weight_confirmed": True} if donation.weight_confirmed else {})},
    )
    session.add(item)
    return item
