"""What would open hidden figures: the agreements covering an indicator, and the hint a page shows."""

from __future__ import annotations

from dataclasses import dataclass

from partners import rules as partner_rules
from partners.models import DataSharingAgreement, Partner
from portal import permissions

FIGURES_HIDDEN = "Figures for this indicator are not shared with your organisation."


# --- What would open hidden figures (agreements covering an indicator) ---------------------------
def dsa_that_would_open(*, user, indicator, breakdowns: bool = False) -> list[DataSharingAgreement]:
    """Agreements not (yet, or no longer) active that would let the user's partners see the indicator's
    figures (or its breakdowns): drafts, ones awaiting signatures and suspended ones naming them."""
    partner_ids = {seat.partner_id for seat in permissions.seats(user)}
    if not partner_ids:
        return []
    S = DataSharingAgreement.Status
    qs = DataSharingAgreement.objects.filter(
        status__in=[S.DRAFT, S.AWAITING_SIGNATURES, S.SUSPENDED],
        coverage__indicator=indicator,
        recipients__in=partner_ids,
    )
    if breakdowns:
        qs = qs.filter(level=DataSharingAgreement.Level.BREAKDOWNS)
    return list(
        permissions.visible(user, partner_rules.DSA_VIEW, qs)
        .distinct()
        .select_related("provider")
        .order_by("status", "-created_at")
    )


@dataclass
class SharingHint:
    """What a page says when figures are hidden by sharing rules."""

    agreements: list
    provider: Partner
    text: str


def dsa_sharing_hint(*, user, indicator, breakdowns: bool = False) -> SharingHint:
    """Why the user cannot see an indicator's figures (or breakdowns) and what would open them."""
    agreements = dsa_that_would_open(user=user, indicator=indicator, breakdowns=breakdowns)
    what = "breakdowns of these figures" if breakdowns else "these figures"
    S = DataSharingAgreement.Status
    if agreements:
        first = agreements[0]
        text = {
            S.DRAFT: f"Agreement {first.reference} would share {what} with you once it is sent, signed and active. "
            f"It is still a draft.",
            S.AWAITING_SIGNATURES: f"Agreement {first.reference} would share {what} with you. It is waiting for "
            f"signatures.",
            S.SUSPENDED: f"Agreement {first.reference} shares {what} with you, but it is suspended.",
        }[first.status]
    else:
        text = (
            f"Some data is hidden by sharing rules: no agreement shares {what} with your partner. "
            f"Ask {indicator.provider.name} for a data-sharing agreement."
        )
    return SharingHint(agreements=agreements, provider=indicator.provider, text=text)
