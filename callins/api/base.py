"""What the PCC's powers' API views share: bodies read through their serializers, rows found through the
selectors (404 for one the caller may not see), the partner a caller acts for, and the words for step-up."""

from __future__ import annotations

from django.http import Http404
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from partners.models import Partner
from portal import permissions
from portal.api_base import SafeJSONParser, StrictQueryParamsMixin

from .. import selectors

# Where a token's holder does a step-up action instead (portal.api_actions.STEP_UP_REFUSED says the rest).
ISSUE = "issue, determine or withdraw call-ins"
SUBMIT = "submit responses to call-ins"
WAIVE = "waive call-ins"
SIGN = "sign PCC decisions"


def body_of(serializer_class, request) -> dict:
    body = serializer_class(data=request.data if isinstance(request.data, dict) else {})
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def number_of(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404


def partner_named(slug: str | None, *, field: str = "partner") -> Partner | None:
    if slug is None:
        return None
    partner = Partner.objects.filter(slug=slug, active=True).first()
    if partner is None:
        raise ValidationError({field: [f"No partner has the slug “{slug}”."]})
    return partner


def acting_partner(request, slug: str | None, action: str) -> Partner:
    """The partner named, or the only one the caller acts for in this (the service decides whether they may)."""
    if slug is not None:
        return partner_named(slug)
    partners = selectors.partners_to_act_for(user=request.user, action=action)
    if len(partners) == 1:
        return partners[0]
    if partners:
        raise ValidationError({"partner": ["You act for more than one partner: say which one (its slug)."]})
    # NOTE: nobody to act for: the service is asked about the caller's own partner and says why not.
    seat = next(iter(permissions.seats(request.user)), None)
    if seat is None:
        raise ValidationError({"partner": ["Say which partner (its slug)."]})
    return Partner.objects.get(pk=seat.partner_id)


class Rows(StrictQueryParamsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A list through the selector (narrowed by the FilterSet) and one row through its `_get` selector. Bodies
    are JSON only: none of these takes a file, and a form's empty answer would quietly mean null."""

    detail_serializer_class = None
    parser_classes = [SafeJSONParser]

    def get_serializer_class(self):
        return self.serializer_class if self.action == "list" else self.detail_serializer_class

    def get_object(self):
        return self.row_get(number_of(self.kwargs["pk"]))

    def row_get(self, pk: int):
        raise NotImplementedError

    def _answer(self, pk: int, code=status.HTTP_200_OK) -> Response:
        """The row as the caller now sees it, with what they may do next."""
        row = self.row_get(pk)
        return Response(self.detail_serializer_class(row, context=self.get_serializer_context()).data, status=code)
