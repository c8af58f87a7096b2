"""A buyer reports a fault from the item's passport, with the number printed on its receipt as proof, and
follows its reports the same way. A wrong number, an unknown code or an item never sold all get the same
answer; the pages are rate-limited like the passport (guessing numbers included)."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db, limiter
from ..formfields import attach_errors
from ..services import aftersales
from ..services import landlord as landlord_view
from ..services.codes import normalize_code
from ..web.requests import limit_from_setting
from .forms import BuyerFaultForm, ReceiptProofForm
from .routes import bp



def _not_proven() -> str:
    """The one answer to a wrong number, an item never sold, a sale of long ago: nothing told apart."""
    return _("This receipt number does not match this item's sale.")


def _code(code: str) -> str:
    """The item's code, or a 404 for a code no item holds; a landlord's account is sent to its own
    device's page (any other is a 404, logged, as on the passport)."""
    canonical = normalize_code(code)
    if canonical is None or not aftersales.known_code(db.session, canonical):
        abort(404)
    if current_user.is_authenticated and current_user.role == "landlord":
        handover = landlord_view.own_handover_of_item(db.session, current_user, canonical, route=request.path)
        if handover is None:
            abort(404)
        abort(redirect(url_for("landlord.handover", handover_id=handover.id, _anchor="faults")))
    return canonical


def _page(code: str, report: BuyerFaultForm, follow: ReceiptProofForm, tickets=None, status: int = 200):
    return render_template("items/fault.html", code=code, form=report, follow=follow, tickets=tickets,
                           mail=bool(current_app.config.get("MAIL_SERVER"))), status


@bp.route("/i/<code>/fault", methods=["GET", "POST"])
@limiter.limit(limit_from_setting("PASSPORT_RATE_LIMIT"))
def fault(code: str):
    """Report a fault on an item bought from us: the receipt number, what happens, an e-mail if wanted."""
    code = _code(code)
    form, follow = BuyerFaultForm(), ReceiptProofForm(formdata=None, prefix="follow")
    if form.validate_on_submit():
        report = aftersales.FaultReport(form.problem.data, form.noticed_on.data,
                                        contact_email=form.contact_email.data)
        try:
            tickets = aftersales.report_from_buyer(db.session, code, form.receipt_number.data, report)
        except aftersales.TicketRefused as refused:
            attach_errors(form, refused.errors)
        else:
            if tickets is not None:
                return _page(code, BuyerFaultForm(formdata=None), follow, tickets)
            attach_errors(form, {"receipt_number": _not_proven()})
    return _page(code, form, follow, status=422 if form.errors else 200)


@bp.route("/i/<code>/fault/follow", methods=["POST"])
@limiter.limit(limit_from_setting("PASSPORT_RATE_LIMIT"))
def follow_fault(code: str):
    """Where the buyer's reports stand, shown to whoever gives the receipt number (never in the URL)."""
    code = _code(code)
    follow = ReceiptProofForm(prefix="follow")
    tickets = None
    if follow.validate_on_submit():
        tickets = aftersales.buyer_tickets(db.session, code, follow.receipt_number.data)
        if tickets is None:
            attach_errors(follow, {"receipt_number": _not_proven()})
    return _page(code, BuyerFaultForm(formdata=None), follow, tickets, 200 if tickets is not None else 422)
