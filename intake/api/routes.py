"""The JSON API under /api/v1: session auth with a CSRF header for the PWA, bearer tokens for scripts."""

from __future__ import annotations

from flask import current_app, jsonify, make_response, request
from werkzeug.http import HTTP_STATUS_CODES
from flask_login import current_user
from flask_smorest import Blueprint, abort

from ..web.access import read_only_token, token_request
from ..extensions import api, csrf, db, limiter
from ..inputs import record_id
from ..models.user import STAFF_ROLES
from ..services import items as item_queries
from ..services.catalogue import active_containers, intake_categories, open_points
from ..services.partners import active_organisations
from ..services.code_register import reserve_codes
from ..services.intake import Donation, IntakeRejected, register_donation
from ..services import amendments
from ..services.status import TransitionRefused, Work, change_status
from ..web.settings import amendment_window
from .schemas import (
    AmendmentSchema,
    BatchDonationSchema,
    BatchSchema,
    CategorySchema,
    CodeBlockRequestSchema,
    CodeBlockSchema,
    CollectionPointSchema,
    ContainerSchema,
    DonationSchema,
    ItemSchema,
    ItemWithHistorySchema,
    OrganisationSchema,
    TransitionSchema,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Items, and the lists the intake form needs.")


def register_api(app) -> None:
    # The API does its own CSRF check below: required with a session cookie,
    # pointless with a bearer token, which no other site can make a browser send.
    from .landlord import bp as landlord_bp

    csrf.exempt(bp)
    csrf.exempt(landlord_bp)
    api.register_blueprint(bp)
    api.register_blueprint(landlord_bp)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "session"})
    for name in ("api", "landlord_api"):
        app.login_manager.blueprint_login_views[name] = None  # 401, not a redirect to the sign-in page


@bp.before_request
def require_staff():
    if not current_user.is_authenticated:
        abort(401, message="Sign in, or send 'Authorization: Bearer <token>'.")
    # Authenticated either by a token (the cookie ignored: see identity.token_request) or by the
    # session cookie, whose writes need the CSRF header.
    writes = request.method not in ("GET", "HEAD", "OPTIONS")
    if not token_request() and writes:
        csrf.protect()
    if current_user.role not in STAFF_ROLES:
        abort(403, message="This account cannot use the items API.")
    if writes and read_only_token():
        abort(403, message="This token may only read.")
    if writes and not isinstance(request.get_json(silent=True), dict):
        # Every write says what it wants: no body is not "the defaults".
        abort(422, message="Send a JSON object.", errors={"json": {"_schema": ["Send a JSON object."]}})


@bp.route("/items", methods=["POST"])
@bp.arguments(DonationSchema)
@bp.response(201, ItemSchema, description="The item was created.")
@bp.alt_response(200, schema=ItemSchema, description="This client_uuid was already registered with the same content.")
def create_item(values):
    """Register a donated item (idempotent on client_uuid)."""
    registration, status = _registered(values)
    return registration.item, status


def _registered(values: dict):
    try:
        registration = register_donation(db.session, Donation(**values), user=current_user)
    except IntakeRejected as rejected:
        abort(422, message="Nothing was registered.",
              errors={"json": {field: [str(message)] for field, message in rejected.errors.items()}})
    return registration, 201 if registration.created else 200


@bp.route("/items/batch", methods=["POST"])
@bp.arguments(BatchDonationSchema)
@bp.response(201, BatchSchema, description="The items were created, all of them.")
@bp.alt_response(200, schema=BatchSchema, description="This client_uuid was already registered with the same content.")
def create_items(values):
    """Register many identical items at once, each with its own code (all or nothing; idempotent on
    client_uuid)."""
    return _registered(values)


@bp.route("/items/<code>")
@bp.response(200, ItemWithHistorySchema, headers={"ETag": {"description": "The item's version.",
                                                            "schema": {"type": "string"}}})
def get_item(code):
    """One item with its whole history, oldest event first."""
    item = item_queries.item_page(db.session, code)
    if item is None:
        abort(404, message="No item with this code.")
    return item, {"ETag": _etag(item)}


def _etag(item) -> str:
    return f'"{item.version}"'


@bp.route("/items/<code>", methods=["PATCH"])
@bp.arguments(AmendmentSchema)
@bp.response(200, ItemWithHistorySchema, description="Corrected; the history holds the correction.")
@bp.alt_response(403, description="Only its author, shortly after intake, or a coordinator may correct an item.")
@bp.alt_response(409, description="The item's state forbids this correction (a signed receipt, a closed batch).")
@bp.alt_response(412, description="If-Match is not the item's current ETag: it changed meanwhile.")
@bp.alt_response(428, description="If-Match is missing.")
def amend_item(values, code):
    """Correct a logged item's intake fields (If-Match: its ETag)."""
    item = _item_or_404(code)
    if not request.if_match:
        abort(428, message="Send the item's ETag as If-Match.")
    expected = next(iter(request.if_match.as_set()), None) if not request.if_match.star_tag else str(item.version)
    reason, confirmed = values.pop("reason"), values.pop("weight_confirmed")
    try:
        amendments.amend_item(db.session, item, amendments.Amendment(values, reason, confirmed), user=current_user,
                              author_window=amendment_window(), expected_version=_version(expected))
    except amendments.AmendmentRefused as refused:
        abort(refused.status, message=str(refused.message),
              errors={"json": {field: [str(message)] for field, message in refused.errors.items()}}
              if refused.errors else None)
    item = item_queries.item_page(db.session, item.code)
    return item, {"ETag": _etag(item)}


def _item_or_404(code: str):
    item = item_queries.find_item(db.session, code)
    if item is None:
        abort(404, message="No item with this code.")
    return item


def _version(tag: str | None) -> int:
    """The version an If-Match names; -1 (never current) for anything else."""
    return int(tag) if tag and tag.isdigit() and len(tag) < 10 else -1


@bp.route("/items/<code>/transitions", methods=["POST"])
@bp.arguments(TransitionSchema)
@bp.response(200, ItemWithHistorySchema, description="The item moved; its history includes the change.")
@bp.alt_response(409, description="Not from this status (the allowed ones are named), or the item moved meanwhile.")
@bp.alt_response(403, description="This role cannot make this change.")
def transition_item(values, code):
    """Move an item to another status (the item's life is one state machine)."""
    item = _item_or_404(code)
    seen = values.pop("seen_status")
    target = values.pop("to")
    try:
        change_status(db.session, item, target, user=current_user, work=Work(**values), seen_status=seen)
    except TransitionRefused as refused:
        # The body names where the item is and where this user may move it from there.
        return make_response(jsonify(code=refused.status, status=HTTP_STATUS_CODES[refused.status],
                                     message=str(refused.message), current=refused.current,
                                     allowed=refused.allowed), refused.status)
    return item_queries.item_page(db.session, item.code)


def _code_block_limit() -> str:
    return current_app.config["CODE_BLOCK_RATE_LIMIT"]


def _per_user() -> str:
    return f"user:{current_user.id}"


@bp.route("/code-blocks", methods=["POST"])
@limiter.limit(_code_block_limit, key_func=_per_user)
@bp.arguments(CodeBlockRequestSchema)
@bp.alt_response(429, description="Too many blocks asked for lately (CODE_BLOCK_RATE_LIMIT): try later.")
@bp.response(201, CodeBlockSchema, description="Codes reserved in the register for this device.")
def reserve_code_block(values):
    """Reserve a few codes for a phone to give items logged with no network (never given twice)."""
    codes = reserve_codes(db.session, values["count"], batch=f"device-{current_user.id}"[:16], user=current_user)
    return {"codes": codes}


@bp.route("/categories")
@bp.response(200, CategorySchema(many=True))
def list_categories():
    """Categories offered at intake, the most used at ?collection_point_id= first."""
    return intake_categories(db.session, request.args.get("collection_point_id", type=record_id))


@bp.route("/collection-points")
@bp.response(200, CollectionPointSchema(many=True))
def list_collection_points():
    """Open collection points."""
    return open_points(db.session)


@bp.route("/organisations")
@bp.response(200, OrganisationSchema(many=True))
def list_organisations():
    """Active partners, to choose the supply source."""
    return active_organisations(db.session)


@bp.route("/containers")
@bp.response(200, ContainerSchema(many=True))
def list_containers():
    """Containers whose tare is taken off the scale reading."""
    return active_containers(db.session)
