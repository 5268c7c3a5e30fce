"""Indicator definitions with the figures the viewer may see, and observations."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery

from partners.models import Area, Partner
from portal import permissions

from .. import rules
from ..models import (
    BREAKDOWN_DIMENSIONS,
    Indicator,
    Observation,
    Target,
)
from .sharing import FIGURES_HIDDEN, dsa_sharing_hint
from .targets import with_status


# --- Indicators ----------------------------------------------------------------------------------
def indicator_list(
    *,
    user,
    provider: Partner | int | None = None,
    search: str = "",
    frequency: str = "",
    include_inactive: bool = False,
) -> QuerySet[Indicator]:
    """The indicator catalogue (definitions are visible to everyone with a role)."""
    qs = Indicator.objects.all() if include_inactive else Indicator.objects.filter(active=True)
    qs = permissions.visible(user, rules.PRIORITY_VIEW, qs)
    qs = indicators_narrowed(qs, provider=provider, search=search, frequency=frequency)
    return qs.select_related("provider").order_by("code")


def indicators_narrowed(
    qs: QuerySet[Indicator], *, provider: Partner | int | None = None, search: str = "", frequency: str = ""
) -> QuerySet[Indicator]:
    """Narrow indicators already filtered for the viewer (the catalogue page and the API's FilterSet)."""
    if provider:
        qs = qs.filter(provider=provider)
    if frequency:
        qs = qs.filter(frequency=frequency)
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(name__icontains=search))
    return qs


def indicator_get(*, user, code: str) -> Indicator:
    """An indicator with `figures_shared`, `breakdowns_shared`, `latest` (latest total per area, if shared),
    `targets_shown` (with status) and `sharing_hint` (what would open hidden figures or breakdowns, else None)."""
    qs = Indicator.objects.select_related("provider")
    indicator = permissions.get_visible_or_404(user, rules.PRIORITY_VIEW, qs, code=code)
    indicator.figures_shared = permissions.can(user, rules.INDICATOR_DATA_VIEW, indicator)
    indicator.breakdowns_shared = indicator.figures_shared and permissions.can(
        user, rules.INDICATOR_BREAKDOWNS_VIEW, indicator
    )
    indicator.latest = []
    if indicator.figures_shared:
        per_area = (
            Observation.objects.filter(
                indicator_id=indicator.pk, area_id=OuterRef("area_id"), breakdown_key="", is_current=True
            )
            .order_by("-period_start")
            .values("period_start")[:1]
        )
        indicator.latest = list(
            Observation.objects.filter(
                indicator=indicator, breakdown_key="", is_current=True, period_start=Subquery(per_area)
            )
            .select_related("area")
            .order_by("area__kind", "area__name")
        )
    indicator.targets_shown = with_status(user, Target.objects.filter(indicator=indicator, priority__active=True))
    indicator.hidden_message = "" if indicator.figures_shared else FIGURES_HIDDEN
    indicator.sharing_hint = None
    if not indicator.figures_shared:
        indicator.sharing_hint = dsa_sharing_hint(user=user, indicator=indicator)
    elif indicator.breakdowns and not indicator.breakdowns_shared:
        indicator.sharing_hint = dsa_sharing_hint(user=user, indicator=indicator, breakdowns=True)
    return indicator


SERIES_PERIODS = 36  # the periods an indicator's page charts for one area: three years of months


@dataclass
class IndicatorSeries:
    """One area's current totals over time: the latest SERIES_PERIODS periods, oldest first."""

    area: Area
    areas: list[Area]  # the areas with figures, to choose from
    rows: list[Observation]
    earlier: bool  # there are figures before the first one shown
    area_not_found: bool = False  # another area was asked for, which has no figures


def indicator_series(*, user, indicator: Indicator, area_code: str = "") -> IndicatorSeries | None:
    """An area's figures over time (the force area unless another is asked for; else the first area with figures),
    only as the viewer may see them (1 query); None when the figures are not shared or there are none yet.
    `indicator` comes from indicator_get: its `latest` names the areas with figures."""
    if not indicator.figures_shared or not indicator.latest:
        return None
    areas = [o.area for o in indicator.latest]
    asked = next((a for a in areas if a.code.upper() == area_code.strip().upper()), None) if area_code else None
    chosen = asked or next((a for a in areas if a.kind == Area.Kind.FORCE_AREA), areas[0])
    totals = Observation.objects.filter(indicator_id=indicator.pk, area=chosen, breakdown_key="", is_current=True)
    found = list(
        permissions.visible(user, rules.OBSERVATION_VIEW, totals).order_by("-period_start")[: SERIES_PERIODS + 1]
    )
    return IndicatorSeries(
        area=chosen,
        areas=areas,
        rows=found[:SERIES_PERIODS][::-1],
        earlier=len(found) > SERIES_PERIODS,
        area_not_found=bool(area_code) and asked is None,
    )


# --- Observations --------------------------------------------------------------------------------
def observations_visible_to(*, user, filters: dict | None = None) -> QuerySet[Observation]:
    """Figures the user may see: totals by OBSERVATION_VIEW, breakdown rows only where the
    breakdown rule covers them too.

    filters: indicator (code), area (code), provider (slug), period_from, period_to (dates or
    YYYY-MM-DD; on period_start), breakdown ("total", a dimension such as "sex", or a
    canonical key such as "sex=Female"), history (True to include retired revisions).
    """
    qs = observations_narrowed(Observation.objects.all(), filters=filters or {})
    # The same rules by indicator (OBSERVATION_VIEW is INDICATOR_DATA_VIEW through the figure's indicator), read
    # first as lists of ids: a page's COUNT then uses the indicator index instead of scanning every figure for
    # two permission subqueries joined by OR (docs/benchmark.md: 95 ms to 13 ms at a million figures).
    indicators = Indicator.objects.all()
    data = list(permissions.visible(user, rules.INDICATOR_DATA_VIEW, indicators).values_list("pk", flat=True))
    split = list(permissions.visible(user, rules.INDICATOR_BREAKDOWNS_VIEW, indicators).values_list("pk", flat=True))
    return (
        qs.filter(indicator_id__in=data)
        .filter(Q(breakdown_key="") | Q(indicator_id__in=split))
        .select_related("indicator", "area", "provider")
        .order_by("indicator__code", "area__code", "period_start", "breakdown_key", "-revision")
    )


def observations_narrowed(qs: QuerySet[Observation], *, filters: dict) -> QuerySet[Observation]:
    """Narrow figures by the filters observations_visible_to describes: its own, and the API's FilterSet on
    figures already filtered for the viewer. Without history, only current revisions."""
    if not filters.get("history"):
        qs = qs.filter(is_current=True)
    if filters.get("indicator"):
        qs = qs.filter(indicator__code__iexact=filters["indicator"])
    if filters.get("area"):
        qs = qs.filter(area__code__iexact=filters["area"])
    if filters.get("provider"):
        qs = qs.filter(provider__slug=filters["provider"])
    if filters.get("period_from"):
        qs = qs.filter(period_start__gte=filters["period_from"])
    if filters.get("period_to"):
        qs = qs.filter(period_start__lte=filters["period_to"])
    breakdown = filters.get("breakdown") or ""
    if breakdown == "total":
        qs = qs.filter(breakdown_key="")
    elif breakdown in BREAKDOWN_DIMENSIONS:
        qs = qs.filter(breakdown_key__contains=f"{breakdown}=")
    elif breakdown:
        qs = qs.filter(breakdown_key=breakdown)
    return qs
