"""Core services: sign-in records, second-factor devices, API tokens, lockouts, housekeeping."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from partners.models import Membership, Partner, Role

from . import permissions
from .audit import audit_record
from .models import ApiToken, SecurityEvent, TaskRun
from .security import security_log
from .tasks import claim_once

RECOVERY_CODE_COUNT = 10


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
    audit_record(actor=user, action="otp.device_confirm", object_type="auth.user", object_id=user.pk,
                 summary=f"{user.get_username()} set up an authenticator app")
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
    removed = sum(model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
                  for model in (TOTPDevice, StaticDevice, WebAuthnCredential))
    audit_record(actor=by, action="otp.devices_reset", object_type="auth.user", object_id=user.pk,
                 summary=f"Second-factor devices of {user.get_username()} reset ({removed} removed)")
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
    audit_record(actor=user, action="passkey.register", obj=device,
                 summary=f"{user.get_username()} added a passkey ({device.name})",
                 after={"name": device.name, "user": user.pk, "discoverable": device.discoverable})
    return device


@transaction.atomic
def passkey_remove(*, user, device: WebAuthnCredential) -> None:
    """Remove one of the person's own passkeys (their app and recovery codes keep working)."""
    device = WebAuthnCredential.objects.select_for_update().get(pk=device.pk, user=user)
    audit_record(actor=user, action="passkey.remove", obj=device,
                 summary=f"{user.get_username()} removed a passkey ({device.name})",
                 before={"name": device.name, "user": user.pk})
    device.delete()


@transaction.atomic
def account_lockout_record(*, username: str, request=None) -> None:
    """Audit a lockout once (django-axes signals on every attempt made while locked)."""
    from .models import AuditEvent

    security_log(SecurityEvent.Kind.LOCKED_OUT, request=request, username=username)
    last = (AuditEvent.objects.filter(object_type="auth.user", object_id=username,
                                      action__in=["account.locked", "account.unlock"])
            .order_by("-id").values_list("action", flat=True).first())
    if last == "account.locked":
        return
    audit_record(actor=None, action="account.locked", object_type="auth.user", object_id=username,
                 summary=f"Account {username} locked after {settings.AXES_FAILURE_LIMIT} failed sign-ins")


@transaction.atomic
def account_unlock(*, username: str, by, request=None) -> int:
    """Clear failed sign-ins for a username so the person can sign in again."""
    from axes.utils import reset

    permissions.check(by, permissions.USER_DEVICES_RESET)
    cleared = reset(username=username)
    audit_record(actor=by, action="account.unlock", object_type="auth.user", object_id=username,
                 summary=f"Account {username} unlocked")
    security_log(SecurityEvent.Kind.UNLOCKED, request=request, user=by, detail=f"unlocked {username}")
    return cleared


@transaction.atomic
def api_token_create(*, name: str, partner: Partner, days: int, by) -> tuple[ApiToken, str]:
    """A token for a partner system, acting as an officer of that partner. The raw token is returned once."""
    permissions.check(by, permissions.API_TOKEN_MANAGE)
    User = get_user_model()
    raw = ApiToken.generate_raw()
    service_user = User.objects.create(username=f"system-{partner.slug}-{timezone.now():%Y%m%d%H%M%S%f}"[:150],
                                       first_name=name[:150], is_active=True)
    service_user.set_unusable_password()
    service_user.save(update_fields=["password"])
    Membership.objects.create(user=service_user, partner=partner, role=Role.OFFICER, job_title="Partner system")
    token = ApiToken.objects.create(
        name=name, partner=partner, user=service_user, key_prefix=raw[:12], key_hash=_hash(raw),
        created_by=by, expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(actor=by, partner=partner, action="api_token.create", obj=token,
                 summary=f"API token '{name}' created for {partner.short_name}, expires in {days} days",
                 after={"name": name, "partner": partner.pk, "expires_at": token.expires_at.isoformat()})
    return token, raw


def _hash(raw: str) -> str:
    from .models import hash_token

    return hash_token(raw)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke a token at once; its service user can no longer act."""
    permissions.check(by, permissions.API_TOKEN_MANAGE)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        token.user.is_active = False
        token.user.save(update_fields=["is_active"])
        audit_record(actor=by, partner=token.partner, action="api_token.revoke", obj=token,
                     summary=f"API token '{token.name}' revoked")
    return token


@transaction.atomic
def probe_record(*, label: str) -> bool:
    """A worker proves it ran: one audit event per label, however often the task is delivered."""
    if not claim_once(f"probe:{label}"):
        return False
    audit_record(action="worker.probe", object_type="portal.taskrun", object_id=label,
                 summary=f"Background worker ran probe {label}")
    return True


def housekeeping_run() -> None:
    """Daily: drop old relayed outbox rows and task markers."""
    from .models import OutboxTask

    cutoff = timezone.now() - timedelta(days=30)
    OutboxTask.objects.filter(status=OutboxTask.Status.SENT, sent_at__lt=cutoff).delete()
    TaskRun.objects.filter(done_at__lt=cutoff).delete()
