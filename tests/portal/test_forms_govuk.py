"""The GOV.UK parameters built from Django form fields."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import engines

from portal.forms_govuk import field_params


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea, required=False)
    name = forms.CharField(required=False)


def test_an_empty_textarea_is_given_an_empty_value():
    params = field_params(NoteForm()["note"])
    assert params["_kind"] == "textarea" and params["value"] == ""


def test_a_textarea_keeps_what_was_typed():
    assert field_params(NoteForm({"note": "Kept"})["note"])["value"] == "Kept"


def test_an_empty_text_input_is_given_no_value():
    assert "value" not in field_params(NoteForm()["name"])


def test_an_empty_textarea_renders_without_undefined_values_as_in_debug():
    from django.template import engines
    from jinja2 import DebugUndefined

    env = engines["jinja2"].env.overlay(undefined=DebugUndefined)  # what DEBUG uses
    html = env.from_string('{% from "_forms.html" import field %}{{ field(form.note) }}').render(form=NoteForm())
    assert '<textarea class="govuk-textarea" id="id_note" name="note" rows="5"></textarea>' in html
    assert "{{" not in html


# --- A question with one possible answer comes answered ------------------------------------------------------
def _one_choice_form(choices, *, required=True, initial=None):
    from portal.forms_govuk import GovukForm

    class ChoiceForm(GovukForm):
        partner = forms.TypedChoiceField(
            label="Which partner is it for?", coerce=int, widget=forms.RadioSelect, required=required
        )
        area = forms.ChoiceField(label="Area", required=required)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)  # as the portal's forms do: choices set after the base's __init__
            self.fields["partner"].choices = choices
            self.fields["area"].choices = [("", "Choose an area"), *[(str(v), t) for v, t in choices]]

    return ChoiceForm(initial=initial)


def _checked(params) -> list[str]:
    return [item["value"] for item in params["items"] if item.get("checked") or item.get("selected")]


def test_a_single_radio_or_select_option_is_preselected():
    form = _one_choice_form([(7, "West Midlands Police")])
    assert _checked(field_params(form["partner"])) == ["7"]
    assert _checked(field_params(form["area"])) == ["7"]  # the "Choose an area" line is no answer


def test_several_options_an_optional_question_or_a_given_answer_are_left_alone():
    two = _one_choice_form([(7, "West Midlands Police"), (8, "Probation")])
    assert _checked(field_params(two["partner"])) == [] and _checked(field_params(two["area"])) == [""]
    optional = _one_choice_form([(7, "West Midlands Police")], required=False)
    assert _checked(field_params(optional["partner"])) == []  # leaving it empty is an answer there
    told = _one_choice_form([(7, "West Midlands Police")], initial={"partner": 9})
    assert _checked(field_params(told["partner"])) == []


def test_a_sent_form_shows_what_was_sent_and_still_needs_the_answer():
    from portal.forms_govuk import GovukForm

    class OwnerForm(GovukForm):
        owner = forms.TypedChoiceField(label="Who owns it?", coerce=int, widget=forms.RadioSelect)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["owner"].choices = [(7, "West Midlands Police")]

    sent = OwnerForm({})
    assert not sent.is_valid() and "owner" in sent.errors
    assert _checked(field_params(sent["owner"])) == []
    assert OwnerForm({"owner": "7"}).is_valid()


@pytest.mark.django_db
def test_the_portals_forms_preselect_their_only_partner():
    from partners.forms import ApiTokenForm
    from partners.models import Partner
    from targets.plans.forms import ActionForm, PlanForm
    from tests.factories import make_partner

    police = make_partner("west-midlands-police", Partner.Kind.POLICE, "West Midlands Police")
    assert _checked(field_params(ActionForm(partners=[police])["owner"])) == [str(police.pk)]
    assert _checked(field_params(PlanForm(owners=[police])["owner"])) == [str(police.pk)]
    assert _checked(field_params(PlanForm(owners=[police], board_allowed=True)["owner"])) == []  # two owners
    assert _checked(field_params(ApiTokenForm()["partner"])) == [str(police.pk)]  # a select with one partner
    html = (
        engines["jinja2"]
        .from_string('{% from "_forms.html" import field %}{{ field(f.owner) }}')
        .render({"f": ActionForm(partners=[police])})
    )
    assert re.search(rf'value="{police.pk}" checked', html)
