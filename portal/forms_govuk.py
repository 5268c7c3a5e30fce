"""Turn Django form fields into the parameters of the GOV.UK Frontend macros.

Templates call `field(form.name)` from templates/_forms.html, which picks the component
(input, textarea, select, radios, checkboxes, file upload, date input) by widget.
"""

from __future__ import annotations

from django import forms


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
