"""A network's pages. Its coordinators (who may belong to no structure) see the members' figures per
structure and in total, as a page and a CSV, and onboard a structure; a structure's coordinators see which
networks it belongs to and may leave one. Nothing here names an item, a person or a tenant."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ..clock import local_today
from ..extensions import db
from ..formfields import attach_errors
from ..inputs import MAX_YEAR, MIN_YEAR
from ..scoping import current_structure_id
from ..services.networks import leave, network_figures, networks_of
from ..services.onboarding import create_structure
from ..services.reporting.filters import year_period
from ..services.reporting.tables import csv_units
from ..services.structure import StructureRejected
from ..web.access import coordinated_networks, network_coordinator_required, roles_required
from ..web.downloads import csv_response
from .forms import LeaveForm, OnboardingForm

bp = Blueprint("network", __name__, url_prefix="/network")


def _chosen_network():
    """The network asked for (``?network=``) among those the account coordinates, else its first; any other
    is a 404, as if it did not exist."""
    networks = coordinated_networks()
    wanted = request.args.get("network", type=int)
    if wanted is None:
        return networks[0]
    network = next((n for n in networks if n.id == wanted), None)
    if network is None:
        abort(404)
    return network


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year is not None and MIN_YEAR <= year <= MAX_YEAR else local_today().year


@bp.route("/")
@network_coordinator_required
def index():
    """The members' figures for a year, per structure and in total."""
    network, year = _chosen_network(), _year()
    figures = network_figures(db.session, network.id, *year_period(year))
    return render_template("network/index.html", network=network, networks=coordinated_networks(), year=year,
                           years=[y for y in (year - 1, year, year + 1) if y <= local_today().year],
                           table=figures.table())


@bp.route("/figures.csv")
@network_coordinator_required
def figures_csv():
    """The page's table as a CSV file: a line per structure, the total last."""
    network, year = _chosen_network(), _year()
    table = network_figures(db.session, network.id, *year_period(year)).table()
    return csv_response(table.csv(csv_units()), f"reseau-{network.id}-{year}.csv")


@bp.route("/structures/new", methods=["GET", "POST"])
@network_coordinator_required
def onboard():
    """A new member structure and its first coordinator, whose first password is shown once, here."""
    networks = coordinated_networks()
    form = OnboardingForm()
    form.network_id.choices = [(n.id, n.name) for n in networks]
    if form.validate_on_submit():
        network = next(n for n in networks if n.id == form.network_id.data)
        try:
            made = create_structure(db.session, name=form.name.data, coordinator_email=form.coordinator_email.data,
                                    coordinator_name=form.coordinator_name.data, network=network)
        except StructureRejected as refused:
            attach_errors(form, refused.errors)
        else:
            response = make_response(render_template("network/onboarded.html", made=made, network=network))
            response.headers["Cache-Control"] = "no-store"  # the password is shown once, never kept
            return response
    return render_template("network/onboard.html", form=form, several=len(networks) > 1), 422 if form.errors else 200


@bp.route("/membership")
@roles_required("coordinator")
def membership():
    """For a structure's coordinators: the networks it belongs to, and leaving one."""
    return render_template("network/membership.html", networks=networks_of(db.session, current_structure_id()),
                           form=LeaveForm(), coordinates=bool(coordinated_networks()))


@bp.route("/<int:network_id>/leave", methods=["POST"])
@roles_required("coordinator")
def leave_network(network_id: int):
    """The structure at hand leaves the network, once its coordinator has ticked the confirmation."""
    form = LeaveForm()
    if not form.validate_on_submit():
        flash(_l("Tick the box to confirm."), "error")
    elif leave(db.session, network_id, current_structure_id()):
        flash(_l("Your structure has left the network: it sees none of your figures from now on."), "success")
    else:
        abort(404)
    return redirect(url_for("network.membership"))


@bp.app_template_global()
def structure_networks() -> list:
    """The networks of the structure at hand (the settings page shows the entry only when there is one)."""
    return networks_of(db.session, current_structure_id())
