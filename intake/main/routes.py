"""The front door (each role's home, the main menu, the coordinator's day), the health check and the
language switch."""

from __future__ import annotations

import sqlalchemy as sa
import os

from functools import lru_cache
from typing import NamedTuple

from flask import (Blueprint, abort, current_app, jsonify, redirect, render_template, request,
                   send_from_directory, session, url_for)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from ..web.access import menu_role, roles_required
from ..web.urls import safe_next
from ..clock import local_days, local_today
from ..extensions import db
from ..services.day_summary import day_summary
from ..services.partners.conventions import expiring_conventions
from ..services.structure import logo_png
from ..vendor import VENDOR_PACKAGES, vendor_folder

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    """Each role lands where its work is: the first entry of its menu (a network's coordinator without
    a structure: the network's figures)."""
    role = menu_role()
    if role not in MENUS:
        abort(403)  # an account with no place anywhere (its structures closed): nothing to show
    return redirect(url_for(MENU_ENTRIES[MENUS[role][0]][0]))


@bp.route("/today")
@roles_required("coordinator")
def today():
    """The coordinator's home: conventions about to end, today's intake, what waits in the workshop, the latest
    events."""
    today = local_today()
    summary = day_summary(db.session, today, local_days(today, today))
    expiring = expiring_conventions(db.session, today, current_app.config["CONVENTION_REMINDER_DAYS"])
    return render_template("main/today.html", summary=summary, expiring=expiring)


class MenuEntry(NamedTuple):
    url: str
    label: str
    current: bool


# endpoint, label, and the endpoints (prefixes) the entry stands for
MENU_ENTRIES = {
    "today": ("main.today", _l("Today"), ("main.today",)),
    "intake": ("items.intake", _l("Intake"), ("items.intake", "items.setup")),
    "items": ("items.index", _l("Items"), ("items.index",)),
    "workshop": ("workshop.queue", _l("Workshop"), ("workshop.",)),
    "labels": ("printing.batch", _l("Labels"), ("printing.",)),
    "recycling": ("outcomes.batches", _l("Recycling"), ("outcomes.batch",)),
    "indicators": ("reports.indicators", _l("Indicators"), ("reports.",)),
    "settings": ("admin.index", _l("Settings"), ("admin.",)),
    "partners": ("partners.index", _l("Partnerships"), ("partners.",)),
    "handovers": ("landlord.home", _l("Handovers"), ("landlord.",)),
    "collected": ("eco.home", _l("Batches"), ("eco.",)),
    "network": ("network.index", _l("Network"), ("network.index", "network.onboard")),
    "till": ("till.home", _l("Till"), ("till.",)),
    "lots": ("lots.index", _l("Stock by weight"), ("lots.index", "lots.record_exit", "lots.show")),
    # people
    "people": ("people.index", _l("People"), ("people.",)),
    "sessions": ("people.sessions", _l("Self-repair"), ("people.session", "people.new_session", "people.find_member",
                                                         "people.attend", "people.join", "people.bring_item",
                                                         "people.hours")),
}
# Each role's entries, its home first. The first MENU_BAR stay in the bar on a phone; the others go
# under "More" (a disclosure: no script), so that the bar fits a 390 px screen in any language.
MENUS = {
    "volunteer": ("intake", "items", "labels", "workshop", "lots", "sessions"),
    "technician": ("workshop", "intake", "items", "labels", "recycling", "till", "lots", "sessions"),
    "coordinator": ("today", "items", "workshop", "intake", "labels", "recycling", "indicators", "partners",
                    "people", "settings", "till", "lots"),
    "landlord": ("handovers",),
    "eco_organism": ("collected",),
    "network": ("network",),
}
MENU_BAR = 3


@bp.app_template_global()
def main_menu() -> tuple[tuple[MenuEntry, ...], tuple[MenuEntry, ...]]:
    """The signed-in user's menu: (in the bar, under "More")."""
    return _menu(menu_role(), request.endpoint or "", str(get_locale()), request.script_root)


@lru_cache(maxsize=1024)  # roles × pages × languages
def _menu(role: str, endpoint: str, locale: str, script_root: str) -> tuple[tuple[MenuEntry, ...], tuple[MenuEntry, ...]]:
    """The menu of a role on a page, in a language (worked out once: the arguments are all it depends on)."""
    entries = tuple(MenuEntry(url_for(MENU_ENTRIES[name][0]), str(MENU_ENTRIES[name][1]),
                              endpoint.startswith(MENU_ENTRIES[name][2]))
                    for name in MENUS.get(role, ()))
    return entries[:MENU_BAR], entries[MENU_BAR:]


@bp.route("/healthz")
def healthz():
    """For load balancers and uptime checks: 200 when the database answers, 503 when not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("health check: database unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for it whatever the page says; answer with the app's icon."""
    return current_app.send_static_file("icons/icon.svg")


@bp.route("/vendor/<path:filename>")
def vendor(filename: str):
    """A script or stylesheet of a pinned npm package (e.g. qr-scanner/qr-scanner.min.js), from node_modules."""
    package, _, path = filename.partition("/")
    kind = {".js": "text/javascript", ".css": "text/css"}.get(os.path.splitext(path)[1])
    if package not in VENDOR_PACKAGES or kind is None:
        abort(404)
    return send_from_directory(os.path.join(vendor_folder(current_app), package), path, mimetype=kind, max_age=86400)


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language for this browser."""
    language = request.form.get("lang")
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))



@bp.route("/structure/logo.png")
def structure_logo():
    """The structure's logo, for its passport pages and receipts: public, cached while its version holds."""
    content = logo_png(db.session, request.args.get("v", ""))
    if content is None:
        abort(404)
    response = current_app.response_class(content, mimetype="image/png")
    # Its URL carries the logo's version (?v=…): a new logo has a new URL.
    response.headers["Cache-Control"] = ("public, max-age=31536000, immutable" if request.args.get("v")
                                         else "public, max-age=300")
    return response
