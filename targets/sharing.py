"""What data-sharing agreements cover: indicators. The link lives here, in the app above partners
(partners/sharing.py is the interface the agreement pages and services use), and so do the data
grants an agreement implies, recomputed after every move of an agreement's workflow.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from partners.sharing import Covered, register_coverage

from .models import AgreementCoverage, Indicator


def _covered(indicator: Indicator) -> Covered:
    return Covered(
        pk=indicator.pk,
        code=indicator.code,
        name=indicator.name,
        provider_id=indicator.provider_id,
        has_breakdowns=bool(indicator.breakdowns),
        url=reverse("targets:indicator", kwargs={"code": indicator.code}),
    )


class IndicatorCoverage:
    """partners.sharing.Coverage, for indicators."""

    def options(self, *, provider_ids: Iterable[int]) -> list[Covered]:
        rows = Indicator.objects.filter(provider_id__in=list(provider_ids), active=True).order_by("code")
        return [_covered(i) for i in rows]

    def of(self, agreement_ids: Iterable[int]) -> dict[int, list[Covered]]:
        ids = list(agreement_ids)
        found: dict[int, list[Covered]] = {pk: [] for pk in ids}
        if not ids:
            return found
        for link in (
            AgreementCoverage.objects.filter(agreement_id__in=ids)
            .select_related("indicator")
            .order_by("indicator__code")
        ):
            found[link.agreement_id].append(_covered(link.indicator))
        return found

    def find(self, *, pks: Iterable[int] = (), codes: Iterable[str] = ()) -> list[Covered]:
        pks, codes = list(pks), list(codes)
        rows = Indicator.objects.none()
        if pks:
            rows = Indicator.objects.filter(pk__in=pks)
        elif codes:
            rows = Indicator.objects.filter(code__in=codes)
        return [_covered(i) for i in rows.order_by("code")]

    def replace(self, *, agreement, pks: Iterable[int]) -> None:
        wanted = set(pks)
        held = set(AgreementCoverage.objects.filter(agreement=agreement).values_list("indicator_id", flat=True))
        AgreementCoverage.objects.filter(agreement=agreement, indicator_id__in=held - wanted).delete()
        AgreementCoverage.objects.bulk_create(
            [AgreementCoverage(agreement=agreement, indicator_id=pk) for pk in sorted(wanted - held)]
        )

    def agreement_ids_covering(self, pk: int):
        return AgreementCoverage.objects.filter(indicator_id=pk).values("agreement_id")


def _resync_grants(agreement, transition, by) -> None:
    """After every move of an agreement (activated, suspended, resumed, revoked, ended…): the data
    grants of its parties on the indicators it covers, recomputed."""
    from .services.sharing import dsa_sync_agreement_grants

    dsa_sync_agreement_grants(agreement=agreement)


def register() -> None:
    """At start-up (targets' AppConfig.ready): agreements cover indicators; their moves resync grants."""
    from partners.workflows import DSA_FLOW

    register_coverage(IndicatorCoverage())
    if _resync_grants not in DSA_FLOW._after:
        DSA_FLOW.after(_resync_grants)
