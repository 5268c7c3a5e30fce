"""The API's filters on decisions, call-ins, PCC decisions and appointments: declared, validated and documented
here; the narrowing is the selectors' own (decisions_narrowed, callins_narrowed, pcc_decisions_narrowed,
appointments_narrowed), applied to rows already filtered for the caller."""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters

from partners.filters import partner_filter
from portal.api_base import SelectorFilterSet

from . import limits, selectors
from .models import Appointment, CallIn, PartnerDecision, PccDecision

PARTNER_HELP = "The partner's slug (400 if no active partner has that slug)"


class WholeNumberFilter(filters.NumberFilter):
    """A whole number (a year): 2026.5 is refused, not rounded."""

    field_class = forms.IntegerField


class DecisionFilter(SelectorFilterSet):
    search = filters.CharFilter(
        max_length=limits.SEARCH, help_text="Words in the decision's title, summary or reference (any case)"
    )
    partner = partner_filter(PARTNER_HELP)
    status = filters.ChoiceFilter(choices=PartnerDecision.Status.choices, help_text="The decision's status")
    window = filters.ChoiceFilter(
        choices=[("open", "Open"), ("closed", "Closed")],
        help_text="open: it may still be called in (logged, its window not closed, not waived); closed: any other",
    )

    def narrow(self, queryset, values):
        return selectors.decisions_narrowed(queryset, **values)


class CallInFilter(SelectorFilterSet):
    search = filters.CharFilter(
        max_length=limits.SEARCH, help_text="Words in the call-in's reference or its decision's title or reference"
    )
    partner = partner_filter(PARTNER_HELP)
    status = filters.ChoiceFilter(choices=CallIn.Status.choices, help_text="The call-in's status")

    def narrow(self, queryset, values):
        return selectors.callins_narrowed(queryset, **values)


class PccDecisionFilter(SelectorFilterSet):
    search = filters.CharFilter(max_length=limits.SEARCH, help_text="Words in the title or summary (any case)")
    partner = partner_filter("The slug of the partner it is about (400 if no active partner has that slug)")
    kind = filters.ChoiceFilter(choices=PccDecision.Kind.choices, help_text="The kind of decision")
    year = WholeNumberFilter(
        min_value=2000, max_value=2100, help_text="The financial year, by the year it starts in (2026 for 2026-27)"
    )
    status = filters.ChoiceFilter(
        choices=PccDecision.Status.choices, help_text="Draft or signed (only the PCC office sees drafts)"
    )

    def narrow(self, queryset, values):
        status = values.pop("status", "")
        queryset = selectors.pcc_decisions_narrowed(queryset, **values)
        # NOTE: the selector narrows what the pages offer; drafts are the PCC office's alone, and get_queryset
        # gave only what the caller may see, so narrowing by status shows nothing new.
        return queryset.filter(status=status) if status else queryset


class AppointmentFilter(SelectorFilterSet):
    partner = partner_filter(PARTNER_HELP)
    stage = filters.ChoiceFilter(choices=Appointment.Stage.choices, help_text="The appointment's stage")

    def narrow(self, queryset, values):
        return selectors.appointments_narrowed(queryset, **values)
