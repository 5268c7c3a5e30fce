"""Senior appointments: the list's filters, opening one, the shortlist, consulting the PCC, the PCC's view,
withdrawing."""

from __future__ import annotations

from django import forms

from portal.forms_govuk import GovukForm

from .. import limits
from ..models import Appointment
from .common import ChoosesPartner, long_text_field, partner_field, text_field, working_days_field


# --- Senior appointments -----------------------------------------------------------------------------------
class AppointmentFilterForm(ChoosesPartner, GovukForm):
    partner = forms.TypedChoiceField(label="Partner", coerce=int, required=False, empty_value=None)
    stage = forms.ChoiceField(label="Stage", required=False, choices=[("", "Any stage"), *Appointment.Stage.choices])

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._offer(partners, optional="Every partner")


class AppointmentForm(ChoosesPartner, GovukForm):
    partner = partner_field("Which partner is filling the post?", "Select the partner filling the post")
    post = text_field(
        "Post",
        limits.NAME,
        missing="Enter the post",
        subject="The post",
        help_text="For example, Deputy Chief Constable",
    )
    notes = long_text_field("Notes (optional)", limits.NOTE, missing="", subject="The notes", required=False, rows=3)

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._offer(partners)


class ShortlistForm(GovukForm):
    candidate = text_field(
        "Who is proposed?",
        limits.NAME,
        missing="Enter the name of the candidate",
        subject="The candidate",
        help_text="The candidate you mean to appoint",
    )


class ConsultForm(ShortlistForm):
    view_working_days = working_days_field(
        "How many working days does the PCC have to give a view?",
        limits.VIEW_RANGE,
        limits.VIEW_DEFAULT,
        help_text="Counted from today. After that you may confirm the appointment without the PCC's view",
    )


class ViewForm(GovukForm):
    view = forms.ChoiceField(
        label="What is the PCC's view?",
        choices=Appointment.View.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the PCC's view"},
    )
    reasons = long_text_field(
        "Reasons (needed for concerns)",
        limits.NOTE,
        missing="",
        subject="The reasons",
        required=False,
        help_text="The partner is told the PCC's view and these reasons",
    )

    def clean(self):
        data = super().clean()
        if data.get("view") == Appointment.View.CONCERNS and not data.get("reasons") and "reasons" not in self.errors:
            self.add_error("reasons", "Enter the PCC's concerns")
        return data


class AppointmentWithdrawForm(GovukForm):
    reasons = long_text_field(
        "Why is it withdrawn?", limits.NOTE, missing="Enter why the appointment is withdrawn", subject="The reasons"
    )
