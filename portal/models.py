"""The shared core: audit log, task outbox, partner-system API tokens and the security log."""
from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One state change. Append-only and hash-chained: see portal/audit.py."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # NOTE: no DB constraint and DO_NOTHING: the log is append-only (a trigger refuses UPDATE on
    # PostgreSQL), so deleting a person or partner must not try to rewrite their events.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True, help_text="Username at the time, or 'system'")
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    summary = models.CharField(max_length=500)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        permissions = [("view_audit_log", "Browse the audit log")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class OutboxTask(models.Model):
    """A Celery task recorded in the same transaction as the change that needs it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(default=timezone.now)
    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task_name} ({self.status})"


class TaskRun(models.Model):
    """Marks a task's unit of work done, so a redelivered task does nothing twice."""

    key = models.CharField(max_length=200, unique=True)
    done_at = models.DateTimeField(default=timezone.now)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A token for a named partner system. Only its hash is stored; the raw token is shown once."""

    PREFIX = "cjp_"

    name = models.CharField(max_length=120, help_text="The partner system, for example 'Police RMS nightly feed'")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="api_tokens")
    role = models.CharField(max_length=20, default="officer")
    # NOTE: each token acts through its own service user holding one membership at the
    # partner, so the token reaches exactly what the partner's officers may reach.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token")
    key_prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("manage_api_tokens", "Create and revoke partner-system API tokens"),
            ("reset_user_devices", "Reset a user's second-factor devices"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner.short_name})"

    @classmethod
    def generate_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status_label(self) -> str:
        if self.revoked_at:
            return "Revoked"
        if self.expires_at <= timezone.now():
            return "Expired"
        return "Active"


class SecurityEvent(models.Model):
    """Sign-ins, failures, lockouts, refusals, token use and exports. Never secrets or victim details."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SECOND_FACTOR_FAILED = "otp_failed", "Second factor failed"
        LOCKED_OUT = "locked_out", "Locked out"
        UNLOCKED = "unlocked", "Unlocked"
        SIGN_OUT = "sign_out", "Signed out"
        SESSION_EXPIRED = "session_expired", "Session expired"
        ACCESS_DENIED = "access_denied", "Access denied"
        TOKEN_USED = "token_used", "API token used"
        TOKEN_REFUSED = "token_refused", "API token refused"
        EXPORT = "export", "Export downloaded"
        DEVICE_RESET = "device_reset", "Second-factor devices reset"
        AUDIT_CHECKPOINT = "audit_checkpoint", "Audit log checkpoint"
        THROTTLE_OFF = "throttle_off", "Rate limit not enforced"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        permissions = [("view_security_log", "Browse the security log")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"
