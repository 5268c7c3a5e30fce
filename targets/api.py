"""API for priorities, indicators, targets, observations and data returns (and plans: targets/plans/api.py).

The same selectors and services as the pages. Wire it with `register(router)` (portal/urls.py).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from partners.models import Partner
from portal import permissions, ratelimit
from portal.api_actions import TooManyWrites
from portal.api_base import (
    JSONTypesMixin,
    SafeJSONParser,
    StrictQueryParamsMixin,
    ValidationErrorSerializer,
    validated_filterset,
)
from portal.files import UploadRejected

from . import rules, selectors, services
from .filters import DataReturnFilter, IndicatorFilter, ObservationFilter, TargetFilter
from .models import DataReturn, Indicator, Observation, Priority, Target
from .plans import api as plans_api
from .validation import RowErrors


# --- Serializers (explicit fields, all read-only: state changes go through services) -------------
class PrioritySerializer(serializers.ModelSerializer):
    lead_partners = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Priority
        fields = ["slug", "title", "description", "lead_partners", "order", "active"]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    unit_label = serializers.CharField(source="get_unit_display", read_only=True)
    polarity_label = serializers.CharField(source="get_polarity_display", read_only=True)
    frequency_label = serializers.CharField(source="get_frequency_display", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "definition",
            "unit",
            "unit_label",
            "polarity",
            "polarity_label",
            "frequency",
            "frequency_label",
            "geography",
            "provider",
            "breakdowns",
            "data_lag_note",
            "revision_warning_percent",
            "active",
        ]
        read_only_fields = fields


class TrajectoryPointSerializer(serializers.Serializer):
    period_start = serializers.DateField(read_only=True)
    expected_value = serializers.DecimalField(max_digits=18, decimal_places=4, read_only=True)


class TargetSerializer(serializers.ModelSerializer):
    """A target with its status word; the latest figure only when the caller may see the indicator's data."""

    priority = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    trajectory = TrajectoryPointSerializer(source="trajectory_points", many=True, read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(read_only=True)
    figures_shared = serializers.BooleanField(read_only=True)
    latest_value = serializers.DecimalField(max_digits=18, decimal_places=4, read_only=True, allow_null=True)
    latest_period_start = serializers.DateField(read_only=True, allow_null=True)
    latest_period_end = serializers.DateField(read_only=True, allow_null=True)
    expected_value = serializers.DecimalField(
        max_digits=18, decimal_places=4, read_only=True, allow_null=True, help_text="What the trajectory expects then"
    )
    likely_to_miss = serializers.BooleanField(
        read_only=True, help_text="On track or at risk now, but projected to miss the target at its date"
    )
    projection = serializers.SerializerMethodField(help_text="The projection at the target date: low, value, high")

    class Meta:
        model = Target
        fields = [
            "id",
            "priority",
            "indicator",
            "area",
            "owner",
            "title",
            "baseline_value",
            "baseline_period_start",
            "baseline_period_end",
            "target_value",
            "target_date",
            "tolerance_percent",
            "trajectory",
            "status",
            "status_label",
            "figures_shared",
            "latest_value",
            "latest_period_start",
            "latest_period_end",
            "expected_value",
            "likely_to_miss",
            "projection",
        ]
        read_only_fields = fields

    def get_projection(self, target) -> dict | None:
        made = getattr(target, "projection", None)
        if not made:
            return None
        low, value, high = made
        return {"low": str(low), "value": str(value), "high": str(high), "interval": "80%"}


class ObservationSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    source = serializers.CharField(source="source_label", read_only=True)

    class Meta:
        model = Observation
        fields = [
            "id",
            "indicator",
            "area",
            "period_start",
            "period_end",
            "breakdown_key",
            "breakdown",
            "value",
            "numerator",
            "denominator",
            "provider",
            "revision",
            "is_current",
            "source",
            "is_demo",
            "created_at",
        ]
        read_only_fields = fields


class ObservationBatchSerializer(serializers.Serializer):
    partner = serializers.SlugField(required=False, help_text="Only when you act for more than one partner")
    rows = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        help_text="indicator_code, area_code, period_start, period_end, value; optional "
        "numerator, denominator, age_band, sex, ethnicity",
    )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row's number (1 for the first of rows; 0 for the batch as a whole)")
    column = serializers.CharField(help_text="The column (field) that is wrong")
    message = serializers.CharField()
    fix = serializers.CharField(help_text="What to do about it")


class BatchRefusedSerializer(ValidationErrorSerializer):
    """400 for a batch: `errors` lists every problem by row and column (nothing was saved); or the refusals
    any request can get."""

    errors = RowErrorSerializer(many=True, required=False)


class DataReturnSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    uploaded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Null when the person was removed"
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    errors = serializers.JSONField(read_only=True)
    warnings = serializers.JSONField(read_only=True)
    changes = serializers.JSONField(read_only=True)
    revision_count = serializers.IntegerField(read_only=True, help_text="How many figures held it revises")

    class Meta:
        model = DataReturn
        fields = [
            "id",
            "partner",
            "original_filename",
            "kind",
            "size",
            "sha256",
            "uploaded_at",
            "uploaded_by",
            "status",
            "status_label",
            "progress",
            "row_count",
            "error_count",
            "errors",
            "warnings",
            "changes",
            "revision_count",
            "validated_at",
            "applied_at",
        ]
        read_only_fields = fields


class DataReturnDetailSerializer(DataReturnSerializer):
    """One return, with the figures held that it revises (old and new value, change in %)."""

    revisions = serializers.JSONField(
        read_only=True, help_text="At most 10,000, by row; revision_count is the full count"
    )

    class Meta(DataReturnSerializer.Meta):
        fields = [*DataReturnSerializer.Meta.fields, "revisions"]
        read_only_fields = fields


class DataReturnApplySerializer(JSONTypesMixin, serializers.Serializer):
    confirm_revisions = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Required (true) when the return revises figures held: you have checked its revisions",
    )


class DataReturnUploadSerializer(JSONTypesMixin, serializers.Serializer):
    file = serializers.FileField()
    partner = serializers.SlugField(required=False, help_text="Only when you act for more than one partner")


def _acting_partner(request, slug: str | None) -> Partner:
    """The partner the caller submits for: the only one they act for, or the one named."""
    ids = permissions.acting_partner_ids(request.user, rules.DATA_RETURN_SUBMIT)
    if not ids:
        raise PermissionDenied("You cannot submit figures for any partner.")
    if slug:
        partner = Partner.objects.filter(slug=slug, pk__in=ids).first()
        if partner is None:
            raise PermissionDenied("You cannot submit figures for that partner.")
        return partner
    if len(ids) > 1:
        raise ValidationError({"partner": ["You act for more than one partner: say which one (its slug)."]})
    return Partner.objects.get(pk=ids[0])


# --- Views ------------------------------------------------------------------------------------------
class PriorityViewSet(StrictQueryParamsMixin, viewsets.ReadOnlyModelViewSet):
    """The board's shared priorities and their lead partners."""

    serializer_class = PrioritySerializer
    lookup_field = "slug"

    def get_queryset(self):
        return permissions.visible(
            self.request.user,
            rules.PRIORITY_VIEW,
            Priority.objects.filter(active=True).prefetch_related("lead_partners"),
        )

    def get_object(self):
        return selectors.priority_get(user=self.request.user, slug=self.kwargs["slug"])


class IndicatorViewSet(StrictQueryParamsMixin, viewsets.ReadOnlyModelViewSet):
    """Indicator definitions. Filter with ?provider=<partner slug>, ?frequency= and ?search=."""

    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    lookup_field = "code"

    def get_queryset(self):
        return selectors.indicator_list(user=self.request.user)

    def get_object(self):
        return permissions.get_visible_or_404(
            self.request.user,
            rules.PRIORITY_VIEW,
            Indicator.objects.select_related("provider"),
            code=self.kwargs["code"],
        )


class TargetViewSet(StrictQueryParamsMixin, viewsets.ReadOnlyModelViewSet):
    """Targets with their status. latest_value is null with figures_shared false unless you may see the data."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    queryset = Target.objects.none()  # for the schema; rows come from the selectors

    def get_queryset(self):
        return selectors.targets_visible_to(user=self.request.user)

    def list(self, request, *args, **kwargs):
        # NOTE: the page first, then its statuses and figures (with_status reads the snapshots of that page only).
        page = self.paginate_queryset(validated_filterset(self, self.get_queryset()).qs)
        rows = selectors.with_status(request.user, page, trajectory=True)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise Http404
        return selectors.target_get(user=self.request.user, pk=pk).target


class ObservationViewSet(StrictQueryParamsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Figures you may see (GET), and a batch of your own figures (POST, all or nothing)."""

    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
    parser_classes = [SafeJSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Observation.objects.none()
        # Every revision the caller may see; the FilterSet keeps the current ones unless ?history=true.
        return selectors.observations_visible_to(user=self.request.user, filters={"history": True})

    @extend_schema(
        request=ObservationBatchSerializer,
        responses={
            201: inline_serializer(
                "BatchSaved",
                {
                    "batch_id": serializers.CharField(),
                    "new": serializers.IntegerField(),
                    "revised": serializers.IntegerField(),
                    "unchanged": serializers.IntegerField(),
                    "warnings": serializers.ListField(child=serializers.DictField()),
                    "revisions": serializers.ListField(child=serializers.DictField()),
                },
            ),
            400: BatchRefusedSerializer,
        },
    )
    def create(self, request, *args, **kwargs):
        rows = request.data.get("rows") if isinstance(request.data, dict) else None
        if not isinstance(rows, list) or not rows:
            return Response(
                {
                    "errors": [
                        {
                            "row": 0,
                            "column": "rows",
                            "message": "Send the figures as a list in rows",
                            "fix": 'Send {"rows": [{"indicator_code": ..., ...}, ...]}',
                        }
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        partner = _acting_partner(request, request.data.get("partner"))
        try:
            result = services.observations_submit_batch(partner=partner, rows=rows, by=request.user)
        except RowErrors as exc:
            return Response({"errors": exc.row_errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(result, status=status.HTTP_201_CREATED)


class DataReturnViewSet(
    StrictQueryParamsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Data returns you may see; POST a CSV/XLSX file (multipart, field 'file') to send one."""

    serializer_class = DataReturnSerializer
    filterset_class = DataReturnFilter
    parser_classes = [MultiPartParser, FormParser, SafeJSONParser]

    def get_queryset(self):
        return selectors.data_returns_visible_to(user=self.request.user)

    def get_serializer_class(self):
        return DataReturnDetailSerializer if self.action in ("retrieve", "apply") else DataReturnSerializer

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise Http404
        return selectors.data_return_get(user=self.request.user, pk=pk)

    @extend_schema(
        request=DataReturnUploadSerializer,
        responses={
            202: inline_serializer(
                "DataReturnAccepted",
                {
                    "id": serializers.IntegerField(),
                    "status": serializers.CharField(),
                    "status_url": serializers.URLField(),
                },
            )
        },
    )
    def create(self, request, *args, **kwargs):
        upload = DataReturnUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        partner = _acting_partner(request, upload.validated_data.get("partner"))
        try:
            ratelimit.hit(ratelimit.UPLOADS, by=request.user)
            data_return = services.data_return_upload(
                partner=partner, uploaded_file=upload.validated_data["file"], by=request.user
            )
        except ratelimit.RateLimited as exc:
            raise TooManyWrites(exc)
        except UploadRejected as exc:
            return Response({"file": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        data_return.refresh_from_db(fields=["status"])
        url = reverse("api:datareturn-detail", kwargs={"pk": data_return.pk}, request=request)
        return Response(
            {"id": data_return.pk, "status": data_return.status, "status_url": url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )

    @extend_schema(
        request=DataReturnApplySerializer,
        responses={
            200: DataReturnDetailSerializer,
            400: PolymorphicProxySerializer(
                component_name="DataReturnApplyRefused",
                serializers=[ValidationErrorSerializer, DataReturnDetailSerializer],
                resource_type_field_name=None,
            ),
            409: DataReturnDetailSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None, **kwargs):
        """Apply a return that passed its checks (all rows or none). One that revises figures held needs
        {"confirm_revisions": true}; 409 if the figures it revises changed since its checks (see revisions)."""
        data_return = self.get_object()
        flags = DataReturnApplySerializer(data=request.data if isinstance(request.data, dict) else {})
        flags.is_valid(raise_exception=True)
        try:
            data_return = services.data_return_apply(
                data_return=data_return, by=request.user, confirm_revisions=flags.validated_data["confirm_revisions"]
            )
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict") and "confirm_revisions" in exc.error_dict:
                count = data_return.revision_count
                return Response(
                    {
                        "confirm_revisions": [
                            f"This return revises {count:,} figure{'' if count == 1 else 's'} the board holds (listed in "
                            f"revisions on GET {reverse('api:datareturn-detail', kwargs={'pk': data_return.pk})}). "
                            'Check them, then send {"confirm_revisions": true} to confirm they replace what the board holds.'
                        ]
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        if data_return.status == DataReturn.Status.APPLIED:
            code = status.HTTP_200_OK
        elif data_return.status == DataReturn.Status.VALID:
            code = status.HTTP_409_CONFLICT  # the revisions changed since the checks: look again
        else:
            code = status.HTTP_400_BAD_REQUEST
        return Response(self.get_serializer(data_return).data, status=code)


def register(router) -> None:
    """Add the targets endpoints to the API router (/api/v1/...)."""
    router.register("priorities", PriorityViewSet, basename="priority")
    router.register("indicators", IndicatorViewSet, basename="indicator")
    router.register("targets", TargetViewSet, basename="target")
    router.register("observations", ObservationViewSet, basename="observation")
    router.register("data-returns", DataReturnViewSet, basename="datareturn")
    plans_api.register(router)
