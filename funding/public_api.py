"""The public 360Giving data of the grants awarded (/api/v1/grants/360giving.json): for anyone, without signing in
or a token, as on the public grants page; limited per client address as the register's pages are."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from portal import ratelimit
from portal.api_base import ErrorSerializer, StrictQueryParamsMixin
from portal.security import client_ip

from . import threesixty


class PublicAddressThrottle(BaseThrottle):
    """Count the request against the register's limit for its client address (portal.ratelimit.PUBLIC_PAGES):
    429 over it, saying how long to wait. Fails open with the cache down, as the register does."""

    retry_after: int | None = None

    def allow_request(self, request, view) -> bool:
        try:
            ratelimit.hit_address(ratelimit.PUBLIC_PAGES, address=client_ip(request._request))
        except ratelimit.RateLimited as refusal:
            self.retry_after = refusal.retry_after
            return False
        return True

    def wait(self) -> int | None:
        return self.retry_after


_TEXT = {"type": "string"}
_ORGANISATION = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {**_TEXT, "description": "Its org-id, for example GB-CHC-1234567"},
        "name": _TEXT,
        "charityNumber": _TEXT,
        "companyNumber": _TEXT,
    },
}
# What the package holds, in outline: the 360Giving Data Standard's own schemas say all of it.
PACKAGE = {
    "type": "object",
    "description": "A 360Giving data package: https://standard.threesixtygiving.org/en/latest/technical/",
    "required": ["grants", "version", "publisher", "license"],
    "properties": {
        "grants": {
            "type": "array",
            "description": "Every published grant, the latest first",
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "title",
                    "description",
                    "currency",
                    "amountAwarded",
                    "awardDate",
                    "recipientOrganization",
                    "fundingOrganization",
                ],
                "properties": {
                    "id": {**_TEXT, "description": "The publisher's 360Giving prefix and the award's number"},
                    "title": _TEXT,
                    "description": _TEXT,
                    "currency": {**_TEXT, "enum": ["GBP"]},
                    "amountAwarded": {"type": "number", "description": "Pounds and pence, exact"},
                    "awardDate": {**_TEXT, "format": "date"},
                    "url": {**_TEXT, "format": "uri", "description": "The PCC decision on the public register"},
                    "recipientOrganization": {"type": "array", "items": _ORGANISATION},
                    "fundingOrganization": {"type": "array", "items": _ORGANISATION},
                    "beneficiaryLocation": {
                        "type": "array",
                        "description": "The areas it serves, with their ONS codes",
                        "items": {
                            "type": "object",
                            "properties": {
                                "name": _TEXT,
                                "countryCode": _TEXT,
                                "geoCode": _TEXT,
                                "geoCodeType": _TEXT,
                            },
                        },
                    },
                    "grantProgramme": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"code": _TEXT, "title": _TEXT}},
                    },
                    "dateModified": {**_TEXT, "format": "date-time"},
                    "dataSource": {**_TEXT, "format": "uri"},
                },
            },
        },
        "version": {**_TEXT, "description": "The 360Giving Data Standard's version: 1.4"},
        "title": _TEXT,
        "description": _TEXT,
        "identifier": _TEXT,
        "issued": {**_TEXT, "format": "date-time"},
        "publisher": {
            "type": "object",
            "required": ["name"],
            "properties": {"identifier": _TEXT, "name": _TEXT, "website": {**_TEXT, "format": "uri"}},
        },
        "accessURL": {**_TEXT, "format": "uri"},
        "downloadURL": {**_TEXT, "format": "uri"},
        "license": {**_TEXT, "format": "uri"},
    },
}


class Grants360GivingView(StrictQueryParamsMixin, APIView):
    """The grants awarded, as a 360Giving data package."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (PublicAddressThrottle,)
    renderer_classes = (JSONRenderer,)

    @extend_schema(
        operation_id="grants_360giving",
        tags=["grants"],
        summary="The grants awarded, as 360Giving open data",
        description="Every grant the Police and Crime Commissioner has awarded from the devolved funds and "
        "published (not cancelled, made through a signed PCC decision that is not confidential), as a data "
        "package in the 360Giving Data Standard 1.4. Open to anyone, without signing in or a token; the same "
        "data as the public grants page's download (/register/grants/360giving.json).",
        responses={
            200: OpenApiResponse(PACKAGE, description="The 360Giving data package"),
            429: OpenApiResponse(ErrorSerializer, description="Too many requests from your network: wait"),
        },
    )
    def get(self, request):
        return Response(threesixty.package())


grants_360giving = Grants360GivingView.as_view()
