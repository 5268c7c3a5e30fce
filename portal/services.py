"""Core services: sign-in records, second-factor devices, lockouts, housekeeping."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from . import lockout, permissions
from .actors import is_system, require_actor, system
from .audit import audit_record
from .models import SecurityEvent, TaskRun
from .security import security_log
from .tasks import claim_once

RECOVERY_CODE_COUNT = 10
LOCKOUT = system("sign-in lockout")


@transaction.atomic
def totp_device_start(*, user) -> TOTPDevice:
    """An unconfirmed TOTP device for set-up (replaces any earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user, device: TOTPDevice) -> list[str]:
    """Confirm a verified device and issue fresh single-use recovery codes (returned once)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = recovery_codes_issue(user=user)
    audit_record(
        actor=user,
        action="otp.device_confirm",
        object_type="auth.user",
        object_id=user.pk,
        summary=f"{user.get_username()} set up an authenticator app",
    )
    return codes


def recovery_codes_issue(*, user) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned once and never stored elsewhere."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def user_devices_reset(*, user, by, request=None) -> None:
    """PCC office: remove a person's second-factor devices (app, recovery codes and passkeys);
    they set up an app again at next sign-in."""
    permissions.check(by, permissions.USER_DEVICES_RESET)
    removed = sum(
        model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
        for model in (TOTPDevice, StaticDevice, WebAuthnCredential)
    )
    audit_record(
        actor=by,
        action="otp.devices_reset",
        object_type="auth.user",
        object_id=user.pk,
        summary=f"Second-factor devices of {user.get_username()} reset ({removed} removed)",
    )
    security_log(SecurityEvent.Kind.DEVICE_RESET, request=request, user=by, detail=f"for {user.get_username()}")


def _passkey_name(*, user, exclude_pk=None) -> str:
    taken = set(WebAuthnCredential.objects.filter(user=user).exclude(pk=exclude_pk).values_list("name", flat=True))
    number = 1
    while f"Passkey {number}" in taken:
        number += 1
    return f"Passkey {number}"


@transaction.atomic
def passkey_registered_record(*, user, device: WebAuthnCredential) -> WebAuthnCredential:
    """After django-otp-webauthn has saved a new passkey (in the same request and transaction):
    give it a name the person can recognise and audit it."""
    device = WebAuthnCredential.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.name:
        device.name = _passkey_name(user=user, exclude_pk=device.pk)
        device.save(update_fields=["name"])
    audit_record(
        actor=user,
        action="passkey.register",
        obj=device,
        summary=f"{user.get_username()} added a passkey ({device.name})",
        after={"name": device.name, "user": user.pk, "discoverable": device.discoverable},
    )
    return device


@transaction.atomic
def passkey_remove(*, user, device: WebAuthnCredential) -> None:
    """Remove one of the person's own passkeys (their app and recovery codes keep working)."""
    device = WebAuthnCredential.objects.select_for_update().get(pk=device.pk, user=user)
    audit_record(
        actor=user,
        action="passkey.remove",
        obj=device,
        summary=f"{user.get_username()} removed a passkey ({device.name})",
        before={"name": device.name, "user": user.pk},
    )
    device.delete()


@transaction.atomic
def account_lockout_record(*, username: str, request=None) -> None:
    """On django-axes' refusal of a username (its user_locked_out signal): log it, and audit the
    lockout once, when it starts."""
    at = getattr(request, "axes_attempt_time", None) or timezone.now()
    lock = lockout.username_lock(username, at=at)
    if lock is None or lock.started_at < at:
        until = f" until {lockout.when_words(lock.until)}" if lock else ""
        security_log(
            SecurityEvent.Kind.LOCKED_OUT, request=request, username=username, detail=f"refused: account locked{until}"
        )
        return
    length = lockout.wait_words(lock.until, at=at)
    security_log(
        SecurityEvent.Kind.LOCKED_OUT,
        request=request,
        username=username,
        detail=f"account locked for {length} after {lock.failures} failed sign-ins (lockout {lock.number} in a row)",
    )
    audit_record(
        actor=LOCKOUT,
        action="account.locked",
        object_type="auth.user",
        object_id=username,
        summary=f"Account {username} locked until {lockout.when_words(lock.until)} after {lock.failures} failed sign-ins",
        after={"until": lock.until.isoformat(), "lockout_in_a_row": lock.number, "failures": lock.failures},
    )


@transaction.atomic
def account_unlock(*, username: str, by, request=None) -> int:
    """PCC office: end a username's lockout now and start its count of failures again."""
    from axes.utils import reset

    permissions.check(by, permissions.USER_DEVICES_RESET)
    if not username:
        raise ValueError("account_unlock needs a username")  # NOTE: axes' reset() with no username clears everyone
    cleared = reset(username=username)
    audit_record(
        actor=by,
        action="account.unlock",
        object_type="auth.user",
        object_id=username,
        summary=f"Account {username} unlocked",
    )
    security_log(SecurityEvent.Kind.UNLOCKED, request=request, user=by, detail=f"unlocked {username}")
    return cleared


@transaction.atomic
def address_failure_record(*, ip_address: str | None, request=None) -> lockout.AddressThrottle | None:
    """After a failed sign-in: the throttle of the address if it is now throttled (audited once, when
    this failure started it), else None."""
    started_after = getattr(request, "axes_attempt_time", None) or timezone.now()
    throttle = lockout.address_throttle(ip_address)
    if throttle is None or throttle.started_at < started_after:
        return throttle
    window = lockout.duration_words(settings.LOCKOUT_ADDRESS_WINDOW)
    summary = (
        f"Sign-ins from {ip_address} refused until {lockout.when_words(throttle.until)} after "
        f"{throttle.failures} failed sign-ins within {window}"
    )
    audit_record(
        actor=LOCKOUT,
        action="address.throttled",
        object_type=lockout.ADDRESS_OBJECT_TYPE,
        object_id=ip_address,
        summary=summary,
        after={"until": throttle.until.isoformat(), "failures": throttle.failures},
    )
    security_log(SecurityEvent.Kind.LOCKED_OUT, request=request, detail=f"address throttled: {summary}"[:300])
    return throttle


@transaction.atomic
def address_throttle_clear(*, ip_address: str, by, request=None) -> None:
    """PCC office: let an address sign in again now; its earlier failures no longer count towards a throttle."""
    permissions.check(by, permissions.USER_DEVICES_RESET)
    ip_address = str(ipaddress.ip_address(ip_address))  # ValueError unless it is an address
    audit_record(
        actor=by,
        action=lockout.ADDRESS_CLEAR_ACTION,
        object_type=lockout.ADDRESS_OBJECT_TYPE,
        object_id=ip_address,
        summary=f"Sign-ins from {ip_address} allowed again",
    )
    security_log(
        SecurityEvent.Kind.UNLOCKED, request=request, user=by, detail=f"ended the throttle of address {ip_address}"
    )


@transaction.atomic
def probe_record(*, label: str, by) -> bool:
    """A worker proves it ran: one audit event per label, however often the task is delivered."""
    require_actor(by)
    if not claim_once(f"probe:{label}"):
        return False
    audit_record(
        actor=by,
        action="worker.probe",
        object_type="portal.taskrun",
        object_id=label,
        summary=f"Background worker ran probe {label}",
    )
    return True


def housekeeping_run(*, by) -> None:
    """Daily: drop old relayed outbox rows and task markers."""
    require_actor(by)
    from .models import OutboxTask

    cutoff = timezone.now() - timedelta(days=30)
    OutboxTask.objects.filter(status=OutboxTask.Status.SENT, sent_at__lt=cutoff).delete()
    TaskRun.objects.filter(done_at__lt=cutoff).delete()


@transaction.atomic
def outbox_requeue(*, ids: list[int], by) -> int:
    """Queue failed outbox tasks again (an administrator, after fixing what made them fail)."""
    from .models import OutboxTask

    require_actor(by)
    if not (getattr(by, "is_superuser", False) or is_system(by)):
        raise PermissionDenied
    rows = list(OutboxTask.objects.select_for_update().filter(pk__in=ids, status=OutboxTask.Status.FAILED))
    for row in rows:
        row.status, row.attempts, row.last_error = OutboxTask.Status.PENDING, 0, ""
        row.save(update_fields=["status", "attempts", "last_error"])
        audit_record(
            actor=by, action="outbox.requeue", obj=row, summary=f"Task {row.task_name} ({row.pk}) queued again"
        )
    return len(rows)
