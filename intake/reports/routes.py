"""Indicators and reports: the coordinators' dashboard and its CSV files, emission factors, the partner
report (page and PDF), the public results, the waste register, the ORDS export and CSV exports. Views
read the filters from the URL, call a service and render."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..web.access import enter_public_structure, roles_required
from ..web.requests import limit_from_setting, signed_in
from ..web.downloads import csv_response, pdf_response
from .. import inputs
from ..clock import local_today
from ..extensions import db, limiter
from ..models import Category, Organisation, RecyclingBatch
from ..services.exports import csv_text
from ..services.reporting import access_log, pdf
from ..services.reporting.dashboard import dashboard, one_table
from ..services.reporting.filters import PRIVATE, filter_options
from ..services.reporting.identity import data_provider, report_identity, shipper
from ..services.reporting.impact import (FactorRejected, factors_by_category, leaf_categories, set_own_factor,
                                         shipped_factors)
from ..services.reporting.ords import ords_csv_text, ords_rows
from ..services.partners.conventions import progress_in_force
from ..services.reporting.partner import partner_report
from ..services.reporting.public import public_results
from ..services.reporting.records import EVENT_HEADER, ITEM_HEADER, event_rows, item_rows
from ..services.reporting.register import (RegisterRetained, ShipmentRejected, delete_batch, record_shipment,
                                           register, register_page, retained_until, retention_start, shipment_of)
from ..services.reporting.tables import csv_units
from .forms import decimal_from, filter_args, filters_from, period_from, shortcuts

bp = Blueprint("reports", __name__)


@bp.route("/indicators")
@roles_required("coordinator")
def indicators():
    """The dashboard: every figure for the filters in the URL, each chart with its table and its CSV."""
    filters = filters_from(request.args)
    return render_template("reports/indicators.html", filters=filters, args=filter_args(filters),
                           board=dashboard(db.session, filters), options=filter_options(db.session),
                           shortcuts=shortcuts(filters), private=PRIVATE,
                           conventions=progress_in_force(db.session, local_today()))


@bp.route("/indicators/<key>.csv")
@roles_required("coordinator")
def indicator_csv(key: str):
    """Exactly the rows a chart of the dashboard shows, for the same filters."""
    filters = filters_from(request.args)
    table = one_table(db.session, filters, key)
    if table is None:
        abort(404)
    return csv_response(table.csv(csv_units()), f"{key}-{filters.start}-{filters.end}.csv")


@bp.route("/indicators/factors", methods=["GET", "POST"])
@roles_required("coordinator")
def factors():
    """Emission factors per category: the shipped one (with its source) or the coordinators' own."""
    if request.method == "POST":
        category = db.get_or_404(Category, request.form.get("category_id", type=inputs.record_id) or 0)
        value = decimal_from(request.form.get("kg_co2e_per_kg", ""))
        try:
            if value is False:
                raise FactorRejected("kg_co2e_per_kg")
            set_own_factor(db.session, category, kg_co2e_per_kg=value, source=request.form.get("source", ""),
                           user=current_user)
        except FactorRejected as refused:
            flash(_l("Give the source of the factor.") if str(refused) == "source"
                  else _l("A factor is a number of kg CO₂e per kg, from 0 to 100 000."), "error")
        else:
            flash(_l("Factor saved."), "success")
        return redirect(url_for("reports.factors"))
    source, _ = shipped_factors()
    return render_template("reports/factors.html", categories=leaf_categories(db.session),
                           factors=factors_by_category(db.session), shipped_source=source)


@bp.route("/partners/<int:organisation_id>/report")
@roles_required("coordinator")
def partner(organisation_id: int):
    """What a partner brought over the period and what it became."""
    organisation = db.get_or_404(Organisation, organisation_id)
    filters = filters_from(request.args)
    return render_template("reports/partner.html", report=partner_report(db.session, organisation, filters),
                           args=filter_args(filters), shortcuts=shortcuts(filters, organisation_id=organisation.id),
                           structure=report_identity(db.session))


@bp.route("/partners/<int:organisation_id>/report.pdf")
@roles_required("coordinator")
def partner_pdf(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    report = partner_report(db.session, organisation, filters_from(request.args))
    return pdf_response(pdf.partner_report_pdf(report, report_identity(db.session)),
                f"rapport-partenaire-{organisation.id}.pdf")


@bp.route("/results")
@limiter.limit(limit_from_setting("RESULTS_RATE_LIMIT"), exempt_when=signed_in)  # public and heavy
def results():
    """Public results (no sign-in): totals and charts, partners named only with their agreement; of the
    structure named by ``?structure=<id>`` (the first one's by default: the embedded instance has one)."""
    enter_public_structure(request.args.get("structure", type=int))
    filters = filters_from({key: request.args[key] for key in ("year", "quarter", "month") if key in request.args})
    return render_template("reports/public.html", results=public_results(db.session, filters),
                           structure=report_identity(db.session), shortcuts=shortcuts(filters, public=True))


@bp.route("/register")
@roles_required("coordinator")
def waste_register():
    """The waste register for any date range, with what is still missing from each line."""
    start, end = period_from(request.args)
    lines = register_page(db.session, start, end, shipper(db.session), after=request.args.get("after"))
    return render_template("reports/register.html", register=lines, start=start, end=end,
                           args={"start": start.isoformat(), "end": end.isoformat()}, retained_from=retention_start())


@bp.route("/register.csv")
@roles_required("coordinator")
def waste_register_csv():
    start, end = period_from(request.args)
    return csv_response(register(db.session, start, end, shipper(db.session)).csv(csv_units()),
                f"registre-dechets-{start}-{end}.csv")


@bp.route("/register.pdf")
@roles_required("coordinator")
def waste_register_pdf():
    start, end = period_from(request.args)
    table = register(db.session, start, end, shipper(db.session))
    return pdf_response(pdf.register_pdf(table, start, end, report_identity(db.session)),
                f"registre-dechets-{start}-{end}.pdf")


@bp.route("/register/<int:batch_id>", methods=["GET", "POST"])
@roles_required("coordinator")
def shipment(batch_id: int):
    """A line's details the batch does not hold: treatment code, POP, destination, carrier."""
    batch = db.get_or_404(RecyclingBatch, batch_id)
    errors = {}
    if request.method == "POST":
        try:
            record_shipment(db.session, batch, request.form)
        except ShipmentRejected as refused:
            errors = refused.errors
        else:
            flash(_l("Register line completed."), "success")
            return redirect(url_for("reports.waste_register", start=batch.pickup_on, end=batch.pickup_on))
    return render_template("reports/shipment.html", batch=batch, shipment=shipment_of(db.session, batch),
                           values=request.form if errors else None, errors=errors)


@bp.route("/register/<int:batch_id>/delete", methods=["POST"])
@roles_required("coordinator")
def delete_register_line(batch_id: int):
    """Only lines older than the retention period may go."""
    batch = db.get_or_404(RecyclingBatch, batch_id)
    try:
        delete_batch(db.session, batch)
    except RegisterRetained:
        flash(_l("The waste register is kept %(years)s years: this line cannot be deleted before %(date)s.",
                 years=current_app.config["WASTE_REGISTER_RETENTION_YEARS"],
                 date=retained_until(batch)), "error")
    else:
        flash(_l("Register line deleted."), "success")
    return redirect(url_for("reports.waste_register"))


@bp.route("/exports")
@roles_required("coordinator")
def exports():
    """The exports for a filter: items, events, ORDS repair records."""
    filters = filters_from(request.args)
    return render_template("reports/exports.html", filters=filters, args=filter_args(filters),
                           options=filter_options(db.session), shortcuts=shortcuts(filters), private=PRIVATE)


@bp.route("/exports/items.csv")
@roles_required("coordinator")
def items_csv():
    filters = filters_from(request.args)
    return csv_response(csv_text(ITEM_HEADER, item_rows(db.session, filters)), f"objets-{filters.start}-{filters.end}.csv")


@bp.route("/exports/events.csv")
@roles_required("coordinator")
def events_csv():
    filters = filters_from(request.args)
    return csv_response(csv_text(EVENT_HEADER, event_rows(db.session, filters)),
                f"evenements-{filters.start}-{filters.end}.csv")


@bp.route("/exports/ords.csv")
@roles_required("coordinator")
def ords_csv():
    """Repair records in the Open Repair Data Standard 0.3 (English headers, commas, as the standard asks)."""
    filters = filters_from(request.args)
    rows = ords_rows(db.session, filters, data_provider=data_provider(db.session),
                     country=current_app.config["ORDS_COUNTRY"])
    return csv_response(ords_csv_text(rows), f"ords-{filters.start}-{filters.end}.csv")


@bp.route("/landlord-access")
@roles_required("coordinator")
def landlord_access():
    """Every look of a landlord account at a handover, an item or a list: granted or refused, newest first."""
    refused = request.args.get("refused") == "1"
    page = access_log.page_of(db.session, refused=refused, after=request.args.get("after"))
    return render_template("reports/landlord_access.html", page=page, refused=refused)
