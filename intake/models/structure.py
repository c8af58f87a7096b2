"""The structure running this instance: who the public, buyers and tenants deal with."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..extensions import db
from ..clock import now_utc
from .base import UTCDateTime


class Structure(db.Model):
    """The ressourcerie, workshop or refurbisher that runs the instance: one row for now (the
    "Structures and networks" work will let one instance serve several).

    Shown on the public passport, receipts, exports and, if chosen, labels.
    """

    __tablename__ = "structure"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # 14 digits: the SIREN and the establishment's number, with a Luhn check digit (services/structure.py).
    siret: Mapped[Optional[str]] = mapped_column(sa.String(14))
    address: Mapped[Optional[str]] = mapped_column(sa.String(300))
    postcode: Mapped[Optional[str]] = mapped_column(sa.String(10))
    city: Mapped[Optional[str]] = mapped_column(sa.String(120))
    phone: Mapped[Optional[str]] = mapped_column(sa.String(30))
    email: Mapped[Optional[str]] = mapped_column(sa.String(254))
    name_on_labels: Mapped[bool] = mapped_column(default=False)
    # A small PNG re-encoded from the upload (nothing but pixels); read only where it is drawn.
    logo_png: Mapped[Optional[bytes]] = deferred(mapped_column(sa.LargeBinary))
    logo_width: Mapped[Optional[int]]
    logo_height: Mapped[Optional[int]]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    __table_args__ = (sa.CheckConstraint("siret IS NULL OR length(siret) = 14", name="siret_length"),)
