"""Input validation for the targets pages (indicator search, data return upload)."""

from __future__ import annotations

from django import forms
from django.conf import settings

from portal.forms_govuk import GovukForm

from .models import Indicator

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class IndicatorFilterForm(GovukForm):
    q = forms.CharField(label="Search by code or name", required=False, max_length=100)
    provider = forms.TypedChoiceField(label="Provider", required=False, coerce=int, empty_value=None)
    frequency = forms.ChoiceField(
        label="Frequency", required=False, choices=[("", "Any frequency")] + list(Indicator.Frequency.choices)
    )

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Any provider")] + [(p.pk, p.name) for p in providers]


class DataReturnUploadForm(GovukForm):
    partner = forms.TypedChoiceField(
        label="Which partner is this return for?", coerce=int, required=False, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="A CSV or XLSX file made from the template",
        error_messages={
            "required": "Select a CSV or XLSX file",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV or XLSX file",
        },
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        megabytes = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        self.fields["file"].help_text = f"A CSV or XLSX file made from the template, smaller than {megabytes} MB"
        partners = list(partners)
        if len(partners) > 1:
            self.fields["partner"].required = True
            self.fields["partner"].choices = [(p.pk, p.name) for p in partners]
            self.fields["partner"].error_messages["required"] = "Select the partner this return is for"
        else:
            del self.fields["partner"]
        self._partners = {p.pk: p for p in partners}

    def chosen_partner(self):
        """The partner the return is for (the only one, or the one chosen)."""
        if "partner" not in self.fields:
            return next(iter(self._partners.values()), None)
        return self._partners.get(self.cleaned_data.get("partner"))


class DataReturnApplyForm(GovukForm):
    """Apply a checked return; one that revises figures held needs the tick that confirms it."""

    confirm_revisions = forms.BooleanField(required=False)

    def __init__(self, *args, revisions: int = 0, confirm_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["confirm_revisions"]
        if revisions:
            field.required = True
            field.label = confirm_text
            field.help_text = (
                "The old figures stay in the revision history, but boards and targets will use the new ones."
            )
            field.error_messages["required"] = (
                "Confirm that the revised figures replace what the board holds, or cancel"
            )
        else:
            del self.fields["confirm_revisions"]

    @property
    def confirms_revisions(self) -> bool:
        return bool(self.cleaned_data.get("confirm_revisions"))
