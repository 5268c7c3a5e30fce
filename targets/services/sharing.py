"""The data grants that data-sharing agreements imply: recipients see the indicators an active
agreement covers, at its level, until its end date."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from partners.models import DataSharingAgreement
from portal import permissions

from ..models import AgreementCoverage, Indicator

DSA = DataSharingAgreement
# Object permissions on indicators: the provider always; recipients while an agreement is active.
DATA_PERM, BREAKDOWNS_PERM = "view_indicator_data", "view_indicator_breakdowns"
INDICATOR_PERMS = (DATA_PERM, BREAKDOWNS_PERM)
_FOREVER = permissions.FOREVER


@transaction.atomic
def dsa_sync_grants(*, indicator_ids, group_ids, today: date | None = None) -> tuple[int, int]:
    """Make the data permissions of these Groups on these indicators equal to what the indicators'
    providers and the active agreements imply; returns (granted, revoked).

    Never revokes blindly: a recipient may hold the same grant through another active agreement,
    or be the provider itself. A recipient's grant carries the latest end date of the agreements
    giving it (`valid_until`), so access ends on that day even if no task runs that night.
    """
    today = today or timezone.localdate()
    indicator_ids, group_ids = set(indicator_ids), set(group_ids)
    if not indicator_ids or not group_ids:
        return 0, 0
    # NOTE: locking the indicators serialises recomputations that touch them, so two agreements
    # suspended at once cannot each keep the grant because the other still looked active.
    indicators = {
        i.pk: i
        for i in Indicator.objects.select_for_update(of=("self",))
        .filter(pk__in=indicator_ids)
        .select_related("provider")
        .order_by("pk")
    }
    wanted: dict[tuple[int, int, str], date] = {}

    def want(key, until):
        wanted[key] = max(wanted.get(key, until), until)

    for indicator in indicators.values():
        if indicator.provider.group_id in group_ids:
            for codename in INDICATOR_PERMS:
                want((indicator.provider.group_id, indicator.pk, codename), _FOREVER)
    active = DSA.objects.filter(status=DSA.Status.ACTIVE, end_date__gte=today)
    covered = AgreementCoverage.objects.filter(agreement__in=active, indicator_id__in=list(indicators)).values_list(
        "agreement_id", "indicator_id", "agreement__level", "agreement__end_date"
    )
    receiving: dict[int, set[int]] = {}
    for dsa_id, gid in DSA.recipients.through.objects.filter(
        datasharingagreement__in=active, partner__group_id__in=group_ids
    ).values_list("datasharingagreement_id", "partner__group_id"):
        receiving.setdefault(dsa_id, set()).add(gid)
    for dsa_id, indicator_id, level, end_date in covered:
        for gid in receiving.get(dsa_id, ()):
            want((gid, indicator_id, DATA_PERM), end_date)
            if level == DSA.Level.BREAKDOWNS:
                want((gid, indicator_id, BREAKDOWNS_PERM), end_date)
    return permissions.sync_grants(indicators.values(), wanted, group_ids=group_ids, codenames=INDICATOR_PERMS)


def dsa_sync_agreement_grants(*, agreement: DataSharingAgreement) -> tuple[int, int]:
    """Recompute the data grants of an agreement's parties on the indicators it covers."""
    group_ids = {agreement.provider.group_id, *agreement.recipients.values_list("group_id", flat=True)}
    indicator_ids = set(AgreementCoverage.objects.filter(agreement=agreement).values_list("indicator_id", flat=True))
    return dsa_sync_grants(indicator_ids=indicator_ids, group_ids=group_ids)
