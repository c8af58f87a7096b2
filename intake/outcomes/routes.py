"""An item's way out: selling it, handing it to a tenant, taking it back, recycling batches."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from ..models.user import WORKSHOP_ROLES
from ..web.access import roles_required
from ..web.downloads import csv_response, handover_receipt_response, pdf_response, structure_header
from ..clock import local_today
from ..extensions import db
from ..formfields import attach_errors
from ..models import Category, Handover, Item, RecyclingBatch, Sale
from ..services import landlord as landlord_view
from ..services import outcomes, partners, receipts, recycling
from ..services.exports import csv_text
from ..services.items import find_item
from ..services.receipts import guarantee_notice, receipt_number, sale_guarantees, structure_lines
from ..services.status import TransitionRefused, allowed_transitions
from ..services.structure import identity
from ..services.tenants import identity_for
from .forms import AttendedForm, BatchForm, BatchItemsForm, HandoverForm, ReturnForm, SaleForm, SessionForm

bp = Blueprint("outcomes", __name__)


def _item(code: str) -> Item:
    return find_item(db.session, code, joinedload(Item.category).joinedload(Category.parent)) or abort(404)


def _show_refusal(form, refused: TransitionRefused) -> int:
    """Field errors next to their fields, anything else (a 409) on top; returns the page's status."""
    attach_errors(form, getattr(refused, "errors", None) or {"": refused.message})
    return refused.status


def _attempt(form, action):
    """Run ``action`` if the form is valid: (its result, None) or (None, the page's status)."""
    if not form.validate_on_submit():
        return None, 422 if form.errors else 200
    try:
        return action(), None
    except TransitionRefused as refused:
        return None, _show_refusal(form, refused)


def _organisations(kind: str) -> list[SelectChoice]:
    return [SelectChoice(o.id, o.name) for o in partners.active_organisations(db.session, kind=kind)]


def _can(item: Item, target: str) -> bool:
    """Whether the item may go there from where it is: the page says so before the form is filled."""
    return target in allowed_transitions(item.status, current_user.role)


def _partners() -> list[SelectChoice]:
    """Who may give a training session: any active partner but landlords and eco-organisms."""
    return [SelectChoice(0, "—")] + [SelectChoice(o.id, o.name) for o in partners.active_organisations(
        db.session, excluding=partners.NOT_TRAINERS)]


@bp.route("/i/<code>/sale", methods=["GET", "POST"])
@roles_required(*WORKSHOP_ROLES)
def sell(code: str):
    """Sell a ready item: price, date, channel, warranty."""
    item = _item(code)
    form = SaleForm(sold_on=local_today(), seen_status=item.status)
    sale, status = _attempt(form, lambda: outcomes.record_sale(
        db.session, item, user=current_user, price=form.price.data, sold_on=form.sold_on.data,
        channel=form.channel.data, warranty_months=form.warranty_months.data, note=form.note.data,
        seen_status=form.seen_status.data or None))
    if sale:
        flash(_("Sold."), "success")
        return redirect(url_for("outcomes.sale_receipt", sale_id=sale.id))
    return render_template("outcomes/sale.html", item=item, form=form, can=_can(item, "sold"),
                           refurbished=outcomes.is_refurbished(db.session, item)), status


@bp.route("/sales/<int:sale_id>/receipt")
@roles_required(*WORKSHOP_ROLES)
def sale_receipt(sale_id: int):
    """The buyer's receipt, to print: "reconditionné" only when the rule is met, never "comme neuf"."""
    sale = _sale(sale_id)
    structure = identity(db.session, current_app.config)
    return render_template("outcomes/sale_receipt.html", sale=sale, item=sale.item, structure=structure,
                           structure_lines=structure_lines(structure),
                           notice=guarantee_notice(sale_guarantees(sale), structure.name if structure else None),
                           receipt_number=receipt_number(sale))


@bp.route("/sales/<int:sale_id>/receipt.pdf")
@roles_required(*WORKSHOP_ROLES)
def sale_receipt_pdf(sale_id: int):
    """The buyer's receipt as a PDF, to send or print."""
    sale = _sale(sale_id)
    structure, logo = structure_header()
    return pdf_response(receipts.sale_receipt_pdf(sale, structure=structure, logo=logo), f"recu-{sale.item.code}.pdf")


def _sale(sale_id: int) -> Sale:
    return outcomes.sale_with_item(db.session, sale_id) or abort(404)


@bp.route("/i/<code>/handover", methods=["GET", "POST"])
@roles_required(*WORKSHOP_ROLES)
def hand_over(code: str):
    """Hand a ready computer to a landlord's tenant, who accepts it by signing on the phone or typing a name."""
    item = _item(code)
    form = HandoverForm(handed_on=local_today(), seen_status=item.status)
    form.landlord_id.choices = _organisations("social_landlord")

    def hand_it_over():
        if form.acceptance.data == "signature":
            acceptance = outcomes.Acceptance(signature_png=outcomes.signature_from_data_url(form.signature.data))
        else:
            acceptance = outcomes.Acceptance(typed_name=form.typed_name.data)
        return outcomes.record_handover(
            db.session, item, user=current_user, landlord_id=form.landlord_id.data, tenant_ref=form.tenant_ref.data,
            residence=form.residence.data, handed_on=form.handed_on.data, acceptance=acceptance,
            warranty_months=form.warranty_months.data, tenant_contact=form.tenant_contact.data,
            seen_status=form.seen_status.data or None,
            retention_days=current_app.config["TENANT_IDENTITY_RETENTION_DAYS"])

    handover, status = _attempt(form, hand_it_over)
    if handover:
        flash(_("Handed over."), "success")
        return redirect(url_for("outcomes.handover", handover_id=handover.id))
    return render_template("outcomes/handover_form.html", item=item, form=form, can=_can(item, "handed_over"),
                           refurbished=outcomes.is_refurbished(db.session, item)), status


def _handover(handover_id: int) -> Handover:
    return outcomes.handover_with_item(db.session, handover_id) or abort(404)


@bp.route("/handovers/<int:handover_id>")
@roles_required(*WORKSHOP_ROLES)
def handover(handover_id: int):
    """One handover: the device, the tenant reference, training sessions; the identity for coordinators."""
    record = _handover(handover_id)
    identity = (identity_for(db.session, record.id, local_today())
                if current_user.role == "coordinator" else None)
    session_form = SessionForm(planned_on=local_today())
    session_form.partner_id.choices = _partners()
    return render_template("outcomes/handover.html", handover=record, item=record.item, identity=identity,
                           session_form=session_form, attended_form=AttendedForm(attended_on=local_today()),
                           today=local_today())


@bp.route("/handovers/<int:handover_id>/receipt.pdf")
@roles_required(*WORKSHOP_ROLES)
def handover_receipt(handover_id: int):
    record = _handover(handover_id)
    return handover_receipt_response(record, landlord_view.row_of(db.session, record))


@bp.route("/handovers/<int:handover_id>/signature.png")
@roles_required("coordinator")
def signature(handover_id: int):
    """The tenant's drawn signature, for coordinators only, until its retention period ends."""
    identity = identity_for(db.session, handover_id, local_today())
    if identity is None or not identity.signature_png:
        abort(404)
    response = current_app.response_class(identity.signature_png, mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/handovers/<int:handover_id>/sessions", methods=["POST"])
@roles_required(*WORKSHOP_ROLES)
def plan_session(handover_id: int):
    record = _handover(handover_id)
    form = SessionForm()
    form.partner_id.choices = _partners()
    if form.validate_on_submit():
        try:
            outcomes.plan_session(db.session, record, topic=form.topic.data, planned_on=form.planned_on.data,
                                  partner_id=form.partner_id.data)
            flash(_("Session planned."), "success")
        except TransitionRefused as refused:
            flash(str(refused.message), "error")
    else:
        flash(_("Give the session's subject and date."), "error")
    return redirect(url_for("outcomes.handover", handover_id=record.id))


@bp.route("/handovers/<int:handover_id>/sessions/<int:session_id>", methods=["POST"])
@roles_required(*WORKSHOP_ROLES)
def mark_attended(handover_id: int, session_id: int):
    planned = outcomes.planned_session(db.session, handover_id, session_id) or abort(404)
    form = AttendedForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        outcomes.mark_attended(db.session, planned, form.attended_on.data, today=local_today())
    except TransitionRefused as refused:
        flash(str(refused.message), "error")
    else:
        flash(_("Attendance recorded.") if form.attended_on.data else _("Attendance taken back."), "success")
    return redirect(url_for("outcomes.handover", handover_id=handover_id))


@bp.route("/i/<code>/return", methods=["GET", "POST"])
@roles_required(*WORKSHOP_ROLES)
def take_back(code: str):
    """A sold or handed-over item comes back: say why; it goes through the workshop again."""
    item = _item(code)
    form = ReturnForm(seen_status=item.status)
    event, status = _attempt(form, lambda: outcomes.record_return(
        db.session, item, user=current_user, reason=form.reason.data, note=form.note.data,
        seen_status=form.seen_status.data or None))
    if event:
        flash(_("Return recorded: the item is back in the workshop."), "success")
        return redirect(url_for("items.show", code=item.code))
    return render_template("outcomes/return.html", item=item, form=form, can=_can(item, "returned")), status


# Recycling batches ---------------------------------------------------------------------------------


@bp.route("/recycling")
@roles_required(*WORKSHOP_ROLES)
def batches():
    """Open batches first, then the ones handed over; how many items wait for a batch."""
    rows, page = recycling.batches_with_totals(db.session, after=request.args.get("after"))
    return render_template("outcomes/batches.html", rows=rows, page=page, waiting=recycling.waiting_by_stream(db.session))


@bp.route("/recycling/new", methods=["GET", "POST"])
@roles_required(*WORKSHOP_ROLES)
def new_batch():
    form = BatchForm(pickup_on=local_today())
    form.eco_organism_id.choices = _organisations("eco_organism")
    batch, status = _attempt(form, lambda: recycling.open_batch(
        db.session, user=current_user, eco_organism_id=form.eco_organism_id.data, pickup_on=form.pickup_on.data,
        stream=form.stream.data, waste_code=form.waste_code.data, slip_number=form.slip_number.data,
        weighed_kg=form.weighed_kg.data))
    if batch:
        return redirect(url_for("outcomes.batch", batch_id=batch.id))
    return render_template("outcomes/batch_form.html", form=form), status


def _batch(batch_id: int) -> RecyclingBatch:
    return recycling.batch_with_eco_organism(db.session, batch_id) or abort(404)


@bp.route("/recycling/<int:batch_id>", methods=["GET", "POST"])
@roles_required(*WORKSHOP_ROLES)
def batch(batch_id: int):
    """A batch: its items, adding items by code (typed or scanned), closing it."""
    record = _batch(batch_id)
    form = BatchItemsForm()
    if form.validate_on_submit():
        try:
            result = recycling.add_items(db.session, record, form.codes.data.split())
        except TransitionRefused as refused:
            flash(str(refused.message), "error")
        else:
            if result.added:
                flash(_("%(count)s items in the batch.", count=len(result.added)), "success")
            for code, why in result.refused.items():
                flash(f"{code} : {why}", "error")
            return redirect(url_for("outcomes.batch", batch_id=record.id))
    items = recycling.items_in_batch(db.session, record)
    waiting = recycling.waiting_by_stream(db.session).get(record.stream, 0)
    return render_template("outcomes/batch.html", batch=record, items=items, form=form, waiting=waiting,
                           totals=recycling.totals(db.session, record))


@bp.route("/recycling/<int:batch_id>/all", methods=["POST"])
@roles_required(*WORKSHOP_ROLES)
def batch_add_all(batch_id: int):
    record = _batch(batch_id)
    try:
        count = recycling.add_all_waiting(db.session, record)
        flash(_("%(count)s items added to the batch.", count=count), "success")
    except TransitionRefused as refused:
        flash(str(refused.message), "error")
    return redirect(url_for("outcomes.batch", batch_id=record.id))


@bp.route("/recycling/<int:batch_id>/remove/<code>", methods=["POST"])
@roles_required(*WORKSHOP_ROLES)
def batch_remove(batch_id: int, code: str):
    record = _batch(batch_id)
    try:
        recycling.remove_item(db.session, record, code)
    except TransitionRefused as refused:
        flash(str(refused.message), "error")
    return redirect(url_for("outcomes.batch", batch_id=record.id))


@bp.route("/recycling/<int:batch_id>/close", methods=["POST"])
@roles_required("coordinator")
def batch_close(batch_id: int):
    """The eco-organism took the batch: all its items become recycled at once."""
    record = _batch(batch_id)
    try:
        count = recycling.close_batch(db.session, record, user=current_user)
    except TransitionRefused as refused:
        flash(str(refused.message), "error")
    else:
        flash(_("Batch handed over: %(count)s items recycled.", count=count), "success")
    return redirect(url_for("outcomes.batch", batch_id=record.id))


@bp.route("/recycling/register.csv")
@roles_required("coordinator")
def waste_register():
    """The waste register (R.541-43): one line per batch handed over, oldest first."""
    structure = identity(db.session, current_app.config)
    # Each line names the establishment keeping the register, so that registers can be put together.
    ours = [structure.name if structure else None, structure.siret if structure else None]
    rows = [row + ours for row in recycling.register_rows(db.session)]
    header = [_("Pickup date"), _("Usual name"), _("Waste code"), _("Quantity (kg)"), _("Origin"), _("Eco-organism"),
              _("Eco-organism's SIREN"), _("Tracking slip number"), _("Number of items"), _("Establishment"),
              _("Establishment's SIRET")]
    return csv_response(csv_text(header, rows), "registre-dechets.csv")
