"""Reads of the audit log, security log and API tokens, for the PCC office."""
from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from . import permissions
from .models import ApiToken, AuditEvent, SecurityEvent


def audit_events_visible_to(*, user, action: str = "", object_type: str = "", actor: str = "",
                            partner_id: int | None = None, date_from: date | None = None,
                            date_to: date | None = None, search: str = "") -> QuerySet[AuditEvent]:
    """The audit log, newest first, for those who may browse it."""
    if not permissions.can(user, permissions.AUDIT_VIEW):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.select_related("partner").order_by("-id")
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if partner_id:
        qs = qs.filter(partner_id=partner_id)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    if search:
        qs = qs.filter(Q(summary__icontains=search) | Q(object_id=search))
    return qs


def security_events_visible_to(*, user, kind: str = "", username: str = "",
                               date_from: date | None = None, date_to: date | None = None) -> QuerySet[SecurityEvent]:
    """The security log, newest first."""
    if not permissions.can(user, permissions.SECURITY_LOG_VIEW):
        return SecurityEvent.objects.none()
    qs = SecurityEvent.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if username:
        qs = qs.filter(username__icontains=username)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs


def api_tokens_visible_to(*, user) -> QuerySet[ApiToken]:
    """API tokens, for those who manage them."""
    if not permissions.can(user, permissions.API_TOKEN_MANAGE):
        return ApiToken.objects.none()
    return ApiToken.objects.select_related("partner", "created_by").order_by("-created_at")


def locked_usernames(*, user) -> list[str]:
    """Usernames currently locked out by django-axes."""
    from axes.models import AccessAttempt
    from django.conf import settings

    if not permissions.can(user, permissions.USER_DEVICES_RESET):
        return []
    return list(
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("username").values_list("username", flat=True).distinct()
    )
