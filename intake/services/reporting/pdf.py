"""The reports as PDF: the partner report and the waste register, in DejaVu (Debian's fonts-dejavu-core) so
that French typography comes out whole: accents, €, CO₂, « guillemets », narrow no-break spaces before
; ! ? and in numbers. Without the font, fpdf's core font and plain Latin-1 text."""

from __future__ import annotations

import os
import re
from datetime import date
from decimal import Decimal

from flask_babel import format_date, format_decimal, gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from ..exports import pdf_text
from ..structure import Identity
from .partner import PartnerReport
from .tables import Table

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


def font_dir() -> str | None:
    return next((folder for folder in FONT_DIRS
                 if all(os.path.isfile(os.path.join(folder, name)) for name in FONT_FILES.values())), None)


def french(text) -> str:
    """French typography: a no-break space before ":", narrow ones before ; ! ? and inside « »."""
    text = "" if text is None else str(text)
    text = re.sub(r" ([;!?])", "\u202f\\1", text)
    text = re.sub(r" :", "\u00a0:", text)
    return text.replace("« ", "«\u00a0").replace(" »", "\u00a0»")


class ReportPDF(FPDF):
    def __init__(self, title: str, subtitle: str, *, orientation: str = "P"):
        super().__init__(orientation=orientation, format="A4", unit="mm")
        self.unicode = font_dir() is not None
        if self.unicode:
            for style, name in FONT_FILES.items():
                self.add_font("DejaVu", style, os.path.join(font_dir(), name))
        self.family = "DejaVu" if self.unicode else "Helvetica"
        self.set_creator("intake")
        self.set_title(self.text(title))
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, 15)
        self.title_text, self.subtitle_text = title, subtitle
        self.add_page()

    def text(self, value) -> str:
        return french(value) if self.unicode else pdf_text(value)

    def header(self):
        self.set_font(self.family, "B", 15)
        self.multi_cell(0, 8, self.text(self.title_text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)
        self.multi_cell(0, 5, self.text(self.subtitle_text), new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def footer(self):
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 5, self.text(_("Page %(page)s", page=self.page_no())), align="R")

    def heading(self, text) -> None:
        self.ln(2)
        self.set_font(self.family, "B", 12)
        self.multi_cell(0, 7, self.text(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)

    def paragraph(self, text, size: int = 10) -> None:
        self.set_font(self.family, "", size)
        self.multi_cell(0, 5, self.text(text), new_x="LMARGIN", new_y="NEXT")

    def table_of(self, table: Table, *, size: int = 9, widths=None) -> None:
        self.set_font(self.family, "", size)
        with self.table(col_widths=widths, text_align="LEFT", line_height=size * 0.55,
                        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 240, 235))) as grid:
            heading = grid.row()
            for column in table.columns:
                heading.cell(self.text(column.label))
            for row in table.rows:
                line = grid.row()
                for column, value in zip(table.columns, table.shown(row)):
                    line.cell(self.text(shown(value, column.kind)))


def shown(value, kind: str) -> str:
    """A cell as a French reader reads it."""
    if value is None:
        return "—"
    if isinstance(value, date):
        return format_date(value, "short")
    if kind == "kg":
        return f"{format_decimal(value, format='#,##0.###')} kg"
    if kind == "tonnes":
        return f"{format_decimal(value, format='#,##0.000###')} t"
    if kind == "money":
        return f"{format_decimal(value, format='#,##0.00')} €"
    if kind == "share":
        return f"{format_decimal(value, format='#,##0.#')} %"
    if isinstance(value, (int, Decimal, float)):
        return format_decimal(value)
    return str(value)


def partner_report_pdf(report: PartnerReport, structure: Identity) -> bytes:
    """The partner report, A4 portrait: who, the period, what it brought and what it became, its effect."""
    period = _("from %(start)s to %(end)s", start=format_date(report.filters.start, "long"),
               end=format_date(report.filters.end, "long"))
    pdf = ReportPDF(_("What became of what %(partner)s gave", partner=report.partner.name),
                    " · ".join(part for part in (structure.name, period) if part))
    pdf.paragraph(" ".join((
        _("%(partner)s brought %(items)s items, %(kg)s.", partner=report.partner.name,
          items=format_decimal(report.items), kg=shown(report.kg, "kg")),
        _("A second life (sold or handed over): %(num)s of them, %(kg)s.", num=format_decimal(report.reused_items),
          kg=shown(report.reused_kg, "kg")))))
    pdf.heading(report.became.title)
    pdf.table_of(report.became, widths=(90, 40, 50))
    pdf.heading(report.categories.title)
    pdf.table_of(report.categories, widths=(90, 40, 50))
    if report.effect:
        columns, row = report.effect
        pdf.heading(_("Its effect on the collection"))
        effect = Table("effect", "", columns[2:], [row[2:]])
        pdf.table_of(effect, size=8)
        pdf.paragraph(_("All sources together, before and after its start on %(date)s.",
                        date=format_date(row[1], "long")), size=8)
    pdf.ln(4)
    pdf.paragraph(_("Weights are those logged at intake; recycled weights are those measured at pickup when the "
                    "batch was weighed."), size=8)
    return bytes(pdf.output())


def register_pdf(table: Table, start: date, end: date, structure: Identity) -> bytes:
    """The waste register, A4 landscape, every field of the arrêté (two tables a line when it is long)."""
    pdf = ReportPDF(_("Waste register"), " · ".join(part for part in (
        structure.name, _("from %(start)s to %(end)s", start=format_date(start, "long"),
                          end=format_date(end, "long"))) if part), orientation="L")
    pdf.paragraph(_("Outgoing waste (code de l'environnement R.541-43, arrêté du 31 mai 2021). Quantities in "
                    "tonnes, kg beside."), size=8)
    first = [column.key for column in table.columns[:13]]
    second = ["shipped_on"] + [column.key for column in table.columns[13:]]
    for keys in (first, second):
        indexes = [table.column(key) for key in keys]
        part = Table("part", "", [table.columns[i] for i in indexes], [[row[i] for i in indexes] for row in table.rows])
        pdf.table_of(part, size=7)
        pdf.ln(3)
    if not table.rows:
        pdf.paragraph(_("No batch was handed over in this period."))
    return bytes(pdf.output())
