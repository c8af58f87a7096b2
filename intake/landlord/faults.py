"""The landlord's after-sales: a fault reported on one of its own tenants' devices, and every step after.

Another landlord's handover or ticket, by page or guessed id, is a 404 and is logged (services/landlord.py).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..formfields import attach_errors
from ..services import aftersales
from ..services import landlord as landlord_view
from ..web.access import roles_required
from .forms import FaultForm
from .routes import bp


@bp.route("/handovers/<int:handover_id>/fault", methods=["POST"])
@roles_required("landlord")
def report_fault(handover_id: int):
    """Report a fault on a device handed over to one of the landlord's tenants."""
    form = FaultForm()
    if form.validate_on_submit():
        report = aftersales.FaultReport(form.problem.data, form.noticed_on.data, form.availability.data)
        try:
            ticket_id = aftersales.report_from_landlord(db.session, current_user, handover_id, report,
                                                        route=request.path)
        except aftersales.TicketRefused as refused:
            attach_errors(form, refused.errors)
        else:
            if ticket_id is None:
                abort(404)
            flash(_("Fault reported: the workshop will answer here."), "success")
            return redirect(url_for("landlord.ticket", ticket_id=ticket_id))
    found = landlord_view.own_handover(db.session, current_user, handover_id, route=request.path)
    if found is None:
        abort(404)
    row = found[1]
    return render_template("landlord/handover.html", row=row, fault_form=form,
                           tickets=aftersales.landlord_tickets(db.session, current_user, handover_id=handover_id)), 422


@bp.route("/tickets")
@roles_required("landlord")
def tickets():
    """Every fault the landlord reported, newest first, with where each stands."""
    return render_template("landlord/tickets.html", tickets=aftersales.landlord_tickets(db.session, current_user))


@bp.route("/tickets/<int:ticket_id>")
@roles_required("landlord")
def ticket(ticket_id: int):
    """One fault report and each of the workshop's steps."""
    row = aftersales.landlord_ticket(db.session, current_user, ticket_id, route=request.path)
    if row is None:
        abort(404)
    return render_template("landlord/ticket.html", ticket=row)
