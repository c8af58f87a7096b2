"""The map of the territory's actors: partners and collection points as GeoJSON, and their coordinates."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from ...models import CollectionPoint, Organisation
from ...vocabulary import term


@dataclass(frozen=True)
class Place:
    """One marker of the map and one line of its list (``latitude`` None: listed, not placed)."""

    layer: str  # "partner" or "point"
    id: int
    name: str
    kind: str | None  # a partner's kind; a point's host's kind
    status: str | None  # a partner's pipeline status
    city: str | None
    latitude: Decimal | None
    longitude: Decimal | None


def map_places(session: Session, *, kind: str | None = None, status: str | None = None,
               layer: str | None = None) -> list[Place]:
    """Partners (of a kind, at a status) and open collection points (hosted by a partner of that kind), by name."""
    places = []
    if layer in (None, "partner"):
        query = sa.select(Organisation).order_by(Organisation.name)
        if kind:
            query = query.where(Organisation.kind == kind)
        if status:
            query = query.where(Organisation.pipeline_status == status)
        places += [Place("partner", o.id, o.name, o.kind, o.pipeline_status, o.city, o.latitude, o.longitude)
                   for o in session.scalars(query)]
    if layer in (None, "point") and not status:
        query = (sa.select(CollectionPoint).options(joinedload(CollectionPoint.organisation))
                 .where(CollectionPoint.active).order_by(CollectionPoint.name))
        if kind:
            query = query.join(Organisation, CollectionPoint.organisation_id == Organisation.id) \
                .where(Organisation.kind == kind)
        places += [Place("point", p.id, p.name, p.organisation.kind if p.organisation else None, None,
                         p.organisation.city if p.organisation else None, p.latitude, p.longitude)
                   for p in session.scalars(query)]
    return places


def places_geojson(places: list[Place], url_for_place) -> dict:
    """A FeatureCollection of the places that have coordinates (GeoJSON: longitude first)."""
    features = []
    for place in places:
        if place.latitude is None or place.longitude is None:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(place.longitude), float(place.latitude)]},
            "properties": {
                "layer": place.layer, "id": place.id, "name": place.name, "kind": place.kind,
                "kind_label": str(term("organisation_kind", place.kind)) if place.kind else None,
                "status": place.status,
                "status_label": str(term("pipeline_status", place.status)) if place.status else None,
                "url": url_for_place(place),
            },
        })
    return {"type": "FeatureCollection", "features": features}


def set_location(session: Session, record: Organisation | CollectionPoint, latitude: Decimal | None,
                 longitude: Decimal | None) -> None:
    """Place a partner or a collection point (both None: take it off the map)."""
    record.latitude, record.longitude = latitude, longitude
    session.commit()


def points_hosted_by(session: Session, partner: Organisation) -> list[CollectionPoint]:
    return list(session.scalars(sa.select(CollectionPoint).where(CollectionPoint.organisation_id == partner.id)
                                .order_by(CollectionPoint.name)))
