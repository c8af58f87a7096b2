"""The till (caisse): sessions opened with a float and closed with the counted cash (the "Z"), sales as
baskets of lines paid in one or more ways. Sales and closes are never changed: a refund is a new sale, and
each of them holds the hash of the one before (services/till/chain.py), so a later change shows."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now_utc
from ..extensions import db
from .base import StructureScoped, UTCDateTime, one_of

# The payment methods every till has; a coordinator adds others by name (a voucher, a local currency…).
PAYMENT_METHODS = ("cash", "card", "cheque", "transfer")
TILL_SALE_KINDS = ("sale", "refund")
LINE_KINDS = ("item", "goods", "discount")


class TillMethod(StructureScoped, db.Model):
    """A way to pay: one of PAYMENT_METHODS (``code``) or one a coordinator added (``name``)."""

    __tablename__ = "till_method"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[Optional[str]] = mapped_column(sa.String(16))
    name: Mapped[Optional[str]] = mapped_column(sa.String(60))
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        sa.UniqueConstraint("structure_id", "code", name="uq_till_method_code"),
        sa.UniqueConstraint("structure_id", "name", name="uq_till_method_name"),
        one_of("code", PAYMENT_METHODS, "code"),
        sa.CheckConstraint("(code IS NULL) <> (name IS NULL)", name="code_or_name"),
    )


class TillChain(StructureScoped, db.Model):
    """The head of a structure's chain of sales and closes: the last number given and its hash. A sale or
    a close updates it first, so two at once wait for each other instead of both chaining to the same."""

    __tablename__ = "till_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default="0" * 64)

    __table_args__ = (sa.UniqueConstraint("structure_id", name="uq_till_chain_structure"),)


class TillSession(StructureScoped, db.Model):
    """A till opened on a device with its float; closed once, with the cash counted and its Z kept."""

    __tablename__ = "till_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    device: Mapped[str] = mapped_column(sa.String(60))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    opened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    opening_float: Mapped[Decimal] = mapped_column(sa.Numeric(9, 2))
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    counted_cash: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(9, 2))
    expected_cash: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(10, 2))
    # The Z as it was at the close (services/till/closes.py), part of what the chain's hash covers.
    z_totals: Mapped[Optional[dict]] = mapped_column(sa.JSON)
    chain_seq: Mapped[Optional[int]]
    prev_hash: Mapped[Optional[str]] = mapped_column(sa.String(64))
    hash: Mapped[Optional[str]] = mapped_column(sa.String(64))

    __table_args__ = (
        sa.CheckConstraint("opening_float >= 0", name="float"),
        sa.CheckConstraint("counted_cash IS NULL OR counted_cash >= 0", name="counted"),
        sa.UniqueConstraint("structure_id", "chain_seq", name="uq_till_session_seq"),
    )


class TillSale(StructureScoped, db.Model):
    """One basket paid at the till, or a refund (``refund_of``, with its reason). Never updated."""

    __tablename__ = "till_sale"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("till_session.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    refund_of_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("till_sale.id"))
    reason: Mapped[Optional[str]] = mapped_column(sa.String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    cashier_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    total: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    change_given: Mapped[Decimal] = mapped_column(sa.Numeric(9, 2), default=0)
    chain_seq: Mapped[int]
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    lines: Mapped[list["TillLine"]] = relationship(order_by="TillLine.position", lazy="selectin")
    payments: Mapped[list["TillPayment"]] = relationship(order_by="TillPayment.position", lazy="selectin")

    __table_args__ = (
        one_of("kind", TILL_SALE_KINDS, "kind"),
        sa.CheckConstraint("change_given >= 0", name="change"),
        sa.CheckConstraint("kind = 'sale' OR (refund_of_id IS NOT NULL AND reason IS NOT NULL)", name="refund"),
        sa.UniqueConstraint("structure_id", "chain_seq", name="uq_till_sale_seq"),
    )

    @property
    def number(self) -> str:
        return f"T-{self.chain_seq}"


class TillLine(StructureScoped, db.Model):
    """A line of a basket: a labelled item (its ``Sale``), goods by category (price, quantity, weight), or a
    discount (negative, with its reason). A refund's lines are the negatives of the lines given back."""

    structure_indexed = False

    __tablename__ = "till_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(sa.ForeignKey("till_sale.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(8))
    item_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("item.id"))
    item_sale_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("sale.id"))
    category_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("category.id"))
    label: Mapped[str] = mapped_column(sa.String(200))
    quantity: Mapped[int] = mapped_column(default=1)
    weight_kg: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(9, 3))
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    reason: Mapped[Optional[str]] = mapped_column(sa.String(200))
    refund_of_line_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("till_line.id"))
    # "Reconditionné" said of the item on the receipt (décret 2022-190), as its Sale says.
    refurbished: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        one_of("kind", LINE_KINDS, "kind"),
        sa.CheckConstraint("kind <> 'discount' OR reason IS NOT NULL", name="discount_reason"),
    )


class TillPayment(StructureScoped, db.Model):
    """What was paid (or, for a refund, given back: negative) in one way."""

    structure_indexed = False

    __tablename__ = "till_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(sa.ForeignKey("till_sale.id"), index=True)
    position: Mapped[int]
    method_id: Mapped[int] = mapped_column(sa.ForeignKey("till_method.id"))
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))

    method: Mapped[TillMethod] = relationship(lazy="joined")

    __table_args__ = (sa.CheckConstraint("amount <> 0", name="amount"),)


@sa.event.listens_for(TillSale, "before_update")
@sa.event.listens_for(TillSale, "before_delete")
@sa.event.listens_for(TillLine, "before_update")
@sa.event.listens_for(TillLine, "before_delete")
@sa.event.listens_for(TillPayment, "before_update")
@sa.event.listens_for(TillPayment, "before_delete")
def _sales_are_append_only(mapper, connection, target) -> None:
    raise PermissionError("till sales are append-only: record a refund")
