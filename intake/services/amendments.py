"""Correcting a logged item: who may, until when, and the trail every correction leaves.

Nothing is overwritten silently: each correction is one "amended" history event naming every field
changed with its old and new value, who made it and when (and, for coordinators, why). Indicators
read the item's current values, so a corrected weight counts from then on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from .. import clock
from ..models import Category, CollectionPoint, Item, ItemEvent, Organisation, RecyclingBatch, User
from .intake import MAX_WEIGHT_KG, reference_errors
from .weights import implausible_weight

# What a correction may change, in the order the trail shows them.
AMENDABLE = ("category_id", "weight_kg", "tare_kg", "grade", "source_id", "collection_point_id",
             "brand", "model", "serial_number", "description")
# Printed on the receipt the buyer or the tenant signed for: frozen once the item has left.
ON_THE_RECEIPT = ("category_id", "brand", "model", "serial_number")
# What a recycling batch handed to the eco-organism declared (stream and weight).
IN_THE_BATCH = ("category_id", "weight_kg", "tare_kg")


class AmendmentRefused(Exception):
    """The correction is not made. ``status``: 403 (who), 409 (the item's state), 412 (stale
    version), 422 (values; ``errors`` maps field -> message)."""

    def __init__(self, message, *, status: int = 422, errors: dict | None = None,
                 needs_confirmation: tuple[str, ...] = ()):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.errors = errors or {}
        self.needs_confirmation = needs_confirmation


@dataclass(frozen=True)
class Amendment:
    """The new values (only the fields to change) and why."""

    changes: dict
    reason: str | None = None
    weight_confirmed: bool = False


def amendment_refusal(user: User, item: Item, author_window: timedelta) -> str | None:
    """Why this person may not correct this item now; None if they may.

    Coordinators may at any time; the person who logged the item, for ``author_window`` after it.
    """
    if item.status == "voided":
        return _l("This intake was undone: it cannot be corrected.")
    if user.role == "coordinator":
        return None
    if item.created_by_id == user.id and clock.now_utc() - item.created_at <= author_window:
        return None
    if item.created_by_id == user.id:
        return _l("The time to correct your own intake is over: ask a coordinator.")
    return _l("Only the person who logged this item, right after, or a coordinator may correct it.")


def amend_item(session: Session, item: Item, amendment: Amendment, *, user: User, author_window: timedelta,
               expected_version: int | None = None) -> ItemEvent | None:
    """Apply the correction and write its trail, or raise AmendmentRefused. Commits.

    ``expected_version`` is the version the person corrected (the API's If-Match, the page's hidden
    field): if the item changed since, nothing is written (412). Returns None when nothing differs.
    """
    refusal = amendment_refusal(user, item, author_window)
    if refusal is not None:
        raise AmendmentRefused(refusal, status=409 if item.status == "voided" else 403)
    if expected_version is not None and expected_version != item.version:
        raise AmendmentRefused(_l("Someone changed this item meanwhile: reload it and correct it again."),
                               status=412)
    unknown = set(amendment.changes) - set(AMENDABLE)
    if unknown:
        raise AmendmentRefused(_l("These fields cannot be corrected: %(fields)s.", fields=", ".join(sorted(unknown))))

    new = _validated(session, item, amendment)
    changes = [(name, getattr(item, name), new[name]) for name in AMENDABLE
               if name in new and getattr(item, name) != new[name]]
    if not changes:
        return None
    _refuse_what_has_left(session, item, [name for name, _old, _new in changes])
    if user.role == "coordinator" and not (amendment.reason or "").strip():
        raise AmendmentRefused(_l("Say why you correct this item."), errors={"reason": _l("Say why you correct this item.")})

    now = clock.now_utc()
    updated = session.execute(
        sa.update(Item).where(Item.id == item.id, Item.version == item.version)
        .values(**dict((name, value) for name, _old, value in changes), amended_at=now, version=Item.version + 1)
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        session.rollback()
        raise AmendmentRefused(_l("Someone changed this item meanwhile: reload it and correct it again."),
                               status=412)
    data = {"changes": [_trail_line(session, name, old, value) for name, old, value in changes]}
    if amendment.weight_confirmed and "weight_kg" in new:
        data["weight_confirmed"] = True
    event = ItemEvent(item_id=item.id, kind="amended", note=(amendment.reason or "").strip() or None,
                      user_id=user.id, at=now, data=data)
    session.add(event)
    session.commit()
    session.refresh(item)
    return event


def _validated(session: Session, item: Item, amendment: Amendment) -> dict:
    """The requested values, checked as intake checks them; the net weight follows a changed tare."""
    values = dict(amendment.changes)
    for name in ("brand", "model", "serial_number", "description"):
        if name in values:
            values[name] = (values[name] or "").strip() or None
    # References are checked as intake checks them, but only those that change: an item may keep a
    # category or point that has been retired since.
    changing = {name: value for name, value in values.items() if value != getattr(item, name)}
    errors, found = reference_errors(session, changing)
    category = found.get("category_id") or item.category
    if "tare_kg" in values:
        tare = Decimal(values["tare_kg"])
        if tare < 0 or tare > MAX_WEIGHT_KG:
            errors["tare_kg"] = _l("The tare is between 0 and %(max)s kg.", max=MAX_WEIGHT_KG)
        elif Decimal(values.get("weight_kg", item.weight_kg)) == item.weight_kg:
            # The scale said net + tare: a corrected tare changes the net weight, not the reading.
            values["weight_kg"] = item.weight_kg + item.tare_kg - tare
        values["tare_kg"] = tare.quantize(Decimal("0.001"))
    if "weight_kg" in values and "weight_kg" not in errors:
        weight = Decimal(values["weight_kg"])
        if weight <= 0:
            errors["weight_kg"] = _l("The weight must be more than 0 kg.")
        elif weight > MAX_WEIGHT_KG:
            errors["weight_kg"] = _l("The weight cannot exceed %(max)s kg.", max=MAX_WEIGHT_KG)
        values["weight_kg"] = weight.quantize(Decimal("0.001"))
    if errors:
        raise AmendmentRefused(_l("The item was not corrected."), errors=errors)

    weight_changes = "weight_kg" in values and values["weight_kg"] != item.weight_kg
    if (weight_changes or category is not item.category) and not amendment.weight_confirmed:
        question = implausible_weight(category, values.get("weight_kg", item.weight_kg))
        if question:
            raise AmendmentRefused(question, errors={"weight_kg": question}, needs_confirmation=("weight_kg",))
    return values


def _refuse_what_has_left(session: Session, item: Item, fields: list[str]) -> None:
    """A receipt was signed, or a batch declared to the eco-organism: what they state stays."""
    if item.status in ("sold", "handed_over"):
        frozen = [name for name in fields if name in ON_THE_RECEIPT]
        if frozen:
            raise AmendmentRefused(
                _l("This item has left with a signed receipt: its %(fields)s can no longer change.",
                   fields=_field_names(frozen)), status=409)
    if item.recycling_batch_id is not None:
        closed = session.scalar(sa.select(RecyclingBatch.state).where(RecyclingBatch.id == item.recycling_batch_id))
        frozen = [name for name in fields if name in IN_THE_BATCH]
        if closed == "closed" and frozen:
            raise AmendmentRefused(
                _l("This item was handed to the eco-organism in a closed batch: its %(fields)s can no longer change.",
                   fields=_field_names(frozen)), status=409)


def _field_names(fields: list[str]) -> str:
    from ..vocabulary import term

    return ", ".join(term("item_field", name).lower() for name in fields)


def _trail_line(session: Session, name: str, old, new) -> dict:
    """One changed field, with the names of the things an id points to as they were then."""
    line = {"field": name, "old": _plain(old), "new": _plain(new)}
    model = {"category_id": Category, "source_id": Organisation, "collection_point_id": CollectionPoint}.get(name)
    if model is not None:
        line["old_label"] = _name_of(session, model, old)
        line["new_label"] = _name_of(session, model, new)
    return line


def _plain(value):
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


def _name_of(session: Session, model, key) -> str | None:
    return None if key is None else session.scalar(sa.select(model.name).where(model.id == key))
