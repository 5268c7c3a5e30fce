"""Turn Django form fields into the parameters of the GOV.UK Frontend macros.

Templates call `field(form.name)` from templates/_forms.html, which picks the component
(input, textarea, select, radios, checkboxes, file upload, date input) by widget.
"""

from __future__ import annotations

from django import forms

from .text import SingleLineValidator, limit_hint, too_long_message


def _kind(widget) -> str:
    # NOTE: CheckboxSelectMultiple is a subclass of RadioSelect, so it must be asked about first;
    # a multiple choice must never render as radios (which allow one answer only).
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.ClearableFileInput) or isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    if getattr(widget, "govuk_date", False):
        return "date"
    return "input"


def field_params(bound, opts: dict | None = None) -> dict:
    """Parameters for the component that renders this bound field."""
    opts = dict(opts or {})
    widget = bound.field.widget
    kind = _kind(widget)
    label_text = str(bound.label)
    params: dict = {
        "_kind": kind,
        "id": bound.id_for_label or bound.auto_id,
        "name": bound.html_name,
    }
    if bound.help_text:
        params["hint"] = {"text": str(bound.help_text)}
    if bound.errors:
        params["errorMessage"] = {"text": " ".join(str(e) for e in bound.errors)}
    label = {"text": label_text}
    if opts.pop("page_heading", False):
        label.update({"isPageHeading": True, "classes": "govuk-label--l"})
    value = bound.value()
    if kind in ("radios", "checkboxes"):
        chosen = value if isinstance(value, (list, tuple)) else [value]
        chosen = {str(v) for v in chosen if v not in (None, "")}
        params["fieldset"] = {
            "legend": {"text": label_text, "classes": opts.pop("legend_classes", "govuk-fieldset__legend--s")}
        }
        hints = getattr(bound.field, "item_hints", None) or {}
        params["items"] = []
        for v, t in bound.field.choices:
            if str(v) == "":
                continue
            item = {"value": str(v), "text": str(t), "checked": str(v) in chosen}
            hint = hints.get(str(v))
            if hint:
                item["hint"] = {"text": str(hint)}
            params["items"].append(item)
        params["idPrefix"] = params.pop("id")
    elif kind == "checkbox":
        params = {
            "_kind": "checkboxes",
            "idPrefix": params["id"],
            "name": params["name"],
            "items": [{"value": "on", "text": label_text, "checked": bool(value)}],
            **({"errorMessage": params["errorMessage"]} if "errorMessage" in params else {}),
            **({"hint": params["hint"]} if "hint" in params else {}),
        }
    elif kind == "select":
        chosen = "" if value is None else str(value)
        params["label"] = label
        params["items"] = [
            {"value": str(v), "text": str(t), "selected": str(v) == chosen} for v, t in bound.field.choices
        ]
    elif kind == "date":
        parts = value if isinstance(value, (list, tuple)) else widget.decompress(value)
        params["fieldset"] = {
            "legend": {"text": label_text, "classes": opts.pop("legend_classes", "govuk-fieldset__legend--s")}
        }
        params["namePrefix"] = bound.html_name
        error_class = " govuk-input--error" if bound.errors else ""
        params["items"] = [
            {"name": "day", "classes": "govuk-input--width-2" + error_class, "value": parts[0] or ""},
            {"name": "month", "classes": "govuk-input--width-2" + error_class, "value": parts[1] or ""},
            {"name": "year", "classes": "govuk-input--width-4" + error_class, "value": parts[2] or ""},
        ]
        params.setdefault("hint", {"text": "For example, 27 3 2027"})
    else:
        params["label"] = label
        if kind == "textarea":
            # NOTE: the textarea macro reads params.value unguarded, so it is always passed.
            params["value"] = "" if value in (None, "") else str(value)
            limit = getattr(bound.field, "max_length", None)
            if limit:
                # A GOV.UK character count: the limit in words under the box, counted down as the person types.
                params["_kind"] = "character-count"
                params["maxlength"] = limit
                params["textareaDescriptionText"] = limit_hint(limit)
        elif kind not in ("file", "password") and value not in (None, ""):
            params["value"] = str(value)
        input_type = getattr(widget, "input_type", None)
        if kind == "input" and input_type and input_type not in ("text",):
            params["type"] = input_type
        autocomplete = widget.attrs.get("autocomplete")
        if autocomplete:
            params["autocomplete"] = autocomplete
        if kind == "file" and widget.attrs.get("accept"):
            params["attributes"] = {"accept": widget.attrs["accept"]}
    params.update(opts)
    return params


def error_summary_params(form) -> dict | None:
    """The GOV.UK error summary for a form, linking each message to its field."""
    if form is None or not form.errors:
        return None
    items = []
    for name, errors in form.errors.items():
        if name == "__all__":
            items.extend({"text": str(e)} for e in errors)
            continue
        bound = form[name]
        widget = bound.field.widget
        anchor = bound.id_for_label or bound.auto_id
        if getattr(widget, "govuk_date", False):
            anchor = f"{bound.auto_id}-day"
        elif isinstance(widget, forms.RadioSelect):  # radios and checkboxes: the first item has the prefix id
            anchor = bound.auto_id
        items.extend({"text": str(e), "href": f"#{anchor}"} for e in errors)
    return {"titleText": "There is a problem", "errorList": items}


# --- GOV.UK wording for the messages Django would otherwise write --------------------------------
# Django's own messages ("Select a valid choice. 7 is not one of the available choices.", "Ensure this
# value has at most 200 characters (it has 1000).") name neither the question nor what to do. A form
# sets its own message where it has a better one; any left at Django's wording get these.
def _subject(field) -> str:
    """What the answer is called in a message: the field's label if it is a name ("Title"), else "Your answer"
    (a label that is a question, "Which partner does it?", does not fit in a sentence)."""
    label = str(field.label or "").replace("(optional)", "").strip()
    if not label or label.endswith("?") or len(label) > 40:
        return "Your answer"
    return label.replace("%", "%%")


def govuk_messages(field) -> dict[str, str]:
    subject = _subject(field)
    multiple = isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField))
    select = "Select only options from the list" if multiple else "Select one of the options from the list"
    messages = {
        # NOTE: the subject is already escaped for Django's %-formatting; the limit is written with its comma.
        "max_length": too_long_message(subject, field.max_length)
        if getattr(field, "max_length", None)
        else f"{subject} must be %(limit_value)d characters or fewer",
        "min_length": f"{subject} must be at least %(limit_value)d characters (you entered %(show_value)d)",
        "null_characters_not_allowed": f"{subject} has hidden control characters in it: type it again, not pasted",
        "invalid_choice": select,
        "invalid_list": select,
        "invalid_pk_value": select,
    }
    if isinstance(field, forms.FileField):
        messages |= {
            "invalid": "The selected file could not be read: select it again",
            "missing": "Select a file",
            "contradiction": "Either select a new file or remove the old one, not both",
        }
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{subject} must be a whole number, like 10"
    if field.required:
        messages["required"] = "Answer this question" if subject == "Your answer" else f"Enter {subject.lower()}"
    return messages


def django_stock_messages(field) -> dict[str, str]:
    """The messages Django gives this kind of field when the form sets none."""
    stock: dict[str, str] = {}
    for cls in reversed(type(field).__mro__):
        stock.update(getattr(cls, "default_error_messages", {}))
    return stock


def apply_govuk_messages(form) -> None:
    for field in form.fields.values():
        stock = django_stock_messages(field)
        for code, message in govuk_messages(field).items():
            current = field.error_messages.get(code)
            if current is None or str(current) == str(stock.get(code)):
                field.error_messages[code] = message


# --- A question with one possible answer comes answered ------------------------------------------
def only_choice(field) -> object | None:
    """The one answer a required single choice (radios or a select) allows, or None if it allows several.

    The empty choice ("Choose a partner") is no answer; nor is anything for an optional question, where
    leaving it empty is an answer too.
    """
    if not field.required or not isinstance(field, forms.ChoiceField) or isinstance(field, forms.MultipleChoiceField):
        return None
    values = []
    for value, label in field.choices:
        value = getattr(value, "value", value)  # a ModelChoiceField's ModelChoiceIteratorValue
        if value in (None, ""):
            continue
        if isinstance(label, (list, tuple)):  # a group of options: not one answer
            return None
        values.append(value)
        if len(values) > 1:
            return None
    return values[0] if values else None


# --- A single line is one line ----------------------------------------------------------------------
def is_single_line(field) -> bool:
    """A text answer typed on one line: a CharField shown as a text box, not a textarea (a password is
    a secret to check, never text to show, so it is left as typed)."""
    return isinstance(field, forms.CharField) and not isinstance(field.widget, (forms.Textarea, forms.PasswordInput))


def apply_single_line(form) -> None:
    """Every single-line answer refuses line breaks and other control characters, naming the answer."""
    for field in form.fields.values():
        if is_single_line(field):
            check = SingleLineValidator(str(_subject(field)).replace("%%", "%"))
            if check not in field.validators:
                field.validators.append(check)


class GovukForm(forms.Form):
    """Every form of the portal: Django's own error messages are replaced by GOV.UK wording before
    validation (including fields a form adds in its __init__), a single-line answer refuses line breaks
    and control characters, and a question with only one possible answer is shown with it chosen."""

    def full_clean(self):
        apply_govuk_messages(self)
        apply_single_line(self)
        super().full_clean()

    def get_initial_for_field(self, field, field_name):
        # NOTE: asked when the field is shown, after the form's __init__ has set its choices; a bound
        # form shows what was sent instead, so an answer left out is still an error.
        initial = super().get_initial_for_field(field, field_name)
        if initial in (None, ""):
            only = only_choice(field)
            if only is not None:
                return only
        return initial
