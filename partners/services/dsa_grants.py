"""Grants implied by data-sharing agreements: recipients see covered indicators while an agreement is active."""
from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from portal import permissions
from portal.audit import audit_record, snapshot
from portal.outbox import outbox_enqueue
from portal.security import step_up_check
from portal.tasks import claim_once
from targets.models import Indicator, IndicatorGroupObjectPermission

from ..models import (
    Area, DataSharingAgreement, DataSharingAgreementGroupObjectPermission, DsaSignature, Membership, Partner, Role,
)



DSA = DataSharingAgreement
# Object permissions on the agreement itself, held by its parties' Groups.
DSA_VIEW_PERM, DSA_MANAGE_PERM, DSA_SIGN_PERM = (
    "view_datasharingagreement", "manage_datasharingagreement", "sign_datasharingagreement")
# Object permissions on the covered indicators, held by recipients while the agreement is active.
DATA_PERM, BREAKDOWNS_PERM = "view_indicator_data", "view_indicator_breakdowns"


def _sync_agreement_perms(agreement: DSA) -> None:
    """Make the parties' permissions on the agreement itself match its parties and status."""
    wanted: set[tuple[int, str]] = {(agreement.provider.group_id, DSA_VIEW_PERM),
                                    (agreement.provider.group_id, DSA_MANAGE_PERM)}
    recipient_groups = list(agreement.recipients.values_list("group_id", flat=True))
    wanted |= {(gid, DSA_VIEW_PERM) for gid in recipient_groups}
    if agreement.status == DSA.Status.AWAITING_SIGNATURES:
        wanted |= {(gid, DSA_SIGN_PERM) for gid in [agreement.provider.group_id, *recipient_groups]}
    held = set(DataSharingAgreementGroupObjectPermission.objects.filter(content_object=agreement)
               .values_list("group_id", "permission__codename"))
    groups = Group.objects.in_bulk({gid for gid, _ in wanted ^ held})
    for gid, codename in sorted(held - wanted):
        permissions.revoke(codename, groups[gid], agreement)
    for gid, codename in sorted(wanted - held):
        permissions.grant(codename, groups[gid], agreement)


@transaction.atomic
def dsa_sync_grants(*, indicator_ids, group_ids) -> tuple[int, int]:
    """Make the data permissions of these Groups on these indicators equal to what the indicators'
    providers and the active agreements imply; returns (granted, revoked).

    Never revokes blindly: a recipient may hold the same grant through another active agreement,
    or be the provider itself.
    """
    indicator_ids, group_ids = set(indicator_ids), set(group_ids)
    if not indicator_ids or not group_ids:
        return 0, 0
    # NOTE: locking the indicators serialises recomputations that touch them, so two agreements
    # suspended at once cannot each keep the grant because the other still looked active.
    indicators = {i.pk: i for i in Indicator.objects.select_for_update(of=("self",)).filter(pk__in=indicator_ids)
                  .select_related("provider").order_by("pk")}
    wanted: set[tuple[int, int, str]] = set()
    for indicator in indicators.values():
        if indicator.provider.group_id in group_ids:
            wanted |= {(indicator.provider.group_id, indicator.pk, DATA_PERM),
                       (indicator.provider.group_id, indicator.pk, BREAKDOWNS_PERM)}
    active = DSA.objects.filter(status=DSA.Status.ACTIVE)
    covered = DSA.indicators.through.objects.filter(
        datasharingagreement__in=active, indicator_id__in=list(indicators)).values_list(
        "datasharingagreement_id", "indicator_id", "datasharingagreement__level")
    receiving: dict[int, set[int]] = {}
    for dsa_id, gid in DSA.recipients.through.objects.filter(
            datasharingagreement__in=active, partner__group_id__in=group_ids).values_list(
            "datasharingagreement_id", "partner__group_id"):
        receiving.setdefault(dsa_id, set()).add(gid)
    for dsa_id, indicator_id, level in covered:
        for gid in receiving.get(dsa_id, ()):
            wanted.add((gid, indicator_id, DATA_PERM))
            if level == DSA.Level.BREAKDOWNS:
                wanted.add((gid, indicator_id, BREAKDOWNS_PERM))
    held = set(IndicatorGroupObjectPermission.objects.filter(
        content_object_id__in=list(indicators), group_id__in=group_ids,
        permission__codename__in=[DATA_PERM, BREAKDOWNS_PERM]).values_list(
        "group_id", "content_object_id", "permission__codename"))
    groups = Group.objects.in_bulk({gid for gid, _, _ in wanted ^ held})
    for gid, indicator_id, codename in sorted(held - wanted):
        permissions.revoke(codename, groups[gid], indicators[indicator_id])
    for gid, indicator_id, codename in sorted(wanted - held):
        permissions.grant(codename, groups[gid], indicators[indicator_id])
    return len(wanted - held), len(held - wanted)


def _sync_agreement_grants(agreement: DSA) -> None:
    """Recompute the data grants of the agreement's parties on the indicators it covers."""
    group_ids = {agreement.provider.group_id, *agreement.recipients.values_list("group_id", flat=True)}
    indicator_ids = set(agreement.indicators.values_list("pk", flat=True))
    dsa_sync_grants(indicator_ids=indicator_ids, group_ids=group_ids)
