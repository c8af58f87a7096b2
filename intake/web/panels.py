"""The workshop panel of an item's page, shared by the item page and the workshop's own pages."""

from __future__ import annotations

from functools import lru_cache

from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from .. import language
from ..extensions import db
from ..models import Item
from ..services import status as machine
from ..services.workshop import workshop_panel
from ..vocabulary import term


@lru_cache(maxsize=256)
def _named(kind: str, codes: tuple[str, ...], locale: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of each code, named in ``locale`` (the request's: translations do not change while the
    app runs), worked out once per language."""
    return tuple((code, term(kind, code)) for code in codes)


def workshop_context(item: Item) -> dict:
    """The template's values for the panel: the service's panel, named in the user's language."""
    panel = workshop_panel(db.session, item, current_user.role)
    locale = language.locale_name()
    return {
        # The page writes the form itself (change_status validates it with TransitionForm). Sales,
        # handovers, returns and recycling have forms of their own: they need more than a note.
        "moves": [SelectChoice(code, name) for code, name in _named("status", tuple(panel.moves), locale)],
        "barriers": _named("barrier", machine.REPAIR_BARRIERS, locale),
        "repair_outcomes": _named("repair_outcome", machine.REPAIR_OUTCOMES, locale),
        "latest_checklist": panel.release.checklist if panel.release else None,
        "erasures": panel.release.erasures if panel.release else [],
        "ready_problems": panel.ready_problems,
        "exits": panel.exits,
        "outcome": panel.outcome,
        "data_erased_by": panel.data_erased_by,
    }
