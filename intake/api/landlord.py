"""The landlord's JSON API: the same allowlisted rows as its portal, every look logged."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from ..extensions import db, limiter
from ..services import landlord as landlord_view
from ..web.requests import rate_limit_key

bp = Blueprint("landlord_api", __name__, url_prefix="/api/v1/landlord",
               description="A social landlord's own handovers, from every structure it works with (read only).")
# One limit per account with the portal (see landlord/routes.py): each look is written to the access log.
limiter.shared_limit(lambda: current_app.config["LANDLORD_RATE_LIMIT"], scope="landlord",
                     key_func=rate_limit_key)(bp)
MAX_PAGE = 500
RATE_LIMITED = "Too many looks lately from this account (LANDLORD_RATE_LIMIT): try again in a minute."


class SessionSchema(Schema):
    topic = fields.String()
    partner = fields.String(allow_none=True)
    planned_on = fields.Date()
    attended_on = fields.Date(allow_none=True)


class HandoverListArgs(Schema):
    residence = fields.String(load_default=None, metadata={"description": "Only this residence's handovers."})
    after = fields.String(load_default=None, metadata={
        "description": "Where the previous page ended: the `after` of its `Link: <…>; rel=\"next\"` header."})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PAGE),
                           metadata={"description": f"Handovers per page (at most {MAX_PAGE})."})


class LandlordHandoverSchema(Schema):
    """Only these fields ever reach a landlord: no donor, note, technician, price or tenant name."""

    handover_id = fields.Integer()
    residence = fields.String()
    tenant_ref = fields.String()
    code = fields.String()
    category = fields.String()
    brand = fields.String(allow_none=True)
    model = fields.String(allow_none=True)
    handed_on = fields.Date()
    warranty_until = fields.Date(allow_none=True)
    erasure_level = fields.String(allow_none=True)
    erasure_certificate_ref = fields.String(allow_none=True)
    sessions = fields.List(fields.Nested(SessionSchema))
    returned_on = fields.Date(allow_none=True)
    return_reason = fields.String(allow_none=True)
    structure = fields.String(allow_none=True, metadata={"description": "The structure that handed it over."})


@bp.before_request
def require_landlord():
    # Read only: no CSRF to check. Staff use the items API.
    if not current_user.is_authenticated:
        abort(401, message="Sign in, or send 'Authorization: Bearer <token>'.")
    if current_user.role != "landlord":
        abort(403, message="Only social landlord accounts use this API.")


@bp.route("/handovers")
@bp.arguments(HandoverListArgs, location="query", as_kwargs=True)
@bp.response(200, LandlordHandoverSchema(many=True), headers={"Link": {
    "description": 'The next page, as `<URL>; rel="next"`, while there is one.', "schema": {"type": "string"}}})
@bp.alt_response(429, description=RATE_LIMITED)
def list_handovers(residence, after, limit):
    """The landlord's handovers, newest first, a page at a time (follow the Link header)."""
    page = landlord_view.listed_for(db.session, current_user, residence, route=request.path, after=after, size=limit)
    headers = {}
    if page.next_after:
        following = url_for("landlord_api.list_handovers", residence=residence, after=page.next_after, limit=limit)
        headers["Link"] = f'<{following}>; rel="next"'
    return page.rows, headers


@bp.route("/handovers/<int:handover_id>")
@bp.response(200, LandlordHandoverSchema)
@bp.alt_response(429, description=RATE_LIMITED)
def get_handover(handover_id: int):
    """One of this landlord's handovers; any other is 404 (and logged)."""
    found = landlord_view.own_handover(db.session, current_user, handover_id, route=request.path)
    if found is None:
        abort(404, message="No such handover.")
    return found[1]
