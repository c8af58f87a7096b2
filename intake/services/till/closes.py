"""Till sessions: opened on a device with a float, closed with the cash counted. The close ("Z") totals the
session's sales and refunds per payment method and per category (€ and kg), and sets the cash expected in
the drawer against the cash counted. A refund made after a close belongs to the session it is made in."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...clock import now_utc
from ...models import Category, TillLine, TillMethod, TillPayment, TillSale, TillSession, User
from ..outcomes import MAX_PRICE, OutcomeRejected
from ..status import TransitionRefused
from .chain import ensure_chain, link
from .sales import ensure_methods, method_name, methods


def open_session(session: Session, *, device: str, opening_float: Decimal | None, user: User) -> TillSession:
    """Open the till of a device with the cash in its drawer. One open session per device. Commits."""
    device = " ".join((device or "").split())
    errors: dict = {}
    if not device or len(device) > 60:
        errors["device"] = _l("Name the till (60 characters at most), e.g. Caisse 1.")
    if opening_float is None or not 0 <= opening_float <= MAX_PRICE:
        errors["opening_float"] = _l("Type the cash in the drawer, 0 or more.")
    if not errors and session.scalar(sa.select(TillSession.id).where(TillSession.device == device,
                                                                     TillSession.closed_at.is_(None))):
        errors["device"] = _l("This till is open already: close it first, or carry on selling.")
    if errors:
        raise OutcomeRejected(errors)
    ensure_methods(session)
    ensure_chain(session)
    till = TillSession(device=device, opening_float=opening_float, opened_by_id=user.id, opened_at=now_utc())
    session.add(till)
    session.commit()
    return till


def open_sessions(session: Session) -> list[TillSession]:
    return list(session.scalars(sa.select(TillSession).where(TillSession.closed_at.is_(None))
                                .order_by(TillSession.device)))


def recent_closes(session: Session, limit: int = 20) -> list[TillSession]:
    return list(session.scalars(sa.select(TillSession).where(TillSession.closed_at.is_not(None))
                                .order_by(TillSession.closed_at.desc()).limit(limit)))


def _text(value: Decimal) -> str:
    return f"{Decimal(value or 0):.2f}"


def z_report(session: Session, till: TillSession) -> dict:
    """The session's totals, from four grouped queries whatever the number of sales; amounts as text (the
    close keeps this dict as it was, and the chain hashes it)."""
    in_session = TillSale.session_id == till.id
    counts = dict(session.execute(sa.select(TillSale.kind, sa.func.count(TillSale.id)).where(in_session)
                                  .group_by(TillSale.kind)).all())
    total, change = session.execute(sa.select(sa.func.coalesce(sa.func.sum(TillSale.total), 0),
                                              sa.func.coalesce(sa.func.sum(TillSale.change_given), 0))
                                    .where(in_session)).one()
    paid = dict(session.execute(sa.select(TillPayment.method_id, sa.func.sum(TillPayment.amount))
                                .join(TillSale, TillPayment.sale_id == TillSale.id).where(in_session)
                                .group_by(TillPayment.method_id)).all())
    by_category = session.execute(
        sa.select(TillLine.kind, TillLine.category_id, sa.func.sum(TillLine.amount), sa.func.sum(TillLine.weight_kg))
        .join(TillSale, TillLine.sale_id == TillSale.id).where(in_session)
        .group_by(TillLine.kind, TillLine.category_id)).all()
    known = {method.id: method for method in methods(session, active_only=False)}
    cash_ids = {method.id for method in known.values() if method.code == "cash"}
    method_rows = []
    for method_id, method in known.items():
        amount = Decimal(paid.get(method_id) or 0)
        if method_id in cash_ids:
            amount -= Decimal(change)  # change goes back out of the drawer
        if method_id in paid or method.active:
            method_rows.append({"method_id": method_id, "code": method.code, "name": method.name,
                                "amount": _text(amount)})
    names = dict(session.execute(sa.select(Category.id, Category.name)
                                 .where(Category.id.in_({row[1] for row in by_category if row[1]}))).all())
    per_category: dict = {}
    discounts = Decimal(0)
    for kind, category_id, amount, weight in by_category:
        if kind == "discount":
            discounts += Decimal(amount)
            continue
        figures = per_category.setdefault(category_id, [Decimal(0), Decimal(0)])
        figures[0] += Decimal(amount)
        figures[1] += Decimal(weight or 0)
    category_rows = sorted(({"category_id": category_id, "name": names.get(category_id, "?"), "amount": _text(amount),
                             "kg": f"{weight:.3f}"} for category_id, (amount, weight) in per_category.items()),
                           key=lambda row: row["name"])
    cash = sum((Decimal(row["amount"]) for row in method_rows if row["method_id"] in cash_ids), Decimal(0))
    expected = Decimal(till.opening_float) + cash
    return {"sales": counts.get("sale", 0), "refunds": counts.get("refund", 0), "total": _text(total),
            "methods": method_rows, "categories": category_rows, "discounts": _text(discounts),
            "opening_float": _text(till.opening_float), "cash_in": _text(cash), "expected_cash": _text(expected),
            "change_given": _text(change)}


def close_session(session: Session, till: TillSession, *, counted_cash: Decimal | None, user: User) -> TillSession:
    """Close the till with the cash counted: its Z is kept and chained. Commits."""
    if till.closed_at is not None:
        raise TransitionRefused(_l("This till is closed already."))
    if counted_cash is None or not 0 <= counted_cash <= MAX_PRICE:
        raise OutcomeRejected({"counted_cash": _l("Type the cash counted in the drawer.")})
    z = z_report(session, till)
    expected = Decimal(z["expected_cash"])
    z["counted_cash"] = _text(counted_cash)
    z["difference"] = _text(counted_cash - expected)
    # The close as it will be stored, built apart (not in the session) so that only the conditional
    # update below writes it: of two closes at once, one wins.
    draft = TillSession(id=till.id, device=till.device, opened_at=till.opened_at, opened_by_id=till.opened_by_id,
                        opening_float=till.opening_float, closed_at=now_utc(), closed_by_id=user.id,
                        counted_cash=counted_cash, expected_cash=expected, z_totals=z)
    link(session, draft)
    closed = session.execute(sa.update(TillSession).where(TillSession.id == till.id, TillSession.closed_at.is_(None))
                             .values(closed_at=draft.closed_at, closed_by_id=user.id, counted_cash=counted_cash,
                                     expected_cash=expected, z_totals=z, chain_seq=draft.chain_seq,
                                     prev_hash=draft.prev_hash, hash=draft.hash)
                             .execution_options(synchronize_session=False))
    if closed.rowcount != 1:
        session.rollback()
        raise TransitionRefused(_l("This till was closed meanwhile."))
    session.commit()
    session.refresh(till)
    return till


def z_lines(z: dict) -> list[tuple[str, str]]:
    """The Z's payment methods as (name, amount) for a page."""
    return [(method_name(TillMethod(code=row["code"], name=row["name"])), row["amount"]) for row in z["methods"]]
