"""The eco-organism's portal: the batches it took away and the tonnage collected, per structure and per
stream, over a period; the same rows as a CSV. Nothing else of any structure (services/eco_organism.py)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..clock import local_today
from ..extensions import db
from ..services import eco_organism
from ..services.exports import csv_text
from ..vocabulary import term
from ..web.access import roles_required
from ..web.downloads import csv_response

bp = Blueprint("eco", __name__, url_prefix="/eco")

# The export's column headers, in the eco-organism's language.
EXPORT_HEADER = {
    "structure": _l("Handed over by"), "pickup_on": _l("Pickup date"), "stream": _l("Stream"),
    "waste_code": _l("Waste code"), "slip_number": _l("Tracking slip"), "weight_kg": _l("Weight (kg)"),
    "weighed": _l("Weighed at pickup"),
}


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _period() -> tuple[date, date]:
    """From ``start`` to ``end`` (ISO dates) in the URL; by default this year to today."""
    today = local_today()
    start, end = _day("start") or date(today.year, 1, 1), _day("end") or today
    return (end, start) if end < start else (start, end)


@bp.route("/")
@roles_required("eco_organism")
def home():
    """The batches handed to the eco-organism over the period, and the tonnage per structure and stream."""
    start, end = _period()
    return render_template("eco/home.html", start=start, end=end,
                           collected=eco_organism.collected(db.session, current_user, start, end))


@bp.route("/export.csv")
@roles_required("eco_organism")
def export():
    """The same batches as the portal, with the same fields, for a spreadsheet."""
    start, end = _period()
    rows = eco_organism.collected(db.session, current_user, start, end).rows
    lines = [[term("batch_stream", row[name]) if name == "stream"
              else (_("yes") if row[name] else _("no")) if name == "weighed" else row[name]
              for name in eco_organism.ECO_FIELDS] for row in rows]
    return csv_response(csv_text([EXPORT_HEADER[name] for name in eco_organism.ECO_FIELDS], lines),
                        f"enlevements-{start}-{end}.csv")
