"""Files people download: CSV that French spreadsheets open as they are, safely, and PDFs with text fpdf's
core fonts can draw."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale

# A spreadsheet runs a text cell as a formula when it starts with one of these signs, even after spaces
# or line breaks (full-width forms included); a cell starting with a tab or a carriage return is
# neutralised too (OWASP "CSV injection").
FORMULA_SIGNS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
UNSAFE_STARTS = ("\t", "\r")


def csv_cell(value, decimal_sign: str = ",") -> str:
    """One cell: numbers with the language's decimal sign (no thousands separator, so spreadsheets read
    them as numbers), dates as ISO, None as empty, text that would be a formula neutralised."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Decimal, float)) and not isinstance(value, bool):
        return format(Decimal(str(value)) if isinstance(value, float) else value, "f").replace(".", decimal_sign)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(UNSAFE_STARTS) or text.lstrip().startswith(FORMULA_SIGNS):
        return "'" + text
    return text


def csv_text(header: list[str], rows: list[list]) -> str:
    """The one CSV writer of every export: semicolon-separated as French spreadsheets expect, a BOM so
    accents survive Excel, the headers as given (in the user's language, with their unit: "Quantité (kg)")."""
    locale = get_locale()
    decimal_sign = get_decimal_symbol(locale) if locale else ","
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(name) for name in header])
    for row in rows:
        writer.writerow([csv_cell(value, decimal_sign) for value in row])
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
