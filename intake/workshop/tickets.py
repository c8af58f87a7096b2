"""The workshop's after-sales: fault tickets in the queue with their age, and a ticket's page where it is
taken back (the item goes ``returned``, then is repaired as any item), replaced, or answered and closed."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models.user import WORKSHOP_ROLES
from ..services import aftersales
from ..services.status import TransitionRefused
from ..web.access import roles_required
from .forms import TicketAcceptForm, TicketCloseForm, TicketReplaceForm
from .routes import bp

FORMS = {"accept": TicketAcceptForm, "replace": TicketReplaceForm, "close": TicketCloseForm}


@bp.app_template_global()
def open_fault_tickets() -> list[dict]:
    """The queue's after-sales section (templates/workshop/_tickets.html)."""
    return aftersales.open_tickets(db.session)


def _take_step(ticket, action: str, form) -> None:
    """Run the workshop's answer; raises TicketRefused or TransitionRefused."""
    if action == "accept":
        aftersales.accept(db.session, ticket, user=current_user, message=form.message.data)
        flash(_("Taken back: the item is now “returned”; repair it as usual."), "success")
    elif action == "replace":
        replacement = aftersales.replace(
            db.session, ticket, user=current_user, replacement_code=form.replacement_code.data,
            message=form.message.data, typed_name=form.typed_name.data, warranty_months=form.warranty_months.data,
            retention_days=current_app.config["TENANT_IDENTITY_RETENTION_DAYS"])
        flash(_("Replaced by %(code)s.", code=replacement.code), "success")
    else:
        aftersales.close(db.session, ticket, user=current_user, answer=form.answer.data)
        flash(_("Answered and closed."), "success")


@bp.route("/workshop/tickets/<int:ticket_id>", methods=["GET", "POST"])
@roles_required(*WORKSHOP_ROLES)
def ticket(ticket_id: int):
    """A fault ticket: the report, the steps, the workshop's three answers."""
    record = aftersales.workshop_ticket(db.session, ticket_id) or abort(404)
    forms = {name: form_class(formdata=None) for name, form_class in FORMS.items()}
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        form = forms[action] = FORMS.get(action, TicketCloseForm)()
        if action in FORMS and form.validate_on_submit():
            try:
                _take_step(record, action, form)
            except aftersales.TicketRefused as refused:
                flash(" ".join(str(message) for message in refused.errors.values()), "error")
            except TransitionRefused as refused:
                flash(str(refused.message), "error")
            else:
                return redirect(url_for("workshop.ticket", ticket_id=record.id))
        status = 422
    return render_template("workshop/ticket.html", ticket=record, row=aftersales.reporter_row(record),
                           forms=forms), status
