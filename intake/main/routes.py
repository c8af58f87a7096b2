"""The front door, the health check and the language switch."""

from __future__ import annotations

import sqlalchemy as sa
import os

from flask import (Blueprint, abort, current_app, jsonify, redirect, request,
                   send_from_directory, session, url_for)
from flask_login import current_user, login_required

from ..auth.routes import safe_next
from ..extensions import db
from ..vendor import VENDOR_PACKAGES, vendor_folder

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    """Each role lands where its work is."""
    if current_user.role == "landlord":
        return redirect(url_for("landlord.home"))
    if current_user.role == "technician":
        return redirect(url_for("workshop.queue"))
    return redirect(url_for("items.intake"))


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
    """A file of a pinned npm package (e.g. qr-scanner/qr-scanner.min.js), from node_modules."""
    package, _, path = filename.partition("/")
    if package not in VENDOR_PACKAGES or not path.endswith(".js"):
        abort(404)
    return send_from_directory(os.path.join(vendor_folder(current_app), package), path,
                               mimetype="text/javascript", max_age=86400)


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language for this browser."""
    language = request.form.get("lang")
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))

