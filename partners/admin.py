from django.contrib import admin

from .models import Area, DataSharingAgreement, DsaSignature, Membership, Partner
from .services import dsa_delete


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "short_name"]
    readonly_fields = ["group"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "role", "active_from", "active_to"]
    list_filter = ["role", "partner"]


class DsaSignatureInline(admin.TabularInline):
    model = DsaSignature
    extra = 0
    can_delete = False
    readonly_fields = ["partner", "signed_by", "signer_label", "signed_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DataSharingAgreement)
class DataSharingAgreementAdmin(admin.ModelAdmin):
    """Read-mostly: every change goes through the services (pages or API) so grants and audit follow."""

    list_display = ["reference", "title", "provider", "status", "start_date", "end_date", "review_date"]
    list_filter = ["status", "level", "lawful_basis", "provider"]
    search_fields = ["reference", "title"]
    inlines = [DsaSignatureInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["recipients", "indicators"]

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        dsa_delete(agreement=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for agreement in queryset:
            dsa_delete(agreement=agreement, by=request.user)
