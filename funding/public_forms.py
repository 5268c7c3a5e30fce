"""The public grants page's filters (a GET form): words, a fund, a financial year."""

from __future__ import annotations

from django import forms

from portal.forms_govuk import GovukForm

from . import public

SEARCH = 100  # the words the grants are searched for


def _year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


class GrantFilterForm(GovukForm):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH,
        help_text="Words in the recipient's name or the project's title",
    )
    fund = forms.ModelChoiceField(label="Fund", required=False, empty_label="Any fund", queryset=None)
    year = forms.TypedChoiceField(label="Financial year", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = public.funds_with_grants()
        self.fields["year"].choices = [("", "Any year")] + [(y, _year_label(y)) for y in public.years_with_grants()]

    def filters(self) -> dict:
        """The filters that are valid (a wrong one is shown with its error and left out)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
