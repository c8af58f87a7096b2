"""Reference data that coordinators manage: partners, places, categories, containers, accounts.

Each kind of record is a ``Section``: its form, the columns of its list and
how its form's choices are filled. One set of views serves them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from ..web.access import roles_required
from ..extensions import db
from ..formatting import format_weight
from ..vocabulary import term
from ..models import Category, CollectionPoint, Container, Organisation, Territory, User
from ..formfields import attach_errors
from ..services.settings_records import records_by_name, records_listed
from ..services.accounts import (AccountError, account_by_email, create_user, end_sessions, join_structure, member,
                                 members, update_user)
from ..services.structure import StructureRejected, current_structure, logo_version, save_structure
from . import forms

bp = Blueprint("admin", __name__, url_prefix="/admin")


def yes_no(value: bool) -> str:
    return "✓" if value else "—"


def _options(model, label=lambda row: row.name, none_label="—"):
    rows = records_by_name(db.session, model)
    return [SelectChoice(forms.NONE_CHOICE, none_label)] + [SelectChoice(row.id, label(row)) for row in rows]


@dataclass
class Section:
    slug: str
    title: object
    model: type
    form: type
    columns: list[tuple[object, Callable]]
    fill_choices: Callable = lambda form, record: None
    order_by: Callable = lambda model: model.name
    save: Callable | None = None  # (form, record or None) -> record; default: populate and commit
    eager: list = field(default_factory=list)
    listed: Callable | None = None  # () -> records; default: every record of the model, in order
    find: Callable | None = None  # (id) -> record or None; default: the model's record of that id
    # Fields shown, not changed, once the record exists (an account's e-mail is its sign-in name).
    fixed_once_saved: tuple[str, ...] = ()


def _save_user(form, user):
    organisation = db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
    if user is None:
        existing = account_by_email(db.session, form.email.data)
        if existing is not None:  # someone of another structure: a place in ours, their password unchanged
            joined = join_structure(db.session, existing, role=form.role.data, organisation=organisation)
            flash(_("%(email)s already had an account: they now work with us too, with their own password.",
                    email=joined.email), "info")
            return joined
        return create_user(db.session, email=form.email.data, name=form.name.data, role=form.role.data,
                           password=form.password.data or "", organisation=organisation)
    return update_user(db.session, user, name=form.name.data, role=form.role.data, organisation=organisation,
                       active=form.active.data, password=form.password.data)


def _category_parent_choices(form, record):
    choices = _options(Category, none_label=_("— (top level)"))
    form.parent_id.choices = [c for c in choices if record is None or c.value != record.id]


SECTIONS = {
    section.slug: section
    for section in [
        Section("organisations", _l("Partners and organisations"), Organisation, forms.OrganisationForm,
                [(_l("Name"), lambda o: o.name), (_l("Kind"), lambda o: term("organisation_kind", o.kind)),
                 (_l("City"), lambda o: o.city), (_l("Status"), lambda o: term("pipeline_status", o.pipeline_status)),
                 (_l("Active"), lambda o: yes_no(o.active))]),
        Section("territories", _l("Territories"), Territory, forms.TerritoryForm,
                [(_l("Name"), lambda t: t.name), (_l("Population"), lambda t: t.population),
                 (_l("Zone type"), lambda t: term("zone_type", t.zone_type))]),
        Section("collection-points", _l("Collection points"), CollectionPoint, forms.CollectionPointForm,
                [(_l("Name"), lambda p: p.name), (_l("Host"), lambda p: p.organisation.name if p.organisation else ""),
                 (_l("Territory"), lambda p: p.territory.name if p.territory else ""), (_l("Open"), lambda p: yes_no(p.active))],
                fill_choices=lambda form, record: (
                    setattr(form.organisation_id, "choices", _options(Organisation)),
                    setattr(form.territory_id, "choices", _options(Territory)),
                    setattr(form.printer_stock, "choices", [SelectChoice("", "—")] + [
                        SelectChoice(s.id, s.name) for s in current_app.extensions["label_stocks"].values()]),
                ),
                eager=[sa.orm.joinedload(CollectionPoint.organisation), sa.orm.joinedload(CollectionPoint.territory)]),
        Section("categories", _l("Categories"), Category, forms.CategoryForm,
                [(_l("Name"), lambda c: f"{c.icon or ''} {c.name}".strip()),
                 (_l("Parent"), lambda c: c.parent.name if c.parent else ""),
                 (_l("Personal data"), lambda c: yes_no(c.data_bearing)),
                 # Derived from its WEEE category: which recycling batches its items may go in.
                 (_l("Stream"), lambda c: term("batch_stream", c.waste_stream)),
                 (_l("Default weight"), lambda c: format_weight(c.default_weight_kg)),
                 (_l("Offered at intake"), lambda c: yes_no(c.active))],
                fill_choices=_category_parent_choices,
                order_by=lambda model: (model.family, model.name),
                eager=[sa.orm.joinedload(Category.parent)]),
        Section("containers", _l("Containers (tare)"), Container, forms.ContainerForm,
                [(_l("Name"), lambda c: c.name), (_l("Tare"), lambda c: format_weight(c.tare_kg)),
                 (_l("In use"), lambda c: yes_no(c.active))],
                order_by=lambda model: model.tare_kg),
        Section("users", _l("Accounts"), User, forms.UserForm,
                [(_l("Name"), lambda u: u.name), (_l("E-mail"), lambda u: u.email),
                 (_l("Role"), lambda u: term("role", u.role)),
                 (_l("Organisation"), lambda u: u.organisation.name if u.organisation else ""),
                 (_l("Active"), lambda u: yes_no(u.active))],
                fill_choices=lambda form, record: setattr(form.organisation_id, "choices", _options(Organisation)),
                save=_save_user,
                listed=lambda: members(db.session),
                find=lambda record_id: member(db.session, record_id),
                fixed_once_saved=("email",)),
    ]
}


def _section(slug: str) -> Section:
    section = SECTIONS.get(slug)
    if section is None:
        abort(404)
    return section


@bp.route("/")
@roles_required("coordinator")
def index():
    """The coordinator's settings: our structure, then one entry per kind of record."""
    return render_template("admin/index.html", sections=SECTIONS.values())


@bp.route("/structure", methods=["GET", "POST"])
@roles_required("coordinator")
def structure():
    """The structure running the instance: on the passport, the receipts, the exports and the labels."""
    record = current_structure(db.session)
    form = forms.StructureForm(obj=record)
    if form.validate_on_submit():
        upload = form.logo.data
        try:
            save_structure(db.session, name=form.name.data, siret=form.siret.data, address=form.address.data,
                           postcode=form.postcode.data, city=form.city.data, phone=form.phone.data,
                           email=form.email.data, name_on_labels=form.name_on_labels.data,
                           logo=upload.read() if upload and upload.filename else None,
                           remove_logo=form.remove_logo.data)
        except StructureRejected as rejected:
            attach_errors(form, rejected.errors)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.structure"))
    return (render_template("admin/structure.html", form=form, record=record,
                            logo_version=logo_version(record) if record else None),
            422 if form.errors else 200)


@bp.route("/<slug>/")
@roles_required("coordinator")
def records(slug: str):
    """All records of one kind."""
    section = _section(slug)
    if section.listed:
        records = section.listed()
    else:
        records = records_listed(db.session, section.model, order=section.order_by(section.model),
                                 options=section.eager)
    return render_template("admin/records.html", section=section, records=records)


@bp.route("/users/<int:record_id>/sign-out-everywhere", methods=["POST"])
@roles_required("coordinator")
def sign_out_user(record_id: int):
    """End every session of an account (a lost phone, a shared computer): it must sign in again."""
    user = member(db.session, record_id) or abort(404)
    end_sessions(db.session, user)
    flash(_("Every session of %(name)s has ended.", name=user.name), "success")
    return redirect(url_for("admin.edit", slug="users", record_id=user.id))


@bp.route("/<slug>/new", methods=["GET", "POST"])
@bp.route("/<slug>/<int:record_id>", methods=["GET", "POST"])
@roles_required("coordinator")
def edit(slug: str, record_id: int | None = None):
    """Create or change one record."""
    section = _section(slug)
    record = None
    if record_id is not None:
        record = section.find(record_id) if section.find else db.session.get(section.model, record_id)
        if record is None:
            abort(404)
    form = section.form(obj=record)
    section.fill_choices(form, record)
    if form.validate_on_submit():
        try:
            if section.save:
                section.save(form, record)
            else:
                record = record or section.model()
                form.populate_obj(record)
                db.session.add(record)
                db.session.commit()
        except AccountError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        except IntegrityError:
            db.session.rollback()
            form.form_errors.append(_("Another record already has this name."))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.records", slug=slug))
    return render_template("admin/edit.html", section=section, form=form, record=record)
