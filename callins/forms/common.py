"""What the PCC's powers' forms share: text with its limit and messages, working days, yes or no, a partner to
choose, money in pounds and pence, a confirmation."""

from __future__ import annotations

from django import forms

from portal.forms_govuk import GovukForm
from portal.text import too_long_message

YES_NO = [("yes", "Yes"), ("no", "No")]


def text_field(
    label: str, limit: int, *, missing: str, subject: str, required: bool = True, **extra
) -> forms.CharField:
    """A single line of text: required (unless told) and at most `limit` characters, with the messages named."""
    messages = {"max_length": too_long_message(subject, limit)}
    if required:
        messages["required"] = missing
    return forms.CharField(label=label, max_length=limit, required=required, error_messages=messages, **extra)


def long_text_field(
    label: str, limit: int, *, missing: str, subject: str, required: bool = True, rows: int = 5, **extra
):
    """A box of text shown with a GOV.UK character count (portal.forms_govuk: its max_length)."""
    return text_field(
        label,
        limit,
        missing=missing,
        subject=subject,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        **extra,
    )


def working_days_field(label: str, bounds: tuple[int, int], default: int, *, required: bool = True, **extra):
    low, high = bounds
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        initial=default,
        required=required,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter the number of working days",
            "min_value": f"Give at least {low} working days",
            "max_value": f"Give at most {high} working days",
            "invalid": "Enter the number of working days as a whole number, like 10",
        },
        **extra,
    )


def yes_no_field(label: str, missing: str, **extra) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=YES_NO, widget=forms.RadioSelect, error_messages={"required": missing}, **extra
    )


def partner_field(label: str, missing: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, coerce=int, widget=forms.RadioSelect, error_messages={"required": missing}
    )


class ChoosesPartner:
    """A form whose `partner` question offers the partners given (for most people one, already chosen)."""

    def _offer(self, partners, *, optional: str = "") -> None:
        self._partners = {p.pk: p for p in partners}
        choices = [(p.pk, p.name) for p in partners]
        self.fields["partner"].choices = [("", optional), *choices] if optional else choices

    def chosen_partner(self):
        return self._partners.get(self.cleaned_data.get("partner"))


class MoneyField(forms.DecimalField):
    """Pounds and pence, typed with or without "£" and commas: an exact Decimal, never a float."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removeprefix("£").replace(",", "").strip()
            if value and not all(c.isdigit() or c in ".-+" for c in value):  # "1e3", "NaN", "Infinity"
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class ConfirmForm(GovukForm):
    """A confirmation page's form: no question, a button; the service's refusal shows in its error summary."""
