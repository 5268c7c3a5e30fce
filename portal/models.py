"""The shared core: people, the audit log, the task outbox, the security log and notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from .formats import gov_datetime


class User(AbstractUser):
    """A person who signs in, or the service user a partner system's API token acts as.

    A custom model from the first migration, so that the portal can add to it without the painful
    swap Django warns about once data exists.
    """

    is_service_account = models.BooleanField(
        default=False, help_text="A partner system's API token acts as this user; it never signs in"
    )

    class Meta:
        ordering = ["username"]
        permissions = [("reset_user_devices", "Reset a person's second-factor devices and unlock sign-ins")]


class AuditEvent(models.Model):
    """One state change. Append-only and hash-chained: see portal/audit.py."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # NOTE: no DB constraint and DO_NOTHING: the log is append-only (a trigger refuses UPDATE on
    # PostgreSQL), so deleting a person or partner must not try to rewrite their events.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True, help_text="Username at the time, or 'system'")
    # NOTE: the partner concerned, as a plain id and its name at the time: the core never depends on
    # the partners app (an app registers the partners it has; the audit page filters by id).
    partner_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    partner_label = models.CharField(max_length=200, blank=True)
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
        return f"{gov_datetime(self.at)} {self.action} {self.object_type}:{self.object_id}"


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
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        permissions = [("view_security_log", "Browse the security log")]

    def __str__(self) -> str:
        return f"{gov_datetime(self.at)} {self.get_kind_display()} {self.username}"


class Notification(models.Model):
    """One message to one person: always in the portal, and by email unless they opted out of its kind."""

    class EmailState(models.TextChoices):
        NOT_EMAILED = "not_emailed", "Not emailed"  # they opted out of the kind's email, or have no address
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"  # a worker claimed it and is handing it to the mail service now
        SENT = "sent", "Sent"
        # the deployment's email is Django's console backend (development): printed, never delivered
        CONSOLE = "console", "Not sent: printed to the console (development)"
        REJECTED = "rejected", "Not sent: the mail service refused it"  # for good (a bad address)
        FAILED = "failed", "Not sent: it could not be sent"  # email_error says why

    NOT_SENT_STATES = (EmailState.REJECTED, EmailState.FAILED)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=80, help_text="A kind registered with portal.notifications.register_kind")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, help_text="A path inside the portal, e.g. /sharing-agreements/3/")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=12, choices=EmailState.choices, default=EmailState.NOT_EMAILED)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker claimed it")
    email_claimed_at = models.DateTimeField(null=True, blank=True, help_text="When a worker last claimed it")
    email_handed_over_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the claiming worker began handing it to the mail service (empty: not yet, so a worker "
        "that stopped before then is known not to have sent it)",
    )
    email_error = models.CharField(
        max_length=500, blank=True, help_text="Why it was not sent, or what went wrong before the last retry"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_newest_idx"),
            # the header's unread count on every page
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"),
            # the PCC office's emails not sent (its start page counts them)
            models.Index(
                fields=["-created_at"],
                condition=models.Q(email_state__in=["rejected", "failed"]),
                name="notification_email_unsent_idx",
            ),
            # the sweep of claims a stopped worker left behind
            models.Index(
                fields=["email_claimed_at"],
                condition=models.Q(email_state__in=["queued", "sending"], email_claimed_at__isnull=False),
                name="notification_email_claimed_idx",
            ),
        ]
        constraints = [
            # never an open redirect: a path on the portal, not another site (//host, /\host)
            models.CheckConstraint(
                condition=models.Q(url__startswith="/")
                & ~models.Q(url__startswith="//")
                & ~models.Q(url__startswith="/\\"),
                name="notification_url_is_a_portal_path",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user_id}: {self.title}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """Whether a person gets a kind of notification by email too (no row: the kind's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=80)
    email = models.BooleanField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: email {'on' if self.email else 'off'}"


class ScheduledRun(models.Model):
    """When a scheduled job last finished, so that a missed run shows (/healthz, the PCC office's start page)
    instead of passing unnoticed. Rows are made for every registered job (portal.schedule) after migrate."""

    name = models.CharField(max_length=120, unique=True, help_text="The Celery task name")
    label = models.CharField(max_length=200)
    expected_every = models.DurationField(help_text="How often it should finish, with some slack")
    created_at = models.DateTimeField(default=timezone.now)
    last_finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label

    def is_late(self, now=None) -> bool:
        now = now or timezone.now()
        return now - (self.last_finished_at or self.created_at) > self.expected_every
