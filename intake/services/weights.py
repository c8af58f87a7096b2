"""Plausible weights: a weight far from what its category usually weighs is asked again, not stored as typed."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from ..formatting import format_weight
from ..models import Category

# Without a range of its own, a category's plausible weights go from a tenth of its typical weight
# to ten times it: a 2,2 kg laptop typed 22 kg passes, 1 250,5 kg (a slip of the comma) is asked again.
DERIVED_RANGE_FACTOR = Decimal(10)


def plausible_range(category: Category) -> tuple[Decimal, Decimal] | None:
    """The weights (kg) that need no confirmation for this category; None: any weight."""
    low, high = category.min_weight_kg, category.max_weight_kg
    typical = category.default_weight_kg
    if typical:
        low = low if low is not None else (typical / DERIVED_RANGE_FACTOR).quantize(Decimal("0.001"))
        high = high if high is not None else typical * DERIVED_RANGE_FACTOR
    if low is None and high is None:
        return None
    return (low or Decimal(0), high if high is not None else Decimal("Infinity"))


def implausible_weight(category: Category, weight_kg: Decimal):
    """The question to ask when ``weight_kg`` is out of the category's range, else None."""
    bounds = plausible_range(category)
    if bounds is None or bounds[0] <= weight_kg <= bounds[1]:
        return None
    return _l("%(weight)s for “%(category)s”? Check the weight, or confirm it.",
              weight=format_weight(weight_kg), category=category.name)
