"""The API's filters on indicators, targets, observations, data returns and plans: declared, validated and
documented here; the narrowing is the selectors' own (indicators_narrowed, targets_narrowed,
observations_narrowed, data_returns_narrowed, plans_narrowed), applied to rows already filtered for the caller."""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters

from partners.filters import partner_filter
from partners.models import Area
from portal import permissions
from portal.api_base import LookupFilter, SelectorFilterSet, StrictBooleanFilter, iso_date_filter

from . import rules, selectors
from .models import BREAKDOWN_DIMENSIONS, DataReturn, Indicator, Priority, Target
from .plans import selectors as plan_selectors
from .plans.models import Plan


def indicator_named(request, code: str) -> Indicator | None:
    """An indicator the caller may see (active or not: old figures keep theirs), by code in any case."""
    return selectors.indicator_list(user=request.user, include_inactive=True).filter(code__iexact=code).first()


def indicator_filter(help_text: str) -> LookupFilter:
    return LookupFilter(lookup=indicator_named, missing="No indicator has the code “%(value)s”.", help_text=help_text)


def priority_named(request, slug: str) -> Priority | None:
    """An active priority the caller may see, by slug."""
    qs = permissions.visible(request.user, rules.PRIORITY_VIEW, Priority.objects.filter(active=True))
    return qs.filter(slug=slug).first()


def area_named(request, code: str) -> Area | None:
    """An area by its ONS code in any case (areas are public geography)."""
    return Area.objects.filter(code__iexact=code).first()


class IndicatorFilter(SelectorFilterSet):
    provider = partner_filter("The provider's slug (400 if no active partner has that slug)")
    frequency = filters.ChoiceFilter(choices=Indicator.Frequency.choices, help_text="How often it is reported")
    search = filters.CharFilter(help_text="Part of the code or name (any case)")

    def narrow(self, queryset, values):
        return selectors.indicators_narrowed(queryset, **values)


class TargetFilter(SelectorFilterSet):
    priority = LookupFilter(
        lookup=priority_named,
        missing="No priority has the slug “%(value)s”.",
        help_text="The priority's slug (400 if no active priority has that slug)",
    )
    owner = partner_filter("The owning partner's slug (400 if no active partner has that slug)")
    indicator = indicator_filter("The indicator's code, in any case (400 if no indicator has that code)")
    status = filters.ChoiceFilter(
        choices=Target.Status.choices, help_text="The target's status now (computed from its latest figure)"
    )

    def narrow(self, queryset, values):
        status = values.pop("status", None)
        queryset = selectors.targets_narrowed(queryset, **values)
        if status:  # from the targets' snapshots (targets/services/snapshots.py)
            queryset = queryset.filter(snapshot__status=status)
        return queryset.order_by("priority__order", "indicator__code", "area__name", "pk")


def validate_breakdown(value: str) -> None:
    """ "total", a dimension ("sex"), or a canonical key of known dimensions and values ("sex=Female")."""
    if value == "total" or value in BREAKDOWN_DIMENSIONS:
        return
    for part in value.split(";"):
        dimension, _, category = part.partition("=")
        if dimension not in BREAKDOWN_DIMENSIONS or category not in BREAKDOWN_DIMENSIONS[dimension][1]:
            raise forms.ValidationError(
                "Enter total, a dimension (%(dimensions)s) or a breakdown such as sex=Female.",
                code="invalid",
                params={"dimensions": ", ".join(BREAKDOWN_DIMENSIONS)},
            )


class ObservationFilter(SelectorFilterSet):
    indicator = indicator_filter("The indicator's code, in any case (400 if no indicator has that code)")
    area = LookupFilter(
        lookup=area_named,
        missing="No area has the code “%(value)s”.",
        help_text="The area's ONS code, in any case (400 if no area has that code)",
    )
    period_from = iso_date_filter(help_text="Periods starting on or after this day (YYYY-MM-DD)")
    period_to = iso_date_filter(help_text="Periods starting on or before this day (YYYY-MM-DD)")
    breakdown = filters.CharFilter(
        validators=[validate_breakdown],
        help_text="total (totals only), a dimension (age_band, sex, ethnicity: every breakdown by it) or a "
        "breakdown key such as sex=Female or age_band=10-14;sex=Female",
    )
    history = StrictBooleanFilter(help_text="true to include the revisions that were replaced (default false)")

    def narrow(self, queryset, values):
        for name in ("indicator", "area"):
            if name in values:
                values[name] = values[name].code
        return selectors.observations_narrowed(queryset, filters=values)


class DataReturnFilter(SelectorFilterSet):
    status = filters.ChoiceFilter(choices=DataReturn.Status.choices, help_text="The return's status")

    def narrow(self, queryset, values):
        return selectors.data_returns_narrowed(queryset, **values)


class PlanFilter(SelectorFilterSet):
    kind = filters.ChoiceFilter(choices=Plan.Kind.choices, help_text="Strategic (board-wide) or delivery plans")
    owner = partner_filter("The owning partner's slug (400 if no active partner has that slug)")
    search = filters.CharFilter(help_text="Words in the plan's title or summary (any case)")

    def narrow(self, queryset, values):
        return plan_selectors.plans_narrowed(queryset, **values)
