"""Tenants' identities: kept apart, read by coordinators only, deleted after the retention period (GDPR art. 5)
by the personal-data job (services/retention.py)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import TenantIdentity
from .retention import kept_on


def identity_for(session: Session, handover_id: int, today: date) -> TenantIdentity | None:
    """The tenant's identity for a coordinator, unless its retention period is over."""
    return session.scalar(sa.select(TenantIdentity).where(TenantIdentity.handover_id == handover_id,
                                                          kept_on(TenantIdentity, today)))
