"""The API root router and the core endpoints (/api/v1/me/)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView, DefaultRouter
from rest_framework.views import APIView

from .api_base import StrictQueryParamsMixin

from partners.models import Membership
from partners.selectors import memberships_of

class StrictAPIRootView(StrictQueryParamsMixin, APIRootView):
    """The API root: links to every list."""


class StrictSchemaView(StrictQueryParamsMixin, SpectacularAPIView):
    """The OpenAPI 3 schema (`?format=json` or YAML by default; `?lang=`, `?version=`)."""

    query_params_allowed = ("lang", "version")


class StrictSwaggerView(StrictQueryParamsMixin, SpectacularSwaggerSplitView):
    """Swagger UI from local assets (`?script` serves its start-up script, so the CSP needs no inline script)."""

    query_params_allowed = ("script", "lang", "version")


class PortalRouter(DefaultRouter):
    APIRootView = StrictAPIRootView


router = PortalRouter()


class MembershipSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["partner", "partner_name", "role", "job_title", "active_from", "active_to", "active"]
        read_only_fields = fields

    def get_active(self, obj) -> bool:
        return obj.is_active()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    memberships = MembershipSerializer(many=True)


class MeView(StrictQueryParamsMixin, APIView):
    """Who the caller is and the roles they hold."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        data = {
            "username": user.get_username(),
            "full_name": user.get_full_name(),
            "email": user.email,
            "memberships": MembershipSerializer(memberships_of(user=user), many=True).data,
        }
        return Response(data)
