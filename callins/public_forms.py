"""The public register's filters (GET forms): words, a partner, a kind or a status, and a range of dates."""

from __future__ import annotations

from django import forms

from portal.fields import GovDateField
from portal.forms_govuk import GovukForm

from . import limits, public
from .models import CallIn, PccDecision


class _RegisterFilters:
    """What both filter forms share: the partners on the register, a date range in order, the valid filters."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = public.partners_on_register()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end of the date range must be the same as or after its start")
        return cleaned

    def filters(self) -> dict:
        """The filters that are valid (a wrong one is shown with its error and left out)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class PccDecisionFilterForm(_RegisterFilters, GovukForm):
    search = forms.CharField(
        label="Search",
        required=False,
        max_length=limits.SEARCH,
        help_text="Words in the title or summary, or a decision's number such as 012/2026",
    )
    partner = forms.ModelChoiceField(
        label="Partner", required=False, empty_label="Any partner", queryset=None, to_field_name="slug"
    )
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *PccDecision.Kind.choices])
    date_from = GovDateField(label="Signed on or after", required=False, label_lower="the start of the date range")
    date_to = GovDateField(label="Signed on or before", required=False, label_lower="the end of the date range")


CALLIN_STATUSES = [(s.value, s.label) for s in CallIn.PUBLIC_STATUSES]


class CallInFilterForm(_RegisterFilters, GovukForm):
    search = forms.CharField(
        label="Search",
        required=False,
        max_length=limits.SEARCH,
        help_text="A call-in's reference such as CI-2026-004, or words in the title of the decision called in",
    )
    partner = forms.ModelChoiceField(
        label="Partner", required=False, empty_label="Any partner", queryset=None, to_field_name="slug"
    )
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *CALLIN_STATUSES])
    date_from = GovDateField(label="Issued on or after", required=False, label_lower="the start of the date range")
    date_to = GovDateField(label="Issued on or before", required=False, label_lower="the end of the date range")
