"""The workshop: moving items along their life, checklists, data erasure, the queue, scanning."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from ..web.access import roles_required
from ..extensions import db
from ..inputs import record_id
from ..web.today import current_point
from ..web.urls import item_url_base
from ..models import Category, Item
from ..models.item import STATUSES
from ..models.user import STAFF_ROLES, WORKSHOP_ROLES
from ..services import status as machine
from ..services.codes import normalize_code
from ..services import catalogue, workshop
from ..services.items import find_item, items_with_codes
from ..vocabulary import term
from .forms import BulkForm, ChecklistForm, ErasureForm, TransitionForm

bp = Blueprint("workshop", __name__)


def _item(code: str) -> Item:
    return find_item(db.session, code, joinedload(Item.category).joinedload(Category.parent)) or abort(404)


def _work(form) -> machine.Work:
    return machine.Work(note=form.note.data, minutes=form.minutes.data, parts=form.parts.data)


def _refused(refused: machine.TransitionRefused) -> None:
    flash(str(refused.message), "error")


@bp.route("/i/<code>/status", methods=["POST"])
@roles_required(*STAFF_ROLES)
def change_status(code: str):
    """Move the item on; refused changes say why and change nothing."""
    item = _item(code)
    form = TransitionForm()
    form.to.choices = [SelectChoice(target, target) for target in STATUSES]
    if not form.validate_on_submit():
        flash(_("Choose where the item goes."), "error")
        return redirect(url_for("items.show", code=item.code))
    point = current_point()
    work = machine.Work(form.note.data, form.minutes.data, form.parts.data, form.barrier.data or None,
                        repair_outcome=form.repair_outcome.data or None, problem=(form.problem.data or "").strip() or None)
    try:
        machine.change_status(db.session, item, form.to.data, user=current_user, work=work,
                              seen_status=form.seen_status.data or None,
                              collection_point_id=point.id if point else None)
    except machine.TransitionRefused as refused:
        _refused(refused)
    else:
        flash(_("Now: %(status)s.", status=term("status", item.status)), "success")
    return redirect(url_for("items.show", code=item.code))


@bp.route("/i/<code>/checklist", methods=["GET", "POST"])
@roles_required(*WORKSHOP_ROLES)
def checklist(code: str):
    """The category's functional checks, each passed or failed."""
    item = _item(code)
    names = machine.checklist_for(item)
    form = ChecklistForm()
    if form.validate_on_submit():
        answers = {name: request.form.get(f"check-{index}") for index, name in enumerate(names)}
        if None in answers.values():
            flash(_("Answer every check of the list."), "error")
        else:
            event = machine.record_checklist(db.session, item, {n: a == "pass" for n, a in answers.items()},
                                             user=current_user, work=_work(form))
            flash(_("Checklist passed.") if event.data["passed"] else _("Checklist recorded: some checks failed."),
                  "success" if event.data["passed"] else "error")
            return redirect(url_for("items.show", code=item.code))
    return render_template("workshop/checklist.html", item=item, form=form, checklist=names,
                           latest_checklist=machine.release_state(db.session, item).checklist)


@bp.route("/i/<code>/erasure", methods=["GET", "POST"])
@roles_required(*WORKSHOP_ROLES)
def erasure(code: str):
    """The item's erasure records, and a new one; earlier records stay, superseded."""
    item = _item(code)
    if not item.category.data_bearing:
        abort(404)
    form = ErasureForm()
    if form.validate_on_submit():
        record = machine.record_erasure(db.session, item, user=current_user, level=form.level.data,
                                        method=form.method.data, tool=form.tool.data,
                                        tool_version=form.tool_version.data, verification=form.verification.data,
                                        storage_serial=form.storage_serial.data,
                                        certificate_ref=form.certificate_ref.data)
        flash(_("Erasure recorded.") if record.passed else _("Erasure recorded as failed: the item stays blocked."),
              "success" if record.passed else "error")
        return redirect(url_for("items.show", code=item.code))
    return render_template("workshop/erasure.html", item=item, form=form,
                           erasures=workshop.erasure_records(db.session, item))


@bp.route("/workshop")
@roles_required(*STAFF_ROLES)
def queue():
    """Items waiting in one status, the longest waiting first; mine or everyone's."""
    status = request.args.get("status", "received")
    if status not in STATUSES:
        abort(404)
    # The filters in force, carried by every link of the page (tabs and pages) so none is lost.
    filters = {"mine": "1" if request.args.get("mine") == "1" else None,
               "category": request.args.get("category", type=record_id),
               "point": request.args.get("point", type=record_id)}
    page = workshop.waiting_in(db.session, status, after=request.args.get("after"),
                               handled_by_id=current_user.id if filters["mine"] else None,
                               category_id=filters["category"], collection_point_id=filters["point"])
    return render_template("workshop/queue.html", page=page, status=status, statuses=STATUSES,
                           counts=workshop.items_per_status(db.session),
                           categories=catalogue.active_categories(db.session), points=catalogue.all_points(db.session), now=machine.now_utc(),
                           filters={name: value for name, value in filters.items() if value})


@bp.route("/scan")
@roles_required(*STAFF_ROLES)
def scan():
    """Scan a label with the camera (or a photo of it, or type its code) to open the item."""
    return render_template("workshop/scan.html", many=False, base_url=item_url_base())


@bp.route("/scan/go")
@roles_required(*STAFF_ROLES)
def go():
    """A typed code: open its item, or say what is wrong with it."""
    code = normalize_code(request.args.get("code", ""))
    if code is None:
        flash(_("This code is not valid: check the label, or type it again."), "error")
        return redirect(url_for("workshop.scan"))
    if find_item(db.session, code) is None:
        flash(_("No item has the code %(code)s.", code=code), "error")
        return redirect(url_for("workshop.scan"))
    return redirect(url_for("items.show", code=code))


@bp.route("/scan/many", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def scan_many():
    """Scan items one after another, then apply one change to them all."""
    form = BulkForm()
    form.to.choices = [SelectChoice(target, term("status", target)) for target in STATUSES[1:]
                       if target not in machine.HAS_ITS_OWN_FORM]
    results = None
    if form.validate_on_submit():
        # A typed code may hold spaces or dashes ("k7m 2qx"): it is read whole, the scanned ones one by one.
        typed = (form.typed.data or "").strip()
        texts = (form.codes.data or "").split() + ([typed] if typed else [])
        codes = [normalize_code(text) for text in texts]
        items = items_with_codes(db.session, [c for c in codes if c])
        point = current_point()
        results = [(None, _("%(code)s is not a valid code: check the label, or type it again.", code=text))
                   for text, code in zip(texts, codes) if code is None]
        for item in sorted(items, key=lambda i: codes.index(i.code)):
            try:
                machine.change_status(db.session, item, form.to.data, user=current_user, work=_work(form),
                                      collection_point_id=point.id if point else None)
                results.append((item, None))
            except machine.TransitionRefused as refused:
                results.append((item, str(refused.message)))
        found = {item.code for item in items}
        for code in dict.fromkeys(code for code in codes if code and code not in found):
            results.append((None, _("No item has the code %(code)s.", code=code)))
    return render_template("workshop/scan.html", many=True, form=form, results=results, base_url=item_url_base())
