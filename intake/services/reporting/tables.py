"""A figure as the pages, the charts and the CSV files show it: one table, the same rows everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..exports import csv_text

# What a column holds: how it is shown and which unit its CSV header names.
KINDS = ("text", "items", "kg", "tonnes", "money", "share", "number", "days", "co2e", "date")


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a lazy string, in the user's language when shown
    kind: str = "text"


@dataclass
class Table:
    """Rows of plain values (str, int, Decimal, date, None), one per line of the table."""

    key: str
    title: object
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    # How the chart draws it: "bar", "hbar", "line" or "stacked"; ``series`` name the columns drawn,
    # the first column labels the bars. None: a table only.
    chart: str | None = None
    series: tuple[str, ...] = ()
    note: object | None = None

    def column(self, key: str) -> int:
        return next(index for index, column in enumerate(self.columns) if column.key == key)

    def shown(self, row: list) -> list:
        """A row as charts and files give it: shares in percent (0.4762 → 47.62)."""
        return [percent(value) if column.kind == "share" else value for column, value in zip(self.columns, row)]

    def chart_data(self) -> dict | None:
        """What the page's script draws: labels and one list of numbers per series, exactly the CSV's."""
        if not self.chart or not self.rows:
            return None
        shown = [self.shown(row) for row in self.rows]
        return {"type": self.chart, "labels": [str(row[0]) for row in shown],
                "series": [{"label": str(self.columns[self.column(key)].label), "unit": self.columns[self.column(key)].kind,
                            "data": [float(row[self.column(key)] or 0) for row in shown]}
                           for key in self.series]}

    def csv(self, units: dict) -> str:
        """The table as CSV: headers with their unit (``units``: kind -> unit text, in the user's language)."""
        header = [f"{column.label} ({units[column.kind]})" if units.get(column.kind) else str(column.label)
                  for column in self.columns]
        return csv_text(header, [self.shown(row) for row in self.rows])


def percent(value) -> Decimal | None:
    return None if value is None else (Decimal(value) * 100).quantize(Decimal("0.01"))


def kg(value) -> Decimal:
    """A weight from the database (Decimal, float or None), to the gram."""
    return Decimal(str(value or 0)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def share(part, whole) -> Decimal | None:
    """part / whole to four decimals (a fraction: 0.5 is 50 %), None when there is no whole."""
    if not whole:
        return None
    return (Decimal(str(part)) / Decimal(str(whole))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def csv_units() -> dict:
    """The unit each kind of column names in a CSV header, in the user's language."""
    from flask_babel import gettext as _

    return {"items": _("items"), "kg": "kg", "tonnes": "t", "money": "€", "share": "%", "days": _("days"),
            "co2e": _("kg CO₂e")}
