"""Receipts: what a buyer is told of the guarantees, and the tenant's handover receipt as a PDF (the device,
its erasure certificate, the warranty; no names)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
from dataclasses import dataclass
from datetime import date

from flask import current_app
from fpdf import FPDF
from flask_babel import format_currency, format_date, gettext as _

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
    return guarantees_on(sale.sold_on, sale.warranty_months, sale_warranty_until(sale))


def guarantees_on(sold_on: date, warranty_months: int = 0, warranty_until: date | None = None) -> Guarantees:
    """The guarantees of goods sold second-hand on that day (a till's basket: no commercial warranty)."""
    return Guarantees(legal_until=add_months(sold_on, LEGAL_GUARANTEE_MONTHS),
                      presumed_until=add_months(sold_on, SECOND_HAND_PRESUMPTION_MONTHS),
                      commercial_months=warranty_months, commercial_until=warranty_until)


def receipt_number(sale: Sale) -> str:
    """The number printed on a sale's receipt: a digest of the sale keyed with the instance's secret, eight
    letters and digits ("K3WQ-7ZPA"); it proves the receipt without being guessable from the sale's id."""
    digest = hmac.new(current_app.secret_key.encode(), f"sale-receipt:{sale.id}".encode(), hashlib.sha256).digest()
    text = base64.b32encode(digest).decode()[:8]
    return f"{text[:4]}-{text[4:]}"


def structure_lines(structure: Identity | None) -> list[str]:
    """Who issues the receipt: name, address, SIRET, contact (the lines that exist)."""
    if structure is None:
        return []
    siret = _("SIRET %(number)s", number=structure.siret) if structure.siret else None
    return [line for line in (structure.name, structure.address, siret, structure.contact) if line]


def guarantee_notice(guarantees: Guarantees, seller: str | None) -> list[tuple[str, list[str]]]:
    """What a sale's receipt says of its guarantees, as (heading, paragraphs): the legal guarantees first,
    then the commercial warranty apart, saying it does not replace them. The page and the PDF both print it."""
    legal = [
        _("You benefit from the legal guarantee of conformity (code de la consommation, articles L217-3 and "
          "following) for two years from delivery, until %(date)s, whatever commercial warranty you may also "
          "have.", date=format_date(guarantees.legal_until, "medium")),
        _("This item is sold second-hand: a defect of conformity that appears within twelve months of delivery, "
          "until %(date)s, is presumed to have existed at delivery (article L217-7); after that, it is for you to "
          "show that it did.", date=format_date(guarantees.presumed_until, "medium")),
        _("The legal guarantee gives you the right to have the item repaired or replaced within thirty days of "
          "your request, free of charge and without major inconvenience; failing that, to a price reduction or to "
          "the cancellation of the sale with a full refund against the item's return. An item repaired under the "
          "legal guarantee has it extended by six months."),
        _("You also benefit from the legal guarantee against hidden defects (code civil, articles 1641 to 1649) "
          "for two years from the discovery of the defect."),
    ]
    if guarantees.commercial_until:
        commercial = [_("On top of the legal guarantees, %(seller)s gives a commercial warranty of %(months)s "
                        "months, until %(date)s. It does not replace the legal guarantee of conformity, which "
                        "applies in any case.", seller=seller or _("the seller"), months=guarantees.commercial_months,
                        date=format_date(guarantees.commercial_until, "medium"))]
    else:
        commercial = [_("No commercial warranty: the legal guarantees above apply.")]
    return [(_("Legal guarantee of conformity"), legal), (_("Commercial warranty"), commercial)]


def sale_receipt_pdf(sale: Sale, *, structure: Identity | None, logo: bytes | None) -> bytes:
    """The buyer's receipt as one A4 page: who sells, the item, the price, then the guarantees."""
    item = sale.item
    device = " ".join(part for part in (item.category.name, item.brand, item.model) if part)
    # "Reconditionné" only when the rule is met (décret 2022-190); never "comme neuf".
    facts = [(_("Date"), format_date(sale.sold_on, "long")),
             (_("Item"), f"{device} · {_('refurbished') if sale.refurbished else _('second-hand')}"),
             (_("Item code"), item.code),
             (_("Receipt number"), receipt_number(sale)),
             (_("Price"), format_currency(sale.price, "EUR")),
             (_("Where"), term("sale_channel", sale.channel))]
    pdf = _receipt(_("Receipt"), _("Receipt %(code)s", code=item.code), structure, logo, facts)
    if sale.refurbished:
        _paragraph(pdf, _("Every function of this item was tested and the data of previous users removed before "
                          "the sale."))
    for heading, paragraphs in guarantee_notice(sale_guarantees(sale), structure.name if structure else None):
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, pdf_text(heading), new_x="LMARGIN", new_y="NEXT")
        for paragraph in paragraphs:
            _paragraph(pdf, paragraph)
    pdf.ln(3)
    _paragraph(pdf, _("Scan the label on the item to see its passport."), size=9)
    return bytes(pdf.output())


def handover_receipt_pdf(row: dict, *, landlord: str, structure: Identity | None, logo: bytes | None,
                         acceptance: str, refurbished: bool) -> bytes:
    """One A4 page from a landlord row (services/landlord.py): only allowlisted fields reach it."""
    # "Reconditionné" only when every function was tested and the data erased (décret 2022-190).
    title = _("Receipt for a refurbished device") if refurbished else _("Receipt for a second-hand device")
    facts = [
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
    pdf = _receipt(title, _("Handover receipt %(code)s", code=row["code"]), structure, logo, facts)
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
    _paragraph(pdf, _("Keep this receipt: it is asked for any repair under warranty. "
                      "Scan the label on the device to see its passport."), size=9)
    return bytes(pdf.output())


def _receipt(title: str, document_title: str, structure: Identity | None, logo: bytes | None,
             facts: list[tuple[str, str]]) -> FPDF:
    """An A4 page begun: the logo, the title, who issues it, then the facts as label and value."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creator("intake")
    pdf.set_title(pdf_text(document_title))
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    if logo:
        pdf.image(io.BytesIO(logo), x=150, y=15, w=40, h=18, keep_aspect_ratio=True)
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(120, 8, pdf_text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in structure_lines(structure):
        pdf.multi_cell(120, 5, pdf_text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, value in facts:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(55, 7, pdf_text(label))
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 7, pdf_text(value), new_x="LMARGIN", new_y="NEXT")
    return pdf


def _paragraph(pdf: FPDF, text: str, size: int = 10) -> None:
    pdf.set_font("Helvetica", "", size)
    pdf.multi_cell(0, 5, pdf_text(text), new_x="LMARGIN", new_y="NEXT")


def basket_receipt_pdf(receipt, *, structure: Identity | None) -> bytes:
    """A till ticket as a PDF 80 mm wide (thermal roll): who sells, the lines, the total, the payments, the
    change, then the legal guarantees. ``receipt`` is services/till/tickets.py's Ticket."""
    pdf = FPDF(orientation="P", unit="mm", format=(80, 297))
    pdf.set_creator("intake")
    pdf.set_title(pdf_text(receipt.title))
    pdf.set_margins(4, 4, 4)
    pdf.set_auto_page_break(True, 4)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 10)
    for number, line in enumerate(structure_lines(structure)):
        pdf.set_font("Helvetica", "B" if number == 0 else "", 10 if number == 0 else 8)
        pdf.multi_cell(0, 4, pdf_text(line), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 9)
    pdf.multi_cell(0, 4, pdf_text(receipt.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(0, 4, pdf_text(receipt.when), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    for label, detail, amount in receipt.lines:
        pdf.set_font("Helvetica", "", 8)
        y = pdf.get_y()
        pdf.multi_cell(52, 4, pdf_text(label + (f" ({detail})" if detail else "")), new_x="RIGHT", new_y="TOP")
        bottom = pdf.get_y() if pdf.get_y() > y else y
        pdf.set_xy(56, y)
        pdf.cell(20, 4, pdf_text(amount), align="R")
        pdf.set_y(max(bottom, y + 4))
    pdf.ln(1)
    for label, amount, bold in receipt.totals:
        pdf.set_font("Helvetica", "B" if bold else "", 9 if bold else 8)
        pdf.cell(52, 5, pdf_text(label))
        pdf.cell(20, 5, pdf_text(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    if receipt.refurbished:
        pdf.ln(1)
        _paragraph(pdf, _("Items marked “refurbished”: every function was tested and the data of previous users "
                          "removed before the sale."), size=7)
    for heading, paragraphs in receipt.notice:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 8)
        pdf.multi_cell(0, 4, pdf_text(heading), new_x="LMARGIN", new_y="NEXT")
        for paragraph in paragraphs:
            pdf.set_font("Helvetica", "", 7)
            pdf.multi_cell(0, 3.2, pdf_text(paragraph), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
