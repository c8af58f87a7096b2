"""Emission factors: the shipped data file (intake/data/impact_factors.toml, which names its published
source) per ORDS product category, and coordinators' own factor per category, which wins."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...clock import now_utc
from ...models import Category, ImpactFactor, User

FACTORS_FILE = Path(__file__).resolve().parents[2] / "data" / "impact_factors.toml"
MAX_FACTOR = Decimal(100_000)


@dataclass(frozen=True)
class Factor:
    kg_co2e_per_kg: Decimal
    source: str
    own: bool  # set by a coordinator, not shipped


@lru_cache(maxsize=1)
def shipped_factors() -> tuple[str, dict[str, Decimal]]:
    """(source, {ORDS category: kg CO2e per kg}) from the data file."""
    with FACTORS_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    factors = {name: (Decimal(str(values["footprint_kg_co2e"])) / Decimal(str(values["weight_kg"])))
               .quantize(Decimal("0.001"), rounding=ROUND_HALF_UP) for name, values in data["factors"].items()}
    return data["source"]["name"], factors


def factors_by_category(session: Session) -> dict[int, Factor]:
    """The factor that counts for each category that has one (its own, else its ORDS category's)."""
    source, shipped = shipped_factors()
    own = {row.category_id: row for row in session.scalars(sa.select(ImpactFactor))}
    factors = {}
    for category_id, ords in session.execute(sa.select(Category.id, Category.ords_category)):
        if category_id in own:
            factors[category_id] = Factor(Decimal(own[category_id].kg_co2e_per_kg), own[category_id].source, True)
        elif ords in shipped:
            factors[category_id] = Factor(shipped[ords], source, False)
    return factors


class FactorRejected(ValueError):
    pass


def set_own_factor(session: Session, category: Category, *, kg_co2e_per_kg: Decimal | None, source: str,
                   user: User) -> None:
    """A coordinator's factor for a category, with its source; None goes back to the shipped one. Commits."""
    existing = session.get(ImpactFactor, category.id)
    if kg_co2e_per_kg is None:
        if existing is not None:
            session.delete(existing)
        session.commit()
        return
    source = " ".join((source or "").split())
    if not 0 <= kg_co2e_per_kg <= MAX_FACTOR:
        raise FactorRejected("kg_co2e_per_kg")
    if not source:
        raise FactorRejected("source")
    if existing is None:
        existing = ImpactFactor(category_id=category.id)
        session.add(existing)
    existing.kg_co2e_per_kg, existing.source, existing.updated_by_id = kg_co2e_per_kg, source[:300], user.id
    existing.updated_at = now_utc()
    session.commit()


def leaf_categories(session: Session) -> list[Category]:
    """The categories items are logged in (those without sub-categories), by family and name."""
    child = sa.orm.aliased(Category)
    return list(session.scalars(sa.select(Category).where(~sa.exists().where(child.parent_id == Category.id))
                                .order_by(Category.family, Category.name)))
