"""Tenants' identities: kept apart, read by coordinators only, deleted after the retention period (GDPR art. 5)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import TenantIdentity


def purge_expired_identities(session: Session, today: date) -> int:
    """Delete the identities whose retention period is over; the handovers stay, anonymised. Commits."""
    deleted = session.execute(sa.delete(TenantIdentity).where(TenantIdentity.delete_after < today)
                              .execution_options(synchronize_session=False))
    session.commit()
    return deleted.rowcount


def identity_for(session: Session, handover_id: int, today: date) -> TenantIdentity | None:
    """The tenant's identity for a coordinator, unless its retention period is over."""
    return session.scalar(sa.select(TenantIdentity).where(TenantIdentity.handover_id == handover_id,
                                                          TenantIdentity.delete_after >= today))
