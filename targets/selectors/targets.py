"""Targets with their status (in a constant number of queries), priorities and one target's page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Case, Count, F, OuterRef, Prefetch, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from partners.models import Area, Partner
from portal import permissions

from .. import forecast, rules
from ..models import (
    Indicator,
    Observation,
    Priority,
    Target,
    TargetSnapshot,
    TrajectoryPoint,
    period_containing,
    periods_between,
)
from ..services.snapshots import projection_backtest
from .sharing import FIGURES_HIDDEN, SharingHint, dsa_sharing_hint


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


def _worked_out_now(targets: list[Target]) -> dict[int, TargetSnapshot]:
    """Snapshots for targets that have none yet (made a moment ago, before the refresh ran): worked out here
    from the latest figure, as the refresh would (2 queries for the lot)."""
    rows = list(
        Target.objects.filter(pk__in=[t.pk for t in targets])
        .select_related("indicator")
        .prefetch_related(Prefetch("trajectory_points", queryset=TrajectoryPoint.objects.order_by("period_start")))
        .annotate(latest_id=Subquery(_latest_total_subquery()))
    )
    latest = Observation.objects.in_bulk([t.latest_id for t in rows if t.latest_id])
    out = {}
    for target in rows:
        obs = latest.get(target.latest_id)
        out[target.pk] = TargetSnapshot(
            target_id=target.pk,
            status=target.status_for(obs.value if obs else None, obs.period_start if obs else None),
            latest_period_start=obs.period_start if obs else None,
            latest_period_end=obs.period_end if obs else None,
            latest_value=obs.value if obs else None,
            expected_value=target.expected_on(obs.period_start) if obs else None,
            series=[[obs.period_start.isoformat(), str(obs.value)]] if obs else [],
            has_demo_data=bool(obs and obs.is_demo),
        )
    return out


def with_status(user, targets: QuerySet[Target], *, trajectory: bool = False) -> list[Target]:
    """Targets with their status and figures attached from their snapshots (targets/services/snapshots.py): a
    constant number of queries whatever the size. Figures only where the viewer may see the indicator's data.

    Each target gets: status (code), status_label, status_colour, figures_shared, latest_value,
    latest_period_start, latest_period_end, expected_value, previous_value, change, series ([(date, value)],
    oldest first), has_demo_data, projection (low, value, high) and likely_to_miss (None when hidden).
    """
    if not isinstance(targets, QuerySet):  # a page of targets already read: read again, in the same order
        order = {t.pk: n for n, t in enumerate(targets)}
        targets = Target.objects.filter(pk__in=list(order))
    else:
        order = None
    targets = targets.select_related("priority", "indicator", "indicator__provider", "area", "owner", "snapshot")
    if trajectory:  # (the API lists each target's trajectory)
        targets = targets.prefetch_related(
            Prefetch("trajectory_points", queryset=TrajectoryPoint.objects.order_by("period_start"))
        )
    rows = list(targets)
    if order is not None:
        rows.sort(key=lambda t: order[t.pk])
    missing = [t for t in rows if not _has_snapshot(t)]
    made = _worked_out_now(missing) if missing else {}
    shared = _figure_indicator_ids(user, {t.indicator_id for t in rows})
    for target in rows:
        snap = made.get(target.pk) or target.snapshot
        target.status = snap.status
        target.status_label = Target.Status(snap.status).label
        target.status_colour = Target.STATUS_TAG_COLOURS[snap.status]
        target.figures_shared = target.indicator_id in shared
        show = target.figures_shared and snap.latest_value is not None
        target.latest_value = snap.latest_value if show else None
        target.latest_period_start = snap.latest_period_start if show else None
        target.latest_period_end = snap.latest_period_end if show else None
        target.expected_value = snap.expected_value if show else None
        target.previous_value = snap.previous_value if show else None
        target.change = snap.change if show else None
        target.series = [(date.fromisoformat(d), Decimal(v)) for d, v in snap.series] if show else []
        target.has_demo_data = snap.has_demo_data if show else False
        target.projection = (
            (snap.projected_low, snap.projected_value, snap.projected_high)
            if show and snap.projected_value is not None
            else None
        )
        # (until the figures reach the target date: a date gone by whose figure is not in yet is still projected)
        target.likely_to_miss = snap.likely_to_miss and snap.status in (Target.Status.ON_TRACK, Target.Status.AT_RISK)
    return rows


def _has_snapshot(target: Target) -> bool:
    try:
        return target.snapshot is not None
    except TargetSnapshot.DoesNotExist:
        return False


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
PRIORITY_PREVIEW = 5  # targets shown under each priority on the list (the worst first); the rest on its page
STATUS_ORDER = [Target.Status.OFF_TRACK, Target.Status.AT_RISK, Target.Status.NO_DATA, Target.Status.ON_TRACK]


def status_counts(targets: QuerySet[Target], *, by: str = "") -> dict:
    """Targets by status from their snapshots, in one query: {status: n}, or {by's value: {status: n}}."""
    fields = [f"{by}_id"] if by else []
    counted = targets.values(*fields, "snapshot__status").annotate(n=Count("pk")).order_by()
    empty = {s.value: 0 for s in Target.Status}
    out: dict = {} if by else dict(empty)
    for row in counted:
        status = row["snapshot__status"] or Target.Status.NO_DATA
        bucket = out.setdefault(row[f"{by}_id"], dict(empty)) if by else out
        bucket[status] += row["n"]
    return out


def worst_first(targets: QuerySet[Target]) -> QuerySet[Target]:
    """Off track, at risk, no data, then on track; within each, by indicator and area."""
    rank = Case(*[When(snapshot__status=s, then=Value(n)) for n, s in enumerate(STATUS_ORDER)], default=Value(2))
    return targets.annotate(status_rank=rank).order_by("status_rank", "indicator__code", "area__name", "pk")


def priority_list(*, user, include_inactive: bool = False) -> list[Priority]:
    """Board priorities in order, each with `status_counts`, `target_count` and `targets_shown`: the worst
    PRIORITY_PREVIEW targets (with status). A constant number of queries however many targets there are."""
    qs = Priority.objects.all() if include_inactive else Priority.objects.filter(active=True)
    priorities = list(permissions.visible(user, rules.PRIORITY_VIEW, qs).prefetch_related("lead_partners"))
    if not priorities:
        return priorities
    targets = Target.objects.filter(priority__in=[p.pk for p in priorities])
    counts = status_counts(targets, by="priority")
    ranked = worst_first(targets).annotate(
        place=Window(
            RowNumber(),
            partition_by=[F("priority_id")],
            order_by=[F("status_rank").asc(), F("indicator__code").asc(), F("area__name").asc(), F("pk").asc()],
        )
    )
    preview = with_status(user, list(ranked.filter(place__lte=PRIORITY_PREVIEW)))
    by_priority: dict[int, list[Target]] = {}
    for target in preview:
        by_priority.setdefault(target.priority_id, []).append(target)
    for priority in priorities:
        priority.targets_shown = by_priority.get(priority.pk, [])
        priority.status_counts = counts.get(priority.pk, {s.value: 0 for s in Target.Status})
        priority.target_count = sum(priority.status_counts.values())
    return priorities


def priority_get(*, user, slug: str) -> Priority:
    """One priority with its lead partners, `status_counts` and `target_rows` (a queryset, worst first, to page
    through and give with_status), or 404."""
    qs = Priority.objects.prefetch_related("lead_partners")
    priority = permissions.get_visible_or_404(user, rules.PRIORITY_VIEW, qs, slug=slug)
    targets = Target.objects.filter(priority=priority)
    priority.status_counts = status_counts(targets)
    priority.target_rows = worst_first(targets.select_related("indicator", "area", "owner"))
    priority.status_rule = Target.STATUS_RULE
    return priority


# --- One target ----------------------------------------------------------------------------------
NO_PROJECTION_YET = (
    f"There are not enough figures to project yet: the projection needs at least {forecast.MIN_PERIODS} periods."
)
NO_PROJECTION_PAST = "The latest figure is for the target date or later, so nothing is left to project."


@dataclass(frozen=True)
class ProjectionSummary:
    """Where the figures are heading at the target date: the projection and its 80% range (the snapshot's)."""

    value: Decimal
    low: Decimal
    high: Decimal
    by: date


@dataclass
class TargetDetail:
    target: Target
    figures_shared: bool
    # {"period_start", "period_end", "value", "expected", "is_demo", "is_future", "is_target_date", "target",
    #  "projected", "low", "high"}, oldest first; projected figures on the periods after the latest one (if shared)
    series: list[dict] = field(default_factory=list)
    history: list[Observation] = field(default_factory=list)  # every revision of the totals, newest first
    status_rule: str = Target.STATUS_RULE
    hidden_message: str = ""
    sharing_hint: SharingHint | None = None  # what would open the figures, when they are hidden
    projection: ProjectionSummary | None = None  # only when the figures are shared
    no_projection: str = ""  # why there is none, when the figures are shared
    method: str = forecast.METHOD
    lag_note: str = ""  # how far behind the indicator's data runs (Indicator.data_lag_note)

    @property
    def has_demo_data(self) -> bool:
        return any(row["is_demo"] for row in self.series)

    @property
    def likely_to_miss(self) -> bool:
        """The projection misses the target while the status still reads on track or at risk (a status word)."""
        return bool(self.target.likely_to_miss)


def target_get(*, user, pk: int) -> TargetDetail:
    """A target with its status, its series against the trajectory with the projection to the target date, and the
    revision history (figures, projection and history only if shared)."""
    qs = permissions.visible(user, rules.PRIORITY_VIEW, Target.objects.filter(pk=pk))
    rows = with_status(user, qs)
    if not rows:
        raise Http404
    target = rows[0]
    detail = TargetDetail(target=target, figures_shared=target.figures_shared, lag_note=target.indicator.data_lag_note)
    expected = {p.period_start: p.expected_value for p in target.trajectory_points.all()}
    observed: dict[date, Observation] = {}
    if target.figures_shared:
        totals = Observation.objects.filter(indicator_id=target.indicator_id, area_id=target.area_id, breakdown_key="")
        detail.history = list(totals.order_by("-period_start", "-revision").select_related("data_return"))
        observed = {o.period_start: o for o in detail.history if o.is_current}
    else:
        detail.hidden_message = FIGURES_HIDDEN
        detail.sharing_hint = dsa_sharing_hint(user=user, indicator=target.indicator)
    detail.series = _series_rows(target, expected, observed)
    if target.figures_shared:
        _add_projection(detail, observed)
    return detail


def _series_row(start: date, end: date | None = None, **figures) -> dict:
    row = {"period_start": start, "period_end": end, "value": None, "expected": None, "is_demo": False}
    row.update(is_future=False, is_target_date=False, target=None, projected=None, low=None, high=None)
    row.update(figures)
    return row


def _series_rows(target: Target, expected: dict[date, Decimal], observed: dict[date, Observation]) -> list[dict]:
    """Each period with a figure or a trajectory point, and the target date's period (where the target is)."""
    target_start, _ = period_containing(target.indicator.frequency, target.target_date)
    last = max(observed) if observed else None
    rows = []
    for start in sorted(set(expected) | set(observed) | {target_start}):
        obs = observed.get(start)
        rows.append(
            _series_row(
                start,
                obs.period_end if obs else None,
                value=obs.value if obs else None,
                expected=expected.get(start),
                is_demo=bool(obs and obs.is_demo),
                is_future=last is not None and start > last,
                is_target_date=start == target_start,
                target=target.target_value if start == target_start else None,
            )
        )
    return rows


def _add_projection(detail: TargetDetail, observed: dict[date, Observation]) -> None:
    """The projection on each period from the latest figure's to the target date's, made as the snapshot's is (the
    same fit, whole periods ahead); at the target date the snapshot's own figures, as the page states them."""
    target = detail.target
    frequency = target.indicator.frequency
    target_start, target_end = period_containing(frequency, target.target_date)
    if target.projection is None or not observed:
        detail.no_projection = NO_PROJECTION_YET
        return
    last = max(observed)
    if target_start <= last:
        detail.no_projection = NO_PROJECTION_PAST
        return
    low, value, high = target.projection
    detail.projection = ProjectionSummary(value=value, low=low, high=high, by=target.target_date)
    values = [float(observed[start].value) for start in sorted(observed)]
    rows = {row["period_start"]: row for row in detail.series}
    ahead = periods_between(frequency, observed[last].period_end + timedelta(days=1), target_end)
    for step, (start, end) in enumerate(ahead, start=1):
        row = rows.setdefault(start, _series_row(start, end, is_future=True))
        if start == target_start:
            row.update(projected=value, low=low, high=high)
        elif made := forecast.project(values, step):
            row.update(projected=_figure(made.value), low=_figure(made.low), high=_figure(made.high))
    detail.series = sorted(rows.values(), key=lambda row: row["period_start"])


def _figure(value: float) -> Decimal:
    return Decimal(str(round(value, 4)))


# --- The local authorities side by side, and how good the projection has been -------------------
@dataclass
class AreaFigure:
    """One local authority in a comparison: its latest figure, or none (not shared, or not received yet)."""

    area: Area
    shared: bool
    observation: Observation | None = None
    is_target_area: bool = False


def target_area_comparison(*, user, target: Target) -> list[AreaFigure] | None:
    """Every local authority at the target's indicator, each at its latest figure (3 queries): an area whose figures
    the viewer may not see is listed as not shared, never dropped. None when the indicator is not reported by local
    authority. `target` comes from with_status (figures_shared)."""
    if target.indicator.geography != Area.Kind.LOCAL_AUTHORITY:
        return None
    areas = list(Area.objects.filter(kind=Area.Kind.LOCAL_AUTHORITY).order_by("name"))
    held: set[int] = set()
    shown: dict[int, Observation] = {}
    if target.figures_shared:
        per_area = (
            Observation.objects.filter(
                indicator_id=target.indicator_id, area_id=OuterRef("area_id"), breakdown_key="", is_current=True
            )
            .order_by("-period_start")
            .values("period_start")[:1]
        )
        latest = Observation.objects.filter(
            indicator_id=target.indicator_id,
            area__kind=Area.Kind.LOCAL_AUTHORITY,
            breakdown_key="",
            is_current=True,
            period_start=Subquery(per_area),
        )
        held = set(latest.values_list("area_id", flat=True))
        shown = {o.area_id: o for o in permissions.visible(user, rules.OBSERVATION_VIEW, latest)}
    return [
        AreaFigure(
            area=area,
            shared=area.pk in shown or (target.figures_shared and area.pk not in held),
            observation=shown.get(area.pk),
            is_target_area=area.pk == target.area_id,
        )
        for area in areas
    ]


BACKTEST_CACHE_KEY = "targets:projection-backtest:v1"  # a new version when the method or what is kept changes
BACKTEST_CACHE_SECONDS = 3600


def projection_backtest_cached() -> forecast.Backtest:
    """How often the projection called the outcome right on the figures held (services.snapshots'
    projection_backtest), kept for an hour: it reads every target's history, too much for each page view."""
    kept = cache.get(BACKTEST_CACHE_KEY)
    if kept is None:
        made = projection_backtest()
        kept = (made.targets_tested, made.called_right)
        cache.set(BACKTEST_CACHE_KEY, kept, BACKTEST_CACHE_SECONDS)
    tested, right = kept
    return forecast.Backtest(targets_tested=tested, called_right=right)
