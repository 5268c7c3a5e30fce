"""What every API view shares: strict query parameters, FilterSets that narrow what a selector gave,
request bodies that mean what the schema says, and the bodies of refusals (which portal/api_schema.py
documents on every operation).

A list asked for with a misspelt filter (`?indicator_code=HOM` where the filter is `indicator`)
must never answer with the unfiltered list, which the caller would take for the filtered one; nor
may a filter naming nothing (`?partner=west-midlands-polce`) answer with an empty list that looks
like "none". Both are 400s that name the parameter.
"""

from __future__ import annotations

import functools

from django import forms
from django.http import QueryDict
from django_filters import rest_framework as filters
from django_filters.utils import translate_validation
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer

from .text import SingleLineValidator

# Understood by every view: DRF's format suffix and the page of a paginated list.
COMMON_QUERY_PARAMS = ("format",)
LIST_QUERY_PARAMS = ("page",)


def unknown_params_error(unknown: list[str], allowed: list[str]) -> ValidationError:
    names = ", ".join(sorted(unknown))
    known = ", ".join(sorted(allowed)) or "none"
    return ValidationError(
        {
            "detail": f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {names}. "
            f"This endpoint understands: {known}.",
            "unknown_parameters": sorted(unknown),
            "allowed_parameters": sorted(allowed),
        }
    )


class StrictQueryParamsMixin:
    """Refuse (400) any query parameter the view does not understand, or one given more than once, after
    authentication (so a stranger still gets 401 first). A list understands its FilterSet's filters and
    `page`; every action understands `query_params_allowed` and `format`."""

    query_params_allowed: tuple[str, ...] = ()

    def allowed_query_params(self) -> list[str]:
        allowed = [*COMMON_QUERY_PARAMS, *self.query_params_allowed]
        if getattr(self, "action", None) == "list":
            filterset_class = getattr(self, "filterset_class", None)
            allowed += [*LIST_QUERY_PARAMS, *(filterset_class.base_filters if filterset_class else ())]
        return sorted(set(allowed))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(self, request.method.lower(), None) is None:
            return  # a method the view does not take: its 405 says more than any parameter
        allowed = self.allowed_query_params()
        unknown = [name for name in request.query_params if name not in allowed]
        # A parameter given twice (`?status=valid&status=applied`) would silently mean the last one.
        wrong = {
            name: [f"Give this parameter once, not {len(values)} times."]
            for name, values in request.query_params.lists()
            if len(values) > 1
        }
        # An empty page (`?page=`) would quietly be the first; the FilterSet refuses its own empty filters.
        wrong |= {
            name: ["Enter a value, or leave the parameter out."]
            for name in LIST_QUERY_PARAMS
            if name in request.query_params and name not in wrong and not request.query_params[name].strip()
        }
        if unknown or wrong:
            # NOTE: the refusal is JSON even where the view renders YAML or HTML (schema, docs).
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
            raise unknown_params_error(unknown, allowed) if unknown else ValidationError(wrong)


# --- FilterSets ----------------------------------------------------------------------------------
class SelectorFilterSet(filters.FilterSet):
    """A list's filters: declared, validated (a bad value is a 400 naming the parameter) and documented
    in the schema here; the narrowing itself is the selector's helper (`narrow`), applied to what the
    view's get_queryset gave (the selector's rows for the viewer), so a filter only ever narrows what
    the caller may see, and means the same in the API as on the page."""

    # Free text, where an empty value narrows nothing. Any other filter sent empty (`?status=`) is refused:
    # the caller meant something, and an empty value is not a status, a date or a partner.
    blank_means_all: tuple[str, ...] = ("search",)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if name not in self.blank_means_all and name in self.data and not str(self.data.get(name)).strip():
                self.form.add_error(name, forms.ValidationError("Enter a value, or leave the parameter out."))
        return valid and not self.form.errors

    def narrow(self, queryset, values: dict):
        raise NotImplementedError

    def filter_queryset(self, queryset):
        values = {name: value for name, value in self.form.cleaned_data.items() if value is not None and value != ""}
        return self.narrow(queryset, values)


def validated_filterset(view, queryset) -> SelectorFilterSet:
    """The view's FilterSet on a queryset, validated (400 naming each bad parameter), for a list that does
    more than page through `filterset.qs` (targets: status words are computed after narrowing)."""
    filterset = view.filterset_class(data=view.request.query_params, queryset=queryset, request=view.request)
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    return filterset


class LookupField(forms.CharField):
    """A slug or code that must name something the caller may see: cleaned to that thing."""

    def __init__(self, *, lookup, missing: str, **kwargs):
        super().__init__(**kwargs)
        self.lookup, self.missing = lookup, missing

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        found = self.lookup(value)
        if found is None:
            raise forms.ValidationError(self.missing, code="invalid_choice", params={"value": value})
        return found


class LookupFilter(filters.CharFilter):
    """A filter whose value names one thing (a partner's slug, an indicator's code). `lookup(request,
    value)` finds it among what the caller may see, or returns None: then 400 with `missing` (which may
    say %(value)s), never an empty list that a typing mistake would look like."""

    field_class = LookupField

    def __init__(self, *args, lookup, missing: str, **kwargs):
        self.lookup = lookup
        super().__init__(*args, missing=missing, **kwargs)

    @property
    def field(self):
        if not hasattr(self, "_field"):
            request = self.parent.request if self.parent is not None else None
            self.extra["lookup"] = functools.partial(self.lookup, request)
        return super().field


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error, not silently 'not given'."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError("Enter true or false.", code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)  # the value as sent (DRF's widget makes "maybe" None)
        super().__init__(*args, **kwargs)


def iso_date_filter(**kwargs) -> filters.DateFilter:
    """A date as YYYY-MM-DD only (no locale formats: 01/02/2026 would be ambiguous)."""
    return filters.DateFilter(input_formats=["%Y-%m-%d"], **kwargs)


# --- Request bodies --------------------------------------------------------------------------------
MULTI_LINE = {"base_template": "textarea.html"}  # a CharField's style that says it takes several lines


def is_multi_line(field) -> bool:
    return (getattr(field, "style", None) or {}).get("base_template") == MULTI_LINE["base_template"]


def _subject(name: str, field) -> str:
    return str(field.label or name.replace("_", " ")).strip().capitalize()


def _single_line(name: str, field) -> None:
    """A text field (or a list of them) that takes one line refuses line breaks and control characters."""
    target = field.child if isinstance(field, serializers.ListField) else field
    if isinstance(target, serializers.CharField) and not target.read_only and not is_multi_line(target):
        check = SingleLineValidator(_subject(name, field))
        if check not in target.validators:
            target.validators.append(check)


class JSONTypesMixin:
    """For a request serializer: in a JSON body, text is a string and yes or no is true or false, as the
    schema says. DRF would quietly take 0 for "0" and "yes" for true. (A form's fields are all text, so
    a multipart or form body is left to DRF's own conversions.) In any body, a text field takes one line
    (no line break or other control character) unless it is marked multi-line (`style=MULTI_LINE`)."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            _single_line(name, field)
        return fields

    def to_internal_value(self, data):
        if isinstance(data, dict) and not isinstance(data, QueryDict):
            errors = {}
            for name, field in self.fields.items():
                value = data.get(name)
                if field.read_only or value is None:
                    continue
                if isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
                    errors[name] = ["Must be true or false."]
                elif isinstance(field, serializers.CharField) and not isinstance(value, str):
                    errors[name] = ["Not a valid string."]
            if errors:
                raise ValidationError(errors)
        return super().to_internal_value(data)


# --- Error bodies and the schema that documents them ---------------------------------------------
class ErrorSerializer(serializers.Serializer):
    """A refusal in words: 401 (sign in, or a usable token), 403 (not allowed, or a browser session's
    missing CSRF token), 404 (no such row, or one you may not know exists; or no such page of a list),
    429 (a partner-system token over its rate limit)."""

    detail = serializers.CharField(help_text="What was refused and why")


class ValidationErrorSerializer(serializers.Serializer):
    """400: what was wrong with the request. Each wrong field (a query parameter such as a filter, or a
    field of the body) is named with a list of messages (`{"status": ["Select a valid choice. …"]}`;
    for a list or object field, messages by position or key): a filter's value that is not one of its
    choices, not a date (YYYY-MM-DD) or names nothing (`No partner has the slug …`); a parameter sent
    empty (except `search`) or more than once. A request as a whole that is wrong has `detail` (a body
    that is not JSON, a NUL character in the address); an unknown query parameter has `detail`,
    `unknown_parameters` and `allowed_parameters`."""

    detail = serializers.CharField(required=False, help_text="What was wrong with the request as a whole")
    unknown_parameters = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Query parameters the endpoint does not understand"
    )
    allowed_parameters = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The query parameters it does understand"
    )


class _FieldErrorsExtension(OpenApiSerializerExtension):
    """Field errors are named by the field, so the schema says so with additionalProperties: each is a list
    of messages (or, for a list or object field, an object of messages by position or key)."""

    target_class = ValidationErrorSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = {
            "oneOf": [
                {"type": "array", "items": {}},
                {"type": "object", "additionalProperties": {}},
            ],
            "description": "Messages about the field of that name",
        }
        return schema


# --- Parsing ---------------------------------------------------------------------------------------
class SafeJSONParser(JSONParser):
    """DRF's JSON parser, refusing a body nested so deep that Python's parser gives up (RecursionError):
    400, never 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply")
