"""Reads of the audit log, security log, lockouts and emails not sent, for the PCC office."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from . import lockout, permissions
from .lockout import AddressThrottle, UsernameLock
from .models import AuditEvent, Notification, SecurityEvent


def audit_events_visible_to(
    *,
    user,
    action: str = "",
    object_type: str = "",
    actor: str = "",
    partner_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    search: str = "",
) -> QuerySet[AuditEvent]:
    """The audit log, newest first, for those who may browse it."""
    if not permissions.can(user, permissions.AUDIT_VIEW):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.order_by("-id")
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


def security_events_visible_to(
    *, user, kind: str = "", username: str = "", date_from: date | None = None, date_to: date | None = None
) -> QuerySet[SecurityEvent]:
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


def emails_not_sent_visible_to(*, user) -> QuerySet[Notification]:
    """Notification emails that failed or that the mail service refused, newest first, each with why: for
    those who may browse the audit log (the PCC office). The person still has the notification in the portal."""
    if not permissions.can(user, permissions.AUDIT_VIEW):
        return Notification.objects.none()
    return (
        Notification.objects.filter(email_state__in=Notification.NOT_SENT_STATES)
        .select_related("user")
        .order_by("-created_at", "-id")
    )


def locked_usernames(*, user) -> list[UsernameLock]:
    """Usernames locked now after repeated failed sign-ins, with when each unlocks by itself, for the PCC office."""
    if not permissions.can(user, permissions.USER_DEVICES_RESET):
        return []
    return lockout.username_locks()


def throttled_addresses(*, user) -> list[AddressThrottle]:
    """Addresses refused now after many failed sign-ins (over any usernames), with when each throttle ends."""
    if not permissions.can(user, permissions.USER_DEVICES_RESET):
        return []
    return lockout.address_throttles()


def people_with_resettable_devices(*, user, user_ids: Iterable[int | None]) -> set[int]:
    """Of these people, those whose second-factor devices the viewer may reset: active people (not the
    service users of partner systems' API tokens) who have an authenticator app, recovery codes or a passkey."""
    if not permissions.can(user, permissions.USER_DEVICES_RESET):
        return set()
    ids = {pk for pk in user_ids if pk is not None}
    if not ids:
        return set()
    has_device = (
        Q(pk__in=TOTPDevice.objects.filter(user_id__in=ids).values("user_id"))
        | Q(pk__in=StaticDevice.objects.filter(user_id__in=ids).values("user_id"))
        | Q(pk__in=WebAuthnCredential.objects.filter(user_id__in=ids).values("user_id"))
    )
    return set(
        get_user_model()
        .objects.filter(has_device, pk__in=ids, is_active=True)
        .exclude(is_service_account=True)
        .values_list("pk", flat=True)
    )
