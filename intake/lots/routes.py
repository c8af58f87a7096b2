"""Lots weighed in without labels (from the phone's intake page, "Sans étiquette"), the kg that leave
each category (sold, given, recycled, discarded) and the stock of each."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..formfields import attach_errors
from ..formatting import format_weight
from ..models.user import STAFF_ROLES, WORKSHOP_ROLES
from ..services import lots
from ..services.catalogue import active_containers, intake_categories
from ..services.outcomes import OutcomeRejected
from ..services.partners import active_organisations
from ..services.photos import PhotoRejected, encode_photo
from ..vocabulary import term
from ..web.access import roles_required
from ..web.today import SOURCE_KEY, intake_point
from .forms import ExitForm, LotForm, exit_kinds

bp = Blueprint("lots", __name__)
PRIVATE_DONOR = 0


@bp.route("/lots/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def new_lot():
    """Log goods brought without a label: category, weight on the scale, container, and a photo if wanted."""
    point = intake_point()
    if point is None:
        return redirect(url_for("items.setup"))
    categories = intake_categories(db.session, point.id)
    containers = active_containers(db.session)
    form = LotForm(source_id=session.get(SOURCE_KEY, PRIVATE_DONOR))
    form.category_id.choices = [SelectChoice(c.id, c.name) for c in categories]
    form.container_id.choices = [SelectChoice(0, _("None"))] + [SelectChoice(c.id, c.name) for c in containers]
    form.source_id.choices = [SelectChoice(PRIVATE_DONOR, _("Private donor"))] + [
        SelectChoice(o.id, o.name) for o in active_organisations(db.session)]
    if form.validate_on_submit():
        try:
            upload = form.photo.data
            photo = encode_photo(upload.read(), max_pixels=current_app.config["PHOTO_MAX_PIXELS"],
                                 quality=current_app.config["PHOTO_JPEG_QUALITY"]) if upload and upload.filename else None
            lot = lots.record_lot(db.session, lots.LotEntry(
                category_id=form.category_id.data, gross_kg=form.gross_kg.data, collection_point_id=point.id,
                container_id=form.container_id.data or None, source_id=form.source_id.data or None,
                note=form.note.data, photo=photo), user=current_user)
        except PhotoRejected as rejected:
            form.photo.errors = [str(rejected.message)]
        except OutcomeRejected as rejected:
            attach_errors(form, rejected.errors)
        else:
            flash(_("Lot %(reference)s saved: %(weight)s of “%(category)s”.", reference=lot.reference,
                    weight=format_weight(lot.weight_kg), category=lot.category.name), "success")
            return redirect(url_for("lots.new_lot", point=point.id))
    status = 422 if form.errors else 200
    return render_template("lots/new.html", form=form, point=point, categories=categories,
                           containers=containers), status


@bp.route("/lots")
@roles_required(*STAFF_ROLES)
def index():
    """Each category's kg: collected, left, corrected, on hand; the latest lots and exits."""
    return render_template("lots/index.html", stock=lots.stock(db.session), lots=lots.recent_lots(db.session),
                           exits=lots.recent_exits(db.session))


@bp.route("/lots/<int:lot_id>")
@roles_required(*STAFF_ROLES)
def show(lot_id: int):
    lot = lots.lot_page(db.session, lot_id) or abort(404)
    return render_template("lots/show.html", lot=lot, has_photo=lots.lot_photo(db.session, lot_id) is not None)


@bp.route("/lots/<int:lot_id>/photo.jpg")
@roles_required(*STAFF_ROLES)
def photo(lot_id: int):
    content = lots.lot_photo(db.session, lot_id) or abort(404)
    response = current_app.response_class(content, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/lots/out", methods=["GET", "POST"])
@roles_required(*WORKSHOP_ROLES)
def record_exit():
    """kg of a category leaving: sold by weight, given to another structure, into a recycling batch, discarded
    as final waste; or (coordinators) a correction of the stock."""
    form = ExitForm()
    form.kind.choices = exit_kinds(current_user.role == "coordinator")
    form.category_id.choices = [SelectChoice(line.category_id, f"{line.category} ({format_weight(line.on_hand_kg)})")
                                for line in lots.stock(db.session)]
    form.batch_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(batch.id, f"#{batch.id} · {term('batch_stream', batch.stream)} · {batch.pickup_on}")
        for batch in lots.open_batches(db.session)]
    if form.validate_on_submit():
        reference = (form.lot.data or "").strip().upper().removeprefix("V-").removeprefix("V")
        try:
            if reference and not reference.isdigit():
                raise OutcomeRejected({"lot": _("A lot reference looks like V-12.")})
            lots.record_exit(db.session, lots.ExitEntry(
                kind=form.kind.data, category_id=form.category_id.data, weight_kg=form.weight_kg.data,
                lot_id=int(reference) if reference else None, price=form.price.data, recipient=form.recipient.data,
                batch_id=form.batch_id.data or None, waste_code=form.waste_code.data, note=form.note.data),
                user=current_user)
        except OutcomeRejected as rejected:
            attach_errors(form, {"lot" if key == "lot_id" else key: value for key, value in rejected.errors.items()})
        else:
            flash(_("Recorded."), "success")
            return redirect(url_for("lots.index"))
    return render_template("lots/exit.html", form=form), 422 if form.errors else 200
