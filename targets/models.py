"""Priorities, indicators, observations, targets, data returns and partner remits."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase

from partners.models import Area, Partner

# --- Breakdowns: the dimensions an indicator may be split by, and their allowed values -------
AGE_BANDS = ["10-14", "15-17", "18-25", "26-35", "36-49", "50+"]
SEX = ["Female", "Male"]
ETHNICITY = ["Asian", "Black", "Mixed", "White", "Other"]  # ONS 5 groups
# dimension -> (column in a data return, label, allowed values); the order here is the key order.
BREAKDOWN_DIMENSIONS: dict[str, tuple[str, list[str]]] = {
    "age_band": ("Age band", AGE_BANDS),
    "sex": ("Sex", SEX),
    "ethnicity": ("Ethnicity", ETHNICITY),
}
DEMO_SOURCE_LABEL = getattr(settings, "DEMO_DATA_LABEL", "Synthetic demo data")


def breakdown_key(values: dict[str, str]) -> str:
    """The canonical key of a breakdown ('' for the total): 'age_band=10-14;sex=Female'."""
    return ";".join(f"{dim}={values[dim]}" for dim in BREAKDOWN_DIMENSIONS if values.get(dim))


def breakdown_label(values: dict[str, str]) -> str:
    """'Age band 10-14, Sex Female' — or 'All' for the total."""
    parts = [f"{label} {values[dim]}" for dim, (label, _) in BREAKDOWN_DIMENSIONS.items() if values.get(dim)]
    return ", ".join(parts) or "All"


def period_containing(frequency: str, day: date) -> tuple[date, date]:
    """The reporting period of a frequency that contains a day (annual = April to March)."""
    if frequency == Indicator.Frequency.MONTHLY:
        start = day.replace(day=1)
        end = (
            start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
        ) - timedelta(days=1)
    elif frequency == Indicator.Frequency.QUARTERLY:
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        end_month = start.month + 2
        end = (date(start.year + 1, 1, 1) if end_month == 12 else date(start.year, end_month + 1, 1)) - timedelta(
            days=1
        )
    elif frequency == Indicator.Frequency.ANNUAL:
        year = day.year if day.month >= 4 else day.year - 1
        start, end = date(year, 4, 1), date(year + 1, 3, 31)
    else:
        raise ValueError(f"unknown frequency {frequency}")
    return start, end


def periods_between(frequency: str, first: date, last: date) -> list[tuple[date, date]]:
    """Every whole period of a frequency that lies within [first, last], oldest first."""
    periods = []
    start, end = period_containing(frequency, first)
    if start < first:
        start, end = period_containing(frequency, end + timedelta(days=1))
    while end <= last:
        periods.append((start, end))
        start, end = period_containing(frequency, end + timedelta(days=1))
    return periods


def last_complete_period(frequency: str, today: date) -> tuple[date, date]:
    """The latest period of a frequency that has ended before today."""
    start, _ = period_containing(frequency, today)
    return period_containing(frequency, start - timedelta(days=1))


class Priority(models.Model):
    """A shared board priority, led by one or more partners."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    lead_partners = models.ManyToManyField(Partner, related_name="led_priorities", blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "title"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("targets:priority", kwargs={"slug": self.slug})


class Indicator(models.Model):
    """A defined measure, provided by one partner."""

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        RATE_1000 = "rate_1000", "Rate per 1,000"
        RATE_100000 = "rate_100000", "Rate per 100,000"
        PERCENTAGE = "percentage", "Percentage"
        DAYS = "days", "Days"

    class Polarity(models.TextChoices):
        HIGHER_IS_BETTER = "higher", "Higher is better"
        LOWER_IS_BETTER = "lower", "Lower is better"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual (April to March)"

    # value = numerator / denominator × multiplier, for units that are rates
    RATE_MULTIPLIERS = {Unit.RATE_1000: 1000, Unit.RATE_100000: 100000, Unit.PERCENTAGE: 100}

    code = models.CharField(max_length=40, unique=True, help_text="Short code used in data returns, e.g. FTE10-17")
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    polarity = models.CharField(max_length=10, choices=Polarity.choices)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    geography = models.CharField(max_length=20, choices=Area.Kind.choices)
    provider = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="indicators_provided")
    breakdowns = models.JSONField(
        default=list, blank=True, help_text="Dimensions allowed: any of age_band, sex, ethnicity"
    )
    data_lag_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="How far behind the data runs, e.g. 'Published quarterly, 6 months in arrears'",
    )
    revision_warning_percent = models.PositiveSmallIntegerField(
        default=50, help_text="A data return that revises a figure by more than this percentage gets a warning"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        permissions = [
            ("view_indicator_data", "See the indicator's figures (totals)"),
            ("view_indicator_breakdowns", "See the indicator's figures broken down by age, sex or ethnicity"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("targets:indicator", kwargs={"code": self.code})

    @property
    def multiplier(self) -> int | None:
        return self.RATE_MULTIPLIERS.get(self.unit)

    @property
    def higher_is_better(self) -> bool:
        return self.polarity == self.Polarity.HIGHER_IS_BETTER

    @property
    def breakdown_labels(self) -> list[str]:
        return [BREAKDOWN_DIMENSIONS[d][0] for d in BREAKDOWN_DIMENSIONS if d in (self.breakdowns or [])]


class IndicatorGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-FK guardian permissions on indicators (deleted with the indicator).

    A grant from a data-sharing agreement carries the agreement's end date (`valid_until`): the
    permissions engine ignores it after that day, whether or not the nightly task has ended the
    agreement yet. The provider's own grants have none.
    """

    content_object = models.ForeignKey(Indicator, on_delete=models.CASCADE)
    valid_until = models.DateField(null=True, blank=True)


class AgreementCoverage(models.Model):
    """An indicator a data-sharing agreement covers. The link lives here, in the app above partners."""

    agreement = models.ForeignKey("partners.DataSharingAgreement", on_delete=models.CASCADE, related_name="coverage")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="coverage")

    class Meta:
        ordering = ["agreement", "indicator__code"]
        constraints = [models.UniqueConstraint(fields=["agreement", "indicator"], name="coverage_once_per_agreement")]

    def __str__(self) -> str:
        return f"{self.agreement_id} covers {self.indicator_id}"


class DataReturn(models.Model):
    """A partner's uploaded file of observations: validated row by row, applied whole or not at all."""

    class Kind(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        VALIDATING = "validating", "Checking"
        VALID = "valid", "Ready to apply"
        INVALID = "invalid", "Has errors"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed"

    # GOV.UK tag colours; the words always carry the meaning too
    STATUS_TAG_COLOURS = {
        Status.UPLOADED: "grey",
        Status.VALIDATING: "blue",
        Status.VALID: "turquoise",
        Status.INVALID: "red",
        Status.APPLIED: "green",
        Status.FAILED: "red",
    }
    MAX_STORED_ERRORS = 1000
    MAX_STORED_REVISIONS = 10_000

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="data_returns")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, db_index=True)
    file_path = models.CharField(max_length=300, help_text="Relative to MEDIA_ROOT (portal.files.upload_store)")
    original_filename = models.CharField(max_length=200)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent of the checks done")
    row_count = models.PositiveIntegerField(default=0)
    # [{"row", "column", "message", "fix"}], at most MAX_STORED_ERRORS; error_count is the full count
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    # {"new": n, "revised": n, "unchanged": n}
    changes = models.JSONField(default=dict, blank=True)
    # The figures it revises: [{"row", "indicator", "area", "area_name", "period_start", "period_end",
    # "breakdown", "old", "new", "change_pct"}], at most MAX_STORED_REVISIONS; changes["revised"] is the full count
    revisions = models.JSONField(default=list, blank=True)
    failure_message = models.CharField(max_length=500, blank=True)
    # The checks' attempts: a worker that dies mid-check leaves the return "Checking"; the sweeper
    # (data_returns_sweep_stuck) tries again, then fails it with a message.
    validation_attempts = models.PositiveSmallIntegerField(default=0)
    validation_started_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        permissions = [("view_all_datareturns", "See every partner's data returns (PCC office)")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="datareturn_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.partner.short_name}, {self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("targets:data-return", kwargs={"pk": self.pk})

    @property
    def status_colour(self) -> str:
        return self.STATUS_TAG_COLOURS.get(self.status, "grey")

    @property
    def is_finished(self) -> bool:
        """No more checking to wait for (the page stops refreshing)."""
        return self.status not in (self.Status.UPLOADED, self.Status.VALIDATING)

    # Most returns are checked within seconds; past this the uploader is told it is taking longer.
    SLOW_AFTER = timedelta(seconds=30)

    def is_slow(self, now=None) -> bool:
        """Still waiting for its checks, or checking, for longer than they usually take."""
        if self.is_finished:
            return False
        since = self.validation_started_at if self.status == self.Status.VALIDATING else self.uploaded_at
        return bool(since) and (now or timezone.now()) - since > self.SLOW_AFTER

    @property
    def can_be_applied(self) -> bool:
        return self.status == self.Status.VALID

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors or [])

    @property
    def revision_count(self) -> int:
        """How many figures held by the board this return revises (or revised, once applied)."""
        return int((self.changes or {}).get("revised", 0))


class DataReturnGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-FK guardian permissions on data returns (codename view_datareturn)."""

    content_object = models.ForeignKey(DataReturn, on_delete=models.CASCADE)


class Observation(models.Model):
    """One value of an indicator for an area, period and breakdown. Revisions keep history."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="observations")
    period_start = models.DateField()
    period_end = models.DateField()
    breakdown_key = models.CharField(
        max_length=120,
        blank=True,
        default="",
        help_text="Canonical key, e.g. 'age_band=10-14;sex=Female'; empty for the total",
    )
    breakdown = models.JSONField(default=dict, blank=True)
    value = models.DecimalField(max_digits=18, decimal_places=4)
    numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    provider = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="observations")
    # Source: a data return, an API batch, or the demo seed (is_demo)
    data_return = models.ForeignKey(
        DataReturn, null=True, blank=True, on_delete=models.PROTECT, related_name="observations"
    )
    batch_id = models.CharField(max_length=64, blank=True, help_text="API batch id when posted through the API")
    is_demo = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["indicator", "area", "period_start", "breakdown_key", "-revision"]
        permissions = [("view_all_observations", "See every indicator's figures (PCC office)")]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period_start", "breakdown_key", "revision"],
                name="observation_unique_revision",
            ),
            models.UniqueConstraint(
                fields=["indicator", "area", "period_start", "breakdown_key"],
                condition=Q(is_current=True),
                name="observation_one_current",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="observation_period_ordered"
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="observation_revision_positive"),
        ]
        indexes = [
            models.Index(
                fields=["indicator", "area", "breakdown_key", "is_current", "-period_start"],
                name="observation_latest_idx",
            ),
            models.Index(fields=["provider", "is_current"], name="observation_provider_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.indicator.code} {self.area_id} {self.period_start} {self.breakdown_key or 'total'} = {self.value}"
        )

    @property
    def is_total(self) -> bool:
        return self.breakdown_key == ""

    @property
    def breakdown_label(self) -> str:
        return breakdown_label(self.breakdown or {})

    @property
    def source_label(self) -> str:
        if self.is_demo:
            return DEMO_SOURCE_LABEL
        if self.data_return_id:
            return f"Data return {self.data_return_id}"
        if self.batch_id:
            return f"API batch {self.batch_id}"
        return "Entered in the portal"


class Target(models.Model):
    """A target for a priority on an indicator in an area, with a trajectory and a status."""

    class Status(models.TextChoices):
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        NO_DATA = "no_data", "No data"

    STATUS_TAG_COLOURS = {
        Status.ON_TRACK: "green",
        Status.AT_RISK: "yellow",
        Status.OFF_TRACK: "red",
        Status.NO_DATA: "grey",
    }
    STATUS_RULE = (
        "We compare the latest published total for the area with the value the trajectory expects for "
        "that period (the most recent trajectory point on or before it, or the baseline before the first "
        "point). On track: as good as expected or better. At risk: worse than expected, but by no more "
        "than the target's tolerance (a percentage of the expected value). Off track: worse than expected "
        "by more than the tolerance. No data: no figure yet. 'Better' means higher or lower depending on "
        "the indicator."
    )

    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="targets")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="targets")
    owner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="targets_owned")
    title = models.CharField(max_length=200, blank=True)
    baseline_value = models.DecimalField(max_digits=18, decimal_places=4)
    baseline_period_start = models.DateField()
    baseline_period_end = models.DateField()
    target_value = models.DecimalField(max_digits=18, decimal_places=4)
    target_date = models.DateField()
    tolerance_percent = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("5.00"),
        help_text="How far worse than the trajectory (as % of the expected value) is still 'At risk' not 'Off track'",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["priority__order", "indicator__code", "area__name"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "indicator", "area"], name="target_unique_per_priority_area"),
            models.CheckConstraint(condition=Q(tolerance_percent__gte=0), name="target_tolerance_not_negative"),
            models.CheckConstraint(
                condition=Q(baseline_period_end__gte=models.F("baseline_period_start")),
                name="target_baseline_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.indicator.name} in {self.area.name}"

    def get_absolute_url(self) -> str:
        return reverse("targets:target", kwargs={"pk": self.pk})

    @property
    def display_title(self) -> str:
        return str(self)

    def expected_on(self, period_start: date) -> Decimal:
        """The trajectory's expected value for a period (uses prefetched trajectory points)."""
        expected = self.baseline_value
        for point in sorted(self.trajectory_points.all(), key=lambda p: p.period_start):
            if point.period_start <= period_start:
                expected = point.expected_value
            else:
                break
        return expected

    def status_for(self, latest_value: Decimal | None, latest_period_start: date | None) -> str:
        """The status word's code for a latest value (None → No data)."""
        if latest_value is None or latest_period_start is None:
            return self.Status.NO_DATA
        return compute_status(
            value=latest_value,
            expected=self.expected_on(latest_period_start),
            higher_is_better=self.indicator.higher_is_better,
            tolerance_percent=self.tolerance_percent,
        )


def compute_status(*, value: Decimal, expected: Decimal, higher_is_better: bool, tolerance_percent: Decimal) -> str:
    """Target.STATUS_RULE as code: On track, At risk or Off track (never No data)."""
    value, expected = Decimal(value), Decimal(expected)
    shortfall = (expected - value) if higher_is_better else (value - expected)
    if shortfall <= 0:
        return Target.Status.ON_TRACK
    allowed = abs(expected) * Decimal(tolerance_percent) / Decimal(100)
    return Target.Status.AT_RISK if shortfall <= allowed else Target.Status.OFF_TRACK


class TargetSnapshot(models.Model):
    """A target's status, figures and projection, worked out ahead (targets/services/snapshots.py) so that no page
    computes them: refreshed when its figures or the target change, and nightly. Figures are shown only to those
    who may see the indicator's data: the same rule, by indicator (selectors.with_status)."""

    target = models.OneToOneField(Target, primary_key=True, on_delete=models.CASCADE, related_name="snapshot")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Target.Status.choices, db_index=True)
    latest_period_start = models.DateField(null=True, blank=True)
    latest_period_end = models.DateField(null=True, blank=True)
    latest_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    previous_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    expected_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    # The latest figures, oldest first: [["2026-04-01", "12.5"], …] (a sparkline, and the change since the last one).
    series = models.JSONField(default=list, blank=True)
    has_demo_data = models.BooleanField(default=False)
    projected_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    projected_low = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    projected_high = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    likely_to_miss = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["priority", "status"], name="snapshot_priority_status"),
            models.Index(fields=["owner", "status"], name="snapshot_owner_status"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.status}"

    @property
    def change(self) -> Decimal | None:
        if self.latest_value is None or self.previous_value is None:
            return None
        return self.latest_value - self.previous_value


class TrajectoryPoint(models.Model):
    """The value a target expects for a period on the way from baseline to target."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="trajectory_points")
    period_start = models.DateField()
    expected_value = models.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        ordering = ["target", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["target", "period_start"], name="trajectory_one_point_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}: {self.expected_value}"


class PartnerRemit(models.Model):
    """A part of a partner's remit shown on its page (e.g. a health partner's secure facilities)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="remits")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["partner", "order", "title"]
        constraints = [models.UniqueConstraint(fields=["partner", "title"], name="remit_unique_title")]

    def __str__(self) -> str:
        return f"{self.partner.short_name}: {self.title}"


# Plans and sign-off live in their own module of targets (targets/plans/); their models are registered here.
from .plans.models import (  # noqa: E402,F401
    Plan,
    PlanAction,
    PlanAttachment,
    PlanComment,
    PlanGroupObjectPermission,
    PlanSection,
    PlanSignOff,
    PlanVersion,
)
