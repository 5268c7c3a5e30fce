"""Call-ins: the list's filters, the draft, the partner's response and its documents, submitting, determining,
withdrawing, and the list of grounds."""

from __future__ import annotations

from django import forms

from portal.forms_govuk import GovukForm

from .. import limits, selectors
from ..models import CallInGround
from .common import ChoosesPartner, long_text_field, text_field, working_days_field


# --- Call-ins --------------------------------------------------------------------------------------------
class CallInFilterForm(ChoosesPartner, GovukForm):
    q = forms.CharField(label="Search call-ins", required=False, max_length=limits.SEARCH)
    partner = forms.TypedChoiceField(label="Partner", coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status")])

    def __init__(self, *args, partners=(), statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._offer(partners, optional="Every partner")
        self.fields["status"].choices = [("", "Any status"), *statuses]


class CallInForm(GovukForm):
    """A draft call-in: its grounds, the questions and the working days the partner has to respond."""

    grounds = forms.ModelMultipleChoiceField(
        label="Grounds for calling it in",
        queryset=CallInGround.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one ground for the call-in"},
    )
    questions = long_text_field(
        "Questions the partner must answer",
        limits.TEXT,
        missing="Enter the questions the partner must answer",
        subject="The questions",
        rows=8,
    )
    response_working_days = working_days_field(
        "How many working days does the partner have to respond?",
        limits.RESPONSE_RANGE,
        limits.RESPONSE_DEFAULT,
        help_text="Counted from the day the PCC issues it. Weekends and England and Wales bank holidays are not "
        "counted",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grounds = selectors.grounds_current()
        self.fields["grounds"].queryset = grounds
        self.fields["grounds"].item_hints = {str(g.pk): g.description for g in grounds if g.description}


class ResponseForm(GovukForm):
    response_text = long_text_field(
        "The response",
        limits.TEXT,
        missing="Enter the response",
        subject="The response",
        rows=12,
        help_text="Answer each of the PCC's questions. You can save it and come back to it before it is submitted",
    )


class DocumentForm(GovukForm):
    prefix = "document"

    title = text_field("Title", limits.TITLE, missing="Enter the document's title", subject="The title")
    file = forms.FileField(
        label="Upload a file",
        help_text="A PDF, Word (.docx) or Excel (.xlsx) file",
        error_messages={"required": "Select a PDF, DOCX or XLSX file", "empty": "The selected file is empty"},
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx,.xlsx"}),
    )


class SubmitForm(GovukForm):
    confirm = forms.BooleanField(
        label="I have read the response and have the authority to submit it for my organisation",
        error_messages={"required": "Confirm that you have read the response and may submit it"},
    )


OUTCOME_HINTS = {
    "stands": "It is released and may take effect",
    "referred_back": "The partner reconsiders it with your recommendations and records its final outcome",
}


class DetermineForm(GovukForm):
    outcome = forms.ChoiceField(
        label="What is your determination?",
        choices=[("stands", "The decision stands"), ("referred_back", "Refer it back to the partner to reconsider")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the decision stands or is referred back"},
    )
    reasons = long_text_field(
        "Reasons", limits.TEXT, missing="Enter the reasons for your determination", subject="The reasons", rows=6
    )
    recommendations = long_text_field(
        "Recommendations (if you refer it back)",
        limits.TEXT,
        missing="",
        subject="The recommendations",
        required=False,
        rows=6,
    )
    reconsider_working_days = working_days_field(
        "Working days the partner has to reconsider (if you refer it back)",
        limits.RECONSIDER_RANGE,
        limits.RECONSIDER_DEFAULT,
        required=False,
        help_text="Counted from today. Weekends and England and Wales bank holidays are not counted",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].item_hints = OUTCOME_HINTS

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "referred_back":
            if not data.get("recommendations") and "recommendations" not in self.errors:
                self.add_error("recommendations", "Enter your recommendations for the partner to reconsider")
            if data.get("reconsider_working_days") is None and "reconsider_working_days" not in self.errors:
                self.add_error("reconsider_working_days", "Enter the number of working days the partner has")
        return data


class WithdrawForm(GovukForm):
    reasons = long_text_field(
        "Why is the call-in withdrawn?",
        limits.TEXT,
        missing="Enter the reasons for withdrawing the call-in",
        subject="The reasons",
        help_text="They are published with the PCC decision that records it",
    )


class GroundForm(GovukForm):
    name = text_field("Ground", limits.GROUND, missing="Enter the ground", subject="The ground")
    description = long_text_field(
        "Description (optional)",
        limits.GROUND_DESCRIPTION,
        missing="",
        subject="The description",
        required=False,
        rows=2,
        help_text="Shown under the ground when a call-in is drafted",
    )
