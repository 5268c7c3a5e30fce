"""Benchmark data: priorities, indicators (with their providers' grants), targets with their trajectories, and
the observations: the same number for every indicator, the latest months first (COPY on PostgreSQL)."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.db import connection

from partners.models import Area

from ..models import (
    Indicator,
    IndicatorGroupObjectPermission,
    Observation,
    Priority,
    Target,
    TrajectoryPoint,
    breakdown_key,
    period_containing,
)
from ..services.catalogue import _linear_trajectory
from ..services.sharing import BREAKDOWNS_PERM, DATA_PERM
from .shape import BATCH, BREAKDOWNS, PRIORITIES, Bench

COPY_ROWS = 100_000  # written to PostgreSQL at a time
UNITS = [Indicator.Unit.COUNT, Indicator.Unit.RATE_1000, Indicator.Unit.DAYS]


def priorities_and_indicators(bench: Bench) -> int:
    """PRIORITIES priorities, each led by a provider; the indicators, monthly by local authority, broken down by
    age band and sex, provided in blocks (a provider's indicators are next to each other, and agreements cover a
    few of them); each provider may see its own (as indicator_create grants)."""
    bench.priorities = Priority.objects.bulk_create(
        [
            Priority(title=f"Bench priority {n:02d}", slug=f"bench-priority-{n:02d}", order=n)
            for n in range(1, PRIORITIES + 1)
        ]
    )
    Priority.lead_partners.through.objects.bulk_create(
        [
            Priority.lead_partners.through(priority=p, partner=bench.providers[n % len(bench.providers)])
            for n, p in enumerate(bench.priorities)
        ]
    )
    total = bench.counts["indicators"]
    bench.indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                code=f"BENCH-{n:04d}",
                name=f"Bench indicator {n:04d}",
                unit=UNITS[n % len(UNITS)],
                polarity=Indicator.Polarity.LOWER_IS_BETTER if n % 2 else Indicator.Polarity.HIGHER_IS_BETTER,
                frequency=Indicator.Frequency.MONTHLY,
                geography=Area.Kind.LOCAL_AUTHORITY,
                provider=bench.providers[n * len(bench.providers) // total],
                breakdowns=["age_band", "sex"],
            )
            for n in range(total)
        ]
    )
    bench.base = {i.pk: Decimal(bench.rng.randint(20, 400)) for i in bench.indicators}
    perms = {p.codename: p for p in Permission.objects.filter(codename__in=[DATA_PERM, BREAKDOWNS_PERM])}
    IndicatorGroupObjectPermission.objects.bulk_create(
        [
            IndicatorGroupObjectPermission(group_id=i.provider.group_id, permission=perms[codename], content_object=i)
            for i in bench.indicators
            for codename in (DATA_PERM, BREAKDOWNS_PERM)
        ],
        batch_size=BATCH,
    )
    return len(bench.priorities) + len(bench.indicators)


def targets(bench: Bench) -> int:
    """Targets on the indicators in turn, area after area, for the priorities and owners in turn; a straight
    trajectory from the 2023-24 baseline to a tenth better by next March (as target_create draws it)."""
    owners = [bench.viewers, *bench.providers]
    rows = []
    for n in range(bench.counts["targets"]):
        indicator = bench.indicators[n % len(bench.indicators)]
        area_no = (n // len(bench.indicators)) % len(bench.areas)
        start = _level(bench, indicator, area_no)
        better = Decimal("1.1") if indicator.higher_is_better else Decimal("0.9")
        rows.append(
            Target(
                priority=bench.priorities[n % len(bench.priorities)],
                indicator=indicator,
                area=bench.areas[area_no],
                owner=owners[n % len(owners)],
                baseline_value=start,
                baseline_period_start=date(2023, 4, 1),
                baseline_period_end=date(2024, 3, 31),
                target_value=(start * better).quantize(Decimal("0.0001")),
                target_date=date(bench.today.year + 1, 3, 31),
            )
        )
    made = Target.objects.bulk_create(rows, batch_size=BATCH)
    points = [
        TrajectoryPoint(target=t, period_start=when, expected_value=value)
        for t in made
        for when, value in _linear_trajectory(
            frequency=Indicator.Frequency.MONTHLY,
            baseline_value=t.baseline_value,
            baseline_end=t.baseline_period_end,
            target_value=t.target_value,
            target_date=t.target_date,
        )
    ]
    TrajectoryPoint.objects.bulk_create(points, batch_size=BATCH)
    return len(made) + len(points)


def _level(bench: Bench, indicator: Indicator, area_no: int) -> Decimal:
    return bench.base[indicator.pk] * (1 + Decimal(area_no) / 10)


def _figures(bench: Bench):
    """(indicator, area, period_start, period_end, breakdown, value): each indicator's share of the observations,
    month by month back from the last complete one, each month in every area, as a total and its breakdowns."""
    total, each = bench.counts["observations"], len(bench.indicators)
    latest = period_containing(Indicator.Frequency.MONTHLY, bench.today.replace(day=1) - timedelta(days=1))
    for n, indicator in enumerate(bench.indicators):
        budget = total // each + (1 if n < total % each else 0)
        start, end = latest
        while budget > 0:
            for area_no, area in enumerate(bench.areas):
                value = _level(bench, indicator, area_no) * Decimal(bench.rng.randint(85, 115)) / 100
                for breakdown in BREAKDOWNS[:budget]:
                    share = Decimal(1) if not breakdown else Decimal(bench.rng.randint(5, 30)) / 100
                    yield indicator, area, start, end, breakdown, (value * share).quantize(Decimal("0.0001"))
                budget -= min(budget, len(BREAKDOWNS))
                if budget == 0:
                    break
            start, end = period_containing(Indicator.Frequency.MONTHLY, start - timedelta(days=1))


def observations(bench: Bench) -> int:
    if connection.vendor == "postgresql":
        return _copy_observations(bench)
    rows = [
        Observation(
            indicator=i,
            area=a,
            period_start=s,
            period_end=e,
            breakdown_key=breakdown_key(b),
            breakdown=b,
            value=v,
            provider_id=i.provider_id,
            batch_id="bench-data",
            created_at=bench.now,
        )
        for i, a, s, e, b, v in _figures(bench)
    ]
    Observation.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _copy_observations(bench: Bench) -> int:
    columns = (
        "indicator_id, area_id, period_start, period_end, breakdown_key, breakdown, value, provider_id, batch_id, "
        "is_demo, revision, is_current, created_at"
    )
    sql = f"COPY {Observation._meta.db_table} ({columns}) FROM STDIN"
    now, done, buffer = bench.now.isoformat(), 0, io.StringIO()
    with connection.cursor() as cursor:
        for i, a, s, e, b, v in _figures(bench):
            key = breakdown_key(b)
            buffer.write(
                f"{i.pk}\t{a.pk}\t{s}\t{e}\t{key}\t{json.dumps(b)}\t{v}\t{i.provider_id}\tbench-data\tf\t1\tt\t{now}\n"
            )
            done += 1
            if done % COPY_ROWS == 0:
                buffer.seek(0)
                cursor.cursor.copy_expert(sql, buffer)
                buffer = io.StringIO()
        buffer.seek(0)
        cursor.cursor.copy_expert(sql, buffer)
    return done
