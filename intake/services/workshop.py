"""What an item's page offers to move it on: its allowed moves, what `ready` still needs, how it left."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..models import Erasure, Item
from . import status as machine
from .outcomes import latest_outcome

# The roles that work on items in the workshop (diagnose, repair, erase, sell, hand over).
WORKSHOP_ROLES = ("technician", "coordinator")


@dataclass(frozen=True)
class WorkshopPanel:
    moves: list[str]  # statuses reached through the plain "move it on" form
    exits: list[str]  # statuses that have a form of their own (sale, handover, return, recycling)
    release: machine.ReleaseState | None  # checklist and erasures, read once
    ready_problems: list  # why the item cannot be `ready` yet, if that is a move on offer
    outcome: object | None  # the sale or handover of an item that left
    data_erased_by: Erasure | None  # the erasure that makes its data known to be gone (since its last return)


def workshop_panel(session: Session, item: Item, role: str) -> WorkshopPanel:
    """Everything the item page needs to move the item on, in a fixed number of queries."""
    allowed = machine.allowed_transitions(item.status, role)
    needs_state = role in WORKSHOP_ROLES or "ready" in allowed or item.category.data_bearing
    state = machine.release_state(session, item) if needs_state else None
    return WorkshopPanel(
        moves=[target for target in allowed if target not in machine.HAS_ITS_OWN_FORM],
        exits=[target for target in allowed if target in machine.HAS_ITS_OWN_FORM],
        release=state,
        ready_problems=machine.readiness_problems(state, item, "ready") if "ready" in allowed else [],
        outcome=latest_outcome(session, item) if item.status in ("sold", "handed_over") else None,
        data_erased_by=state.released_by if state and not machine.erasure_problem(state.erasures) else None,
    )
