"""Plans, their versions, sections, delivery actions, attachments, comments and sign-offs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase

from partners.models import Partner


def _key() -> str:
    return uuid.uuid4().hex[:12]


class Plan(models.Model):
    """A strategic plan (board-wide, several years) or a delivery plan (for a priority or a partner)."""

    class Kind(models.TextChoices):
        STRATEGIC = "strategic", "Strategic plan"
        DELIVERY = "delivery", "Delivery plan"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    # NOTE: no owner partner means the board itself owns it (the PCC office administers the board's plans).
    owner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="plans_owned")
    contributors = models.ManyToManyField(Partner, related_name="plans_contributed", blank=True)
    priorities = models.ManyToManyField("targets.Priority", related_name="plans", blank=True)
    targets = models.ManyToManyField("targets.Target", related_name="plans", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_start", "title"]
        permissions = [
            ("view_all_plans", "See every plan, drafts included (PCC office)"),
            ("manage_plan", "Run a plan: its versions, sections and sign-off rounds (its owner)"),
            ("view_all_signoff_records", "See every partner's record of plan sign-offs (board and PCC office)"),
            ("contribute_plan", "Write the sections and actions assigned to one's own partner"),
            ("sign_plan", "Sign off or return a plan version for one's own partner"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="plan_period_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("targets:plan", kwargs={"pk": self.pk})

    @property
    def owner_name(self) -> str:
        return self.owner.name if self.owner else "The Local Criminal Justice Board"

    @property
    def period_label(self) -> str:
        if self.period_start.year == self.period_end.year:
            return str(self.period_start.year)
        return f"{self.period_start:%B %Y} to {self.period_end:%B %Y}"


class PlanGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-FK guardian permissions on plans: its owner and contributors see its drafts."""

    content_object = models.ForeignKey(Plan, on_delete=models.CASCADE)


class PlanVersion(models.Model):
    """One version of a plan: written as a draft, sent for sign-off, agreed (and locked) or returned."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_SIGNOFF = "in_signoff", "In sign-off"
        AGREED = "agreed", "Agreed"
        RETURNED = "returned", "Returned"
        SUPERSEDED = "superseded", "Superseded"

    STATUS_TAG_COLOURS = {
        Status.DRAFT: "grey",
        Status.IN_SIGNOFF: "blue",
        Status.AGREED: "green",
        Status.RETURNED: "orange",
        Status.SUPERSEDED: "grey",
    }
    OPEN_STATUSES = (Status.DRAFT, Status.IN_SIGNOFF)

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    change_note = models.CharField(max_length=500, blank=True, help_text="What changed from the version before")
    # NOTE: the plan's details as this version has them. The draft's copy follows the plan's details while
    # it is written; once sent, they are the version's record and never change with a later draft.
    title = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    contributors = models.ManyToManyField(Partner, related_name="plan_versions_contributed", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    signoff_due = models.DateField(null=True, blank=True, help_text="Sign-offs are due by the end of this day")
    agreed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            # at most one version being written or signed off at a time
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status__in=["draft", "in_signoff"]), name="plan_one_open_version"
            ),
            # a version is started before it is sent
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(sent_at__gte=models.F("created_at")),
                name="plan_version_sent_after_started",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title or self.plan.title}, version {self.number}"

    @property
    def display_title(self) -> str:
        return self.title or self.plan.title

    @property
    def period_label(self) -> str:
        start, end = self.period_start or self.plan.period_start, self.period_end or self.plan.period_end
        if start.year == end.year:
            return str(start.year)
        return f"{start:%B %Y} to {end:%B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("targets:plan-version", kwargs={"pk": self.plan_id, "number": self.number})

    @property
    def status_colour(self) -> str:
        return self.STATUS_TAG_COLOURS.get(self.status, "grey")

    @property
    def is_locked(self) -> bool:
        """Only a draft is written; every other version is read-only for everyone, administrators included."""
        return self.status != self.Status.DRAFT


class PlanSection(models.Model):
    """A section of a version, written in Markdown by the partner it is assigned to (or the owner)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=12, default=_key, help_text="The same section across versions")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown")
    assigned_to = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="plan_sections_assigned"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="plan_section_key_unique")]

    def __str__(self) -> str:
        return self.title


class PlanAction(models.Model):
    """A delivery action: what, which partner, by when, towards which target, and how it is going."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    STATUS_TAG_COLOURS = {"not_started": "grey", "in_progress": "blue", "done": "green", "late": "red"}

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="actions")
    key = models.CharField(max_length=12, default=_key)
    order = models.PositiveSmallIntegerField(default=0)
    what = models.CharField(max_length=500)
    owner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="plan_actions")
    due_date = models.DateField()
    target = models.ForeignKey(
        "targets.Target", null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_actions"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    # Delivery: the assigned partner's officers record progress, on an agreed version too.
    progress_note = models.TextField(blank=True, help_text="How it is going, in the partner's words")
    done_on = models.DateField(null=True, blank=True, help_text="The day it was done")
    progress_at = models.DateTimeField(null=True, blank=True)
    progress_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    progress_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["version", "due_date", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="plan_action_key_unique"),
            models.CheckConstraint(
                condition=Q(status="done") | Q(done_on__isnull=True), name="plan_action_done_on_only_when_done"
            ),
        ]

    def __str__(self) -> str:
        return self.what

    def is_late(self, today=None) -> bool:
        """Late: not done, and its due date has passed (computed, never stored)."""
        return self.status != self.Status.DONE and self.due_date < (today or timezone.localdate())

    @property
    def status_words(self) -> str:
        return "Late" if self.is_late() else self.get_status_display()

    @property
    def status_colour(self) -> str:
        return self.STATUS_TAG_COLOURS["late" if self.is_late() else self.status]


class PlanAttachment(models.Model):
    """A supporting document (PDF, DOCX or XLSX) on a version, stored by the upload helper."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(max_length=200)
    file_path = models.CharField(max_length=300)
    original_filename = models.CharField(max_length=200)
    kind = models.CharField(max_length=5)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["version", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class PlanComment(models.Model):
    """A comment on a section, or a reply to one."""

    section = models.ForeignKey(PlanSection, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_label = models.CharField(max_length=200)
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    # A thread stays open until someone resolves it; open threads are carried to the next version.
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by_label = models.CharField(max_length=200, blank=True)
    carried_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The same comment on the version before",
    )

    class Meta:
        ordering = ["section", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_label}: {self.body[:40]}"


class PlanSignOff(models.Model):
    """One required partner's decision on a version sent for sign-off: one per partner per version (a
    database constraint), taken under a row lock."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for sign-off"
        SIGNED = "signed", "Signed off"
        RETURNED = "returned", "Returned"
        CLOSED = "closed", "Not needed: the round closed"

    STATUS_TAG_COLOURS = {
        Status.PENDING: "blue",
        Status.SIGNED: "green",
        Status.RETURNED: "orange",
        Status.CLOSED: "grey",
    }

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="signoffs")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="plan_signoffs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    due = models.DateField()
    statement = models.TextField(blank=True, help_text="What the signatory said when signing (optional)")
    reasons = models.TextField(blank=True, help_text="Why it was returned")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_label = models.CharField(max_length=200, blank=True, help_text="Name and job title at the time")
    decided_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True, help_text="When the board chair was told it is late")
    unsignable_flagged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner and the PCC office were told the partner has no signatory"
    )

    class Meta:
        ordering = ["version", "partner__name"]
        constraints = [models.UniqueConstraint(fields=["version", "partner"], name="plan_one_signoff_per_partner")]

    def __str__(self) -> str:
        return f"{self.version}: {self.partner.short_name} ({self.get_status_display()})"

    @property
    def status_colour(self) -> str:
        return self.STATUS_TAG_COLOURS.get(self.status, "grey")

    def timeliness(self, today=None) -> str:
        """For the partner's duty record: "On time", "Late" or "Outstanding" (and "Overdue" when past due)."""
        today = today or timezone.localdate()
        if self.status in (self.Status.SIGNED, self.Status.RETURNED) and self.decided_at:
            return "On time" if timezone.localtime(self.decided_at).date() <= self.due else "Late"
        if self.status == self.Status.PENDING:
            return "Overdue" if today > self.due else "Outstanding"
        return "Not needed"
