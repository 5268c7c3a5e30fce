"""Partners' decisions: the list's filters, logging one, taking effect, waiving the call-in, the final outcome."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from portal.fields import GovDateField
from portal.forms_govuk import GovukForm
from targets.models import Priority, Target

from .. import limits
from ..models import DecisionCategory, PartnerDecision
from .common import ChoosesPartner, MoneyField, long_text_field, partner_field, text_field, yes_no_field


# --- Partners' decisions ---------------------------------------------------------------------------------
class DecisionFilterForm(ChoosesPartner, GovukForm):
    q = forms.CharField(label="Search decisions", required=False, max_length=limits.SEARCH)
    partner = forms.TypedChoiceField(label="Partner", coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *PartnerDecision.Status.choices]
    )
    window = forms.ChoiceField(
        label="Call-in window",
        required=False,
        choices=[("", "Open or closed"), ("open", "Open: it may still be called in"), ("closed", "Closed")],
    )

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._offer(partners, optional="Every partner")


class DecisionForm(ChoosesPartner, GovukForm):
    """A partner's significant decision, logged for the PCC."""

    partner = partner_field("Which partner made the decision?", "Select the partner that made the decision")
    reference = text_field(
        "Your reference",
        limits.REFERENCE,
        missing="Enter your reference for the decision",
        subject="Your reference",
        help_text="Your organisation's own reference for it, like WMP-2026-031",
    )
    title = text_field("Title", limits.TITLE, missing="Enter the decision's title", subject="The title")
    summary = long_text_field(
        "Summary",
        limits.TEXT,
        missing="Enter a summary of the decision",
        subject="The summary",
        help_text="What was decided",
    )
    reasons = long_text_field(
        "Reasons", limits.TEXT, missing="Enter the reasons for the decision", subject="The reasons"
    )
    alternatives = long_text_field(
        "Alternatives considered (optional)",
        limits.TEXT,
        missing="",
        subject="The alternatives considered",
        required=False,
        rows=3,
    )
    decision_maker_name = text_field(
        "Name of the person who made it",
        limits.NAME,
        missing="Enter the name of the person who made the decision",
        subject="The name",
    )
    decision_maker_post = text_field(
        "Their post",
        limits.NAME,
        missing="Enter the post of the person who made the decision",
        subject="The post",
        help_text="For example, Assistant Chief Constable",
    )
    made_on = GovDateField(label="Date the decision was made", label_lower="the date the decision was made")
    takes_effect_on = GovDateField(label="Date it is to take effect", label_lower="the date it is to take effect")
    category = forms.ChoiceField(
        label="What kind of decision is it?",
        choices=DecisionCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of decision"},
    )
    priorities = forms.ModelMultipleChoiceField(
        label="Board priorities it affects (optional)",
        queryset=Priority.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    targets = forms.ModelMultipleChoiceField(
        label="Targets it affects (optional)",
        queryset=Target.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    financial_value = MoneyField(
        label="Financial value (optional)",
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        help_text="In pounds and pence, like 125000.00",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the financial value in pounds and pence, like 125000.00",
            "min_value": "The financial value must be 0 or more",
            "max_digits": "The financial value must be less than £1,000,000,000,000",
            "max_whole_digits": "The financial value must be less than £1,000,000,000,000",
            "max_decimal_places": "Enter the financial value in pounds and pence, with no more than 2 decimal places",
        },
    )
    confidential = yes_no_field(
        "Is the decision confidential?",
        "Select yes if the decision is confidential",
        help_text="If it is called in, the public register shows only that a call-in exists, its reference, its "
        "dates and your organisation's name",
    )

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._offer(partners)
        self.fields["priorities"].queryset = Priority.objects.filter(active=True).order_by("order")
        if not self.fields["priorities"].queryset.exists():
            del self.fields["priorities"]
        self.fields["targets"].queryset = Target.objects.select_related("indicator", "area").order_by(
            "indicator__code", "area__name"
        )
        if not self.fields["targets"].queryset.exists():
            del self.fields["targets"]

    def clean(self):
        data = super().clean()
        made, effect = data.get("made_on"), data.get("takes_effect_on")
        if made and effect and effect < made:
            self.add_error("takes_effect_on", "The date it takes effect must be the same as or after the date made")
        return data


class TakeEffectForm(GovukForm):
    on = GovDateField(label="Date it took effect", label_lower="the date it took effect")


class WaiveForm(GovukForm):
    reasons = long_text_field(
        "Why is the PCC not calling it in?",
        limits.NOTE,
        missing="Enter the reasons for waiving the call-in",
        subject="The reasons",
        help_text="The partner is told, and the reasons stay with the decision's record",
    )


class OutcomeForm(GovukForm):
    outcome = forms.ChoiceField(
        label="What was decided in the end?",
        choices=PartnerDecision.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what was decided in the end"},
    )
    outcome_text = long_text_field(
        "What was decided, and why",
        limits.TEXT,
        missing="Enter what was decided, and why",
        subject="What was decided",
        help_text="Say how the PCC's recommendations were taken into account",
    )
