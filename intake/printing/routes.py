"""Labels: PNG for roll printers, PDF for sheets and rolls, a print page, calibration,
direct network printing, and pre-printed blank-code labels."""

from __future__ import annotations

import re
import secrets
from datetime import date

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from .. import clock
from ..web.access import roles_required
from ..web.downloads import pdf_response
from ..web.urls import item_url_base
from ..extensions import db
from ..web.today import current_point
from ..models import CollectionPoint
from ..models.user import STAFF_ROLES
from ..services import label_jobs, labels, printers
from ..services.structure import identity
from ..services.code_register import reserve_codes
from ..services.codes import normalize_code
from ..services.items import find_item
from ..services.label_stock import Stock
from .forms import PreprintForm, PrinterJobForm

bp = Blueprint("printing", __name__)

STOCK_KEY = "label_stock"


def stocks() -> dict[str, Stock]:
    return current_app.extensions["label_stocks"]


def chosen_stock(point: CollectionPoint | None = None) -> Stock:
    """?stock=, else the last one used in this session, else the point's printer's, else the first sheet."""
    wanted = request.args.get("stock") or session.get(STOCK_KEY) or (point.printer_stock if point else None)
    if wanted not in stocks():
        if request.args.get("stock"):
            abort(404)
        wanted = next((s.id for s in stocks().values() if s.sheet), next(iter(stocks())))
    if session.get(STOCK_KEY) != wanted:  # a cookie write only when the choice changes
        session[STOCK_KEY] = wanted
    return stocks()[wanted]


def _offset(point: CollectionPoint | None) -> tuple[float, float]:
    if point is None:
        return 0.0, 0.0
    return float(point.label_offset_x_mm or 0), float(point.label_offset_y_mm or 0)


def _skip(stock: Stock) -> int:
    skip = request.args.get("skip", 0, type=int)
    if stock.sheet is None:
        return 0
    if not 0 <= skip < stock.sheet.per_page:
        abort(400)
    return skip


def label_text() -> label_jobs.LabelText:
    """Where this instance's labels point to, and the structure's line if it chose to print it."""
    structure = identity(db.session, current_app.config)
    return label_jobs.LabelText(item_url_base(), structure.label_line if structure else None)


def label_contents(codes: list[str]):
    """Each code's label, in the order given; 404 for a code that is neither an item's nor a free blank."""
    try:
        return label_jobs.label_contents(db.session, codes, label_text())
    except label_jobs.UnknownCode:
        abort(404)


def render(stock: Stock, contents) -> list:
    try:
        return [labels.render_label(stock, content, font_path=current_app.config["LABEL_FONT"])
                for content in contents]
    except labels.LabelTooSmall:
        abort(422)


@bp.route("/i/<code>/label.png")
@roles_required(*STAFF_ROLES)
def label_png(code: str):
    """One label at the stock's own resolution, for roll printers (never resampled)."""
    canonical = normalize_code(code) or abort(404)
    stock = chosen_stock(current_point())
    image = render(stock, label_contents([canonical]))[0]
    response = current_app.response_class(labels.png_bytes(image), mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/i/<code>/label.pdf")
@roles_required(*STAFF_ROLES)
def label_pdf(code: str):
    """One label as a PDF whose page is the stock's (a sheet: at position skip + 1)."""
    canonical = normalize_code(code) or abort(404)
    point = current_point()
    stock = chosen_stock(point)
    pdf = labels.labels_pdf(stock, render(stock, label_contents([canonical])), skip=_skip(stock),
                            offset_mm=_offset(point))
    return pdf_response(pdf, f"{canonical}-{stock.id}.pdf")


def selected_codes(point: CollectionPoint | None) -> list[str]:
    """The codes a batch asks for: ?codes=, ?batch= (pre-printed), or ?from=&to= days at my point."""
    if request.args.get("codes"):
        return _typed_codes(request.args["codes"])
    if request.args.get("batch"):
        return label_jobs.codes_of_run(db.session, request.args["batch"])
    if point is None:
        abort(400)
    first = _day(request.args.get("from")) or clock.local_today()
    last = _day(request.args.get("to")) or first
    start, end = clock.local_days(first, last)
    return label_jobs.codes_logged(db.session, point, start, end)


def _typed_codes(text: str) -> list[str]:
    """Codes separated by spaces, commas or semicolons, each once, canonical; 400 for one that is not a code."""
    codes = [normalize_code(part) for part in re.split(r"[\s,;]+", text) if part]
    if None in codes:
        abort(400)
    return list(dict.fromkeys(codes))


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400)


def _job() -> tuple[CollectionPoint | None, Stock, list[str]]:
    """Where I am, on which stock, which codes: what every batch view starts from."""
    point = current_point()
    stock = chosen_stock(point)
    codes = selected_codes(point)
    if len(codes) > current_app.config["MAX_LABELS_PER_JOB"]:
        abort(413)
    return point, stock, codes


@bp.route("/labels")
@roles_required(*STAFF_ROLES)
def batch():
    """Choose labels to print: today's intake at my point, a range of days, or codes."""
    point = current_point()
    stock = chosen_stock(point)
    today = clock.local_today().isoformat()
    # The labels of one intake of many items, sent here after saving them: the job is those codes.
    codes = _typed_codes(request.args["codes"]) if request.args.get("codes") else []
    return render_template("printing/batch.html", stocks=stocks().values(), stock=stock, point=point, today=today,
                           codes=codes, printer_form=PrinterJobForm(codes=" ".join(codes)),
                           pdf_fallback=session.pop("label_pdf_fallback", None) if codes else None)


@bp.route("/labels/sheet.pdf")
@roles_required(*STAFF_ROLES)
def batch_pdf():
    """Many labels in one PDF: sheets fill position by position (after skip), rolls a page each."""
    point, stock, codes = _job()
    pdf = labels.labels_pdf(stock, render(stock, label_contents(codes)), skip=_skip(stock), offset_mm=_offset(point))
    return pdf_response(pdf, f"etiquettes-{stock.id}.pdf")


@bp.route("/labels/print")
@roles_required(*STAFF_ROLES)
def print_page():
    """Labels laid out in mm for the phone's or the browser's print dialog, at 100 %."""
    point, stock, codes = _job()
    label_contents(codes)  # 404 for an unknown code, before the page promises anything
    skip = _skip(stock)
    slots = []
    for index, code in enumerate(codes, start=skip if stock.sheet else 0):
        page, position = divmod(index, stock.sheet.per_page) if stock.sheet else (index, 0)
        slots.append({"code": code, "page": page, "position": position})
    pages = [[slot for slot in slots if slot["page"] == page] for page in sorted({s["page"] for s in slots})]
    return render_template("printing/print.html", stock=stock, pages=pages, point=point)


@bp.route("/labels/print.css")
@roles_required(*STAFF_ROLES)
def print_css():
    """The page size and label positions of a stock, in mm (a stylesheet, as the CSP allows no inline style)."""
    point = current_point()
    stock = chosen_stock(point)
    dx, dy = _offset(point)
    page_width, page_height = stock.page_size_mm
    drawn_width, drawn_height = stock.drawn_size_mm
    inset_x, inset_y = stock.inset_mm
    positions = [stock.sheet.position(i) for i in range(stock.sheet.per_page)] if stock.sheet else [(0.0, 0.0)]
    css = render_template("printing/print.css", page_width=page_width, page_height=page_height,
                          width=drawn_width, height=drawn_height, positions=positions,
                          inset_x=inset_x + dx, inset_y=inset_y + dy)
    return current_app.response_class(css, mimetype="text/css")


@bp.route("/labels/calibration.pdf")
@roles_required(*STAFF_ROLES)
def calibration():
    """Outlines and rulers for a stock, with my point's offsets: print at 100 % and compare."""
    point = current_point()
    stock = chosen_stock(point)
    return pdf_response(labels.calibration_pdf(stock, offset_mm=_offset(point)), f"calibration-{stock.id}.pdf")


@bp.route("/i/<code>/print", methods=["POST"])
@roles_required(*STAFF_ROLES)
def print_on_printer(code: str):
    """Send the label to my collection point's network printer; on failure, offer the PDF."""
    item = find_item(db.session, code) or abort(404)
    back = url_for("items.show", code=item.code)
    _send_to_printer([item], current_point() or item.collection_point,
                     lambda stock: url_for("printing.label_pdf", code=item.code, stock=stock.id))
    return redirect(back)


@bp.route("/labels/send", methods=["POST"])
@roles_required(*STAFF_ROLES)
def send_job():
    """Send many labels (the items of one intake) to my collection point's printer as one job."""
    form = PrinterJobForm()
    if not form.validate_on_submit():
        abort(400)
    codes = _typed_codes(form.codes.data)
    if len(codes) > current_app.config["MAX_LABELS_PER_JOB"]:
        abort(413)
    try:
        items = label_jobs.items_to_label(db.session, codes)
    except label_jobs.UnknownCode:
        abort(404)
    back = url_for("printing.batch", codes=" ".join(codes))
    point = current_point()
    if point is None:
        return redirect(url_for("items.setup"))
    _send_to_printer(items, point, lambda stock: url_for("printing.batch_pdf", codes=" ".join(codes),
                                                               stock=stock.id))
    return redirect(back)


def _send_to_printer(items: list, point: CollectionPoint, pdf_link) -> None:
    """One job to the point's printer, and what became of it said; on failure the PDF offered instead."""
    if not point.printer_uri or point.printer_stock not in stocks():
        flash(_("No label printer is set for %(point)s.", point=point.name), "error")
        return
    stock = stocks()[point.printer_stock]
    try:
        label_jobs.print_labels(db.session, items, point=point, stock=stock, text=label_text(),
                                reach=printers.Reach.from_config(current_app.config),
                                timeout=float(current_app.config["PRINTER_TIMEOUT"]),
                                font_path=current_app.config["LABEL_FONT"], user=current_user)
    except (printers.PrinterUnavailable, printers.PrinterMisconfigured, labels.LabelTooSmall) as error:
        # One message whatever went wrong: a page that told a closed port from a refused address would
        # let an account probe the server's network.
        current_app.logger.warning("label printer of %s: %s", point.name, error)
        flash(_("The printer of %(point)s did not answer. Nothing was printed: use the PDF instead.",
                point=point.name), "error")
        session["label_pdf_fallback"] = pdf_link(stock)
        return
    flash(_("Label sent to the printer.") if len(items) == 1
          else _("%(count)s labels sent to the printer.", count=len(items)), "success")


@bp.route("/labels/preprinted", methods=["GET", "POST"])
@roles_required("coordinator")
def preprinted():
    """Reserve codes for blank labels, printed ahead and bound to items at intake."""
    form = PreprintForm()
    form.stock.choices = [SelectChoice(s.id, s.name) for s in stocks().values()]
    if form.validate_on_submit():
        batch_id = secrets.token_hex(4)
        reserve_codes(db.session, form.count.data, batch=batch_id, user=current_user)
        session[STOCK_KEY] = form.stock.data
        return redirect(url_for("printing.preprinted_batch", batch_id=batch_id))
    return render_template("printing/preprinted.html", form=form, batches=label_jobs.preprinted_runs(db.session))


@bp.route("/labels/preprinted/<batch_id>")
@roles_required("coordinator")
def preprinted_batch(batch_id: str):
    """One print run of blank labels: how many are bound, and links to print them."""
    run = label_jobs.preprinted_run(db.session, batch_id) or abort(404)
    stock = chosen_stock(current_point())
    return render_template("printing/preprinted_batch.html", batch_id=batch_id, total=run.total, bound=run.bound,
                           stock=stock, stocks=stocks().values())


