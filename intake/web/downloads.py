"""Files sent back to the browser: PDFs opened in place, receipts with the structure's header."""

from __future__ import annotations

from flask import current_app

from ..extensions import db
from ..models import Handover
from ..services import receipts
from ..services.structure import identity, logo_png


def pdf_response(data: bytes, filename: str):
    """A PDF the browser opens in place (and saves under ``filename``)."""
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def structure_header():
    """The structure as receipts show it, and its logo if it has one."""
    structure = identity(db.session, current_app.config)
    return structure, logo_png(db.session) if structure and structure.logo_version else None


def handover_receipt_response(record: Handover, row: dict):
    """The tenant's receipt, from the landlord row of the handover (its allowlist)."""
    structure, logo = structure_header()
    data = receipts.handover_receipt_pdf(row, landlord=record.landlord.name, structure=structure, logo=logo,
                                         acceptance=record.acceptance, refurbished=record.refurbished)
    return pdf_response(data, f"remise-{row['code']}.pdf")


def csv_response(text: str, filename: str):
    """A CSV file to download (written by services.exports: French headers, formulas neutralised)."""
    response = current_app.response_class(text, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
