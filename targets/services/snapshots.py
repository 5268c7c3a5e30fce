"""Target snapshots: each target's status, latest figures, sparkline and projection, worked out ahead so that every
page and API list reads them in a constant number of queries. Refreshed by a task when figures change (a return
applied, an API batch), when a target is made or changed, and nightly; the demo seed refreshes them whole."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from portal.outbox import outbox_enqueue

from .. import forecast
from ..models import Observation, Target, TargetSnapshot, TrajectoryPoint

SERIES_KEPT = 24  # figures kept on a snapshot: the sparkline shows the last 12
REFRESH_TASK = "targets.refresh_snapshots"
CHUNK = 500


def snapshots_refresh_later(*, indicator_ids=(), target_ids=()) -> None:
    """Queue a refresh in the caller's transaction (the outbox: it runs after commit, once)."""
    outbox_enqueue(REFRESH_TASK, indicator_ids=sorted(set(indicator_ids)), target_ids=sorted(set(target_ids)))


def target_snapshots_refresh(*, indicator_ids=(), target_ids=(), everything: bool = False) -> int:
    """Recompute the snapshots of these targets (by indicator or id), or of every target; how many."""
    targets = Target.objects.select_related("indicator").prefetch_related(
        Prefetch("trajectory_points", queryset=TrajectoryPoint.objects.order_by("period_start"))
    )
    if not everything:
        if not indicator_ids and not target_ids:
            return 0
        from django.db.models import Q

        targets = targets.filter(Q(indicator_id__in=list(indicator_ids)) | Q(pk__in=list(target_ids)))
    ids = list(targets.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), CHUNK):
        done += _refresh_chunk(list(targets.filter(pk__in=ids[start : start + CHUNK])))
    return done


def _refresh_chunk(targets: list[Target]) -> int:
    pairs = {(t.indicator_id, t.area_id) for t in targets}
    figures: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    rows = (
        Observation.objects.filter(
            indicator_id__in={i for i, _ in pairs},
            area_id__in={a for _, a in pairs},
            breakdown_key="",
            is_current=True,
        )
        .order_by("period_start")
        .values_list("indicator_id", "area_id", "period_start", "period_end", "value", "is_demo")
    )
    for indicator_id, area_id, start, end, value, is_demo in rows.iterator(chunk_size=5000):
        if (indicator_id, area_id) in pairs:
            figures[(indicator_id, area_id)].append((start, end, value, is_demo))
    now = timezone.now()
    snapshots = [_snapshot(target, figures.get((target.indicator_id, target.area_id), []), now) for target in targets]
    with transaction.atomic():
        TargetSnapshot.objects.bulk_create(
            snapshots,
            update_conflicts=True,
            unique_fields=["target"],
            update_fields=[f.name for f in TargetSnapshot._meta.concrete_fields if f.name != "target"],
        )
    return len(snapshots)


def _snapshot(target: Target, figures: list[tuple], now) -> TargetSnapshot:
    snapshot = TargetSnapshot(
        target=target,
        indicator_id=target.indicator_id,
        priority_id=target.priority_id,
        area_id=target.area_id,
        owner_id=target.owner_id,
        status=Target.Status.NO_DATA,
        refreshed_at=now,
    )
    if not figures:
        return snapshot
    start, end, value, _ = figures[-1]
    snapshot.latest_period_start, snapshot.latest_period_end, snapshot.latest_value = start, end, value
    snapshot.previous_value = figures[-2][2] if len(figures) > 1 else None
    snapshot.expected_value = target.expected_on(start)
    snapshot.status = target.status_for(value, start)
    snapshot.series = [[f[0].isoformat(), str(f[2])] for f in figures[-SERIES_KEPT:]]
    snapshot.has_demo_data = any(f[3] for f in figures[-SERIES_KEPT:])
    made = forecast.project(
        [float(f[2]) for f in figures],
        forecast.periods_between(start, target.target_date, target.indicator.frequency),
    )
    if made is not None:
        snapshot.projected_value = _decimal(made.value)
        snapshot.projected_low = _decimal(made.low)
        snapshot.projected_high = _decimal(made.high)
        snapshot.likely_to_miss = forecast.likely_to_miss(
            made.value,
            target.target_value,
            higher_is_better=target.indicator.higher_is_better,
            tolerance_percent=target.tolerance_percent,
        )
    return snapshot


def _decimal(value: float) -> Decimal:
    bounded = max(min(value, 1e13), -1e13)  # what the column holds
    return Decimal(str(round(bounded, 4)))


def projection_backtest() -> forecast.Backtest:
    """How often the projection, made a year before each target's latest figure, called the outcome right."""
    per_year = {"monthly": 12, "quarterly": 4, "annual": 1}
    cases = []
    targets = list(
        Target.objects.select_related("indicator").prefetch_related(
            Prefetch("trajectory_points", queryset=TrajectoryPoint.objects.order_by("period_start"))
        )
    )
    series: dict[tuple[int, int], list] = defaultdict(list)
    for indicator_id, area_id, start, value in (
        Observation.objects.filter(breakdown_key="", is_current=True, indicator__targets__isnull=False)
        .order_by("period_start")
        .values_list("indicator_id", "area_id", "period_start", "value")
        .distinct()
    ):
        series[(indicator_id, area_id)].append((start, float(value)))
    for target in targets:
        found = series.get((target.indicator_id, target.area_id), [])
        if not found:
            continue
        expected = float(target.expected_on(found[-1][0]))
        cases.append(
            (
                [v for _, v in found],
                per_year.get(target.indicator.frequency, 12),
                expected,
                target.indicator.higher_is_better,
            )
        )
    return forecast.backtest(cases)
