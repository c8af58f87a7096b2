"""Sales and closes chained by hash: each holds the hash of the record before it (its ``prev_hash``) and its
own, the SHA-256 of that previous hash and of its canonical text. Changing, removing or inserting a row
afterwards breaks the chain at that point; ``verify`` finds it.

This is what the principles of inalterability ask for (CGI art. 286 I-3° bis), not a certification: anyone
with write access to the database can rewrite the whole chain from a point on. The archive export (hashes
included) kept elsewhere is what makes such a rewrite show.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ...models import TillChain, TillSale, TillSession

GENESIS = "0" * 64


def _money(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _kg(value) -> str | None:
    return None if value is None else f"{Decimal(value):.3f}"


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def sale_text(sale: TillSale) -> str:
    """The canonical text of a sale or refund: every stored field that matters, its lines and payments."""
    return json.dumps({
        "record": "sale", "seq": sale.chain_seq, "session": sale.session_id, "kind": sale.kind,
        "refund_of": sale.refund_of_id, "reason": sale.reason, "at": _moment(sale.at), "cashier": sale.cashier_id,
        "total": _money(sale.total), "change": _money(sale.change_given),
        "lines": [[line.position, line.kind, line.item_id, line.item_sale_id, line.category_id, line.label,
                   line.quantity, _kg(line.weight_kg), _money(line.amount), line.reason, line.refund_of_line_id,
                   bool(line.refurbished)] for line in sorted(sale.lines, key=lambda line: line.position)],
        "payments": [[payment.position, payment.method_id, _money(payment.amount)]
                     for payment in sorted(sale.payments, key=lambda payment: payment.position)],
    }, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def close_text(till: TillSession) -> str:
    """The canonical text of a close: the session, the cash counted and the Z kept."""
    return json.dumps({
        "record": "close", "seq": till.chain_seq, "session": till.id, "device": till.device,
        "opened_at": _moment(till.opened_at), "opened_by": till.opened_by_id, "float": _money(till.opening_float),
        "closed_at": _moment(till.closed_at), "closed_by": till.closed_by_id, "counted": _money(till.counted_cash),
        "expected": _money(till.expected_cash), "z": till.z_totals,
    }, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(prev_hash: str, text: str) -> str:
    return hashlib.sha256((prev_hash + text).encode()).hexdigest()


def ensure_chain(session: Session) -> None:
    """The structure's chain head, made if missing (when a till opens). Commits."""
    if session.scalar(sa.select(TillChain.id)) is None:
        session.add(TillChain(seq=0, last_hash=GENESIS))
        try:
            session.commit()
        except sa.exc.IntegrityError:
            session.rollback()  # made meanwhile by another till


def link(session: Session, record: TillSale | TillSession) -> None:
    """Give the record the next number of the chain, the previous hash and its own. The head's row (made
    when the first till opened; the structure wall picks the current structure's) is updated first: it stays
    locked until the caller commits, so records are chained one at a time."""
    head_id, seq, previous = session.execute(
        sa.update(TillChain).values(seq=TillChain.seq + 1)
        .returning(TillChain.id, TillChain.seq, TillChain.last_hash)
        .execution_options(synchronize_session=False)).one()
    record.chain_seq, record.prev_hash = seq, previous
    record.hash = digest(previous, sale_text(record) if isinstance(record, TillSale) else close_text(record))
    session.execute(sa.update(TillChain).where(TillChain.id == head_id).values(last_hash=record.hash)
                    .execution_options(synchronize_session=False))


def chained_records(session: Session, start_seq: int = 1, end_seq: int | None = None) -> list:
    """Sales and closes of the structure in chain order, as (seq, record, its canonical text as stored now)."""
    sales = sa.select(TillSale).where(TillSale.chain_seq >= start_seq).options(
        selectinload(TillSale.lines), selectinload(TillSale.payments))
    closes = sa.select(TillSession).where(TillSession.chain_seq.is_not(None), TillSession.chain_seq >= start_seq)
    if end_seq is not None:
        sales = sales.where(TillSale.chain_seq <= end_seq)
        closes = closes.where(TillSession.chain_seq <= end_seq)
    records = [(sale.chain_seq, sale, sale_text(sale)) for sale in session.scalars(sales)]
    records += [(till.chain_seq, till, close_text(till)) for till in session.scalars(closes)]
    return sorted(records, key=lambda row: row[0])


@dataclass(frozen=True)
class Break:
    seq: int | None
    what: str


def verify(session: Session) -> tuple[int, list[Break]]:
    """Check the current structure's chain: (records checked, what is wrong where)."""
    records = chained_records(session)
    problems: list[Break] = []
    previous = GENESIS
    for expected_seq, (seq, record, text) in enumerate(records, start=1):
        kind = "sale" if isinstance(record, TillSale) else "close"
        if seq != expected_seq:
            problems.append(Break(seq, f"number {expected_seq} is missing before {kind} {seq}"))
        if record.prev_hash != previous:
            problems.append(Break(seq, f"{kind} {seq} does not hold the previous record's hash"))
        if digest(record.prev_hash or "", text) != record.hash:
            problems.append(Break(seq, f"{kind} {seq} was changed after it was recorded (its hash does not match)"))
        previous = record.hash
    head = session.execute(sa.select(TillChain.seq, TillChain.last_hash)).first()
    if head is not None and (head.seq != len(records) or head.last_hash != previous):
        problems.append(Break(head.seq, f"the chain's head says {head.seq} records, {len(records)} are there"))
    return len(records), problems
