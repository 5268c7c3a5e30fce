"""Read-only admin views of partners, people and agreements; the changes an administrator needs are
actions that call the services."""

from django.contrib import admin, messages

from portal.admin import ReadOnlyAdmin, ReadOnlyInline

from . import services
from .models import ApiToken, Area, DataSharingAgreement, DsaSignature, Membership, Partner


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind"]


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdmin):
    list_display = ["name", "short_name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "short_name"]
    actions = ["deactivate", "reactivate"]

    @admin.action(description="Mark as no longer a partner (its people can no longer act for it)")
    def deactivate(self, request, queryset):
        for partner in queryset:
            services.partner_update(partner=partner, by=request.user, active=False)
        messages.success(request, f"{queryset.count()} partners marked as no longer partners.")

    @admin.action(description="Mark as a current partner again")
    def reactivate(self, request, queryset):
        for partner in queryset:
            services.partner_update(partner=partner, by=request.user, active=True)
        messages.success(request, f"{queryset.count()} partners are current partners again.")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "partner", "role", "active_from", "active_to"]
    list_filter = ["role", "partner"]
    list_select_related = ["user", "partner"]
    actions = ["end_today"]

    @admin.action(description="End these roles today")
    def end_today(self, request, queryset):
        for membership in queryset.filter(active_to__isnull=True):
            services.membership_end(membership=membership, by=request.user)
        messages.success(request, "The roles end today.")


class DsaSignatureInline(ReadOnlyInline):
    model = DsaSignature
    readonly_fields = ["partner", "signed_by", "signer_label", "signed_at"]


@admin.register(DataSharingAgreement)
class DataSharingAgreementAdmin(ReadOnlyAdmin):
    """Agreements move only through their workflow, on the pages or the API (step-up, grants, audit)."""

    list_display = ["reference", "title", "provider", "status", "start_date", "end_date", "review_date"]
    list_filter = ["status", "level", "lawful_basis", "provider"]
    search_fields = ["reference", "title"]
    inlines = [DsaSignatureInline]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "partner", "key_prefix", "expires_at", "revoked_at", "last_used_at"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    @admin.action(description="Revoke these tokens now")
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token, by=request.user)
        messages.success(request, f"{queryset.count()} tokens revoked.")
