"""Intake at the drop-off point, the item page behind every label, and its photo."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..web.access import roles_required
from .. import clock
from ..extensions import db, limiter
from ..formfields import attach_errors
from ..models import CollectionPoint, Item
from ..models.user import STAFF_ROLES
from ..services import items as item_queries
from ..services import landlord as landlord_view
from ..services.amendments import Amendment, AmendmentRefused, amend_item, amendment_refusal
from ..services.catalogue import (active_containers, correctable_categories, intake_categories, open_points,
                                  set_tile_order)
from ..services.partners import active_organisations
from ..services.status import UndoRefused, undo_seconds_left, void_intake
from ..web.requests import limit_from_setting, signed_in
from ..web.settings import amendment_window, undo_window
from ..services.codes import normalize_code
from ..services.intake import QUANTITY_ASK_ABOVE, Donation, IntakeRejected, register_donation
from ..services.passport import public_passport, structure_to_open
from ..services.weights import plausible_range
from ..services.photos import PhotoRejected, attach_photo, encode_photo
from ..web.today import POINT_KEY, SOURCE_KEY, current_point, intake_point
from .uploads import read_oversized_intake, refuse_oversized
from ..web.panels import workshop_context
from ..web.urls import item_url_base
from .forms import PRIVATE_DONOR, AmendForm, IntakeForm, PhotoForm, SameAgainForm, SearchForm, SetupForm, TileOrderForm

bp = Blueprint("items", __name__)
bp.url_value_preprocessor(read_oversized_intake)  # a photo over the limit keeps the typed form
# The search's "source" for private donors (sources are otherwise organisation ids).
PRIVATE_SOURCE = "private"
# The item page shows the latest lines of its story and links to the rest.
HISTORY_ON_ITEM_PAGE = 10


def _source_choices() -> list[SelectChoice]:
    return [SelectChoice(PRIVATE_DONOR, _("Private donor"))] + [
        SelectChoice(organisation.id, organisation.name) for organisation in active_organisations(db.session)]


@bp.route("/intake/setup", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def setup():
    """Choose today's collection point and usual source once; kept for the session."""
    form = SetupForm(collection_point_id=session.get(POINT_KEY), source_id=session.get(SOURCE_KEY, PRIVATE_DONOR))
    form.collection_point_id.choices = [SelectChoice(p.id, p.name) for p in open_points(db.session)]
    form.source_id.choices = _source_choices()
    if form.validate_on_submit():
        session[POINT_KEY] = form.collection_point_id.data
        session[SOURCE_KEY] = form.source_id.data
        return redirect(url_for("items.intake"))
    return render_template("items/setup.html", form=form)


@bp.route("/intake/tiles/<int:point_id>", methods=["GET", "POST"])
@roles_required("coordinator")
def tiles(point_id: int):
    """The order of a collection point's intake tiles: volunteers tap by position."""
    point = db.get_or_404(CollectionPoint, point_id)
    form = TileOrderForm(most_used_first=point.most_used_first)
    categories = intake_categories(db.session, point.id)
    if form.validate_on_submit():
        set_tile_order(db.session, point, form.ordered_ids(request.form, [c.id for c in categories]),
                       most_used_first=form.most_used_first.data)
        flash(_("The tiles of %(point)s are in their new order.", point=point.name), "success")
        return redirect(url_for("items.tiles", point_id=point.id))
    return render_template("items/tiles.html", form=form, point=point, categories=categories,
                           points=open_points(db.session))


@bp.route("/intake", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def intake():
    """Log one donated item: category, weight, condition, and a photo if wanted."""
    point = intake_point()
    if point is None:
        return redirect(url_for("items.setup"))
    form = IntakeForm(source_id=session.get(SOURCE_KEY, PRIVATE_DONOR))
    categories = intake_categories(db.session, point.id)
    containers = active_containers(db.session)
    form.category_id.choices = [SelectChoice(c.id, c.name) for c in categories]
    form.container_id.choices = [SelectChoice(0, _("None"))] + [SelectChoice(c.id, c.name) for c in containers]
    form.source_id.choices = _source_choices()
    if request.method == "GET":
        form.client_uuid.data = str(uuid.uuid4())

    ask_weight = ask_quantity = False
    if form.validate_on_submit():
        try:
            photo = _encoded_photo(form.photo.data)
            donation = Donation(
                client_uuid=uuid.UUID(form.client_uuid.data),
                category_id=form.category_id.data,
                weight_kg=form.weight_kg.data,
                container_id=form.container_id.data or None,
                grade=form.grade.data,
                collection_point_id=point.id,
                source_id=form.source_id.data or None,
                brand=form.brand.data,
                model=form.model.data,
                serial_number=form.serial_number.data,
                description=form.description.data,
                code=form.code.data or None,
                photo=photo,
                weight_confirmed=form.weight_confirmed.data,
                quantity=form.quantity.data or 1,
                weight_per=form.weight_per.data or "item",
                quantity_confirmed=form.quantity_confirmed.data,
            )
            registration = register_donation(db.session, donation, user=current_user)
        except PhotoRejected as rejected:
            form.photo.errors = [str(rejected.message)]
        except IntakeRejected as rejected:
            attach_errors(form, rejected.errors)
            ask_weight = "weight_kg" in rejected.needs_confirmation
            ask_quantity = "quantity" in rejected.needs_confirmation
        else:
            return _saved(_registered(registration))
    status = 422 if form.errors else 200
    usual_source = next((c.label for c in form.source_id.choices if c.value == session.get(SOURCE_KEY, PRIVATE_DONOR)), "")
    return render_template("items/intake.html", form=form, point=point, categories=categories,
                           ranges={c.id: plausible_range(c) for c in categories}, ask_weight=ask_weight,
                           ask_quantity=ask_quantity, quantity_ask_above=QUANTITY_ASK_ABOVE,
                           containers=containers, usual_source=usual_source, base_url=item_url_base()), status


def _registered(registration) -> str:
    """Say what was saved; where to go next: the item, or the labels of many to print as one job."""
    items = registration.items
    if len(items) == 1:
        if registration.created:
            flash(_("Item %(code)s saved.", code=items[0].code), "success")
        return url_for("items.show", code=items[0].code)
    if registration.created:
        flash(_("%(count)s items saved, %(first)s to %(last)s: print their labels.", count=len(items),
                first=items[0].code, last=items[-1].code), "success")
    return url_for("printing.batch", codes=" ".join(item.code for item in items))


def _from_page_script() -> bool:
    """Sent by the intake page's own script (which keeps a failed send on the phone): it wants JSON,
    not a redirect, so that the "saved" message waits for the next page."""
    return request.headers.get("X-Intake-Submit") == "1"


def _saved(location: str):
    """Where to go next after saving."""
    return jsonify(location=location) if _from_page_script() else redirect(location)


def _encoded_photo(upload):
    if not upload or not upload.filename:
        return None
    refuse_oversized(upload)
    return encode_photo(upload.read(), max_pixels=current_app.config["PHOTO_MAX_PIXELS"],
                        quality=current_app.config["PHOTO_JPEG_QUALITY"])


@bp.route("/i/<code>/again", methods=["POST"])
@roles_required(*STAFF_ROLES)
def same_again(code: str):
    """Log another item like this one (a batch of ten phones from one operator)."""
    model = _item_or_404(code)
    form = SameAgainForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        registration = register_donation(db.session, item_queries.donation_like(model, uuid.UUID(form.client_uuid.data)),
                                         user=current_user)
    except IntakeRejected as rejected:
        for message in rejected.errors.values():
            flash(str(message), "error")
        return redirect(url_for("items.show", code=model.code))
    if registration.created:
        flash(_("Item %(code)s saved, a copy of %(model)s: %(what)s.", code=registration.item.code,
                model=model.code, what=item_queries.copy_summary(model)), "success")
    return redirect(url_for("items.show", code=registration.item.code))


@bp.route("/i/<code>/undo", methods=["POST"])
@roles_required(*STAFF_ROLES)
def undo(code: str):
    """Undo an intake made a moment ago by mistake: the item is voided, its code never given again."""
    item = _item_or_404(code)  # CSRFProtect checks the form's token before this runs
    try:
        void_intake(db.session, item, user=current_user, window=undo_window())
    except UndoRefused as refused:
        flash(str(refused.message), "error")
        return redirect(url_for("items.show", code=item.code))
    flash(_("Intake of %(code)s undone: this code will never be used again.", code=item.code), "success")
    return redirect(url_for("items.intake"))


@bp.route("/i/<code>/correct", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def correct(code: str):
    """Correct a logged item's intake fields; the history keeps what it was."""
    item = item_queries.item_page(db.session, code, whole_history=False) or abort(404)
    refusal = amendment_refusal(current_user, item, amendment_window())
    if refusal is not None:
        flash(str(refusal), "error")
        return redirect(url_for("items.show", code=item.code))
    form = AmendForm.of(item)
    form.category_id.choices = [SelectChoice(c.id, c.name) for c in correctable_categories(db.session, item)]
    form.source_id.choices = _source_choices()
    form.collection_point_id.choices = [SelectChoice(p.id, p.name) for p in open_points(db.session, item)]
    ask_weight = False
    if form.validate_on_submit():
        amendment = Amendment(form.amended_values(), form.reason.data, form.weight_confirmed.data)
        try:
            event = amend_item(db.session, item, amendment, user=current_user, author_window=amendment_window(),
                               expected_version=int(form.version.data) if form.version.data.isdigit() else -1)
        except AmendmentRefused as refused:
            attach_errors(form, refused.errors or {"version": refused.message})
            ask_weight = "weight_kg" in refused.needs_confirmation
        else:
            flash(_("Item %(code)s corrected.", code=item.code) if event else _("Nothing was changed."), "success")
            return redirect(url_for("items.show", code=item.code))
    return render_template("items/correct.html", form=form, item=item, ask_weight=ask_weight,
                           reason_required=current_user.role == "coordinator"), 422 if form.errors else 200


@bp.route("/i/<code>")
@limiter.limit(limit_from_setting("PASSPORT_RATE_LIMIT"), exempt_when=signed_in)  # anonymous visitors, guessing codes included
def show(code: str):
    """The permanent URL printed on the label: the item for staff, its public passport for anyone else."""
    canonical = normalize_code(code)
    if canonical is None:
        abort(404)
    if canonical != code:
        return redirect(url_for("items.show", code=canonical), 301)
    item = None
    if current_user.is_authenticated and current_user.is_staff:
        item = item_queries.item_page(db.session, canonical, whole_history=False)
    if item is not None:  # (another structure's item: its public passport, as for anyone)
        point = current_point()
        history = item_queries.history_lines(db.session, item, HISTORY_ON_ITEM_PAGE)
        return render_template("items/show.html", item=item, events=history.latest, history=history,
                               new_uuid=uuid.uuid4(),
                               may_correct=amendment_refusal(current_user, item, amendment_window()) is None,
                               undo_seconds=undo_seconds_left(item, current_user, undo_window()),
                               printer_point=point if point and point.printer_uri else None,
                               pdf_fallback=session.pop("label_pdf_fallback", None), **workshop_context(item))
    if current_user.is_authenticated and current_user.role == "landlord":
        # A landlord sees its own tenants' devices and nothing else; every look is logged.
        handover = landlord_view.own_handover_of_item(db.session, current_user, canonical, route=request.path)
        if handover is None:
            abort(404)
        return redirect(url_for("landlord.handover", handover_id=handover.id))
    # Unknown, never issued or not yet bound: the same 404, which tells nothing of which.
    return render_template("items/passport.html",
                           passport=public_passport(db.session, canonical, current_app.config) or abort(404),
                           open_in=structure_to_open(db.session, current_user, canonical)
                           if current_user.is_authenticated else None)


@bp.route("/i/<code>/history")
@roles_required(*STAFF_ROLES)
def history(code: str):
    """The item's whole story, newest first."""
    item = item_queries.item_page(db.session, code, whole_history=False) or abort(404)
    return render_template("items/history.html", item=item, events=item_queries.history_lines(db.session, item).latest)


@bp.route("/i/<code>/photo", methods=["POST"])
@roles_required(*STAFF_ROLES)
def add_photo(code: str):
    """A photo for an item already logged: taken later, or kept on the phone while offline."""
    item = _item_or_404(code)
    form = PhotoForm()
    if not form.validate_on_submit():
        return _photo_refused(item, _("Choose a photo."))
    try:
        attach_photo(db.session, item, _encoded_photo(form.photo.data), user=current_user)
    except PhotoRejected as rejected:
        return _photo_refused(item, str(rejected.message))
    if _from_page_script():
        return jsonify(code=item.code)
    flash(_("Photo added."), "success")
    return redirect(url_for("items.show", code=item.code))


def _photo_refused(item: Item, message: str):
    if _from_page_script():
        return jsonify(message=message), 422
    flash(message, "error")
    return redirect(url_for("items.show", code=item.code))


@bp.route("/i/<code>/photo")
@roles_required(*STAFF_ROLES)
def photo(code: str):
    """The item's photo, for staff only, always as a JPEG."""
    item = _item_or_404(code)
    content = item_queries.photo_content(db.session, item)
    if content is None:
        abort(404)
    response = current_app.response_class(content, mimetype="image/jpeg")
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/items")
@roles_required(*STAFF_ROLES)
def index():
    """Items logged lately, newest first, by default at my collection point; searched by code, brand,
    model, serial, category, source and dates, the filters kept from page to page."""
    point = current_point()
    everywhere = request.args.get("all") == "1" or point is None
    form = SearchForm(request.args)
    form.category.choices = [SelectChoice(0, _("All categories"))] + [
        SelectChoice(c.id, c.name) for c in correctable_categories(db.session)]
    form.source.choices = [SelectChoice("", _("All sources")), SelectChoice(PRIVATE_SOURCE, _("Private donor"))] + [
        SelectChoice(str(choice.value), choice.label) for choice in _source_choices()[1:]]
    form.validate()
    since, until = form.since.data, form.until.data
    search = item_queries.ItemSearch(
        text=form.q.data if not form.q.errors else None,
        category_id=form.category.data or None,
        source_id=int(form.source.data) if (form.source.data or "").isdigit() else None,
        private_donor=form.source.data == PRIVATE_SOURCE,
        collection_point_id=None if everywhere else point.id,
        since=clock.local_days(since, since)[0] if since else None,
        before=clock.local_days(until, until)[1] if until else None,
    )
    page = item_queries.search_items(db.session, search, request.args.get("after"))
    filters = {key: value for key, value in request.args.items() if key != "after" and value}
    return render_template("items/index.html", page=page, point=point, everywhere=everywhere, form=form,
                           filters=filters, searching=bool(set(filters) - {"all"}))


def _item_or_404(code: str) -> Item:
    return item_queries.find_item(db.session, code) or abort(404)

