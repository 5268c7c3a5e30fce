"""The PCC's decision log: the list's filters, a draft, signing."""

from __future__ import annotations

from django import forms

from portal.forms_govuk import GovukForm

from .. import limits
from ..models import PccDecision
from .common import ChoosesPartner, long_text_field, text_field, yes_no_field


# --- The PCC's decisions ---------------------------------------------------------------------------------
class PccDecisionFilterForm(ChoosesPartner, GovukForm):
    q = forms.CharField(label="Search decisions", required=False, max_length=limits.SEARCH)
    year = forms.TypedChoiceField(label="Financial year", coerce=int, required=False, empty_value=None)
    partner = forms.TypedChoiceField(label="Partner", coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Every kind"), *PccDecision.Kind.choices])

    def __init__(self, *args, years=(), partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._offer(partners, optional="Every partner")
        self.fields["year"].choices = [("", "Every year")] + [(y, f"April {y} to March {y + 1}") for y in years]


class PccDecisionForm(ChoosesPartner, GovukForm):
    """A PCC decision prepared for the Commissioner to sign."""

    title = text_field("Title", limits.TITLE, missing="Enter the decision's title", subject="The title")
    summary = long_text_field("Summary", limits.TEXT, missing="Enter a summary of the decision", subject="The summary")
    reasons = long_text_field(
        "Reasons", limits.TEXT, missing="Enter the reasons for the decision", subject="The reasons"
    )
    financial_implications = long_text_field(
        "Financial implications (optional)",
        limits.TEXT,
        missing="",
        subject="The financial implications",
        required=False,
        rows=3,
    )
    interests_declared = long_text_field(
        "Interests declared (optional)",
        limits.NOTE,
        missing="",
        subject="The interests declared",
        required=False,
        rows=3,
        help_text="Any interest the Commissioner declares in the matter, or leave it empty for none",
    )
    partner = forms.TypedChoiceField(
        label="Is it about one partner? (optional)", coerce=int, required=False, empty_value=None
    )
    confidential = yes_no_field(
        "Is the decision confidential?",
        "Select yes if the decision is confidential",
        help_text="The public register shows a confidential decision's number, date and partner only",
    )

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._offer(partners, optional="No, not about one partner")


class SignForm(GovukForm):
    confirm = forms.BooleanField(
        label="I have read this decision and sign it as the Police and Crime Commissioner",
        error_messages={"required": "Confirm that you have read the decision and sign it"},
    )
