"""The Django admin: for superusers only, and read-only. It never writes around the services: the few
changes an administrator needs are admin actions that call a service (audited, permission-checked,
in a transaction).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.models import Group

from . import services
from .models import AuditEvent, Notification, NotificationPreference, OutboxTask, SecurityEvent, User


def _superuser(request) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


# Only superusers get into the admin at all (is_staff alone is not enough).
admin.site.has_permission = _superuser
admin.site.site_header = "Criminal Justice Partnership Portal: administration (read-only)"


class ReadOnlyMixin:
    """Look, never write: no add, change or delete, for anyone (superusers included)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return _superuser(request)

    def has_module_permission(self, request):
        return _superuser(request)


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False


def make_read_only(site=admin.site) -> None:
    """Replace every registered admin that is not read-only (Django's and third parties' own) by a
    read-only copy of itself. Called once every app has registered its admins (portal.apps)."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, ReadOnlyMixin):
            continue
        cls = type(model_admin)
        site.unregister(model)
        site.register(model, type(f"ReadOnly{cls.__name__}", (ReadOnlyMixin, cls), {"inlines": []}))


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_service_account", "last_login"]
    list_filter = ["is_active", "is_service_account", "is_superuser"]
    search_fields = ["username", "first_name", "last_name", "email"]
    exclude = ["password"]
    actions = ["reset_devices", "unlock_sign_in"]

    @admin.action(description="Reset second-factor devices (they set up an app again at next sign-in)")
    def reset_devices(self, request, queryset):
        for person in queryset:
            services.user_devices_reset(user=person, by=request.user, request=request)
        messages.success(request, f"Second-factor devices reset for {queryset.count()} people.")

    @admin.action(description="Unlock sign-in")
    def unlock_sign_in(self, request, queryset):
        for person in queryset:
            services.account_unlock(username=person.get_username(), by=request.user, request=request)
        messages.success(request, f"{queryset.count()} people can sign in again.")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "object_id", "actor_label"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "username", "ip_address", "path"]
    list_filter = ["kind"]


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    list_display = ["id", "task_name", "status", "attempts", "created_at", "sent_at", "last_error"]
    list_filter = ["status"]
    actions = ["queue_again"]

    @admin.action(description="Queue the failed tasks again")
    def queue_again(self, request, queryset):
        count = services.outbox_requeue(ids=list(queryset.values_list("pk", flat=True)), by=request.user)
        messages.success(request, f"{count} failed tasks are queued again.")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "title", "read_at"]
    list_filter = ["kind"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "email"]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin):
    """Role and partner Groups are made by the services and synced after migrate: look only."""

    list_display = ["name"]
    search_fields = ["name"]
