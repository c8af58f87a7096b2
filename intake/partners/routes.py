"""Partnerships, for coordinators: the partners (pipeline, timeline, contacts, collection points, figures),
their conventions (commitments against what came, the signed PDF), the map of the territory and the import."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import local_today
from ..extensions import db
from ..formfields import attach_errors
from ..models import CollectionPoint, ContactPerson, Convention, Organisation
from ..models.category import FAMILIES
from ..models.organisation import ORGANISATION_KINDS
from ..models.partnership import PIPELINE_STATUSES
from ..services.partners import pipeline
from ..services.partners.conventions import (ConventionRejected, convention_document, convention_progress,
                                             conventions_of, progress_in_force, save_convention)
from ..services.partners.geo import map_places, places_geojson, points_hosted_by, set_location
from ..services.partners.imports import check_import, decode_csv, write_import
from ..services.reporting.filters import Filters
from ..services.reporting.partner import partner_report
from ..vocabulary import term
from ..web.access import roles_required
from ..web.requests import content_security_policy, origin_of
from . import forms

bp = Blueprint("partners", __name__, url_prefix="/partners")

FIGURES_DAYS = 365  # the partner page's figures: the last twelve months


def _map_policy(response, *, geocoder: bool = False):
    """The map's tiles (and the geocoder the browser asks) are the only outside origins a page may reach."""
    tiles = origin_of(current_app.config["MAP_TILE_URL"])
    coder = origin_of(current_app.config["GEOCODER_URL"]) if geocoder else None
    response.headers["Content-Security-Policy"] = content_security_policy(
        images=(tiles,) if tiles else (), connect=(coder,) if coder else ())
    return response


def _map_settings(geocoder: bool = False) -> dict:
    config = current_app.config
    return {"tiles": config["MAP_TILE_URL"] or "", "attribution": config["MAP_TILE_ATTRIBUTION"] or "",
            "geocoder": (config["GEOCODER_URL"] or "") if geocoder else ""}


@bp.route("/")
@roles_required("coordinator")
def index():
    """Every partner, by kind and status, and the conventions in force with what came against what was agreed."""
    kind, status = request.args.get("kind") or None, request.args.get("status") or None
    today = local_today()
    return render_template("partners/index.html", partners=pipeline.partners_listed(db.session, kind=kind, status=status),
                           kind=kind, status=status, today=today, kinds=ORGANISATION_KINDS, statuses=PIPELINE_STATUSES,
                           progress=progress_in_force(db.session, today))


@bp.route("/<int:organisation_id>")
@roles_required("coordinator")
def show(organisation_id: int):
    """One partner: where the partnership stands, its timeline, contacts, conventions, points and figures."""
    partner = db.get_or_404(Organisation, organisation_id)
    today = local_today()
    move_form = forms.MoveForm(happened_on=today, seen_status=partner.pipeline_status)
    event_form = forms.EventForm(happened_on=today)
    report = partner_report(db.session, partner, Filters(today - timedelta(days=FIGURES_DAYS - 1), today))
    return render_template(
        "partners/show.html", partner=partner, move_form=move_form, event_form=event_form,
        moves=pipeline.allowed_moves(partner.pipeline_status), timeline=pipeline.partner_timeline(db.session, partner),
        contacts=pipeline.contacts_of(db.session, partner), points=points_hosted_by(db.session, partner),
        report=report, progress=[convention_progress(db.session, c, today) for c in conventions_of(db.session, partner)],
        today=today)


@bp.route("/<int:organisation_id>/move", methods=["POST"])
@roles_required("coordinator")
def move(organisation_id: int):
    """A step along the pipeline, dated, with a note."""
    partner = db.get_or_404(Organisation, organisation_id)
    form = forms.MoveForm()
    if form.validate_on_submit():
        try:
            pipeline.move_partner(db.session, partner, form.to.data, user=current_user, on=form.happened_on.data,
                                  note=form.note.data, seen_status=form.seen_status.data)
        except pipeline.PipelineRefused:
            flash(_("This step is not possible from where the partnership stands (it may have just changed)."),
                  "error")
        else:
            flash(_("Saved."), "success")
    else:
        flash(_("Give the date of this step."), "error")
    return redirect(url_for("partners.show", organisation_id=partner.id))


@bp.route("/<int:organisation_id>/events", methods=["POST"])
@roles_required("coordinator")
def add_event(organisation_id: int):
    """A meeting or a note on the partner's timeline."""
    partner = db.get_or_404(Organisation, organisation_id)
    form = forms.EventForm()
    if form.validate_on_submit():
        pipeline.record_partner_event(db.session, partner, kind=form.kind.data, on=form.happened_on.data,
                                      note=form.note.data, user=current_user)
        flash(_("Saved."), "success")
    else:
        flash(_("Write a note and give its date."), "error")
    return redirect(url_for("partners.show", organisation_id=partner.id) + "#timeline")


@bp.route("/<int:organisation_id>/contacts/new", methods=["GET", "POST"])
@bp.route("/contacts/<int:contact_id>", methods=["GET", "POST"])
@roles_required("coordinator")
def contact(organisation_id: int | None = None, contact_id: int | None = None):
    """Add or change a contact person ("personne relais")."""
    record = db.get_or_404(ContactPerson, contact_id) if contact_id else None
    partner = db.get_or_404(Organisation, record.organisation_id if record else organisation_id)
    form = forms.ContactForm(obj=record)
    if form.validate_on_submit():
        pipeline.save_contact(db.session, partner, record, **{name: getattr(form, name).data
                                                             for name in ("name", "role", "phone", "email", "notes")})
        flash(_("Saved."), "success")
        return redirect(url_for("partners.show", organisation_id=partner.id) + "#contacts")
    return render_template("partners/contact.html", form=form, partner=partner, record=record)


@bp.route("/contacts/<int:contact_id>/delete", methods=["POST"])
@roles_required("coordinator")
def delete_contact(contact_id: int):
    record = db.get_or_404(ContactPerson, contact_id)
    partner_id = record.organisation_id  # the form's CSRF token is checked for every POST (CSRFProtect)
    pipeline.delete_contact(db.session, record)
    flash(_("Contact person removed."), "success")
    return redirect(url_for("partners.show", organisation_id=partner_id) + "#contacts")


@bp.route("/<int:organisation_id>/conventions/new", methods=["GET", "POST"])
@bp.route("/conventions/<int:convention_id>", methods=["GET", "POST"])
@roles_required("coordinator")
def convention(organisation_id: int | None = None, convention_id: int | None = None):
    """Add or change a convention: its period, commitments, expected volumes and signed PDF."""
    record = db.get_or_404(Convention, convention_id) if convention_id else None
    partner = db.get_or_404(Organisation, record.organisation_id if record else organisation_id)
    form = forms.ConventionForm(obj=record)
    if record is not None and request.method == "GET":
        for volume in record.volumes:
            getattr(form, f"items_{volume.family}").data = volume.items_per_year
            getattr(form, f"kg_{volume.family}").data = volume.kg_per_year
    if form.validate_on_submit():
        upload = form.document.data
        try:
            saved = save_convention(
                db.session, partner, record, title=form.title.data, starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, renewal_on=form.renewal_on.data, our_commitments=form.our_commitments.data,
                partner_commitments=form.partner_commitments.data,
                expected_items_per_year=form.expected_items_per_year.data,
                expected_kg_per_year=form.expected_kg_per_year.data,
                volumes={family: (getattr(form, f"items_{family}").data, getattr(form, f"kg_{family}").data)
                         for family in FAMILIES},
                document=upload.read(current_app.config["CONVENTION_DOCUMENT_MAX_BYTES"] + 1)
                if upload and upload.filename else None,
                max_bytes=current_app.config["CONVENTION_DOCUMENT_MAX_BYTES"])
        except ConventionRejected as rejected:
            db.session.rollback()
            attach_errors(form, rejected.errors)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("partners.show", organisation_id=saved.organisation_id) + "#conventions")
    return (render_template("partners/convention.html", form=form, partner=partner, record=record,
                            families=FAMILIES), 422 if form.errors else 200)


@bp.route("/conventions/<int:convention_id>/document.pdf")
@roles_required("coordinator")
def convention_pdf(convention_id: int):
    """The signed convention, always as a download (never opened in the page)."""
    found = convention_document(db.session, convention_id)
    if found is None:
        abort(404)
    record, data = found
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="convention-{record.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _location(record, back: str, title: str):
    form = forms.LocationForm(obj=record)
    if form.validate_on_submit():
        set_location(db.session, record, form.latitude.data, form.longitude.data)
        flash(_("Saved."), "success")
        return redirect(back)
    response = current_app.make_response((render_template(
        "partners/location.html", form=form, record=record, back=back, title=title,
        address=getattr(record, "address", None) or "", city=getattr(record, "city", None) or "",
        settings=_map_settings(geocoder=True)), 422 if form.errors else 200))
    return _map_policy(response, geocoder=True)


@bp.route("/<int:organisation_id>/location", methods=["GET", "POST"])
@roles_required("coordinator")
def partner_location(organisation_id: int):
    """Place a partner: tap the map, the phone's location, or its address through the geocoder."""
    partner = db.get_or_404(Organisation, organisation_id)
    return _location(partner, url_for("partners.show", organisation_id=partner.id), partner.name)


@bp.route("/points/<int:point_id>/location", methods=["GET", "POST"])
@roles_required("coordinator")
def point_location(point_id: int):
    """Place a collection point (standing at it, the phone's location is the quickest)."""
    point = db.get_or_404(CollectionPoint, point_id)
    back = url_for("partners.show", organisation_id=point.organisation_id) if point.organisation_id \
        else url_for("partners.map_page")
    return _location(point, back, point.name)


def _place_filters() -> dict:
    return {"kind": request.args.get("kind") or None, "status": request.args.get("status") or None,
            "layer": request.args.get("layer") if request.args.get("layer") in ("partner", "point") else None}


def _place_url(place) -> str:
    if place.layer == "partner":
        return url_for("partners.show", organisation_id=place.id)
    return url_for("partners.point_location", point_id=place.id)


@bp.route("/map")
@roles_required("coordinator")
def map_page():
    """The territory's actors on a map, coloured by kind or status, with the list beside it (which works
    with no tiles at all)."""
    filters = _place_filters()
    places = map_places(db.session, **filters)
    response = current_app.make_response(render_template(
        "partners/map.html", places=places, filters=filters, settings=_map_settings(),
        geojson_args={key: value for key, value in filters.items() if value}, kinds=ORGANISATION_KINDS,
        statuses=PIPELINE_STATUSES, kind_names={code: term("organisation_kind", code) for code in ORGANISATION_KINDS},
        status_names={code: term("pipeline_status", code) for code in PIPELINE_STATUSES},
        placed=sum(1 for p in places if p.latitude is not None)))
    return _map_policy(response)


@bp.route("/map.geojson")
@roles_required("coordinator")
def map_geojson():
    """The map's markers: partners and collection points with coordinates, with the same filters."""
    response = jsonify(places_geojson(map_places(db.session, **_place_filters()), _place_url))
    response.mimetype = "application/geo+json"
    return response


@bp.route("/import", methods=["GET", "POST"])
@roles_required("coordinator")
def import_csv():
    """Partners, contacts, collection points or territories from a CSV file: a preview first, then all of it
    or nothing."""
    form = forms.ImportForm()
    check = None
    if form.validate_on_submit():
        upload = form.file.data
        if upload and upload.filename:
            text = decode_csv(upload.read())
        else:
            text = form.content.data or None
        if text is None:
            form.file.errors.append(_("The file is not UTF-8 text: save it as “CSV UTF-8”."))
        else:
            check = check_import(db.session, form.kind.data, text,
                                 max_rows=current_app.config["IMPORT_MAX_ROWS"])
            if check.valid and request.form.get("confirm") and not (upload and upload.filename):
                count = write_import(db.session, check)
                flash(_("%(count)s records imported.", count=count), "success")
                return redirect(url_for("partners.index"))
            form.content.data = text
    return (render_template("partners/import.html", form=form, check=check),
            422 if form.errors or (check and check.errors) else 200)
