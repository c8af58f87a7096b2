"""What a till ticket says, once, for its page (80 mm and 58 mm thermal paper) and its PDF."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_currency, gettext as _

from ...clock import local_date
from ...formatting import format_local_datetime, format_weight
from ...models import TillSale
from ..receipts import guarantee_notice, guarantees_on
from ..structure import Identity
from .sales import method_name


@dataclass(frozen=True)
class Ticket:
    title: str
    when: str
    lines: list[tuple[str, str, str]]  # label, detail (quantity, weight, reason), amount
    totals: list[tuple[str, str, bool]]  # label, amount, bold
    refurbished: bool
    notice: list[tuple[str, list[str]]]


def ticket(sale: TillSale, structure: Identity | None) -> Ticket:
    lines = []
    for line in sale.lines:
        details = []
        if line.kind == "item":
            # "Reconditionné" only when the rule is met (décret 2022-190); never "comme neuf".
            details.append(_("refurbished") if line.refurbished else _("second-hand"))
        if line.quantity and line.quantity != 1:
            details.append(f"× {line.quantity}")
        if line.weight_kg is not None and line.kind == "goods":
            details.append(format_weight(abs(line.weight_kg)))
        if line.reason:
            details.append(line.reason)
        lines.append((line.label, " · ".join(details), format_currency(line.amount, "EUR")))
    totals = [(_("Total"), format_currency(sale.total, "EUR"), True)]
    totals += [(method_name(payment.method), format_currency(payment.amount, "EUR"), False) for payment in sale.payments]
    if sale.change_given:
        totals.append((_("Change given"), format_currency(sale.change_given, "EUR"), False))
    if sale.kind == "refund":
        title = _("Refund %(number)s", number=sale.number)
        notice = []
    else:
        title = _("Ticket %(number)s", number=sale.number)
        notice = guarantee_notice(guarantees_on(local_date(sale.at)), structure.name if structure else None)
    if sale.reason:
        totals.append((_("Reason"), sale.reason, False))
    return Ticket(title=title, when=format_local_datetime(sale.at), lines=lines, totals=totals,
                  refurbished=any(line.refurbished for line in sale.lines), notice=notice)
