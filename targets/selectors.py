"""Reads of priorities, indicators, targets, observations and data returns, filtered for the viewer.

Visibility: priorities, indicator definitions, targets and their status words go to everyone
with a role (PRIORITY_VIEW). Figures (observations) go to the indicator's provider, the PCC
office and, later, recipients of a data-sharing agreement (INDICATOR_DATA_VIEW /
OBSERVATION_VIEW; breakdowns need the *_BREAKDOWNS_VIEW rules as well). A target's status word
is shown to everyone even when its figures are not (it says how, not how much).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from partners import rules as partner_rules
from partners.models import Area, DataSharingAgreement, Partner
from partners.selectors import partner_section
from portal import permissions

from . import rules
from .models import (
    BREAKDOWN_DIMENSIONS,
    DataReturn,
    Indicator,
    Observation,
    Priority,
    Target,
    TrajectoryPoint,
    last_complete_period,
)
from .validation import COLUMNS, EXAMPLE_MARK, TEMPLATE_EXAMPLES, TEMPLATE_MARKER_COLUMN

FIGURES_HIDDEN = "Figures for this indicator are not shared with your organisation."


# --- What would open hidden figures (agreements covering an indicator) ---------------------------
def dsa_that_would_open(*, user, indicator, breakdowns: bool = False) -> list[DataSharingAgreement]:
    """Agreements not (yet, or no longer) active that would let the user's partners see the indicator's
    figures (or its breakdowns): drafts, ones awaiting signatures and suspended ones naming them."""
    partner_ids = {seat.partner_id for seat in permissions.seats(user)}
    if not partner_ids:
        return []
    S = DataSharingAgreement.Status
    qs = DataSharingAgreement.objects.filter(
        status__in=[S.DRAFT, S.AWAITING_SIGNATURES, S.SUSPENDED],
        coverage__indicator=indicator,
        recipients__in=partner_ids,
    )
    if breakdowns:
        qs = qs.filter(level=DataSharingAgreement.Level.BREAKDOWNS)
    return list(
        permissions.visible(user, partner_rules.DSA_VIEW, qs)
        .distinct()
        .select_related("provider")
        .order_by("status", "-created_at")
    )


@dataclass
class SharingHint:
    """What a page says when figures are hidden by sharing rules."""

    agreements: list
    provider: Partner
    text: str


def dsa_sharing_hint(*, user, indicator, breakdowns: bool = False) -> SharingHint:
    """Why the user cannot see an indicator's figures (or breakdowns) and what would open them."""
    agreements = dsa_that_would_open(user=user, indicator=indicator, breakdowns=breakdowns)
    what = "breakdowns of these figures" if breakdowns else "these figures"
    S = DataSharingAgreement.Status
    if agreements:
        first = agreements[0]
        text = {
            S.DRAFT: f"Agreement {first.reference} would share {what} with you once it is sent, signed and active. "
            f"It is still a draft.",
            S.AWAITING_SIGNATURES: f"Agreement {first.reference} would share {what} with you. It is waiting for "
            f"signatures.",
            S.SUSPENDED: f"Agreement {first.reference} shares {what} with you, but it is suspended.",
        }[first.status]
    else:
        text = (
            f"Some data is hidden by sharing rules: no agreement shares {what} with your partner. "
            f"Ask {indicator.provider.name} for a data-sharing agreement."
        )
    return SharingHint(agreements=agreements, provider=indicator.provider, text=text)


# --- Targets with their status, in a constant number of queries -----------------------------------
def _figure_indicator_ids(user, indicator_ids: Iterable[int]) -> set[int]:
    """The indicators (of those given) whose total figures the user may see (one query)."""
    ids = set(indicator_ids)
    if not ids:
        return set()
    qs = permissions.visible(user, rules.INDICATOR_DATA_VIEW, Indicator.objects.filter(pk__in=ids))
    return set(qs.values_list("pk", flat=True))


def _latest_total_subquery():
    return (
        Observation.objects.filter(
            indicator_id=OuterRef("indicator_id"), area_id=OuterRef("area_id"), breakdown_key="", is_current=True
        )
        .order_by("-period_start")
        .values("pk")[:1]
    )


def with_status(user, targets: QuerySet[Target]) -> list[Target]:
    """Targets with status attributes attached (3 queries + the permission check, whatever the size).

    Each target gets: status (code), status_label, status_colour, expected_value, figures_shared,
    latest (the latest current total Observation, or None when there is none or it is hidden),
    latest_value, latest_period_start, latest_period_end (None when hidden or no data).
    """
    rows = list(
        targets.select_related("priority", "indicator", "indicator__provider", "area", "owner")
        .prefetch_related(Prefetch("trajectory_points", queryset=TrajectoryPoint.objects.order_by("period_start")))
        .annotate(latest_id=Subquery(_latest_total_subquery()))
    )
    latest = Observation.objects.in_bulk([t.latest_id for t in rows if t.latest_id])
    shared = _figure_indicator_ids(user, {t.indicator_id for t in rows})
    for target in rows:
        obs = latest.get(target.latest_id)
        target.status = target.status_for(obs.value if obs else None, obs.period_start if obs else None)
        target.status_label = Target.Status(target.status).label
        target.status_colour = Target.STATUS_TAG_COLOURS[target.status]
        target.figures_shared = target.indicator_id in shared
        target.latest = obs if target.figures_shared else None
        target.latest_value = obs.value if obs and target.figures_shared else None
        target.latest_period_start = obs.period_start if obs and target.figures_shared else None
        target.latest_period_end = obs.period_end if obs and target.figures_shared else None
        target.expected_value = target.expected_on(obs.period_start) if obs and target.figures_shared else None
    return rows


def target_list_visible_to(
    *,
    user,
    priority: Priority | None = None,
    owner: Partner | None = None,
    indicator: Indicator | None = None,
    status: str = "",
) -> list[Target]:
    """Targets with status words (figures only where shared), optionally narrowed."""
    qs = targets_narrowed(targets_visible_to(user=user), priority=priority, owner=owner, indicator=indicator)
    return targets_in_status(with_status(user, qs), status=status)


def targets_visible_to(*, user) -> QuerySet[Target]:
    """The targets of active priorities the user may see, as a queryset (for with_status after narrowing)."""
    return permissions.visible(user, rules.PRIORITY_VIEW, Target.objects.filter(priority__active=True))


def targets_narrowed(
    qs: QuerySet[Target],
    *,
    priority: Priority | None = None,
    owner: Partner | None = None,
    indicator: Indicator | None = None,
) -> QuerySet[Target]:
    """Narrow targets already filtered for the viewer (target_list_visible_to and the API's FilterSet)."""
    if priority is not None:
        qs = qs.filter(priority=priority)
    if owner is not None:
        qs = qs.filter(owner=owner)
    if indicator is not None:
        qs = qs.filter(indicator=indicator)
    return qs


def targets_in_status(rows: list[Target], *, status: str = "") -> list[Target]:
    """The targets (with status attached by with_status) whose status is the one asked for, if any."""
    return [t for t in rows if t.status == status] if status else rows


# --- Priorities --------------------------------------------------------------------------------
def priority_list(*, user, include_inactive: bool = False) -> list[Priority]:
    """Board priorities in order, each with `targets` (with status) and `status_counts` attached."""
    qs = Priority.objects.all() if include_inactive else Priority.objects.filter(active=True)
    priorities = list(permissions.visible(user, rules.PRIORITY_VIEW, qs).prefetch_related("lead_partners"))
    targets = with_status(user, Target.objects.filter(priority__in=[p.pk for p in priorities])) if priorities else []
    by_priority: dict[int, list[Target]] = {}
    for target in targets:
        by_priority.setdefault(target.priority_id, []).append(target)
    for priority in priorities:
        priority.targets_shown = by_priority.get(priority.pk, [])
        priority.status_counts = {s.value: 0 for s in Target.Status}
        for target in priority.targets_shown:
            priority.status_counts[target.status] += 1
    return priorities


def priority_get(*, user, slug: str) -> Priority:
    """One priority with its lead partners and `targets_shown` (with status), or 404. Constant queries."""
    qs = Priority.objects.prefetch_related("lead_partners")
    priority = permissions.get_visible_or_404(user, rules.PRIORITY_VIEW, qs, slug=slug)
    priority.targets_shown = with_status(user, Target.objects.filter(priority=priority))
    priority.status_counts = {s.value: 0 for s in Target.Status}
    for target in priority.targets_shown:
        priority.status_counts[target.status] += 1
    priority.status_rule = Target.STATUS_RULE
    return priority


# --- One target ----------------------------------------------------------------------------------
@dataclass
class TargetDetail:
    target: Target
    figures_shared: bool
    series: list[dict] = field(default_factory=list)  # {"period_start", "period_end", "value", "expected", "is_demo"}
    history: list[Observation] = field(default_factory=list)  # every revision of the totals, newest first
    status_rule: str = Target.STATUS_RULE
    hidden_message: str = ""
    sharing_hint: SharingHint | None = None  # what would open the figures, when they are hidden

    @property
    def has_demo_data(self) -> bool:
        return any(row["is_demo"] for row in self.series)


def target_get(*, user, pk: int) -> TargetDetail:
    """A target with its status, its series against the trajectory and the revision history (figures if shared)."""
    qs = permissions.visible(user, rules.PRIORITY_VIEW, Target.objects.filter(pk=pk))
    rows = with_status(user, qs)
    if not rows:
        raise Http404
    target = rows[0]
    detail = TargetDetail(target=target, figures_shared=target.figures_shared)
    expected = {p.period_start: p.expected_value for p in target.trajectory_points.all()}
    observed: dict[date, Observation] = {}
    if target.figures_shared:
        totals = Observation.objects.filter(indicator_id=target.indicator_id, area_id=target.area_id, breakdown_key="")
        detail.history = list(totals.order_by("-period_start", "-revision").select_related("data_return"))
        observed = {o.period_start: o for o in detail.history if o.is_current}
    else:
        detail.hidden_message = FIGURES_HIDDEN
        detail.sharing_hint = dsa_sharing_hint(user=user, indicator=target.indicator)
    for start in sorted(set(expected) | set(observed)):
        obs = observed.get(start)
        detail.series.append(
            {
                "period_start": start,
                "period_end": obs.period_end if obs else None,
                "value": obs.value if obs else None,
                "expected": expected.get(start),
                "is_demo": bool(obs and obs.is_demo),
            }
        )
    return detail


# --- Indicators ----------------------------------------------------------------------------------
def indicator_list(
    *,
    user,
    provider: Partner | int | None = None,
    search: str = "",
    frequency: str = "",
    include_inactive: bool = False,
) -> QuerySet[Indicator]:
    """The indicator catalogue (definitions are visible to everyone with a role)."""
    qs = Indicator.objects.all() if include_inactive else Indicator.objects.filter(active=True)
    qs = permissions.visible(user, rules.PRIORITY_VIEW, qs)
    qs = indicators_narrowed(qs, provider=provider, search=search, frequency=frequency)
    return qs.select_related("provider").order_by("code")


def indicators_narrowed(
    qs: QuerySet[Indicator], *, provider: Partner | int | None = None, search: str = "", frequency: str = ""
) -> QuerySet[Indicator]:
    """Narrow indicators already filtered for the viewer (the catalogue page and the API's FilterSet)."""
    if provider:
        qs = qs.filter(provider=provider)
    if frequency:
        qs = qs.filter(frequency=frequency)
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(name__icontains=search))
    return qs


def indicator_get(*, user, code: str) -> Indicator:
    """An indicator with `figures_shared`, `breakdowns_shared`, `latest` (latest total per area, if shared),
    `targets_shown` (with status) and `sharing_hint` (what would open hidden figures or breakdowns, else None)."""
    qs = Indicator.objects.select_related("provider")
    indicator = permissions.get_visible_or_404(user, rules.PRIORITY_VIEW, qs, code=code)
    indicator.figures_shared = permissions.can(user, rules.INDICATOR_DATA_VIEW, indicator)
    indicator.breakdowns_shared = indicator.figures_shared and permissions.can(
        user, rules.INDICATOR_BREAKDOWNS_VIEW, indicator
    )
    indicator.latest = []
    if indicator.figures_shared:
        per_area = (
            Observation.objects.filter(
                indicator_id=indicator.pk, area_id=OuterRef("area_id"), breakdown_key="", is_current=True
            )
            .order_by("-period_start")
            .values("period_start")[:1]
        )
        indicator.latest = list(
            Observation.objects.filter(
                indicator=indicator, breakdown_key="", is_current=True, period_start=Subquery(per_area)
            )
            .select_related("area")
            .order_by("area__kind", "area__name")
        )
    indicator.targets_shown = with_status(user, Target.objects.filter(indicator=indicator, priority__active=True))
    indicator.hidden_message = "" if indicator.figures_shared else FIGURES_HIDDEN
    indicator.sharing_hint = None
    if not indicator.figures_shared:
        indicator.sharing_hint = dsa_sharing_hint(user=user, indicator=indicator)
    elif indicator.breakdowns and not indicator.breakdowns_shared:
        indicator.sharing_hint = dsa_sharing_hint(user=user, indicator=indicator, breakdowns=True)
    return indicator


# --- Observations --------------------------------------------------------------------------------
def observations_visible_to(*, user, filters: dict | None = None) -> QuerySet[Observation]:
    """Figures the user may see: totals by OBSERVATION_VIEW, breakdown rows only where the
    breakdown rule covers them too.

    filters: indicator (code), area (code), provider (slug), period_from, period_to (dates or
    YYYY-MM-DD; on period_start), breakdown ("total", a dimension such as "sex", or a
    canonical key such as "sex=Female"), history (True to include retired revisions).
    """
    qs = observations_narrowed(Observation.objects.all(), filters=filters or {})
    totals = permissions.visible(user, rules.OBSERVATION_VIEW, qs.filter(breakdown_key=""))
    split = permissions.visible(
        user,
        rules.OBSERVATION_BREAKDOWNS_VIEW,
        permissions.visible(user, rules.OBSERVATION_VIEW, qs.exclude(breakdown_key="")),
    )
    return (
        (totals | split)
        .select_related("indicator", "area", "provider")
        .order_by("indicator__code", "area__code", "period_start", "breakdown_key", "-revision")
    )


def observations_narrowed(qs: QuerySet[Observation], *, filters: dict) -> QuerySet[Observation]:
    """Narrow figures by the filters observations_visible_to describes: its own, and the API's FilterSet on
    figures already filtered for the viewer. Without history, only current revisions."""
    if not filters.get("history"):
        qs = qs.filter(is_current=True)
    if filters.get("indicator"):
        qs = qs.filter(indicator__code__iexact=filters["indicator"])
    if filters.get("area"):
        qs = qs.filter(area__code__iexact=filters["area"])
    if filters.get("provider"):
        qs = qs.filter(provider__slug=filters["provider"])
    if filters.get("period_from"):
        qs = qs.filter(period_start__gte=filters["period_from"])
    if filters.get("period_to"):
        qs = qs.filter(period_start__lte=filters["period_to"])
    breakdown = filters.get("breakdown") or ""
    if breakdown == "total":
        qs = qs.filter(breakdown_key="")
    elif breakdown in BREAKDOWN_DIMENSIONS:
        qs = qs.filter(breakdown_key__contains=f"{breakdown}=")
    elif breakdown:
        qs = qs.filter(breakdown_key=breakdown)
    return qs


# --- Data returns --------------------------------------------------------------------------------
def data_returns_visible_to(*, user, partner: Partner | None = None, status: str = "") -> QuerySet[DataReturn]:
    """Returns the user may see: their partners' own, or every one for the PCC office."""
    # NOTE: the listed revisions (up to 10,000) are read only where they are shown: data_return_revisions.
    qs = permissions.visible(user, rules.DATA_RETURN_VIEW, DataReturn.objects.defer("revisions"))
    qs = data_returns_narrowed(qs, partner=partner, status=status)
    return qs.select_related("partner", "uploaded_by", "applied_by").order_by("-uploaded_at", "-id")


def data_returns_narrowed(
    qs: QuerySet[DataReturn], *, partner: Partner | None = None, status: str = ""
) -> QuerySet[DataReturn]:
    """Narrow returns already filtered for the viewer (data_returns_visible_to and the API's FilterSet)."""
    if partner is not None:
        qs = qs.filter(partner=partner)
    if status:
        qs = qs.filter(status=status)
    return qs


def data_return_get(*, user, pk: int) -> DataReturn:
    """One data return, or 404 for one the user may not know exists."""
    qs = DataReturn.objects.select_related("partner", "uploaded_by", "applied_by").defer("revisions")
    return permissions.get_visible_or_404(user, rules.DATA_RETURN_VIEW, qs, pk=pk)


@dataclass(frozen=True)
class RevisedFigure:
    """One figure held that a return revises (or revised): what it was, what it becomes."""

    row: int
    indicator: str
    area: str
    area_name: str
    period_start: date
    period_end: date
    breakdown: str
    old: float
    new: float
    change_pct: float | None  # None: the old value was 0
    note: str = ""


class RevisedFigures(Sequence):
    """The stored list, each item made a RevisedFigure only when read (a page of 100 out of 10,000)."""

    def __init__(self, stored: list[dict]):
        self._stored = stored

    def __len__(self) -> int:
        return len(self._stored)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._figure(r) for r in self._stored[index]]
        return self._figure(self._stored[index])

    @staticmethod
    def _figure(r: dict) -> RevisedFigure:
        return RevisedFigure(
            row=r["row"],
            indicator=r["indicator"],
            area=r["area"],
            area_name=r.get("area_name", ""),
            period_start=date.fromisoformat(r["period_start"]),
            period_end=date.fromisoformat(r["period_end"]),
            breakdown=r["breakdown"],
            old=r["old"],
            new=r["new"],
            change_pct=r["change_pct"],
            note=r.get("note", ""),
        )


def data_return_revisions(*, data_return: DataReturn) -> RevisedFigures:
    """The revised figures listed on a return's report (at most DataReturn.MAX_STORED_REVISIONS), by row."""
    return RevisedFigures(data_return.revisions or [])  # one query when deferred, as data_return_get leaves it


def data_return_revisions_table(*, data_return: DataReturn) -> tuple[list[str], list[list]]:
    """The revised figures as a table for CSV download (numbers as numbers)."""
    header = [
        "Row",
        "Indicator",
        "Area code",
        "Area",
        "Period start",
        "Period end",
        "Breakdown",
        "Value held now" if data_return.status != DataReturn.Status.APPLIED else "Value before",
        "Value in this return",
        "Change (%)",
        "Note",
    ]
    rows = [
        [
            f.row,
            f.indicator,
            f.area,
            f.area_name,
            f.period_start.isoformat(),
            f.period_end.isoformat(),
            f.breakdown,
            _plain(f.old),
            _plain(f.new),
            "" if f.change_pct is None else f.change_pct,
            f.note or ("The figure held was 0" if f.change_pct is None else ""),
        ]
        for f in data_return_revisions(data_return=data_return)
    ]
    return header, rows


def _plain(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def data_returns_awaiting_action(*, user) -> list[DataReturn]:
    """The user's partners' returns that need them: ready to apply, or the newest upload that failed its checks."""
    partner_ids = permissions.acting_partner_ids(user, rules.DATA_RETURN_SUBMIT)
    if not partner_ids:
        return []
    newer = DataReturn.objects.filter(partner_id=OuterRef("partner_id"), uploaded_at__gt=OuterRef("uploaded_at"))
    failed = [DataReturn.Status.INVALID, DataReturn.Status.FAILED]
    qs = (
        data_returns_visible_to(user=user)
        .filter(partner_id__in=partner_ids)
        .filter(
            Q(status=DataReturn.Status.VALID)
            | Q(status__in=failed, uploaded_at__gte=timezone.now() - timedelta(days=30)) & ~Exists(newer)
        )
    )
    return list(qs[:10])


def data_return_report_table(*, data_return: DataReturn) -> tuple[list[str], list[list]]:
    """The error and warning report as a table for CSV/XLSX download."""
    header = ["Row", "Column", "Problem", "What to do", "Type"]
    rows = [[e["row"], e["column"], e["message"], e["fix"], "Error"] for e in data_return.errors or []]
    rows += [[w["row"], w["column"], w["message"], w["fix"], "Warning"] for w in data_return.warnings or []]
    rows.sort(key=lambda r: (r[0], r[4]))
    return header, rows


# --- The template a partner fills in -------------------------------------------------------------
def data_return_template(*, partner: Partner, today: date | None = None) -> tuple[list[str], list[list]]:
    """Header and one example row per indicator the partner provides (for export_response), each marked
    "example" in the last column: numbers as numbers, so that a spreadsheet keeps them as numbers."""
    today = today or timezone.localdate()
    indicators = list(Indicator.objects.filter(provider=partner, active=True).order_by("code"))
    partner_areas = list(partner.areas.all())
    any_area = {kind: Area.objects.filter(kind=kind).order_by("name").first() for kind in Area.Kind.values}
    rows = []
    for indicator in indicators:
        area = next((a for a in partner_areas if a.kind == indicator.geography), None) or any_area.get(
            indicator.geography
        )
        start, end = last_complete_period(indicator.frequency, today)
        value, numerator, denominator = (
            _plain(x) if x is not None else None for x in TEMPLATE_EXAMPLES[indicator.unit]
        )
        rows.append(
            [
                indicator.code,
                area.code if area else "",
                start.isoformat(),
                end.isoformat(),
                value,
                numerator,
                denominator,
                None,
                None,
                None,
                EXAMPLE_MARK,
            ]
        )
    return [*COLUMNS, TEMPLATE_MARKER_COLUMN], rows


# --- The partner page section -------------------------------------------------------------------
@partner_section
def partner_remits_and_targets(user, partner: Partner) -> dict | None:
    """The partner's remit and the targets it owns (status words; figures where shared)."""
    if not permissions.can(user, rules.PRIORITY_VIEW):
        return None
    remits = list(partner.remits.all())
    targets = target_list_visible_to(user=user, owner=partner)
    if not remits and not targets:
        return None
    return {
        "title": "Remit and targets",
        "template": "targets/_partner_remits_targets.html",
        "remits": remits,
        "targets": targets,
    }
