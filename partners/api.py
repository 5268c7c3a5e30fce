"""Partners API: list and detail, through the same selectors as the pages."""
from __future__ import annotations

from rest_framework import serializers, viewsets

from portal import permissions

from .models import Partner
from .selectors import partner_list_visible_to


class PartnerSerializer(serializers.ModelSerializer):
    areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Partner
        fields = ["slug", "name", "short_name", "kind", "kind_label", "about", "website", "areas", "active"]
        read_only_fields = fields


class PartnerViewSet(viewsets.ReadOnlyModelViewSet):
    """Board partners. Filter with ?kind= and ?search=."""

    serializer_class = PartnerSerializer
    lookup_field = "slug"

    def get_queryset(self):
        params = self.request.query_params
        return partner_list_visible_to(user=self.request.user, search=params.get("search", ""),
                                       kind=params.get("kind", ""))

    def get_object(self):
        return permissions.get_visible_or_404(self.request.user, permissions.PARTNER_VIEW,
                                              self.get_queryset(), slug=self.kwargs["slug"])
