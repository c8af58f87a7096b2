"""The waste register (code de l'environnement R.541-43; arrêté du 31 mai 2021, art. 2, "déchets sortants"):
one line per batch handed over, oldest first, quantities in tonnes as the arrêté asks (kg beside); kept at
least WASTE_REGISTER_RETENTION_YEARS: a younger line cannot be deleted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...clock import local_date, local_today
from ...models import BatchContent, Category, CollectionPoint, Item, Organisation, RecyclingBatch, WasteShipment
from ..lots import batch_lot_contents, discarded_rows
from ..paging import Page, list_page
from .tables import Column, Table, kg

# Directive 2008/98/CE, annexes I (D1–D15, disposal) and II (R1–R13, recovery).
TREATMENT_CODE = re.compile(r"^(R(1[0-3]|[1-9])|D(1[0-5]|[1-9]))$")


def register_columns() -> list[Column]:
    """Every field of the arrêté's register of outgoing waste, in its order."""
    return [
        Column("shipped_on", _l("Shipping date"), "date"),
        Column("usual_name", _l("Usual name of the waste")),
        Column("waste_code", _l("Waste code (R.541-7)")),
        Column("hazardous", _l("Hazardous waste")),
        Column("pop", _l("Contains persistent organic pollutants (POP)")),
        Column("tonnes", _l("Quantity"), "tonnes"),
        Column("kg", _l("Quantity"), "kg"),
        Column("weighed", _l("Weighed at pickup")),
        Column("slip", _l("Tracking slip number")),
        Column("producer", _l("Shipper (name)")),
        Column("producer_siret", _l("Shipper's SIRET")),
        Column("producer_address", _l("Shipper's address")),
        Column("pickup_points", _l("Where the waste was taken from")),
        Column("eco_organism", _l("Eco-organism (name)")),
        Column("eco_organism_siren", _l("Eco-organism's SIREN")),
        Column("destination", _l("Destination facility (name)")),
        Column("destination_siret", _l("Destination's SIRET")),
        Column("destination_address", _l("Destination's address")),
        Column("treatment_code", _l("Treatment code (R/D)")),
        Column("carrier", _l("Carrier (name)")),
        Column("carrier_siren", _l("Carrier's SIREN")),
        Column("carrier_address", _l("Carrier's address")),
        Column("carrier_receipt", _l("Carrier's receipt number")),
        Column("items", _l("Items"), "items"),
    ]


@dataclass(frozen=True)
class Shipper:
    name: str | None
    siret: str | None
    address: str | None


def _lines(session: Session, start: date, end: date, shipper: Shipper) -> list[tuple[int | None, list]]:
    """The register's lines as (batch id, row), by date: batches picked up from ``start`` to ``end`` (the same
    queries whatever their number: the batches with their details, then their contents as kept by the database
    (categories, collection points, count and kg); weighed lots' kg put in a batch count in its line), and the
    final waste discarded from the stock by weight (no batch: its own line, weighed on our scale)."""
    batches = session.execute(
        sa.select(RecyclingBatch, Organisation.name, Organisation.siren, WasteShipment)
        .join(Organisation, RecyclingBatch.eco_organism_id == Organisation.id)
        .outerjoin(WasteShipment, WasteShipment.batch_id == RecyclingBatch.id)
        .where(RecyclingBatch.state == "closed", RecyclingBatch.pickup_on >= start, RecyclingBatch.pickup_on <= end)
        .order_by(RecyclingBatch.pickup_on, RecyclingBatch.id)).all()
    ids = [row[0].id for row in batches]
    category_names = dict(session.execute(sa.select(Category.id, Category.name)).all())
    point_names = dict(session.execute(sa.select(CollectionPoint.id, CollectionPoint.name)).all())
    contents: dict = {}
    # The batches' contents as the database keeps them (models/tallies.py), never their items: per category
    # (count and kg), and which collection points they came from.
    def entry_of(batch_id):
        return contents.setdefault(batch_id, {"names": [], "items": 0, "kg": Decimal(0), "points": []})

    for batch_id, category_id, count, weight in session.execute(
            sa.select(BatchContent.recycling_batch_id, BatchContent.category_id, sa.func.sum(BatchContent.items),
                      sa.func.sum(BatchContent.kg))
            .where(BatchContent.recycling_batch_id.in_(ids))
            .group_by(BatchContent.recycling_batch_id, BatchContent.category_id)):
        entry = entry_of(batch_id)
        if category_names[category_id] not in entry["names"]:
            entry["names"].append(category_names[category_id])
        entry["items"] += count
        entry["kg"] += kg(weight)
    for batch_id, point_id in session.execute(
            sa.select(BatchContent.recycling_batch_id, BatchContent.collection_point_id)
            .where(BatchContent.recycling_batch_id.in_(ids))
            .group_by(BatchContent.recycling_batch_id, BatchContent.collection_point_id)):
        entry = entry_of(batch_id)
        if point_names[point_id] not in entry["points"]:
            entry["points"].append(point_names[point_id])
    for batch_id, name, weight in batch_lot_contents(session, ids):
        entry = entry_of(batch_id)
        if name not in entry["names"]:
            entry["names"].append(name)
        entry["kg"] += kg(weight)
    yes, no = str(_l("yes")), str(_l("no"))
    rows = []
    for batch, eco_name, eco_siren, shipment in batches:
        entry = contents.get(batch.id, {"names": [], "items": 0, "kg": Decimal(0), "points": []})
        weight = kg(batch.weighed_kg) if batch.weighed_kg is not None else entry["kg"]
        details = shipment or WasteShipment()
        rows.append((batch.id, [batch.pickup_on, ", ".join(sorted(entry["names"])), batch.waste_code,
                     yes if batch.waste_code.strip().endswith("*") else no, yes if details.contains_pop else no,
                     (weight / 1000).quantize(Decimal("0.000001")), weight,
                     yes if batch.weighed_kg is not None else no, batch.slip_number,
                     shipper.name, shipper.siret, shipper.address, ", ".join(sorted(entry["points"])),
                     eco_name, eco_siren, details.destination_name, details.destination_siret,
                     details.destination_address, details.treatment_code, details.carrier_name, details.carrier_siren,
                     details.carrier_address, details.carrier_receipt, entry["items"]]))
    for moment, name, waste_code, weight, point in discarded_rows(session, start, end):
        weight = kg(weight)
        rows.append((None, [local_date(moment), name, waste_code, yes if waste_code.strip().endswith("*") else no, no,
                            (weight / 1000).quantize(Decimal("0.000001")), weight, yes, None, shipper.name,
                            shipper.siret, shipper.address, point, None, None, None, None, None, None, None, None,
                            None, None, 0]))
    return sorted(rows, key=lambda pair: pair[1][0])


def register(session: Session, start: date, end: date, shipper: Shipper) -> Table:
    """The register's lines for the period, oldest first (see ``_lines``)."""
    return register_with_batches(session, start, end, shipper)[0]


def register_with_batches(session: Session, start: date, end: date, shipper: Shipper) -> tuple[Table, list]:
    """The register, and the batch of each of its lines in the same order (to link each line to its
    details; None for a line of waste discarded by weight, which has no batch), read once."""
    lines = _lines(session, start, end, shipper)
    return (Table("register", _l("Waste register"), register_columns(), [row for _, row in lines]),
            [batch_id for batch_id, _ in lines])


REGISTER_PAGE_SIZE = 50


@dataclass(frozen=True)
class RegisterPage:
    """One page of the register's lines for a period (the lines and their batches), and what the whole
    period counts: its lines, and the cells the arrêté asks for that are still empty."""

    table: Table
    batch_ids: list
    page: Page
    lines: int
    missing: int


def register_page(session: Session, start: date, end: date, shipper: Shipper, *, after=None) -> RegisterPage:
    """The register read whole for the period (a few queries), shown ``REGISTER_PAGE_SIZE`` lines at a time."""
    table, batch_ids = register_with_batches(session, start, end, shipper)
    page = list_page(list(zip(batch_ids, table.rows)), after=after, size=REGISTER_PAGE_SIZE)
    return RegisterPage(Table(table.key, table.title, table.columns, [row for _, row in page.rows]),
                        [batch_id for batch_id, _ in page.rows], page, len(table.rows), missing_fields(table))


def missing_fields(table: Table) -> int:
    """How many cells the arrêté asks for are still empty (the shipper's, destination's, carrier's…)."""
    return sum(1 for row in table.rows for value in row if value in (None, ""))


class RegisterRetained(Exception):
    """A line of the waste register younger than the retention period cannot be deleted."""


def retention_start(today: date | None = None) -> date:
    """Lines picked up on or after this day are kept (R.541-43: at least three years)."""
    today = today or local_today()
    years = current_app.config["WASTE_REGISTER_RETENTION_YEARS"]
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def delete_batch(session: Session, batch: RecyclingBatch) -> None:
    """Delete a closed batch's register line (its items stay, out of any batch). Refused while the line is
    within the retention period. Commits."""
    if batch.state == "closed" and batch.pickup_on >= retention_start():
        raise RegisterRetained(batch.id)
    session.execute(sa.update(Item).where(Item.recycling_batch_id == batch.id).values(recycling_batch_id=None)
                    .execution_options(synchronize_session=False))
    session.execute(sa.delete(WasteShipment).where(WasteShipment.batch_id == batch.id))
    session.delete(batch)
    session.commit()


@dataclass
class ShipmentRejected(Exception):
    errors: dict


def record_shipment(session: Session, batch: RecyclingBatch, values: dict) -> WasteShipment:
    """The register's details of a batch (treatment code, POP, destination, carrier). Commits."""
    errors = {}
    code = (values.get("treatment_code") or "").strip().upper().replace(" ", "") or None
    if code and not TREATMENT_CODE.match(code):
        errors["treatment_code"] = _l("A treatment code is R1 to R13 (recovery) or D1 to D15 (disposal).")
    for field, digits in (("carrier_siren", 9), ("destination_siret", 14)):
        value = (values.get(field) or "").replace(" ", "")
        if value and not (value.isdigit() and len(value) == digits):
            errors[field] = _l("%(count)s digits.", count=digits)
    if errors:
        raise ShipmentRejected(errors)
    shipment = session.get(WasteShipment, batch.id) or WasteShipment(batch_id=batch.id)
    session.add(shipment)
    shipment.treatment_code = code
    shipment.contains_pop = bool(values.get("contains_pop"))
    for field in ("carrier_name", "carrier_address", "carrier_receipt", "destination_name", "destination_address"):
        setattr(shipment, field, " ".join((values.get(field) or "").split()) or None)
    for field in ("carrier_siren", "destination_siret"):
        setattr(shipment, field, (values.get(field) or "").replace(" ", "") or None)
    session.commit()
    return shipment


def shipment_of(session: Session, batch: RecyclingBatch) -> WasteShipment:
    return session.get(WasteShipment, batch.id) or WasteShipment(batch_id=batch.id)


def retained_until(batch: RecyclingBatch) -> date:
    """The first day its line may be deleted."""
    years = current_app.config["WASTE_REGISTER_RETENTION_YEARS"]
    day = batch.pickup_on
    try:
        return day.replace(year=day.year + years) + timedelta(days=1)
    except ValueError:
        return day.replace(year=day.year + years, day=28) + timedelta(days=1)
