"""Weighed lots in the collected figures: the items' own grouped query, read again on the lots' table.

A lot has the columns of an item that the collected figures group and filter by (when, where, from whom,
which category, how many kg); it has no status nor grade, and counts no item: its kg count, its items do not.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import replacement_traverse

from ...models import Item, Lot

# What an item's column is for a lot: its own column, or a constant (a lot is "in stock", graded nothing).
_SAME = ("id", "created_at", "source_id", "collection_point_id", "category_id", "weight_kg")
_CONSTANT = {"status": sa.literal_column("'lot'"), "grade": sa.literal_column("'-'")}


def _on_lots(element, used: list):
    def replace(node):
        table = getattr(node, "table", None)
        if isinstance(node, sa.Column) and table is not None and getattr(table, "name", None) == Item.__tablename__:
            if node.name in _SAME:
                used.append(node.name)
                return getattr(Lot, node.name).expression  # the ORM column: the structure wall applies
            if node.name in _CONSTANT:
                return _CONSTANT[node.name]
        return None
    if hasattr(element, "__clause_element__"):  # Item.status: the column behind the attribute
        element = element.__clause_element__()
    return replacement_traverse(element, {}, replace)


def lot_groups(session: Session, conditions: list, keys: tuple) -> list:
    """(key values…, (0, kg)) of the lots meeting the items' ``conditions``, grouped by the items' ``keys``."""
    mapped = []
    grouped = []
    for key in keys:
        used: list = []
        on_lots = _on_lots(key, used)
        mapped.append(on_lots)
        if used:  # a key that became a constant is not grouped by (PostgreSQL refuses constants there)
            grouped.append(on_lots)
    where = [_on_lots(condition, []) for condition in conditions]
    statement = sa.select(*mapped, sa.func.sum(Lot.weight_kg)).select_from(Lot).where(*where)
    if grouped:
        statement = statement.group_by(*grouped)
    return [(tuple(row[:-1]), (0, row[-1])) for row in session.execute(statement) if row[-1] is not None]
