"""The features, each a blueprint that registers itself (its routes, and what it loads at start)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import admin, api, auth, eco, items, landlord, main, network, outcomes, printing, pwa, reports, workshop

    for feature in (main, auth, items, admin, printing, workshop, outcomes, landlord, eco, network, reports, pwa, api):
        feature.init_app(app)
