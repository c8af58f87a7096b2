"""Every stored code has its name in the interface, and every name a stored code: the two lists stay equal."""

from __future__ import annotations

import pytest

from intake.models.aftersales import FAULT_SOURCES, TICKET_STATES, TICKET_STEPS
from intake.models.category import DEEE_CATEGORIES, FAMILIES
from intake.models.erasure import LEVELS, VERIFICATIONS
from intake.models.item import GRADES, STATUSES
from intake.models.organisation import ORGANISATION_KINDS, ZONE_TYPES
from intake.models.partnership import PARTNER_EVENT_KINDS, PIPELINE_STATUSES
from intake.models.outcome import ACCEPTANCE_KINDS, BATCH_STATES, RETURN_REASONS, SALE_CHANNELS
from intake.models.people import EXIT_OUTCOMES, FEE_KINDS, PROGRAMMES
from intake.models.user import ROLES
from intake.models.lot import EXIT_KINDS
from intake.models.till import PAYMENT_METHODS
from intake.services.amendments import AMENDABLE
from intake.services.status import REPAIR_BARRIERS
from intake.vocabulary import VOCABULARY

STORED = {
    "role": ROLES,
    "organisation_kind": ORGANISATION_KINDS,
    "zone_type": ZONE_TYPES,
    "status": STATUSES,
    "item_field": AMENDABLE,
    "grade": GRADES,
    "family": FAMILIES,
    "deee_category": DEEE_CATEGORIES,
    "barrier": REPAIR_BARRIERS,
    "erasure_level": LEVELS,
    "verification": VERIFICATIONS,
    "sale_channel": SALE_CHANNELS,
    "acceptance": ACCEPTANCE_KINDS,
    "return_reason": RETURN_REASONS,
    "batch_state": BATCH_STATES,
    # partnerships
    "pipeline_status": PIPELINE_STATUSES,
    "partner_event": PARTNER_EVENT_KINDS,
    # till and weighed lots
    "payment_method": PAYMENT_METHODS,
    "lot_exit": EXIT_KINDS,
    # After-sales
    "fault_source": FAULT_SOURCES,
    "ticket_state": TICKET_STATES,
    "ticket_step": TICKET_STEPS,
    # people
    "programme": PROGRAMMES,
    "exit_outcome": EXIT_OUTCOMES,
    "fee_kind": FEE_KINDS,
}


@pytest.mark.parametrize("kind", sorted(STORED))
def test_stored_codes_and_their_names_are_the_same_list(kind):
    assert set(VOCABULARY[kind]) == set(STORED[kind])
