"""Receipts: what a buyer is told of the guarantees, and the tenant's handover receipt as a PDF (the device,
its erasure certificate, the warranty; no names)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from flask_babel import format_date, gettext as _

from ..models import Sale
from ..vocabulary import term
from .exports import pdf_text
from .outcomes import add_months, sale_warranty_until
from .structure import Identity

# The legal guarantee of conformity (code de la consommation, L217-3 ff.) binds a professional seller to a
# consumer, second-hand goods included: the seller answers for defects of conformity that appear within two
# years of delivery (L217-3). For goods sold second-hand, those appearing within twelve months are presumed
# to have existed at delivery (L217-7; 24 months for new goods); later ones, the buyer must prove. A
# commercial warranty comes on top and is never presented as replacing it (L217-21 ff.). The receipt says
# so in the words of the model notice of décret 2022-946 (article D211-2), adapted to second-hand goods, with
# the guarantee against hidden defects (code civil, articles 1641 to 1649). A handover to a landlord's tenant
# is no sale to a consumer (L217-1): its receipt names the warranty we give, and no legal guarantee.
LEGAL_GUARANTEE_MONTHS = 24
SECOND_HAND_PRESUMPTION_MONTHS = 12


@dataclass(frozen=True)
class Guarantees:
    """A sale's guarantees, each with its end: the legal ones, then the commercial warranty, kept apart."""

    legal_until: date
    presumed_until: date  # defects appearing until then are presumed to have existed at delivery
    commercial_months: int
    commercial_until: date | None


def sale_guarantees(sale: Sale) -> Guarantees:
    return Guarantees(legal_until=add_months(sale.sold_on, LEGAL_GUARANTEE_MONTHS),
                      presumed_until=add_months(sale.sold_on, SECOND_HAND_PRESUMPTION_MONTHS),
                      commercial_months=sale.warranty_months, commercial_until=sale_warranty_until(sale))


def structure_lines(structure: Identity | None) -> list[str]:
    """Who issues the receipt: name, address, SIRET, contact (the lines that exist)."""
    if structure is None:
        return []
    siret = _("SIRET %(number)s", number=structure.siret) if structure.siret else None
    return [line for line in (structure.name, structure.address, siret, structure.contact) if line]


def handover_receipt_pdf(row: dict, *, landlord: str, structure: Identity | None, logo: bytes | None,
                         acceptance: str, refurbished: bool) -> bytes:
    """One A4 page from a landlord row (services/landlord.py): only allowlisted fields reach it."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creator("intake")
    pdf.set_title(pdf_text(_("Handover receipt %(code)s", code=row["code"])))
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    if logo:
        pdf.image(io.BytesIO(logo), x=150, y=15, w=40, h=18, keep_aspect_ratio=True)
    pdf.set_font("Helvetica", "B", 16)
    # "Reconditionné" only when every function was tested and the data erased (décret 2022-190).
    title = _("Receipt for a refurbished device") if refurbished else _("Receipt for a second-hand device")
    pdf.multi_cell(120, 8, pdf_text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in structure_lines(structure):
        pdf.multi_cell(120, 5, pdf_text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    lines = [
        (_("Social landlord"), landlord),
        (_("Residence"), row["residence"]),
        (_("Tenant reference"), row["tenant_ref"]),
        (_("Device"), " ".join(part for part in (row["category"], row["brand"], row["model"]) if part)),
        (_("Item code"), row["code"]),
        (_("Handed over on"), format_date(row["handed_on"], "long")),
        (_("Accepted by"), term("acceptance", acceptance)),
        (_("Warranty given until"),
         format_date(row["warranty_until"], "long") if row["warranty_until"] else _("No warranty")),
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
