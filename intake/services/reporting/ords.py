"""Repair records in the Open Repair Data Standard 0.3 (openrepair.org): one CSV row per repair attempt,
English headers, the standard's codelists.

A repair attempt here is a workshop status change that ends a diagnosis or a repair (to ready, to recycle
or dismantled), or any change where the technician recorded a repair outcome. Its ``repair_status`` is
the outcome the technician recorded (réparé → Fixed, réparable → Repairable, fin de vie → End of life);
without one, ready means Fixed and recycled or dismantled means End of life. Items whose category has no
ORDS product category (bikes, textiles…) are outside the standard and left out.
"""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...clock import local_date
from ...models import Category, CollectionPoint, Item, ItemEvent
from ..exports import csv_cell
from .filters import Filters, item_scope, moment_in

# ORDS 0.3 product categories and their product_category_id (the standard's 40).
PRODUCT_CATEGORIES = {
    "Aircon/dehumidifier": 1, "Battery/charger/adapter": 2, "Decorative or safety lights": 3, "Desktop computer": 4,
    "Digital compact camera": 5, "DSLR/video camera": 6, "Fan": 7, "Flat screen": 8, "Hair & beauty item": 9,
    "Handheld entertainment device": 10, "Headphones": 11, "Hi-Fi integrated": 12, "Hi-Fi separates": 13,
    "Kettle": 14, "Lamp": 15, "Laptop": 16, "Large home electrical": 17, "Misc": 18, "Mobile": 19,
    "Musical instrument": 20, "Paper shredder": 21, "PC accessory": 22, "Portable radio": 23, "Power tool": 24,
    "Printer/scanner": 25, "Projector": 26, "Sewing machine": 27, "Small home electrical": 28,
    "Small kitchen item": 29, "Tablet": 30, "Toaster": 31, "Toy": 32, "TV and gaming-related accessories": 33,
    "Vacuum": 34, "Watch/clock": 35, "Coffee maker": 36, "Food processor": 37, "Games console": 38,
    "Hair dryer": 39, "Iron": 40,
}
REPAIR_STATUSES = ("Fixed", "Repairable", "End of life", "Unknown")
# What technicians record (intake/services/status.py REPAIR_OUTCOMES) -> ORDS repair_status.
OUTCOME_STATUS = {"fixed": "Fixed", "repairable": "Repairable", "end_of_life": "End of life"}
BARRIERS = ("Spare parts not available", "Spare parts too expensive", "No way to open product",
            "Repair information not available", "Lack of equipment", "Item too worn out")
# Our barrier names where the standard words them otherwise.
BARRIER_NAMES = {"No way to open the product": "No way to open product"}
HEADER = ["id", "data_provider", "country", "partner_product_category", "product_category", "product_category_id",
          "brand", "year_of_manufacture", "product_age", "repair_status", "repair_barrier_if_end_of_life",
          "group_identifier", "problem", "event_date", "record_date"]
WORKSHOP_STATUSES = ("diagnosing", "repairing", "returned")
ENDS = ("ready", "to_recycle", "dismantled")


def ords_category(name: str | None) -> str | None:
    """The standard's spelling of a category's ORDS category (case aside); an unknown one is "Misc"."""
    if not name:
        return None
    known = {key.lower(): key for key in PRODUCT_CATEGORIES}
    return known.get(name.strip().lower(), "Misc")


def repair_status(to_status: str, data: dict | None) -> str:
    recorded = (data or {}).get("repair_outcome")
    if recorded in OUTCOME_STATUS:
        return OUTCOME_STATUS[recorded]
    if to_status == "ready":
        return "Fixed"
    if to_status in ("to_recycle", "dismantled"):
        return "End of life"
    return "Unknown"


def ords_rows(session: Session, filters: Filters, *, data_provider: str, country: str):
    """The rows of the export for repair attempts made in the period (the other filters apply), oldest first."""
    recorded = ItemEvent.data["repair_outcome"].as_string().is_not(None)
    query = (sa.select(ItemEvent.id, ItemEvent.at, ItemEvent.to_status, ItemEvent.data, Category.name,
                       Category.ords_category, Item.brand, CollectionPoint.name)
             .join(Item, ItemEvent.item_id == Item.id).join(Category, Item.category_id == Category.id)
             .join(CollectionPoint, Item.collection_point_id == CollectionPoint.id)
             .where(ItemEvent.kind == "status", moment_in(ItemEvent.at, filters), *item_scope(filters),
                    Category.ords_category.is_not(None), Category.ords_category != "",
                    sa.or_(sa.and_(ItemEvent.from_status.in_(WORKSHOP_STATUSES), ItemEvent.to_status.in_(ENDS)),
                           recorded))
             .order_by(ItemEvent.at, ItemEvent.id))
    for event_id, at, to_status, data, name, ords, brand, point in session.execute(query.execution_options(
            yield_per=1000)):
        category = ords_category(ords)
        status = repair_status(to_status, data)
        barrier = (data or {}).get("barrier")
        barrier = BARRIER_NAMES.get(barrier, barrier) if status == "End of life" else None
        day = local_date(at).isoformat()
        yield [f"intake-{event_id}", data_provider, country, name, category, PRODUCT_CATEGORIES[category],
               brand or "", "", "", status, barrier if barrier in BARRIERS else "", point,
               (data or {}).get("problem") or "", day, day]


def ords_csv_text(rows) -> str:
    """The standard's CSV: commas, English headers, dots for decimals; formula-looking cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([csv_cell(value, ".") for value in row])
    return out.getvalue()
