"""The indicators page: per supply source, reuse versus recycling, sold, handed over, returns."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from sqlalchemy.orm import joinedload

from ..auth.identity import roles_required
from ..clock import local_today
from .. import inputs
from ..extensions import db
from ..models import LandlordAccess
from ..services.indicators import intake_by_source, outcomes_by_kind

bp = Blueprint("reports", __name__)
# One partner bringing more than this share of the flow is a dependency risk (the seed's "diversifier").
DEPENDENCY_SHARE = 0.5


@bp.route("/indicators")
@roles_required("coordinator")
def indicators():
    year = request.args.get("year", type=inputs.year) or local_today().year
    sources = intake_by_source(db.session, year)
    dependent = next((row for row in sources if row["source"] and row["share"] and row["share"] > DEPENDENCY_SHARE),
                     None)
    return render_template("reports/indicators.html", year=year, outcomes=outcomes_by_kind(db.session, year),
                           sources=sources, dependent=dependent)


@bp.route("/landlord-access")
@roles_required("coordinator")
def landlord_access():
    """Every look of a landlord account at a handover, an item or a list: granted or refused, newest first."""
    query = (sa.select(LandlordAccess).options(joinedload(LandlordAccess.user), joinedload(LandlordAccess.organisation))
             .order_by(LandlordAccess.id.desc()))
    if request.args.get("refused") == "1":
        query = query.where(LandlordAccess.granted.is_(False))
    page = db.paginate(query, page=request.args.get("page", 1, type=inputs.record_id), per_page=100, error_out=False)
    return render_template("reports/landlord_access.html", page=page, refused=request.args.get("refused") == "1")
