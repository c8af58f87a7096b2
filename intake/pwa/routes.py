"""The installable app: its manifest, its service worker (served from the root, for the whole site) and
the page shown offline.

The service worker's cache version is a digest of the static files' content, computed when the app
starts: a deploy that changes a stylesheet changes the worker's bytes, so every phone installs the
new worker, which caches the new files under a new name and deletes the old cache.
"""

from __future__ import annotations

import hashlib
import os

from flask import Blueprint, current_app, jsonify, render_template, url_for
from flask_babel import gettext as _

bp = Blueprint("pwa", __name__)

# What the intake page and the setup step need with no network, and the manifest's icons (installing the
# app needs them); the pages themselves are cached at sign-in and whenever they are visited.
MANIFEST_ICONS = ("icons/icon-192.png", "icons/icon-512.png", "icons/icon-maskable-512.png", "icons/icon.svg")
SHELL_FILES = ("css/app.css", "js/intake.js", "js/intake-outbox.js", "js/outbox.js", "js/pwa.js", "js/camera.js",
               "js/sticker-scan.js", "js/setup.js", "js/photo-shrink.js", *MANIFEST_ICONS)
# The intake page is kept for at most this many collection points (the first by name).
OFFLINE_POINTS = 30


def refresh_static_version(app) -> str:
    """Digest every file under static/; the service worker's cache is named after it."""
    digest = hashlib.sha256()
    for folder, subfolders, files in sorted(os.walk(app.static_folder)):
        subfolders.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, app.static_folder).encode())
            with open(path, "rb") as content:
                digest.update(content.read())
    app.extensions["static_version"] = digest.hexdigest()[:12]
    return app.extensions["static_version"]


@bp.route("/manifest.webmanifest")
def manifest():
    response = jsonify({
        "name": _("intake — donated items"),
        "short_name": "intake",
        "description": _("Log donated items, print their labels, follow them to their second life."),
        "lang": "fr",
        "start_url": url_for("items.intake"),
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f5f7f6",
        "theme_color": "#1f6f50",
        "icons": [
            {"src": url_for("static", filename=MANIFEST_ICONS[0]), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename=MANIFEST_ICONS[1]), "sizes": "512x512", "type": "image/png"},
            {"src": url_for("static", filename=MANIFEST_ICONS[2]), "sizes": "512x512",
             "type": "image/png", "purpose": "maskable"},
            {"src": url_for("static", filename=MANIFEST_ICONS[3]), "sizes": "any", "type": "image/svg+xml"},
        ],
    })
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/sw.js")
def service_worker():
    body = render_template("pwa/sw.js", version=current_app.extensions["static_version"],
                           shell=[url_for("static", filename=name) for name in SHELL_FILES],
                           offline=url_for("pwa.offline"), manifest=url_for("pwa.manifest"),
                           intake=url_for("items.intake"), setup=url_for("items.setup"),
                           points=url_for("api.list_collection_points"), max_points=OFFLINE_POINTS,
                           outbox=url_for("static", filename="js/outbox.js"))
    response = current_app.response_class(body, mimetype="text/javascript")
    # Always asked again: a new deploy must reach the phones at their next visit.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/offline")
def offline():
    """Shown by the service worker for any page but intake when there is no network. Nothing personal."""
    return render_template("pwa/offline.html")
