"""Browser libraries from the npm registry: pinned by package.json and package-lock.json, installed by
``npm ci --omit=dev`` into node_modules (never committed), served under /vendor/.

Only the packages named here are reachable, and a deploy that forgot ``npm ci`` is caught by
``flask --app intake check-browser-libraries`` (the Procfile's release step) rather than by a 404 on a
technician's phone.
"""

from __future__ import annotations

import os

from flask import Flask

# package -> the file the pages load
# (Leaflet's stylesheet, dist/leaflet.css, is served beside its script.)
VENDOR_PACKAGES = {"qr-scanner": "qr-scanner.min.js", "chart.js": "dist/chart.umd.min.js", "leaflet": "dist/leaflet.js"}


def vendor_folder(app: Flask) -> str:
    """node_modules beside the app, or INTAKE_VENDOR_FOLDER (a copy installed elsewhere)."""
    return app.config["VENDOR_FOLDER"] or os.path.join(os.path.dirname(app.root_path), "node_modules")


def missing_browser_libraries(app: Flask) -> list[str]:
    """The files of VENDOR_PACKAGES that are not installed."""
    folder = vendor_folder(app)
    return [f"{package}/{name}" for package, name in VENDOR_PACKAGES.items()
            if not os.path.isfile(os.path.join(folder, package, name))]
