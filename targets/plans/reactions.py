"""What plans do when something happens elsewhere (registered with the partners app at start-up)."""

from __future__ import annotations

from datetime import timedelta

from partners.services import on_membership_end
from portal.permissions import is_signing_role

from .services import plan_signoffs_flag_unsignable


@on_membership_end
def flag_rounds_left_without_a_signatory(membership, by) -> None:
    """A signatory's role ends: any round still waiting for their partner is flagged if nobody else can sign
    for it from the day after their last day."""
    if is_signing_role(membership.role) and membership.active_to is not None:
        plan_signoffs_flag_unsignable(
            partner_ids=[membership.partner_id], by=by, on=membership.active_to + timedelta(days=1)
        )
