"""Sign-in, second factor and API token forms, with GOV.UK error messages."""
from __future__ import annotations

from django import forms

from partners.models import Partner


class SignInForm(forms.Form):
    username = forms.CharField(label="Username", max_length=150, error_messages={"required": "Enter your username"},
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label="Password", error_messages={"required": "Enter your password"},
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), strip=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code, or one of your recovery codes",
        max_length=20,
        error_messages={"required": "Enter the code from your authenticator app"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].replace(" ", "").replace("-", "").strip()


class SetupCodeForm(CodeForm):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="After you add the key, your app shows a 6-digit code. Enter it here.",
        max_length=10,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Name of the partner system", max_length=120,
                           help_text="For example, 'Police records nightly feed'",
                           error_messages={"required": "Enter the name of the partner system"})
    partner = forms.ModelChoiceField(label="Partner", queryset=Partner.objects.filter(active=True).order_by("name"),
                                     empty_label="Choose a partner",
                                     error_messages={"required": "Choose the partner the system belongs to"})
    days = forms.IntegerField(label="Days until it expires", min_value=1, max_value=365, initial=90,
                              error_messages={"required": "Enter how many days the token lasts",
                                              "min_value": "A token must last at least 1 day",
                                              "max_value": "A token can last at most 365 days",
                                              "invalid": "Enter the number of days as a whole number, like 90"},
                              widget=forms.TextInput(attrs={"inputmode": "numeric"}))
