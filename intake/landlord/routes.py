"""The landlord's portal: its own tenants' devices, from every structure it works with, a CSV of them, the
receipts; every look logged.

Any other landlord's handover, by page or guessed id, is a 404 and is logged.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import scoping
from ..extensions import db, limiter
from ..services import aftersales
from ..services import landlord as landlord_view
from ..services.exports import csv_text
from ..vocabulary import term
from ..web.access import roles_required
from ..web.downloads import csv_response, handover_receipt_response
from ..web.requests import rate_limit_key
from .forms import FaultForm

bp = Blueprint("landlord", __name__, url_prefix="/landlord")
# The portal and the landlord API share one limit per account: each look is written to the access log.
limiter.shared_limit(lambda: current_app.config["LANDLORD_RATE_LIMIT"], scope="landlord",
                     key_func=rate_limit_key)(bp)

# The export's column headers, in the landlord's language.
EXPORT_HEADER = {
    "handover_id": _l("Handover no."), "residence": _l("Residence"), "tenant_ref": _l("Tenant reference"),
    "code": _l("Item code"), "category": _l("Category"), "brand": _l("Brand"), "model": _l("Model"),
    "handed_on": _l("Handed over on"), "warranty_until": _l("Warranty until"), "erasure_level": _l("Erasure level"),
    "erasure_certificate_ref": _l("Certificate reference"), "sessions_planned": _l("Sessions planned"),
    "sessions_attended": _l("Sessions attended"), "returned_on": _l("Returned on"),
    "return_reason": _l("Return reason"), "structure": _l("Handed over by"),
}


@bp.route("/")
@roles_required("landlord")
def home():
    """Devices handed to the landlord's tenants, by residence and tenant reference."""
    residence = request.args.get("residence") or None
    page = landlord_view.listed_for(db.session, current_user, residence, route=request.path,
                                    after=request.args.get("after"), size=landlord_view.PORTAL_PAGE_SIZE)
    return render_template("landlord/home.html", page=page, rows=page.rows, residence=residence,
                           residences=landlord_view.residences(db.session, current_user))


def _own(handover_id: int) -> tuple:
    found = landlord_view.own_handover(db.session, current_user, handover_id, route=request.path)
    if found is None:
        abort(404)
    return found


@bp.route("/handovers/<int:handover_id>")
@roles_required("landlord")
def handover(handover_id: int):
    _, row = _own(handover_id)
    return render_template("landlord/handover.html", row=row, fault_form=FaultForm(),
                           tickets=aftersales.landlord_tickets(db.session, current_user, handover_id=handover_id))


@bp.route("/handovers/<int:handover_id>/receipt.pdf")
@roles_required("landlord")
def receipt(handover_id: int):
    record, row = _own(handover_id)
    with scoping.scoped_to(record.structure_id):  # in the name of the structure that handed it over
        return handover_receipt_response(record, row)


@bp.route("/export.csv")
@roles_required("landlord")
def export():
    """The same rows as the portal, with the same fields, for a spreadsheet."""
    rows = landlord_view.listed_for(db.session, current_user, request.args.get("residence"), route=request.path).rows
    fields = landlord_view.LANDLORD_FIELDS
    lines = [[term("erasure_level", row[name]) if name == "erasure_level"
              else term("return_reason", row[name]) if name == "return_reason" else row[name]
              for name in fields] for row in rows]
    header = [EXPORT_HEADER[name] for name in fields]
    return csv_response(csv_text(header, lines), "remises.csv")
