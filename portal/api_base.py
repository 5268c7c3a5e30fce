"""What every API view shares: query parameters it does not understand are refused.

A list asked for with a misspelt filter (`?indicator_code=HOM` where the filter is `indicator`)
must never answer with the unfiltered list, which the caller would take for the filtered one.
"""

from __future__ import annotations

from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer

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
    """Refuse (400) any query parameter the view does not understand, after authentication (so a
    stranger still gets 401 first). Lists understand `list_query_params` and `page`; every action
    understands `query_params_allowed` and `format`."""

    list_query_params: tuple[str, ...] = ()
    query_params_allowed: tuple[str, ...] = ()

    def allowed_query_params(self) -> list[str]:
        allowed = [*COMMON_QUERY_PARAMS, *self.query_params_allowed]
        if getattr(self, "action", None) == "list":
            allowed += [*LIST_QUERY_PARAMS, *self.list_query_params]
        return sorted(set(allowed))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        allowed = self.allowed_query_params()
        unknown = [name for name in request.query_params if name not in allowed]
        if unknown:
            # NOTE: the refusal is JSON even where the view renders YAML or HTML (schema, docs).
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
            raise unknown_params_error(unknown, allowed)


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, refusing a body nested so deep that Python's parser gives up (RecursionError):
    400, never 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply")
