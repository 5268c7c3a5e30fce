"""The PCC's powers: partners' significant decisions and the call-ins on them, the PCC's own decision log,
and the PCC's view on partners' senior appointments."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from partners.models import Partner

MONEY = {"max_digits": 14, "decimal_places": 2}  # pounds and pence, never floats


def financial_year_of(day: date) -> int:
    """The financial year (April to March) holding a day, named by the year it starts in: 2026 for 2026-27."""
    return day.year if day.month >= 4 else day.year - 1


class DecisionCategory(models.TextChoices):
    SERVICE_CHANGE = "service_change", "Service change"
    COMMISSIONING = "commissioning", "Commissioning"
    ESTATES = "estates", "Estates"
    POLICY = "policy", "Policy"
    WORKFORCE = "workforce", "Workforce"
    OTHER = "other", "Other"


class PartnerDecision(models.Model):
    """A partner's significant decision, logged for the PCC: it may be called in within its window."""

    class Status(models.TextChoices):
        LOGGED = "logged", "Logged"
        CALLED_IN = "called_in", "Paused: called in"
        REFERRED_BACK = "referred_back", "Referred back"
        RECONSIDERED = "reconsidered", "Reconsidered"
        IN_EFFECT = "in_effect", "In effect"

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed as it was"
        CHANGED = "changed", "Changed"
        ABANDONED = "abandoned", "Not going ahead"

    STATUS_TAG_COLOURS = {
        Status.LOGGED: "grey",
        Status.CALLED_IN: "orange",
        Status.REFERRED_BACK: "red",
        Status.RECONSIDERED: "blue",
        Status.IN_EFFECT: "green",
    }

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="decisions")
    reference = models.CharField(max_length=40, help_text="The partner's own reference")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    reasons = models.TextField()
    alternatives = models.TextField(blank=True, help_text="The alternatives considered")
    decision_maker_name = models.CharField(max_length=200)
    decision_maker_post = models.CharField(max_length=200)
    made_on = models.DateField()
    takes_effect_on = models.DateField()
    category = models.CharField(max_length=20, choices=DecisionCategory.choices)
    priorities = models.ManyToManyField("targets.Priority", related_name="partner_decisions", blank=True)
    targets = models.ManyToManyField("targets.Target", related_name="partner_decisions", blank=True)
    financial_value = models.DecimalField(null=True, blank=True, **MONEY)
    confidential = models.BooleanField(default=False)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.LOGGED, db_index=True)
    logged_at = models.DateTimeField(default=timezone.now)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    window_working_days = models.PositiveSmallIntegerField(default=5)
    window_closes_on = models.DateField(help_text="The call-in window ends at the end of this day")
    # The PCC may give up the power to call a decision in (recorded, with reasons): it may then take effect.
    waived_at = models.DateTimeField(null=True, blank=True)
    waived_by_label = models.CharField(max_length=200, blank=True)
    waiver_reasons = models.TextField(blank=True)
    # After a referral back: what the partner decided in the end (it cannot be called in again).
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_text = models.TextField(blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    in_effect_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-logged_at", "-id"]
        permissions = [
            ("view_all_decisions", "See every partner's decisions (PCC office)"),
            ("waive_callin", "Waive the call-in of a decision (the Commissioner)"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["partner", "reference"], name="decision_reference_unique"),
            models.CheckConstraint(condition=Q(financial_value__gte=0), name="decision_value_not_negative"),
            models.CheckConstraint(
                condition=Q(takes_effect_on__gte=models.F("made_on")), name="decision_effect_after_made"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner.short_name} {self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("callins:decision", kwargs={"pk": self.pk})

    @property
    def status_colour(self) -> str:
        return self.STATUS_TAG_COLOURS.get(self.status, "grey")

    def window_open(self, today: date | None = None) -> bool:
        """Whether the PCC may still call it in: its window has not closed and the call-in was not waived."""
        return (today or timezone.localdate()) <= self.window_closes_on and self.waived_at is None

    def why_not_in_effect(self, today: date | None = None) -> str:
        """Why it cannot take effect yet (empty when it can): its window is open (and the call-in not waived),
        a call-in on it is unresolved, or on reconsidering the partner decided not to go ahead."""
        today = today or timezone.localdate()
        if self.status == self.Status.RECONSIDERED and self.outcome == self.Outcome.ABANDONED:
            return "On reconsidering, the partner decided not to go ahead with it"
        if self.status not in (self.Status.LOGGED, self.Status.RECONSIDERED):
            return f"It is {self.get_status_display().lower()}"
        callin = CallIn.objects.filter(decision=self).values_list("status", flat=True).first()
        resolved = callin in (CallIn.Status.STANDS, CallIn.Status.WITHDRAWN, CallIn.Status.CLOSED)
        if self.window_open(today) and not resolved:
            return f"It may be called in until the end of {self.window_closes_on.day} {self.window_closes_on:%B %Y}"
        return ""


class CallInGround(models.Model):
    """A ground for calling a decision in, from the list the PCC office keeps."""

    name = models.CharField(max_length=200, unique=True)
    description = models.CharField(max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]
        permissions = [("manage_callin_grounds", "Keep the list of call-in grounds (PCC office)")]

    def __str__(self) -> str:
        return self.name


class CallIn(models.Model):
    """The PCC's call-in of a partner's decision: drafted by the PCC office, issued by the PCC, answered by the
    partner (its signatory submits), determined by the PCC."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Waiting for a response"
        RESPONDED = "responded", "Waiting for the PCC's determination"
        STANDS = "stands", "Determined: the decision stands"
        REFERRED_BACK = "referred_back", "Determined: referred back"
        CLOSED = "closed", "Closed: the partner reconsidered"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN_STATUSES = (Status.ISSUED, Status.RESPONDED, Status.REFERRED_BACK)
    PUBLIC_STATUSES = (
        Status.ISSUED,
        Status.RESPONDED,
        Status.STANDS,
        Status.REFERRED_BACK,
        Status.CLOSED,
        Status.WITHDRAWN,
    )
    STATUS_TAG_COLOURS = {
        Status.DRAFT: "grey",
        Status.ISSUED: "orange",
        Status.RESPONDED: "blue",
        Status.STANDS: "green",
        Status.REFERRED_BACK: "red",
        Status.CLOSED: "green",
        Status.WITHDRAWN: "grey",
    }

    decision = models.OneToOneField(PartnerDecision, on_delete=models.PROTECT, related_name="callin")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="callins", help_text="The decision's")
    reference = models.CharField(max_length=20, unique=True, help_text="CI-2026-004")
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.DRAFT, db_index=True)
    grounds = models.ManyToManyField(CallInGround, related_name="callins")
    questions = models.TextField(help_text="What the partner must answer")
    response_working_days = models.PositiveSmallIntegerField(default=10)
    drafted_at = models.DateTimeField(default=timezone.now)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by_label = models.CharField(max_length=200, blank=True)
    response_due = models.DateField(null=True, blank=True)
    response_text = models.TextField(blank=True)
    response_saved_at = models.DateTimeField(null=True, blank=True)
    response_saved_by_label = models.CharField(max_length=200, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by_label = models.CharField(max_length=200, blank=True)
    determination_due = models.DateField(null=True, blank=True)
    determination_reasons = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    determined_at = models.DateTimeField(null=True, blank=True)
    determined_by_label = models.CharField(max_length=200, blank=True)
    reconsider_by = models.DateField(null=True, blank=True)
    pcc_decision = models.OneToOneField(
        "PccDecision", null=True, blank=True, on_delete=models.PROTECT, related_name="callin"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True, help_text="When the PCC was told the response is late")

    class Meta:
        ordering = ["-drafted_at", "-id"]
        permissions = [
            ("view_all_callins", "See every call-in, drafts included (PCC office)"),
            ("draft_callin", "Draft call-ins (PCC office)"),
            ("issue_callin", "Issue and determine call-ins (the Commissioner)"),
            ("respond_callin", "Draft the partner's response to a call-in"),
            ("submit_callin_response", "Submit the partner's response to a call-in (its signatory)"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.decision.title}"

    def get_absolute_url(self) -> str:
        return reverse("callins:callin", kwargs={"pk": self.pk})

    @property
    def status_colour(self) -> str:
        return self.STATUS_TAG_COLOURS.get(self.status, "grey")

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class CallInAttachment(models.Model):
    """A document sent with the partner's response (PDF, DOCX or XLSX, through the upload helper)."""

    callin = models.ForeignKey(CallIn, on_delete=models.CASCADE, related_name="attachments")
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
        ordering = ["callin", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class PccDecisionSequence(models.Model):
    """The last number given to a PCC decision in a financial year: locked to give the next, so numbers have no
    gaps and no duplicates whoever signs at the same moment."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class PccDecision(models.Model):
    """A formal decision of the Police and Crime Commissioner, numbered NNN/YYYY in its financial year when it is
    signed (a draft has no number), and published on the public register once signed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed and published"

    class Kind(models.TextChoices):
        GENERAL = "general", "Decision"
        CALLIN_DETERMINATION = "callin_determination", "Determination of a call-in"
        FUNDING_AWARD = "funding_award", "Funding award"

    STATUS_TAG_COLOURS = {Status.DRAFT: "grey", Status.SIGNED: "green"}

    kind = models.CharField(max_length=25, choices=Kind.choices, default=Kind.GENERAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Financial year it starts in")
    number = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    reasons = models.TextField()
    financial_implications = models.TextField(blank=True)
    interests_declared = models.TextField(blank=True, help_text="Any interest the PCC declares, or none")
    confidential = models.BooleanField(default=False)
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="pcc_decisions", help_text="If about one"
    )
    prepared_at = models.DateTimeField(default=timezone.now)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-year", "-number", "-id"]
        permissions = [
            ("view_all_pcc_decisions", "See every PCC decision, drafts included (PCC office)"),
            ("draft_pcc_decision", "Prepare PCC decisions (PCC office)"),
            ("sign_pcc_decision", "Sign PCC decisions (the Commissioner)"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="pcc_decision_number_unique"),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True, year__isnull=True)
                | Q(status="signed", number__isnull=False, year__isnull=False),
                name="pcc_decision_numbered_when_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("callins:pcc-decision", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        """NNN/YYYY: the number in its financial year; a draft has none yet."""
        return f"{self.number:03d}/{self.year}" if self.number else "Draft"

    @property
    def status_colour(self) -> str:
        return self.STATUS_TAG_COLOURS.get(self.status, "grey")


class Appointment(models.Model):
    """A partner's senior post being filled, on which the PCC is consulted and records a view before the
    appointment is confirmed (or the deadline for the view has passed)."""

    class Stage(models.TextChoices):
        VACANCY = "vacancy", "Vacancy"
        SHORTLIST = "shortlist", "Shortlist"
        PCC_CONSULTED = "pcc_consulted", "PCC consulted"
        VIEW_RECORDED = "view_recorded", "PCC's view recorded"
        APPOINTED = "appointed", "Appointed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class View(models.TextChoices):
        SUPPORT = "support", "Supports the appointment"
        CONCERNS = "concerns", "Has concerns"

    STAGE_TAG_COLOURS = {
        Stage.VACANCY: "grey",
        Stage.SHORTLIST: "grey",
        Stage.PCC_CONSULTED: "orange",
        Stage.VIEW_RECORDED: "blue",
        Stage.APPOINTED: "green",
        Stage.WITHDRAWN: "grey",
    }

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="appointments")
    post = models.CharField(max_length=200)
    stage = models.CharField(max_length=15, choices=Stage.choices, default=Stage.VACANCY, db_index=True)
    candidate = models.CharField(max_length=200, blank=True, help_text="Who is proposed, once shortlisted")
    notes = models.TextField(blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    view_working_days = models.PositiveSmallIntegerField(default=10)
    consulted_at = models.DateTimeField(null=True, blank=True)
    view_due = models.DateField(null=True, blank=True)
    view = models.CharField(max_length=10, choices=View.choices, blank=True)
    view_reasons = models.TextField(blank=True)
    view_recorded_at = models.DateTimeField(null=True, blank=True)
    view_recorded_by_label = models.CharField(max_length=200, blank=True)
    appointed_at = models.DateTimeField(null=True, blank=True)
    appointed_without_view = models.BooleanField(
        default=False, help_text="Confirmed after the deadline for the PCC's view passed with no view recorded"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        permissions = [
            ("view_all_appointments", "See every partner's senior appointments (PCC office)"),
            ("record_pcc_view", "Record the PCC's view on a senior appointment (PCC office)"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(view="concerns") | ~Q(view_reasons=""), name="appointment_concerns_have_reasons"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post}, {self.partner.short_name}"

    def get_absolute_url(self) -> str:
        return reverse("callins:appointment", kwargs={"pk": self.pk})

    @property
    def stage_colour(self) -> str:
        return self.STAGE_TAG_COLOURS.get(self.stage, "grey")
