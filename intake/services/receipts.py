"""The tenant's handover receipt as a PDF: the device, its erasure certificate, the warranty; no names."""

from __future__ import annotations

from fpdf import FPDF
from flask_babel import format_date, gettext as _

from ..vocabulary import term
from .exports import pdf_text


def handover_receipt_pdf(row: dict, *, landlord: str, organisation: str | None, contact: str | None,
                         acceptance: str, refurbished: bool) -> bytes:
    """One A4 page from a landlord row (services/landlord.py): only allowlisted fields reach it."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creator("intake")
    pdf.set_title(pdf_text(_("Handover receipt %(code)s", code=row["code"])))
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    pdf.set_font("Helvetica", "B", 16)
    # "Reconditionné" only when every function was tested and the data erased (décret 2022-190).
    title = _("Receipt for a refurbished device") if refurbished else _("Receipt for a second-hand device")
    pdf.multi_cell(0, 8, pdf_text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    if organisation or contact:
        pdf.multi_cell(0, 5, pdf_text(" · ".join(part for part in (organisation, contact) if part)),
                       new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    lines = [
        (_("Social landlord"), landlord),
        (_("Residence"), row["residence"]),
        (_("Tenant reference"), row["tenant_ref"]),
        (_("Device"), " ".join(part for part in (row["category"], row["brand"], row["model"]) if part)),
        (_("Item code"), row["code"]),
        (_("Handed over on"), format_date(row["handed_on"], "long")),
        (_("Accepted by"), term("acceptance", acceptance)),
        (_("Warranty until"), format_date(row["warranty_until"], "long") if row["warranty_until"] else _("No warranty")),
        (_("Data erasure"), " · ".join(part for part in (term("erasure_level", row["erasure_level"]),
                                                           row["erasure_certificate_ref"]) if part) or "-"),
    ]
    for label, value in lines:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(55, 7, pdf_text(label))
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 7, pdf_text(value), new_x="LMARGIN", new_y="NEXT")
    if row["sessions"]:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, pdf_text(_("Accompaniment sessions")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        for planned in row["sessions"]:
            text = f"{format_date(planned['planned_on'], 'medium')} · {planned['topic']}"
            if planned["partner"]:
                text += f" · {planned['partner']}"
            pdf.multi_cell(0, 6, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, pdf_text(_("Keep this receipt: it is asked for any repair under warranty. "
                                    "Scan the label on the device to see its passport.")),
                   new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
