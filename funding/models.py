"""Devolved funds: money in (budget and income receipts), grants out (rounds, applications, assessment, awards
paid in instalments) and the grantees' spend returns. Money is Decimal pounds and pence, never floats."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase

from partners.models import Area, Partner

MONEY = {"max_digits": 12, "decimal_places": 2}  # pounds and pence, never floats
ZERO = Decimal("0.00")
# 360Giving's org-id: a registered list's prefix (GB-CHC, GB-COH, GB-LAE, XI-...) then the identifier there.
ORG_ID_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{2,10}-[A-Za-z0-9][A-Za-z0-9._/-]{0,59}$"


class Fund(models.Model):
    """A devolved pot for one financial year: budget plus income is what it may commit, never more."""

    class Kind(models.TextChoices):
        RAPE_VICTIM_SUPPORT = "rape_victim_support", "Rape victim support"
        VAWG = "vawg", "Violence against women and girls programmes"
        FIXED_PENALTIES = "fixed_penalties", "Retained fixed penalty fines"
        PROCEEDS_OF_CRIME = "proceeds_of_crime", "Proceeds of crime"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=25, choices=Kind.choices)
    financial_year = models.PositiveSmallIntegerField(help_text="The year it starts in (April): 2026 for 2026-27")
    ring_fenced = models.BooleanField(default=False)
    budget = models.DecimalField(**MONEY)
    # Denormalised, kept by the services in the same transaction as the change, under a lock on this row.
    income_total = models.DecimalField(default=ZERO, **MONEY)
    committed = models.DecimalField(default=ZERO, help_text="Awards not cancelled", **MONEY)
    paid = models.DecimalField(default=ZERO, **MONEY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-financial_year", "name"]
        permissions = [
            ("manage_funds", "Set up funds, record income and run rounds (PCC office)"),
            ("award_grant", "Award grants (the Commissioner)"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["name", "financial_year"], name="fund_name_year_unique"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="fund_budget_not_negative"),
            models.CheckConstraint(condition=Q(income_total__gte=0), name="fund_income_not_negative"),
            models.CheckConstraint(condition=Q(committed__gte=0), name="fund_committed_not_negative"),
            # NOTE: the last guard against over-commitment: the service locks the fund first, and this refuses
            # whatever slips past it.
            models.CheckConstraint(
                condition=Q(committed__lte=F("budget") + F("income_total")), name="fund_committed_within_means"
            ),
            models.CheckConstraint(
                condition=Q(paid__gte=0, paid__lte=F("committed")), name="fund_paid_within_committed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year_label}"

    def get_absolute_url(self) -> str:
        return reverse("funding:fund", args=[self.pk])

    @property
    def year_label(self) -> str:
        return f"{self.financial_year}-{(self.financial_year + 1) % 100:02d}"

    @property
    def means(self) -> Decimal:
        """Budget plus income."""
        return self.budget + self.income_total

    @property
    def available(self) -> Decimal:
        return self.means - self.committed


class IncomeReceipt(models.Model):
    """Money received into a fund: a grant, fines or proceeds of crime."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="receipts")
    source = models.CharField(max_length=200)
    received_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    reference = models.CharField(max_length=60, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="income_amount_positive")]

    def __str__(self) -> str:
        return f"{self.source} {self.amount}"


class Programme(models.Model):
    """A named programme or pathfinder, with a lead partner and the targets it serves."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    lead_partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="programmes_led")
    description = models.TextField(blank=True)
    targets = models.ManyToManyField("targets.Target", related_name="programmes", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funding:programme", args=[self.slug])


class Organisation(models.Model):
    """Who applies: a partner, or a registered provider (a charity or company) known by its 360Giving org-id."""

    partner = models.OneToOneField(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="funding_organisation"
    )
    name = models.CharField(max_length=200)
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    org_id = models.CharField(max_length=80, unique=True, help_text="360Giving org-id, for example GB-CHC-1234567")

    class Meta:
        ordering = ["name"]
        permissions = [("apply_for_organisation", "Apply for funds for the organisation (its officers)")]
        constraints = [
            models.CheckConstraint(condition=Q(org_id__regex=ORG_ID_PATTERN), name="organisation_org_id_form"),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-FK guardian permissions on organisations (the applying partner's Group)."""

    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class Round(models.Model):
    """A funding round of a fund: criteria with weights, eligibility, open and close dates, a maximum award."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for applications"
        ASSESSMENT = "assessment", "In assessment"
        CLOSED = "closed", "Closed"

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(max_length=200)
    eligibility = models.TextField()
    opens_on = models.DateField()
    closes_on = models.DateField()
    max_award = models.DecimalField(**MONEY)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="round_dates_ordered"),
            models.CheckConstraint(condition=Q(max_award__gt=0), name="round_max_award_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:round", args=[self.pk])

    def accepts_on(self, day) -> bool:
        return self.status == self.Status.OPEN and self.opens_on <= day <= self.closes_on


class Criterion(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=200)
    weight = models.PositiveSmallIntegerField(help_text="Its share of the total, e.g. 40")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["round", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="criterion_name_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class Application(models.Model):
    """An organisation's application to a round: drafted and submitted by its officers, assessed by the PCC
    office, then awarded or declined."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_ASSESSMENT = "in_assessment", "In assessment"
        AWARDED = "awarded", "Awarded"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="applications")
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    project_title = models.CharField(max_length=200)
    summary = models.TextField()
    amount_asked = models.DecimalField(**MONEY)
    targets = models.ManyToManyField("targets.Target", related_name="funding_applications", blank=True)
    areas = models.ManyToManyField(Area, related_name="funding_applications", blank=True)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.DRAFT, db_index=True)
    drafted_at = models.DateTimeField(default=timezone.now)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-drafted_at", "-id"]
        permissions = [
            ("view_all_applications", "See every application (PCC office)"),
            ("assess_application", "Score applications and declare conflicts (PCC officers)"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_asked__gt=0), name="application_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reasons=""), name="application_declined_with_reasons"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name}: {self.project_title}"

    def get_absolute_url(self) -> str:
        return reverse("funding:application", args=[self.pk])


class ApplicationAttachment(models.Model):
    """A document with an application (PDF, DOCX or XLSX, checked and stored by the upload helper)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
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
        ordering = ["application", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    item = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["application", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_amount_positive")]

    def __str__(self) -> str:
        return f"{self.item}: {self.amount}"


class ConflictDeclaration(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "assessor"], name="conflict_once_per_assessor"),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} on {self.application_id}"


class Score(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    rationale = models.TextField()
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["application", "criterion", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "assessor"], name="score_once_per_criterion_and_assessor"
            ),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="score_one_to_five"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.score}"


class Award(models.Model):
    """A grant made through a signed PCC decision: it commits money from its fund until cancelled."""

    class Status(models.TextChoices):
        AWARDED = "awarded", "Awarded"
        PAYING = "paying", "Being paid"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="awards")
    # The applicant, kept here so that the grantee's people are found (and guarded) through it.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="awards")
    amount = models.DecimalField(**MONEY)
    conditions = models.TextField(blank=True)
    pcc_decision = models.OneToOneField("callins.PccDecision", on_delete=models.PROTECT, related_name="funding_award")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AWARDED, db_index=True)
    awarded_on = models.DateField()
    paid = models.DecimalField(default=ZERO, **MONEY)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reasons = models.TextField(blank=True)

    class Meta:
        ordering = ["-awarded_on", "-id"]
        permissions = [("view_all_awards", "See every award (PCC office, board members)")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive"),
            models.CheckConstraint(condition=Q(paid__gte=0, paid__lte=F("amount")), name="award_paid_within_amount"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reasons=""), name="award_cancelled_with_reasons"
            ),
        ]

    def __str__(self) -> str:
        return f"Award {self.pk}: {self.application.project_title}"

    def get_absolute_url(self) -> str:
        return reverse("funding:award", args=[self.pk])

    @property
    def published(self) -> bool:
        """Open data (the public grants page, 360Giving): made through a PCC decision that is not confidential,
        and not cancelled."""
        return self.status != self.Status.CANCELLED and not self.pcc_decision.confidential

    @property
    def outstanding(self) -> Decimal:
        """Committed and not yet paid."""
        return self.amount - self.paid


class Instalment(models.Model):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="instalments")
    due_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField(null=True, blank=True)
    paid_amount = models.DecimalField(null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["award", "due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True, paid_amount__isnull=True)
                | Q(paid_on__isnull=False, paid_amount__gt=0, paid_amount__lte=F("amount")),
                name="instalment_paid_whole_or_part",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.due_on}: {self.amount}"


class SpendReturn(models.Model):
    """A grantee's quarterly return of spend and outcomes."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="spend_returns")
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    spend = models.DecimalField(null=True, blank=True, **MONEY)
    outcomes = models.TextField(blank=True)
    reminded_on = models.DateField(null=True, blank=True, help_text="The last working day it was reminded")

    class Meta:
        ordering = ["award", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["award", "period_start"], name="spend_return_once_per_quarter"),
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="spend_return_period"),
            models.CheckConstraint(condition=Q(spend__gte=0) | Q(spend__isnull=True), name="spend_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.award_id}: {self.period_start}–{self.period_end}"

    def get_absolute_url(self) -> str:
        return self.award.get_absolute_url()
