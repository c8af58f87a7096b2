"""The configurable category tree."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import StructureScoped, one_of

# The seed's product families.
FAMILIES = ("electrical", "textiles", "furniture", "books_media", "leisure", "tools", "other")

# French DEEE categories since 15 August 2018.
DEEE_CATEGORIES = (
    "heat_exchange",      # 1 équipements d'échange thermique
    "screens",            # 2 écrans et équipements avec écran > 100 cm²
    "lamps",              # 3 lampes
    "large",              # 4 gros équipements
    "small",              # 5 petits équipements
    "small_it_telecom",   # 6 petits équipements informatiques et de télécommunications
    "pv_panels",          # 7 panneaux photovoltaïques
)

# Collection points still sort WEEE into flows, and a batch handed to an eco-organism holds one flow
# (DOMAIN.md, "Waste codes"): GEM froid, GEM hors froid, PAM (small appliances), screens; lamps and
# photovoltaic panels go apart. Each 2018 DEEE category belongs to one flow.
WEEE_FLOW_OF = {
    "heat_exchange": "cooling",      # GEM froid
    "large": "large",                # GEM hors froid
    "small": "small",                # PAM
    "small_it_telecom": "small",     # PAM
    "screens": "screens",            # écrans
    "lamps": "lamps",
    "pv_panels": "pv_panels",
}
WEEE_FLOWS = tuple(dict.fromkeys(WEEE_FLOW_OF.values()))
# Where items of a category go to be recycled: their WEEE flow, or "other" (textiles, furniture, metals…).
WASTE_STREAMS = WEEE_FLOWS + ("other",)


def waste_stream_of(deee_category: str | None) -> str:
    """The recycling stream of a DEEE category's items: its WEEE flow, else "other"."""
    return WEEE_FLOW_OF.get(deee_category, "other")


class Category(StructureScoped, db.Model):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("category.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    # The seed's product family, kept on every node so reports group without walking the tree.
    family: Mapped[str] = mapped_column(sa.String(32))
    deee_category: Mapped[Optional[str]] = mapped_column(sa.String(32))
    ords_category: Mapped[Optional[str]] = mapped_column(sa.String(80))
    data_bearing: Mapped[bool] = mapped_column(default=False)
    default_weight_kg: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(9, 3))
    # A weight outside this range is asked again before it is stored (None: derived from the default weight).
    min_weight_kg: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(9, 3))
    max_weight_kg: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(9, 3))
    icon: Mapped[Optional[str]] = mapped_column(sa.String(16))
    # The functional checks an item must pass before it is ready, e.g. ["Freins", "Vitesses"].
    checklist: Mapped[Optional[list]] = mapped_column(sa.JSON)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Optional["Category"]] = relationship(remote_side=[id])

    __table_args__ = (
        sa.UniqueConstraint("structure_id", "parent_id", "name", name="name_in_parent"),
        one_of("family", FAMILIES, "family"),
        one_of("deee_category", DEEE_CATEGORIES, "deee_category"),
        sa.CheckConstraint("default_weight_kg IS NULL OR default_weight_kg > 0", name="default_weight"),
        sa.CheckConstraint("min_weight_kg IS NULL OR max_weight_kg IS NULL OR min_weight_kg < max_weight_kg",
                           name="plausible_range"),
    )

    @hybrid_property
    def waste_stream(self) -> str:
        """The recycling stream of its items (also usable in queries)."""
        return waste_stream_of(self.deee_category)

    @waste_stream.inplace.expression
    @classmethod
    def _waste_stream_expression(cls):
        return sa.case(*[(cls.deee_category == deee, flow) for deee, flow in WEEE_FLOW_OF.items()], else_="other")

    def __repr__(self) -> str:
        return f"<Category {self.name!r}>"
