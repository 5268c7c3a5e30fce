"""The GOV.UK parameters built from Django form fields."""

from __future__ import annotations

from django import forms

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
