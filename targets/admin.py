"""Read-only admin views: every change goes through targets.services (audit, permissions, tasks)."""

from django.contrib import admin

from portal.admin import ReadOnlyMixin as ReadOnly

from .models import (
    AgreementCoverage,
    DataReturn,
    Indicator,
    Observation,
    PartnerRemit,
    Priority,
    Target,
    TrajectoryPoint,
)


@admin.register(Priority)
class PriorityAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["order", "title", "slug", "active"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "name", "unit", "frequency", "geography", "provider", "active"]
    list_filter = ["frequency", "unit", "geography", "provider"]
    search_fields = ["code", "name"]


@admin.register(Observation)
class ObservationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["indicator", "area", "period_start", "breakdown_key", "value", "revision", "is_current", "is_demo"]
    list_filter = ["is_current", "is_demo", "indicator"]
    list_select_related = ["indicator", "area"]
    show_full_result_count = False


class TrajectoryPointInline(ReadOnly, admin.TabularInline):
    model = TrajectoryPoint


@admin.register(Target)
class TargetAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "priority", "indicator", "area", "owner", "target_value", "target_date"]
    list_select_related = ["priority", "indicator", "area", "owner"]
    inlines = [TrajectoryPointInline]


@admin.register(DataReturn)
class DataReturnAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["id", "partner", "original_filename", "status", "row_count", "error_count", "uploaded_at"]
    list_filter = ["status", "partner"]


@admin.register(PartnerRemit)
class PartnerRemitAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["partner", "order", "title"]


@admin.register(AgreementCoverage)
class AgreementCoverageAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["agreement", "indicator"]
    list_select_related = ["agreement", "indicator"]
