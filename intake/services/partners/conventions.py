"""Conventions: their period and commitments, the signed PDF, the volumes expected against those collected
(to date and projected to the end of the period), and the reminder before one ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload, undefer

from ...clock import now_utc
from ...models import Convention, ConventionVolume, Organisation
from ...models.category import FAMILIES
from ..reporting.filters import Filters, years_covered
from ..reporting.partner import brought_by_family

PDF_HEAD = b"%PDF-"
PDF_TAIL = b"%%EOF"


class ConventionRejected(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def check_pdf(data: bytes, max_bytes: int) -> str | None:
    """Why a file is not taken as a signed PDF (None: it is): read by its content, whatever its name or the
    type the browser claimed."""
    if not data:
        return str(_l("The file is empty."))
    if len(data) > max_bytes:
        return str(_l("The file is too large (%(mb)s MB at most).", mb=max_bytes // (1024 * 1024)))
    # A PDF starts with its header (within its first kilobyte) and ends with its end-of-file marker.
    if PDF_HEAD not in data[:1024] or PDF_TAIL not in data[-2048:]:
        return str(_l("This file is not a PDF."))
    return None


def save_convention(session: Session, partner: Organisation, convention: Convention | None, *, title: str,
                    starts_on: date, ends_on: date, renewal_on: date | None, our_commitments: str | None,
                    partner_commitments: str | None, expected_items_per_year: int | None,
                    expected_kg_per_year: Decimal | None, volumes: dict[str, tuple[int | None, Decimal | None]],
                    document: bytes | None, max_bytes: int) -> Convention:
    """Create or change a convention; ``volumes`` per family (both None: none expected for that family)."""
    errors = {}
    if ends_on < starts_on:
        errors["ends_on"] = str(_l("The end comes before the start."))
    if document is not None and (why := check_pdf(document, max_bytes)):
        errors["document"] = why
    if errors:
        raise ConventionRejected(errors)
    convention = convention or Convention(organisation_id=partner.id)
    convention.title, convention.starts_on, convention.ends_on = title.strip(), starts_on, ends_on
    convention.renewal_on = renewal_on
    convention.our_commitments = (our_commitments or "").strip() or None
    convention.partner_commitments = (partner_commitments or "").strip() or None
    convention.expected_items_per_year, convention.expected_kg_per_year = expected_items_per_year, expected_kg_per_year
    if document is not None:
        convention.document_pdf, convention.document_size = document, len(document)
        convention.document_uploaded_at = now_utc()
    wanted = {family: values for family, values in volumes.items()
              if family in FAMILIES and any(value is not None for value in values)}
    convention.volumes = [next((v for v in convention.volumes if v.family == family), None)
                          or ConventionVolume(family=family) for family in sorted(wanted)]
    for volume in convention.volumes:
        volume.items_per_year, volume.kg_per_year = wanted[volume.family]
    session.add(convention)
    session.commit()
    return convention


def conventions_of(session: Session, partner: Organisation) -> list[Convention]:
    return list(session.scalars(sa.select(Convention).options(joinedload(Convention.volumes))
                                .where(Convention.organisation_id == partner.id)
                                .order_by(Convention.starts_on.desc())).unique())


def convention_document(session: Session, convention_id: int) -> tuple[Convention, bytes] | None:
    """A convention and its signed PDF (None: no such convention of ours, or no document)."""
    convention = session.scalar(sa.select(Convention).options(undefer(Convention.document_pdf))
                                .where(Convention.id == convention_id))
    if convention is None or convention.document_pdf is None:
        return None
    return convention, convention.document_pdf


def expiring_conventions(session: Session, today: date, days: int) -> list[Convention]:
    """Conventions ending within ``days`` from today (today included), the soonest first."""
    return list(session.scalars(
        sa.select(Convention).options(joinedload(Convention.organisation))
        .where(Convention.ends_on >= today, Convention.ends_on <= today + timedelta(days=days))
        .order_by(Convention.ends_on, Convention.id)))


def conventions_in_force(session: Session, today: date) -> list[Convention]:
    return list(session.scalars(
        sa.select(Convention).options(joinedload(Convention.organisation), joinedload(Convention.volumes))
        .where(Convention.starts_on <= today, Convention.ends_on >= today).order_by(Convention.ends_on)).unique())


@dataclass(frozen=True)
class Commitment:
    """One expected volume of a convention against what came: ``family`` None for the whole convention."""

    family: str | None
    measure: str  # "items" or "kg"
    per_year: Decimal
    committed_total: Decimal  # over the whole period
    committed_to_date: Decimal  # the share of the period gone by
    actual: Decimal  # collected from the partner since the start
    projected: Decimal | None  # at this pace, by the end (None before the start)

    @property
    def ratio(self) -> Decimal | None:
        """Actual against committed to date (1 = on track)."""
        return (self.actual / self.committed_to_date).quantize(Decimal("0.01")) if self.committed_to_date else None


@dataclass(frozen=True)
class ConventionProgress:
    convention: Convention
    upto: date  # the last day counted (today, or the end if it is over)
    elapsed_years: Decimal
    period_years: Decimal
    rows: list[Commitment]


def _round(value: Decimal, measure: str) -> Decimal:
    return value.quantize(Decimal("1") if measure == "items" else Decimal("0.001"), rounding=ROUND_HALF_UP)


def convention_progress(session: Session, convention: Convention, today: date) -> ConventionProgress:
    """Each expected volume against what the partner brought since the convention started, from the
    indicators' counting (items collected, voided ones apart); committed to date is the yearly volume times
    the years gone by (each day a share of its year), projected is the pace so far kept to the end."""
    period = Decimal(str(years_covered(convention.starts_on, convention.ends_on)))
    upto = min(today, convention.ends_on)
    started = upto >= convention.starts_on
    elapsed = Decimal(str(years_covered(convention.starts_on, upto))) if started else Decimal(0)
    brought = brought_by_family(session, Filters(convention.starts_on, upto, source=convention.organisation_id)) \
        if started else {}
    expected = [(None, convention.expected_items_per_year, convention.expected_kg_per_year)]
    expected += [(v.family, v.items_per_year, v.kg_per_year) for v in convention.volumes]
    rows = []
    for family, items, weight in expected:
        got = [value for key, value in brought.items() if family is None or key == family]
        actual = {"items": Decimal(sum(count for count, _ in got)),
                  "kg": sum((w for _, w in got), Decimal(0))}
        for measure, per_year in (("items", items), ("kg", weight)):
            if per_year is None:
                continue
            per_year = Decimal(per_year)
            projected = _round(actual[measure] * period / elapsed, measure) if elapsed else None
            rows.append(Commitment(family, measure, per_year, _round(per_year * period, measure),
                                   _round(per_year * elapsed, measure), actual[measure], projected))
    return ConventionProgress(convention, upto, elapsed, period, rows)


def progress_in_force(session: Session, today: date) -> list[ConventionProgress]:
    """Every convention in force today with its expected volumes against what came (the partners' page and
    the dashboard)."""
    return [convention_progress(session, convention, today) for convention in conventions_in_force(session, today)]
