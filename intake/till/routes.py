"""The till: open a session on a device, sell baskets, print tickets, refund, close with the Z.

The basket works without a script: every button posts the basket as it stands (its lines and payments are
repeated inputs) and the page comes back with a line more or less, until "Pay". A barcode scanner that
types the code and Enter into the code field adds the item.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..clock import local_today
from ..extensions import db
from ..formfields import attach_errors, parse_decimal
from ..models import TillSale, TillSession
from ..models.user import WORKSHOP_ROLES
from ..services import receipts
from ..services.outcomes import OutcomeRejected
from ..services.status import TransitionRefused
from ..services.till import archive, closes, sales
from ..services.till.tickets import ticket
from ..web.access import roles_required
from ..web.downloads import csv_response, pdf_response, structure_header
from .forms import BasketForm, CloseForm, MethodForm, OpenForm, PeriodForm, RefundForm

bp = Blueprint("till", __name__)
LINE_FIELDS = ("kind", "code", "category_id", "price", "quantity", "weight", "reason")
PAPERS = ("80", "58")


def _till(session_id: int) -> TillSession:
    return db.get_or_404(TillSession, session_id)


def _sale(sale_id: int) -> TillSale:
    return sales.sale_for_receipt(db.session, sale_id) or abort(404)


@bp.route("/till")
@roles_required(*WORKSHOP_ROLES)
def home():
    """Open tills, a form to open one, the latest closes."""
    return render_template("till/home.html", form=OpenForm(), open=closes.open_sessions(db.session),
                           closed=closes.recent_closes(db.session),
                           period=PeriodForm(start=local_today().replace(day=1), end=local_today()))


@bp.route("/till/open", methods=["POST"])
@roles_required(*WORKSHOP_ROLES)
def open_till():
    form = OpenForm()
    if form.validate_on_submit():
        try:
            till = closes.open_session(db.session, device=form.device.data, opening_float=form.opening_float.data,
                                       user=current_user)
        except OutcomeRejected as rejected:
            attach_errors(form, rejected.errors)
        else:
            return redirect(url_for("till.basket", session_id=till.id))
    return render_template("till/home.html", form=form, open=closes.open_sessions(db.session),
                           closed=closes.recent_closes(db.session),
                           period=PeriodForm(start=local_today().replace(day=1), end=local_today())), 422


def _rows(names: tuple[str, ...]) -> list[dict]:
    """The repeated inputs ``names`` as one dict per row."""
    columns = [request.form.getlist(name) for name in names]
    count = max((len(column) for column in columns), default=0)
    return [{name: (column[index] if index < len(column) else "") for name, column in zip(names, columns)}
            for index in range(count)]


def _number(text: str):
    try:
        return parse_decimal(text, ("€", "kg"))
    except ValueError:
        return None


def _basket(lines: list[dict], payments: list[dict]) -> sales.Basket:
    def integer(text):
        return int(text) if (text or "").strip().isdigit() else None

    return sales.Basket(
        lines=[sales.BasketLine(kind=line["kind"], price=_number(line["price"]), code=line["code"] or None,
                                category_id=integer(line["category_id"]), quantity=integer(line["quantity"]),
                                weight_kg=_number(line["weight"]), reason=line["reason"]) for line in lines],
        payments=[sales.Paid(method_id=integer(payment["method_id"]), amount=_number(payment["amount"]))
                  for payment in payments])


@bp.route("/till/sessions/<int:session_id>/sale", methods=["GET", "POST"])
@roles_required(*WORKSHOP_ROLES)
def basket(session_id: int):
    """The basket being sold: scan or type codes, add goods by category and discounts, take the payments."""
    till = _till(session_id)
    if till.closed_at is not None:
        flash(_("This till is closed: open a new session."), "error")
        return redirect(url_for("till.home"))
    form = BasketForm()
    lines, payments = _rows(LINE_FIELDS), _rows(("method_id", "amount"))
    focus, status = "scan", 200
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action", "")
        scanned = (request.form.get("scan") or "").strip()
        if scanned:  # typed, or by a scanner that types the code and Enter: whatever the button, it goes in
            lines.append({**dict.fromkeys(LINE_FIELDS, ""), "kind": "item", "code": scanned, "quantity": "1"})
            focus = f"price-{len(lines)}"
        if action in ("goods", "discount"):
            lines.append({**dict.fromkeys(LINE_FIELDS, ""), "kind": action, "quantity": "1"})
            focus = f"{'category' if action == 'goods' else 'price'}-{len(lines)}"
        elif action == "payment":
            payments.append({"method_id": "", "amount": ""})
            focus = f"amount-{len(payments)}"
        elif action.startswith("drop-line-"):
            index = int(action.rsplit("-", 1)[1]) if action.rsplit("-", 1)[1].isdigit() else -1
            lines = [line for number, line in enumerate(lines, start=1) if number != index]
        elif action.startswith("drop-payment-"):
            index = int(action.rsplit("-", 1)[1]) if action.rsplit("-", 1)[1].isdigit() else -1
            payments = [payment for number, payment in enumerate(payments, start=1) if number != index]
        elif action == "pay":
            try:
                sale = sales.record_basket(db.session, till, _basket(lines, payments), user=current_user,
                                           today=local_today())
            except TransitionRefused as refused:
                attach_errors(form, getattr(refused, "errors", None) or {"": refused.message})
                status = 422
            else:
                flash(_("Paid: %(number)s.", number=sale.number), "success")
                return redirect(url_for("till.sale_ticket", sale_id=sale.id))
    elif request.method == "POST":
        status = 400
    methods = sales.methods(db.session)
    if not payments:
        cash = next((method for method in methods if method.code == "cash"), methods[0] if methods else None)
        payments = [{"method_id": str(cash.id) if cash else "", "amount": ""}]
    parsed = _basket(lines, payments)
    total = sum(((-line.price if line.kind == "discount" else line.price) for line in parsed.lines
                 if line.price is not None), Decimal(0))
    paid = sum((payment.amount for payment in parsed.payments if payment.amount is not None), Decimal(0))
    return render_template("till/basket.html", till=till, form=form, lines=lines, payments=payments,
                           methods=[SelectChoice(method.id, sales.method_name(method)) for method in methods],
                           categories=sales.sellable_categories(db.session), total=total, paid=paid, focus=focus,
                           items=sales.describe_codes(db.session, [line["code"] for line in lines
                                                                   if line["kind"] == "item"])), status


@bp.route("/till/sessions/<int:session_id>")
@roles_required(*WORKSHOP_ROLES)
def session_page(session_id: int):
    """The session: its Z so far (or as closed), its sales, and the close."""
    till = _till(session_id)
    z = till.z_totals if till.closed_at else closes.z_report(db.session, till)
    return render_template("till/session.html", till=till, z=z, methods=closes.z_lines(z),
                           sales=sales.session_sales(db.session, till), form=CloseForm())


@bp.route("/till/sessions/<int:session_id>/close", methods=["POST"])
@roles_required(*WORKSHOP_ROLES)
def close(session_id: int):
    """Close the till with the cash counted: the Z is kept and chained."""
    till = _till(session_id)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            closes.close_session(db.session, till, counted_cash=form.counted_cash.data, user=current_user)
        except TransitionRefused as refused:
            attach_errors(form, getattr(refused, "errors", None) or {"": refused.message})
        else:
            flash(_("Till closed."), "success")
            return redirect(url_for("till.session_page", session_id=till.id))
    z = till.z_totals if till.closed_at else closes.z_report(db.session, till)
    return render_template("till/session.html", till=till, z=z, methods=closes.z_lines(z),
                           sales=sales.session_sales(db.session, till), form=form), 422


@bp.route("/till/sales/<int:sale_id>")
@roles_required(*WORKSHOP_ROLES)
def sale_ticket(sale_id: int):
    """The ticket, for 80 mm (default) or 58 mm thermal paper; the refund form under it."""
    sale = _sale(sale_id)
    paper = request.args.get("paper", "80")
    paper = paper if paper in PAPERS else "80"
    structure, _logo = structure_header()
    return render_template("till/ticket.html", sale=sale, ticket=ticket(sale, structure), paper=paper,
                           structure_lines=receipts.structure_lines(structure), refund=_refund_form(sale))


def _refund_form(sale: TillSale) -> RefundForm:
    form = RefundForm()
    form.session_id.choices = [SelectChoice(till.id, till.device) for till in closes.open_sessions(db.session)]
    form.method_id.choices = [SelectChoice(method.id, sales.method_name(method)) for method in sales.methods(db.session)]
    return form


@bp.route("/till/sales/<int:sale_id>/ticket.pdf")
@roles_required(*WORKSHOP_ROLES)
def sale_ticket_pdf(sale_id: int):
    sale = _sale(sale_id)
    structure, _logo = structure_header()
    return pdf_response(receipts.basket_receipt_pdf(ticket(sale, structure), structure=structure),
                        f"ticket-{sale.number}.pdf")


@bp.route("/till/sales/<int:sale_id>/refund", methods=["POST"])
@roles_required(*WORKSHOP_ROLES)
def refund(sale_id: int):
    """Give back lines of a sale, in an open till: a new, negative sale with its reason."""
    sale = _sale(sale_id)
    form = _refund_form(sale)
    if form.validate_on_submit():
        till = _till(form.session_id.data)
        line_ids = [int(value) for value in request.form.getlist("line_id") if value.isdigit()]
        try:
            done = sales.record_refund(db.session, till, sale, line_ids, method_id=form.method_id.data,
                                       reason=form.reason.data, user=current_user)
        except TransitionRefused as refused:
            attach_errors(form, getattr(refused, "errors", None) or {"": refused.message})
        else:
            flash(_("Refunded: %(number)s.", number=done.number), "success")
            return redirect(url_for("till.sale_ticket", sale_id=done.id))
    structure, _logo = structure_header()
    return render_template("till/ticket.html", sale=sale, ticket=ticket(sale, structure), paper="80",
                           structure_lines=receipts.structure_lines(structure), refund=form), 422


@bp.route("/till/methods", methods=["GET", "POST"])
@roles_required("coordinator")
def payment_methods():
    """The ways to pay: the usual four, and those the coordinator adds."""
    form = MethodForm()
    if form.validate_on_submit():
        try:
            sales.add_method(db.session, form.name.data)
        except OutcomeRejected as rejected:
            attach_errors(form, rejected.errors)
        else:
            flash(_("Payment method added."), "success")
            return redirect(url_for("till.payment_methods"))
    return render_template("till/methods.html", form=form,
                           methods=[sales.method_name(method) for method in sales.methods(db.session)]), \
        422 if form.errors else 200


@bp.route("/till/archive.csv")
@roles_required("coordinator")
def archive_csv():
    """Sales, refunds and closes of a period with their hashes and canonical texts (and the chain's check)."""
    form = PeriodForm(request.args)
    if not form.validate() or form.start.data > form.end.data:
        abort(400)
    text = archive.archive_csv(db.session, form.start.data, form.end.data)
    return csv_response(text, f"caisse-{form.start.data}-{form.end.data}.csv")
