"""The item's life: which status may follow which, who may move it, and what `ready` needs.

The one place that changes an item's status; pages, the API and bulk actions
all call ``change_status``. Every change writes an ItemEvent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .. import clock
from ..models import Erasure, Item, ItemEvent, User
from ..clock import now_utc
from ..models.item import STATUSES
from ..models.user import WORKSHOP_ROLES
from ..models.outcome import RETURN_REASONS
from ..models.people import REPAIR_OUTCOMES  # the ORDS statuses: a self-repair session's items use them too

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("diagnosing", "to_recycle", "dismantled"),
    # An item that works needs no repair: diagnosing may lead straight to ready.
    "diagnosing": ("repairing", "ready", "to_recycle", "dismantled"),
    "repairing": ("ready", "to_recycle", "dismantled"),
    "ready": ("sold", "handed_over", "to_recycle", "dismantled"),
    "sold": ("returned",),
    "handed_over": ("returned",),
    "returned": ("repairing",),
    # Normally through a recycling batch handed to the eco-organism.
    "to_recycle": ("recycled",),
    "recycled": (),
    "dismantled": (),
    # Only by undoing an intake right after it (``void_intake``), never as a move.
    "voided": (),
}

# Who may move an item *to* each status.
WORKSHOP = set(WORKSHOP_ROLES)
MAY_MOVE_TO: dict[str, set[str]] = {
    "diagnosing": WORKSHOP,
    "repairing": WORKSHOP,
    "ready": WORKSHOP,
    "sold": WORKSHOP,
    "handed_over": WORKSHOP,
    "returned": WORKSHOP,
    # A volunteer at the drop-off may send an obviously dead item to recycling.
    "to_recycle": WORKSHOP | {"volunteer"},
    "recycled": {"coordinator"},
    "dismantled": WORKSHOP,
    "voided": set(),
}

# ORDS 0.3 repair barriers, for items given up.
REPAIR_BARRIERS = ("Spare parts not available", "Spare parts too expensive", "No way to open the product",
                   "Repair information not available", "Lack of equipment", "Item too worn out")
MAX_PROBLEM_LENGTH = 500
DEFAULT_CHECKLIST = ("Test fonctionnel complet",)
DATA_MUST_BE_ERASED_BEFORE = ("ready", "sold", "handed_over")
# Ends that need their own record: the sale (price, channel), the handover (landlord, tenant
# reference, acceptance), the recycling batch (eco-organism, slip). See services/outcomes.py.
NEEDS_OUTCOME = {
    "sold": _l("A sale is recorded with its price and channel: use “Sell”."),
    "handed_over": _l("A handover is recorded with the landlord, the tenant reference and the acceptance: use “Hand over”."),
    "recycled": _l("Items are recycled by closing the recycling batch they are in."),
}

# Moves made from their own form, never from the plain "move it on" one.
HAS_ITS_OWN_FORM = (*NEEDS_OUTCOME, "returned")


class TransitionRefused(Exception):
    """The change cannot be made; ``status`` is the HTTP answer (403 or 409)."""

    def __init__(self, message, *, status: int = 409, allowed: list[str] | None = None, current: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.allowed = allowed or []
        self.current = current


@dataclass(frozen=True)
class Work:
    """What the technician says about a change: all optional."""

    note: str | None = None
    minutes: int | None = None
    parts: str | None = None
    barrier: str | None = None
    reason: str | None = None  # why a sold or handed-over item came back (RETURN_REASONS)
    repair_outcome: str | None = None  # REPAIR_OUTCOMES
    problem: str | None = None  # the fault found, for the ORDS export (no personal data)
    ticket: str | None = None  # the after-sales ticket the change answers (services/aftersales.py)


def allowed_transitions(status: str, role: str) -> list[str]:
    """The statuses this role may move an item to from ``status``."""
    return [target for target in TRANSITIONS.get(status, ()) if role in MAY_MOVE_TO[target]]


def checklist_for(item: Item) -> list[str]:
    category = item.category
    return list(category.checklist or (category.parent.checklist if category.parent else None) or DEFAULT_CHECKLIST)


@dataclass(frozen=True)
class ReleaseState:
    """The checks and erasures that count for the item's next release: those since its last return."""

    checklist: ItemEvent | None  # the latest checklist
    erasures: list[Erasure]  # oldest first; empty for items that hold no data

    @property
    def checklist_passed(self) -> bool:
        return self.checklist is not None and bool((self.checklist.data or {}).get("passed"))

    @property
    def released_by(self) -> Erasure | None:
        """The latest erasure that passed: the one a receipt or a passport names."""
        return next((record for record in reversed(self.erasures) if record.passed), None)


# What counts for the next release is what happened since the item's last return (if it came back): a
# subquery of both statements, built once (their values bound at each call).
_SINCE_LAST_RETURN = (sa.select(sa.func.max(ItemEvent.at))
                      .where(ItemEvent.item_id == sa.bindparam("item_id"), ItemEvent.to_status == "returned")
                      .correlate(None).scalar_subquery())
_LATEST_CHECKLIST = (sa.select(ItemEvent)
                     .where(ItemEvent.item_id == sa.bindparam("item_id"), ItemEvent.kind == "checklist",
                            sa.or_(_SINCE_LAST_RETURN.is_(None), ItemEvent.at >= _SINCE_LAST_RETURN))
                     .order_by(ItemEvent.id.desc()).limit(1))
_ERASURES = (sa.select(Erasure)
             .where(Erasure.item_id == sa.bindparam("item_id"),
                    sa.or_(_SINCE_LAST_RETURN.is_(None), Erasure.performed_at >= _SINCE_LAST_RETURN))
             .order_by(Erasure.id))


def release_state(session: Session, item: Item) -> ReleaseState:
    """Read once what `ready`, a sale or a handover depend on (one query, two for items holding data)."""
    parameters = {"item_id": item.id}
    return ReleaseState(
        checklist=session.scalar(_LATEST_CHECKLIST, parameters),
        erasures=list(session.scalars(_ERASURES, parameters)) if item.category.data_bearing else [],
    )


def erasure_problem(records: list[Erasure]):
    """Why the item's data is not known to be gone, or None (décret 2022-190, NIST SP 800-88)."""
    if not records:
        return _l("Its data has not been erased yet.")
    latest = records[-1]
    if not latest.passed:
        return _l("The last erasure failed its verification: a Purge or Destroy must succeed.")
    if any(not record.passed for record in records) and latest.level == "clear":
        return _l("After a failed erasure, only a Purge or Destroy that passes can release it.")
    return None


def readiness_problems(state: ReleaseState, item: Item, target: str) -> list:
    """What stops the item from reaching ``target``; empty when nothing does."""
    problems = []
    if target == "ready" and not state.checklist_passed:
        problems.append(_l("Its functional checklist has not been passed."))
    if target in DATA_MUST_BE_ERASED_BEFORE and item.category.data_bearing:
        problem = erasure_problem(state.erasures)
        if problem:
            problems.append(problem)
    return problems


def change_status(session: Session, item: Item, target: str, *, user: User, work: Work = Work(),
                  seen_status: str | None = None, collection_point_id: int | None = None,
                  outcome=None, commit: bool = True, release: ReleaseState | None = None) -> ItemEvent:
    """Move the item to ``target``, or raise TransitionRefused. Commits (``commit=False``: flushes, for a
    caller moving several things in one transaction, such as a till basket; a refusal rolls it all back).

    ``seen_status`` is the status the person saw on their screen. The update
    only applies if the item is still there: of two technicians moving it at
    once, one wins and the other is told it moved. ``outcome`` is the sale or
    handover that a move to ``sold`` or ``handed_over`` needs; it is saved in
    the same transaction. ``release``: the item's release state, if the caller has just read it.
    """
    origin = item.status
    if seen_status is not None and seen_status != origin:
        raise _moved(item, user)
    if target not in STATUSES:
        raise TransitionRefused(_l("Unknown status."), status=422)
    allowed = allowed_transitions(origin, user.role)
    if target not in TRANSITIONS.get(origin, ()):
        raise TransitionRefused(_l("An item cannot go from this status to that one."), allowed=allowed, current=origin)
    if user.role not in MAY_MOVE_TO[target]:
        raise TransitionRefused(_l("Your role cannot make this change."), status=403, allowed=allowed, current=origin)
    needs_state = target == "ready" or target in DATA_MUST_BE_ERASED_BEFORE
    problems = readiness_problems(release or release_state(session, item), item, target) if needs_state else []
    if problems:
        raise TransitionRefused(" ".join(str(p) for p in problems), allowed=allowed, current=origin)
    if target in NEEDS_OUTCOME and outcome is None:
        raise TransitionRefused(NEEDS_OUTCOME[target], allowed=allowed, current=origin)
    if work.barrier is not None and work.barrier not in REPAIR_BARRIERS:
        raise TransitionRefused(_l("Unknown repair barrier."), status=422)
    if work.repair_outcome is not None and work.repair_outcome not in REPAIR_OUTCOMES:
        raise TransitionRefused(_l("Unknown repair outcome."), status=422)
    if work.problem is not None and len(work.problem) > MAX_PROBLEM_LENGTH:
        raise TransitionRefused(_l("Describe the problem in at most %(count)s characters.",
                                   count=MAX_PROBLEM_LENGTH), status=422)
    if target == "returned" and work.reason not in RETURN_REASONS:
        raise TransitionRefused(_l("Say why the item came back."), status=422)

    now = now_utc()
    moved = session.execute(
        sa.update(Item).where(Item.id == item.id, Item.status == origin)
        .values(status=target, status_changed_at=now, handled_by_id=user.id, version=Item.version + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        session.rollback()
        session.refresh(item)
        raise _moved(item, user)
    data = {key: value for key, value in (("barrier", work.barrier), ("reason", work.reason),
                                          ("repair_outcome", work.repair_outcome), ("problem", work.problem),
                                          ("ticket", work.ticket))
            if value} or None
    event = ItemEvent(item_id=item.id, kind="status", from_status=origin, to_status=target, note=work.note or None,
                      minutes=work.minutes, parts=work.parts or None, data=data, user_id=user.id,
                      collection_point_id=collection_point_id, at=now)
    session.add(event)
    if outcome is not None:
        session.add_all(outcome if isinstance(outcome, list) else [outcome])
    session.commit() if commit else session.flush()
    # What the update wrote, known to the object without making it dirty (no second UPDATE at the next flush).
    for key, value in (("status", target), ("status_changed_at", now), ("handled_by_id", user.id),
                       ("version", item.version + 1)):
        set_committed_value(item, key, value)
    return event


class UndoRefused(Exception):
    """The intake cannot be undone any more; ``message`` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# The request that undoes an intake may arrive a moment after its button went away.
UNDO_GRACE = timedelta(seconds=5)


def undo_seconds_left(item: Item, user: User, window: timedelta) -> int:
    """How long the person who just logged this item may still undo it (0: not, or no longer)."""
    if item.status != "received" or item.created_by_id != user.id:
        return 0
    return max(0, int((window - (clock.now_utc() - item.created_at)).total_seconds()))


def void_intake(session: Session, item: Item, *, user: User, window: timedelta) -> ItemEvent:
    """Undo an intake made by mistake ("Annuler", right after "Same again"). Commits.

    The item stays, voided, with its story; its code stays in the register, so it is never given
    again. Only its author may, within ``window`` of the intake (and the grace), while nobody has touched it.
    """
    if not undo_seconds_left(item, user, window + UNDO_GRACE):
        raise UndoRefused(_l("This intake can no longer be undone."))
    now = clock.now_utc()
    voided = session.execute(
        sa.update(Item).where(Item.id == item.id, Item.status == "received", Item.version == item.version)
        .values(status="voided", status_changed_at=now, handled_by_id=user.id, version=Item.version + 1)
        .execution_options(synchronize_session=False)
    )
    if voided.rowcount != 1:
        session.rollback()
        raise UndoRefused(_l("This item was changed meanwhile: it can no longer be undone."))
    event = ItemEvent(item_id=item.id, kind="voided", from_status="received", to_status="voided", user_id=user.id,
                      at=now)
    session.add(event)
    session.commit()
    session.refresh(item)
    return event


def _moved(item: Item, user: User) -> TransitionRefused:
    from ..vocabulary import term

    return TransitionRefused(_l("Someone moved this item meanwhile: it is now “%(status)s”.",
                                status=term("status", item.status)),
                             current=item.status, allowed=allowed_transitions(item.status, user.role))


def record_checklist(session: Session, item: Item, results: dict[str, bool], *, user: User,
                     work: Work = Work()) -> ItemEvent:
    """The functional checks of the item's category, each passed or not. Commits."""
    expected = checklist_for(item)
    if set(results) != set(expected):
        raise TransitionRefused(_l("Answer every check of the list."), status=422)
    event = ItemEvent(item_id=item.id, kind="checklist", note=work.note or None, minutes=work.minutes,
                      parts=work.parts or None, user_id=user.id,
                      data={"results": {name: bool(results[name]) for name in expected},
                            "passed": all(results.values())})
    session.add(event)
    session.commit()
    return event


def record_erasure(session: Session, item: Item, *, user: User, level: str, method: str, tool: str,
                   tool_version: str, verification: str, storage_serial: str | None = None,
                   certificate_ref: str | None = None) -> Erasure:
    """A new erasure record; it supersedes the item's previous one, which stays. Commits."""
    previous = session.scalar(sa.select(Erasure).where(Erasure.item_id == item.id)
                              .order_by(Erasure.id.desc()).limit(1))
    erasure = Erasure(item_id=item.id, level=level, method=method, tool=tool, tool_version=tool_version,
                      verification=verification, storage_serial=storage_serial or None,
                      certificate_ref=certificate_ref or None, operator_id=user.id,
                      supersedes_id=previous.id if previous else None)
    session.add(erasure)
    session.flush()
    session.add(ItemEvent(item_id=item.id, kind="erasure", user_id=user.id, at=erasure.performed_at,
                          data={"erasure_id": erasure.id, "level": level, "verification": verification}))
    session.commit()
    return erasure
