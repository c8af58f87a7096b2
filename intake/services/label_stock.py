"""Label stock definitions, read from the TOML files in labels/.

A stock is data, not code: its label size, its sheet grid if it is a sheet,
its printer's resolution and protocol. A malformed file stops the app at
start with a message that names the file and the field.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass

MM_PER_INCH = 25.4
KINDS = ("sheet", "roll", "die-cut")
PROTOCOLS = ("brother-ql", "zpl")


class StockError(ValueError):
    """A stock file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Sheet:
    page_width_mm: float
    page_height_mm: float
    columns: int
    rows: int
    left_mm: float
    top_mm: float
    pitch_x_mm: float
    pitch_y_mm: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def position(self, index: int) -> tuple[float, float]:
        """Top-left corner (mm) of the label at ``index`` on its page, row by row."""
        row, column = divmod(index % self.per_page, self.columns)
        return self.left_mm + column * self.pitch_x_mm, self.top_mm + row * self.pitch_y_mm


@dataclass(frozen=True)
class Stock:
    id: str
    name: str
    kind: str
    dpi: int
    width_mm: float
    height_mm: float
    sheet: Sheet | None = None
    protocol: str | None = None
    brother_label: str | None = None
    printable_width_dots: int | None = None
    printable_height_dots: int | None = None

    @property
    def width_dots(self) -> int:
        """The drawn label's width: what the printer reaches, at most the label."""
        return self.printable_width_dots or self.dots(self.width_mm)

    @property
    def height_dots(self) -> int:
        return self.printable_height_dots or self.dots(self.height_mm)

    def dots(self, mm: float) -> int:
        return round(mm * self.dpi / MM_PER_INCH)

    @property
    def drawn_size_mm(self) -> tuple[float, float]:
        """The size of the drawn image on paper: the label, or the part of it the printer reaches."""
        return self.width_dots * MM_PER_INCH / self.dpi, self.height_dots * MM_PER_INCH / self.dpi

    @property
    def inset_mm(self) -> tuple[float, float]:
        """Where the drawn image starts within the label: centred."""
        drawn_width, drawn_height = self.drawn_size_mm
        return (self.width_mm - drawn_width) / 2, (self.height_mm - drawn_height) / 2

    @property
    def page_size_mm(self) -> tuple[float, float]:
        """The PDF page: the whole sheet, or one label for rolls and die-cut labels."""
        if self.sheet:
            return self.sheet.page_width_mm, self.sheet.page_height_mm
        return self.width_mm, self.height_mm


def _field(data: dict, path: str, kind, filename: str, *, required=True, positive=False, choices=None):
    """Read ``path`` ("label.width_mm") from the parsed TOML, checking its type and range."""
    value = data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            if required:
                raise StockError(f"{filename}: field '{path}' is missing")
            return None
        value = value[part]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise StockError(f"{filename}: field '{path}' must be a {kind.__name__}, not {value!r}")
    if positive and not (value > 0 and (kind is not float or math.isfinite(value))):
        raise StockError(f"{filename}: field '{path}' must be more than 0, not {value!r}")
    if choices and value not in choices:
        raise StockError(f"{filename}: field '{path}' must be one of {', '.join(choices)}, not {value!r}")
    return value


def parse_stock(data: dict, filename: str) -> Stock:
    kind = _field(data, "kind", str, filename, choices=KINDS)
    sheet = None
    if kind == "sheet":
        sheet = Sheet(*(
            _field(data, f"sheet.{name}", number, filename, positive=positive)
            for name, number, positive in (
                ("page_width_mm", float, True), ("page_height_mm", float, True), ("columns", int, True),
                ("rows", int, True), ("left_mm", float, False), ("top_mm", float, False),
                ("pitch_x_mm", float, True), ("pitch_y_mm", float, True),
            )
        ))
    stock = Stock(
        id=_field(data, "id", str, filename),
        name=_field(data, "name", str, filename),
        kind=kind,
        dpi=_field(data, "dpi", int, filename, positive=True),
        width_mm=_field(data, "label.width_mm", float, filename, positive=True),
        height_mm=_field(data, "label.height_mm", float, filename, positive=True),
        sheet=sheet,
        protocol=_field(data, "printer.protocol", str, filename, required=False, choices=PROTOCOLS),
        brother_label=_field(data, "printer.brother_label", str, filename, required=False),
        printable_width_dots=_field(data, "printer.printable_width_dots", int, filename, required=False, positive=True),
        printable_height_dots=_field(data, "printer.printable_height_dots", int, filename, required=False,
                                     positive=True),
    )
    if stock.width_dots > stock.dots(stock.width_mm) or stock.height_dots > stock.dots(stock.height_mm):
        raise StockError(f"{filename}: field 'printer.printable_*_dots' is larger than the label")
    if stock.protocol == "brother-ql" and not stock.brother_label:
        raise StockError(f"{filename}: field 'printer.brother_label' is missing (needed by brother-ql)")
    if sheet:
        last_x, last_y = sheet.position(sheet.per_page - 1)
        if last_x + stock.width_mm > sheet.page_width_mm + 0.05 or last_y + stock.height_mm > sheet.page_height_mm + 0.05:
            raise StockError(f"{filename}: field 'sheet' places labels outside the page")
    return stock


def load_stocks(folder: str) -> dict[str, Stock]:
    """Every stock in ``folder``, by id, in the order of their names."""
    stocks: dict[str, Stock] = {}
    for entry in sorted(os.listdir(folder)):
        if not entry.endswith(".toml"):
            continue
        path = os.path.join(folder, entry)
        try:
            with open(path, "rb") as stock_file:
                data = tomllib.load(stock_file)
        except tomllib.TOMLDecodeError as error:
            raise StockError(f"{entry}: not valid TOML ({error})") from None
        stock = parse_stock(data, entry)
        if stock.id in stocks:
            raise StockError(f"{entry}: field 'id' repeats {stock.id!r}")
        stocks[stock.id] = stock
    if not stocks:
        raise StockError(f"{folder}: no label stock (*.toml) found")
    return stocks
