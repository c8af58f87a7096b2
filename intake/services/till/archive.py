"""The till's archive for a period: every sale, refund and close with its number, its hashes and its
canonical text, so that the chain can be checked again from the file alone (SHA-256 of the previous hash
followed by the text)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...clock import local_date
from ...models import TillSale
from ..exports import csv_text
from .chain import chained_records, verify


def archive_csv(session: Session, start: date, end: date) -> str:
    """The chained records whose day (local) is in the period, in chain order, and whether the whole
    chain checks."""
    rows = []
    for seq, record, text in chained_records(session):
        moment = record.at if isinstance(record, TillSale) else record.closed_at
        day = local_date(moment)
        if not start <= day <= end:
            continue
        kind = record.kind if isinstance(record, TillSale) else "close"
        total = record.total if isinstance(record, TillSale) else record.z_totals.get("total")
        rows.append([seq, kind, day, moment.isoformat(timespec="seconds"), total, record.prev_hash, record.hash, text])
    checked, problems = verify(session)
    header = [_l("Number"), _l("Record"), _l("Date"), _l("Time (UTC)"), _l("Total (€)"), _l("Previous hash"),
              _l("Hash"), _l("Canonical text")]
    rows.append(["", "verify", "", "", "", "", "ok" if not problems else "BROKEN",
                 "; ".join(problem.what for problem in problems) or f"{checked} records chained"])
    return csv_text(header, rows)
