"""Files people download: CSV that spreadsheets open safely, and PDFs with text fpdf's core fonts can draw."""

from __future__ import annotations

import csv
import io
from datetime import date

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """One cell: dates as ISO, None as empty, text that would be a formula neutralised."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: list[str], rows: list[list]) -> str:
    """Semicolon-separated, as French spreadsheets expect, with a BOM so accents survive Excel."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return "\ufeff" + out.getvalue()


PDF_REPLACEMENTS = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "œ": "oe", "Œ": "OE",
                    "€": "EUR", "\u202f": " ", "\xa0": " "}


def pdf_text(value) -> str:
    """Text for fpdf's core fonts (Latin-1): typographic signs replaced, anything else dropped."""
    text = "" if value is None else str(value)
    for sign, plain in PDF_REPLACEMENTS.items():
        text = text.replace(sign, plain)
    text = "".join(ch for ch in text if ch == "\n" or ch >= " ")
    return text.encode("latin-1", "ignore").decode("latin-1")
