"""The OpenAPI schema class (settings' DEFAULT_SCHEMA_CLASS): drf-spectacular's, adding the refusals each
operation can give, so that the schema tells the truth about every status it answers.

NOTE: a module of its own. DRF imports api_base (its parser) while DRF itself is being imported, and
portal.api imports drf-spectacular's views, which ask for this class when they are defined: either
home would make an import cycle.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

from .api_base import ErrorSerializer, ValidationErrorSerializer


def _response(serializer, description: str) -> OpenApiResponse:
    return OpenApiResponse(response=serializer, description=description)


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the refusals every operation can give added where they can happen,
    so that the schema tells the truth about every status (an operation's own `responses` win):

    400  always: a NUL character in the address, an unknown query parameter, a bad filter or body;
    401  every operation that needs a caller (all of them but open ones);
    403  every operation that changes something (not allowed; a session without its CSRF token);
    404  operations on one row (no such row, or one the caller may not know exists), and paginated
         lists (no such page);
    415  operations that read a body (a media type the operation does not take);
    429  operations that rate-limit partner-system tokens.
    """

    def _resolve_path_parameters(self, variables):
        # NOTE: the router lets any segment but a slash reach the view (PortalRouter), so that a malformed id
        # is the view's JSON 404; the parameter's type is still its model field's (an integer id, a slug).
        router_pattern, self.path_regex = self.path_regex, self.path_regex.replace("[^/]+", "[^/.]+")
        try:
            return super()._resolve_path_parameters(variables)
        finally:
            self.path_regex = router_pattern

    def _get_filter_parameters(self):
        # A filter sent empty is refused (SelectorFilterSet), except free text: say so where a type does not.
        parameters = super()._get_filter_parameters()
        blank_means_all = getattr(getattr(self.view, "filterset_class", None), "blank_means_all", ())
        for parameter in parameters:
            schema = parameter["schema"]
            if parameter["name"] not in blank_means_all and schema.get("type") == "string" and "enum" not in schema:
                schema.setdefault("minLength", 1)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self.refusals().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def refusals(self) -> dict[str, OpenApiResponse]:
        view = self.view
        found = {
            "400": _response(ValidationErrorSerializer, "The request is not understood: see the messages"),
        }
        if not all(isinstance(p, AllowAny) for p in view.get_permissions()):
            found["401"] = _response(ErrorSerializer, "Sign in (a verified session) or send a usable API token")
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            found["403"] = _response(
                ErrorSerializer, "Not allowed for you (or a browser session without its CSRF token)"
            )
        has_row = "{" in self.path
        paginated = self._is_list_view() and getattr(view, "pagination_class", None) is not None
        if has_row or paginated:
            found["404"] = _response(
                ErrorSerializer,
                "No such row, or one you may not know exists" if has_row else "No such page of the list",
            )
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            found["415"] = _response(ErrorSerializer, "The body's media type is not one this operation takes")
        if view.get_throttles():
            found["429"] = _response(ErrorSerializer, "Too many requests from this partner-system token: wait")
        return found
