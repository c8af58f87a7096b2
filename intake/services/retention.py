"""Personal records kept apart from what they describe, and deleted once their retention period is over
(GDPR art. 5): tenants' identities, the names of people in insertion, members' names. Each such record
carries its ``delete_after`` day, set when it is written (and moved on by a renewal or an exit); one job,
``flask --app intake personal-data purge``, run daily, deletes every kind."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import MemberIdentity, PersonIdentity, TenantIdentity

# What the job deletes: every model with a ``delete_after`` day, by the name the job reports it under.
RETAINED = {"tenant": TenantIdentity, "person": PersonIdentity, "member": MemberIdentity}


def kept_on(model, today: date):
    """The condition for reading a record of ``model`` still within its retention period on ``today``
    (the job may not have run yet today)."""
    return model.delete_after >= today


def purge_expired(session: Session, today: date) -> dict[str, int]:
    """Delete every personal record whose retention period is over, of every kind; what they described
    stays, anonymised. Commits. Returns how many of each kind went."""
    deleted = {}
    for kind, model in RETAINED.items():
        deleted[kind] = session.execute(sa.delete(model).where(sa.not_(kept_on(model, today)))
                                        .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return deleted
