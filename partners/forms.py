from django import forms

from .models import Partner


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label="Search partners", required=False, max_length=100)
    kind = forms.ChoiceField(label="Kind of partner", required=False, choices=[("", "All kinds")] + list(Partner.Kind.choices))
