"""The parties' permissions on an agreement itself: who may see it, manage it and sign it.

(The data grants an active agreement implies on the indicators it covers live in targets, the app
that defines indicators: targets/services/sharing.py.)
"""

from __future__ import annotations

from portal import permissions

from ..models import DataSharingAgreement

DSA = DataSharingAgreement
DSA_VIEW_PERM, DSA_MANAGE_PERM, DSA_SIGN_PERM = (
    "view_datasharingagreement",
    "manage_datasharingagreement",
    "sign_datasharingagreement",
)


def _sync_agreement_perms(agreement: DSA) -> None:
    """Make the parties' permissions on the agreement itself match its parties and status."""
    wanted: set[tuple[int, str]] = {
        (agreement.provider.group_id, DSA_VIEW_PERM),
        (agreement.provider.group_id, DSA_MANAGE_PERM),
    }
    recipient_groups = list(agreement.recipients.values_list("group_id", flat=True))
    wanted |= {(gid, DSA_VIEW_PERM) for gid in recipient_groups}
    if agreement.status == DSA.Status.AWAITING_SIGNATURES:
        wanted |= {(gid, DSA_SIGN_PERM) for gid in [agreement.provider.group_id, *recipient_groups]}
    permissions.sync_grants_on(agreement, wanted)
