"""The features, each a blueprint that registers itself (its routes, and what it loads at start)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import (admin, api, auth, eco, items, landlord, lots, main, network, outcomes, partners, people, printing,
                   pwa, reports, till, workshop)

    for feature in (main, auth, items, admin, printing, workshop, outcomes, landlord, eco, network, reports, partners,
                    people, pwa, api, lots, till):
        feature.init_app(app)
