"""What the devolved funds' API views share: bodies read through their serializers, rows found through the
selectors (404 for one the caller may not see) with what the caller may do to each now, the organisation a
caller applies for, and the words for step-up."""

from __future__ import annotations

from django.http import Http404
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from portal import permissions
from portal.api_base import SafeJSONParser, StrictQueryParamsMixin

from .. import selectors
from ..models import Organisation

# Where a token's holder does a step-up action instead (portal.api_actions.STEP_UP_REFUSED says the rest).
AWARD = "award, decline or cancel grants"

# The largest id a row can have (a 64-bit primary key): a bigger number names nothing, and is never sent on.
ID_MAX = 2**63 - 1


def body_of(serializer_class, request) -> dict:
    body = serializer_class(data=request.data if isinstance(request.data, dict) else {})
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def number_of(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404
    if not 1 <= number <= ID_MAX:
        raise Http404
    return number


def with_actions(row, flow, user):
    """The row, with every transition of its workflow the caller may take now (the API has an action for each;
    the pages' selectors keep only those with a page)."""
    row.transitions = flow.available_to(user, row)
    return row


def organisation_named(org_id: str | None, *, field: str = "organisation") -> Organisation | None:
    if org_id is None:
        return None
    organisation = Organisation.objects.filter(org_id=org_id).first()
    if organisation is None:
        raise ValidationError({field: [f"No organisation has the org-id “{org_id}”."]})
    return organisation


def applying_organisation(request, org_id: str | None) -> Organisation:
    """The organisation named, or the only one the caller applies for (the service decides whether they may)."""
    if org_id is not None:
        return organisation_named(org_id)
    organisations = selectors.organisations_applying_for(user=request.user)
    if len(organisations) == 1:
        return organisations[0]
    if organisations:
        raise ValidationError(
            {"organisation": ["You apply for more than one organisation: say which one (its org-id)."]}
        )
    # NOTE: nobody to apply for: the service is asked about the caller's own partner's organisation, if it has
    # one, and says why not.
    seat = next(iter(permissions.seats(request.user)), None)
    own = Organisation.objects.filter(partner_id=seat.partner_id).first() if seat is not None else None
    if own is None:
        raise ValidationError({"organisation": ["Say which organisation applies (its org-id)."]})
    return own


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
