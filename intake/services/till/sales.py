"""A sale at the till is a basket: labelled items (each sold through the status machine, as a single sale
is: services/outcomes.py), goods by category with a price and maybe a quantity or a weight (the weight
leaves the category's stock: services/lots.py), discounts with their reason; paid in one or more ways, the
change given in cash. Nothing is ever changed afterwards: a refund is a new sale with a reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload, selectinload

from ...clock import now_utc
from ...models import Category, Item, TillLine, TillMethod, TillPayment, TillSale, TillSession, User
from ...models.till import PAYMENT_METHODS
from ...vocabulary import term
from ..items import find_item
from ..lots import ExitEntry, record_exit
from ..outcomes import MAX_PRICE, OutcomeRejected, record_return, record_sale
from ..status import TransitionRefused
from .chain import link

MAX_LINES = 200
MAX_QUANTITY = 999
CENT = Decimal("0.01")


@dataclass(frozen=True)
class BasketLine:
    """One line as typed: ``kind`` item (a code), goods (a category) or discount (a reason)."""

    kind: str
    price: Decimal | None
    code: str | None = None
    category_id: int | None = None
    quantity: int | None = None
    weight_kg: Decimal | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Paid:
    method_id: int | None
    amount: Decimal | None


@dataclass
class Basket:
    lines: list[BasketLine] = field(default_factory=list)
    payments: list[Paid] = field(default_factory=list)


def methods(session: Session, *, active_only: bool = True) -> list[TillMethod]:
    """The structure's ways to pay, the usual four first (made when a till is first opened)."""
    return [method for method in session.scalars(sa.select(TillMethod).order_by(TillMethod.id))
            if method.active or not active_only]


def ensure_methods(session: Session) -> None:
    """The usual four ways to pay, made if missing (when a till opens). Commits."""
    have = set(session.scalars(sa.select(TillMethod.code).where(TillMethod.code.is_not(None))))
    missing = [code for code in PAYMENT_METHODS if code not in have]
    if missing:
        session.add_all([TillMethod(code=code) for code in missing])
        try:
            session.commit()
        except sa.exc.IntegrityError:
            session.rollback()  # another till opened at the same moment made them


def method_name(method: TillMethod) -> str:
    return term("payment_method", method.code) if method.code else method.name


def add_method(session: Session, name: str) -> TillMethod:
    """A way to pay the coordinator adds (a voucher, a local currency). Commits."""
    name = " ".join((name or "").split())
    if not name or len(name) > 60:
        raise OutcomeRejected({"name": _l("Give the payment method a name (60 characters at most).")})
    if session.scalar(sa.select(TillMethod.id).where(TillMethod.name == name)):
        raise OutcomeRejected({"name": _l("This payment method exists already.")})
    method = TillMethod(name=name)
    session.add(method)
    session.commit()
    return method


def _must_be_open(till: TillSession) -> None:
    if till.closed_at is not None:
        raise TransitionRefused(_l("This till is closed: open a new session."))


def record_basket(session: Session, till: TillSession, basket: Basket, *, user: User, today: date) -> TillSale:
    """Sell a basket and chain it. Everything in it is written, or nothing (a refusal rolls it all back).
    Commits."""
    _must_be_open(till)
    errors: dict = {}
    if not basket.lines:
        errors["lines"] = _l("The basket is empty.")
    if len(basket.lines) > MAX_LINES:
        errors["lines"] = _l("At most %(count)s lines in a basket.", count=MAX_LINES)
    categories = {category.id: category for category in session.scalars(
        sa.select(Category).where(Category.id.in_({line.category_id for line in basket.lines if line.category_id})))}
    items: dict[str, Item] = {}
    for number, line in enumerate(basket.lines, start=1):
        problem = _line_problem(session, line, categories, items)
        if problem:
            errors[f"line-{number}"] = _l("Line %(number)s: %(problem)s", number=number, problem=problem)
    total = sum((_signed(line) for line in basket.lines if line.price is not None), Decimal(0))
    if total < 0:
        errors["total"] = _l("The discounts are more than the basket.")
    paid, change = _payments(session, basket.payments, total, errors)
    if errors:
        raise OutcomeRejected(errors)

    sale = TillSale(session_id=till.id, kind="sale", at=now_utc(), cashier_id=user.id, total=total,
                    change_given=change)
    lines = []
    stock_exits = []
    for position, line in enumerate(basket.lines, start=1):
        record = TillLine(position=position, kind=line.kind, amount=_signed(line), quantity=line.quantity or 1,
                          reason=(line.reason or "").strip() or None)
        if line.kind == "item":
            item = items[line.code]
            item_sale = record_sale(session, item, user=user, price=line.price, sold_on=today, channel="shop",
                                    commit=False)
            record.item_id, record.item_sale_id, record.category_id = item.id, item_sale.id, item.category_id
            record.label = " ".join(part for part in (item.category.name, item.brand, item.model, item.code) if part)
            record.weight_kg, record.refurbished = item.weight_kg, item_sale.refurbished
        elif line.kind == "goods":
            category = categories[line.category_id]
            record.category_id, record.label, record.weight_kg = category.id, category.name, line.weight_kg
            if line.weight_kg:
                stock_exits.append((record, category.id, line.weight_kg, line.price))
        else:
            record.label = str(_l("Discount"))
        lines.append(record)
    sale.lines = lines
    sale.payments = [TillPayment(position=position, method_id=method_id, amount=amount)
                     for position, (method_id, amount) in enumerate(paid, start=1)]
    link(session, sale)
    session.add(sale)
    session.flush()
    for record, category_id, weight, price in stock_exits:
        record_exit(session, ExitEntry(kind="sold", category_id=category_id, weight_kg=weight, price=price),
                    user=user, till_line_id=record.id, commit=False)
    session.commit()
    return sale


def _signed(line: BasketLine) -> Decimal:
    return -line.price if line.kind == "discount" else line.price


def _line_problem(session: Session, line: BasketLine, categories: dict, items: dict):
    if line.price is None or not 0 <= line.price <= MAX_PRICE or line.price != line.price.quantize(CENT):
        return _l("type the price in euros, for example 12,50.")
    if line.kind == "item":
        item = find_item(session, line.code or "", joinedload(Item.category))
        if item is None:
            return _l("no item has the code %(code)s.", code=line.code or "")
        if item.code in items:
            return _l("%(code)s is in the basket twice.", code=item.code)
        if item.status != "ready":
            return _l("%(code)s is “%(status)s”: only a ready item is sold.", code=item.code,
                      status=term("status", item.status))
        items[line.code] = items[item.code] = item
    elif line.kind == "goods":
        if line.category_id not in categories:
            return _l("choose a category.")
        if line.quantity is not None and not 1 <= line.quantity <= MAX_QUANTITY:
            return _l("a quantity is between 1 and %(max)s.", max=MAX_QUANTITY)
        if line.weight_kg is not None and not 0 < line.weight_kg <= 5000:
            return _l("a weight is more than 0 kg.")
    elif line.kind == "discount":
        reason = (line.reason or "").strip()
        if not reason or len(reason) > 200:
            return _l("say why the discount is given (tarif solidaire…).")
        if line.price == 0:
            return _l("a discount is more than 0.")
    else:
        return _l("unknown line.")
    return None


def _payments(session: Session, payments: list[Paid], total: Decimal, errors: dict) -> tuple[list, Decimal]:
    """The payments as (method id, amount) and the change given in cash; errors said in ``errors``."""
    known = {method.id: method for method in methods(session)}
    paid = []
    for number, payment in enumerate(payments, start=1):
        if payment.amount is None or payment.amount <= 0 or payment.amount != payment.amount.quantize(CENT) \
                or payment.amount > MAX_PRICE:
            errors[f"payment-{number}"] = _l("Type each amount paid in euros, more than 0.")
        elif payment.method_id not in known:
            errors[f"payment-{number}"] = _l("Choose how it is paid.")
        else:
            paid.append((payment.method_id, payment.amount))
    tendered = sum((amount for _, amount in paid), Decimal(0))
    if "payment-1" not in errors and tendered < total:
        errors["payments"] = _l("%(missing)s € still to pay.", missing=f"{total - tendered:.2f}".replace(".", ","))
    change = max(tendered - total, Decimal(0))
    cash = sum((amount for method_id, amount in paid if known[method_id].code == "cash"), Decimal(0))
    if change > cash:
        errors["payments"] = _l("Change is given in cash only: the card, cheque or transfer pays no more than due.")
    return paid, change


def record_refund(session: Session, till: TillSession, original: TillSale, line_ids: list[int], *, method_id: int,
                  reason: str, user: User) -> TillSale:
    """Give back some lines of a sale (of this session or an earlier, closed one): a new, negative sale in
    the open session, with the reason; items come back to the workshop, goods sold by weight to the stock.
    Each line is given back once. Commits."""
    _must_be_open(till)
    reason = " ".join((reason or "").split())
    errors: dict = {}
    if not reason or len(reason) > 200:
        errors["reason"] = _l("Say why the sale is refunded.")
    if original.kind != "sale":
        errors["lines"] = _l("A refund cannot be refunded.")
    already = set(session.scalars(sa.select(TillLine.refund_of_line_id).where(
        TillLine.refund_of_line_id.in_([line.id for line in original.lines]))))
    chosen = [line for line in original.lines if line.id in set(line_ids) and line.id not in already]
    if not chosen:
        errors["lines"] = _l("Choose the lines given back (each is refunded once).")
    if method_id not in {method.id for method in methods(session)}:
        errors["method_id"] = _l("Choose how the money is given back.")
    total = -sum((line.amount for line in chosen), Decimal(0))
    if chosen and total >= 0:
        errors["lines"] = _l("Nothing to give back on these lines.")
    if errors:
        raise OutcomeRejected(errors)
    refund = TillSale(session_id=till.id, kind="refund", refund_of_id=original.id, reason=reason, at=now_utc(),
                      cashier_id=user.id, total=total, change_given=Decimal(0))
    refund.lines = [TillLine(position=position, kind=line.kind, item_id=line.item_id, item_sale_id=line.item_sale_id,
                             category_id=line.category_id, label=line.label, quantity=line.quantity,
                             weight_kg=-line.weight_kg if line.weight_kg is not None else None, amount=-line.amount,
                             reason=line.reason, refund_of_line_id=line.id, refurbished=line.refurbished)
                    for position, line in enumerate(chosen, start=1)]
    refund.payments = [TillPayment(position=1, method_id=method_id, amount=total)]
    for line in chosen:
        if line.kind == "item":
            item = session.get(Item, line.item_id)
            if item is not None and item.status == "sold":
                record_return(session, item, user=user, reason="other", note=reason, commit=False)
        elif line.kind == "goods" and line.weight_kg:
            record_exit(session, ExitEntry(kind="correction", category_id=line.category_id, weight_kg=line.weight_kg,
                                           note=str(_l("Refund: %(reason)s", reason=reason))),
                        user=user, commit=False)
    link(session, refund)
    session.add(refund)
    session.commit()
    return refund


def sale_for_receipt(session: Session, sale_id: int) -> TillSale | None:
    return session.scalar(sa.select(TillSale).where(TillSale.id == sale_id).options(
        selectinload(TillSale.lines), selectinload(TillSale.payments)))


def session_sales(session: Session, till: TillSession, limit: int = 50) -> list[TillSale]:
    """The session's latest sales, newest first."""
    return list(session.scalars(sa.select(TillSale).where(TillSale.session_id == till.id)
                                .order_by(TillSale.chain_seq.desc()).limit(limit)))


def sellable_categories(session: Session) -> list[Category]:
    """Categories goods are sold under: active ones, by name."""
    return list(session.scalars(sa.select(Category).where(Category.active).order_by(Category.name)))


def describe_codes(session: Session, typed_codes: list[str]) -> dict[str, tuple[str, str, bool]]:
    """What the basket page says of each typed code: (label, status, sellable now)."""
    described = {}
    for typed in typed_codes:
        item = find_item(session, typed or "", joinedload(Item.category))
        if item is None:
            described[typed] = (str(_l("No item has this code.")), "", False)
        else:
            label = " ".join(part for part in (item.category.name, item.brand, item.model) if part)
            described[typed] = (f"{item.code} · {label}", term("status", item.status), item.status == "ready")
    return described
