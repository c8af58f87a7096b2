"""The workshop panel of an item's page, shared by the item page and the workshop's own pages."""

from __future__ import annotations

from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..models import Item
from ..services import status as machine
from ..services.workshop import workshop_panel
from ..vocabulary import term


def workshop_context(item: Item) -> dict:
    """The template's values for the panel: the service's panel, named in the user's language."""
    panel = workshop_panel(db.session, item, current_user.role)
    return {
        # The page writes the form itself (change_status validates it with TransitionForm). Sales,
        # handovers, returns and recycling have forms of their own: they need more than a note.
        "moves": [SelectChoice(target, term("status", target)) for target in panel.moves],
        "barriers": [(code, term("barrier", code)) for code in machine.REPAIR_BARRIERS],
        "repair_outcomes": [(code, term("repair_outcome", code)) for code in machine.REPAIR_OUTCOMES],
        "latest_checklist": panel.release.checklist if panel.release else None,
        "erasures": panel.release.erasures if panel.release else [],
        "ready_problems": panel.ready_problems,
        "exits": panel.exits,
        "outcome": panel.outcome,
        "data_erased_by": panel.data_erased_by,
    }
