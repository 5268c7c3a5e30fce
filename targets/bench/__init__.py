"""Benchmark data at a scale (`manage.py bench_data`, scripts/bench/run.py): partners, people, indicators,
targets, figures and data-sharing agreements.

Full scale is 60 partners, 300 indicators, 2,000 targets, 1,000,000 observations, 5,000 people and 300
agreements; a scale below 1 shrinks each in proportion, down to the least that keeps the shape
(shape.MINIMUM). Areas (8 local authorities and their force area) and priorities (10) stay as they are.

The benchmark viewers (shape.VIEWER_USERNAMES, officers of the partner shape.VIEWER_PARTNER_SLUG) receive,
through active agreements, the figures of a tenth of the indicators, and every indicator has the same number of
figures: they may see a tenth of the observations. Rows are written in bulk (COPY on PostgreSQL), not through
the services, so the audit log records only that the data was generated; the data grants that agreements imply
are then made by the service that keeps them (dsa_sync_grants), and every target's snapshot is worked out at
the end, as the nightly task does.
"""

from __future__ import annotations

import random
import time
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from portal.actors import system
from portal.audit import audit_record

from ..services.snapshots import target_snapshots_refresh
from . import figures, people, sharing
from .shape import LOCAL_AUTHORITIES, Bench


def bench_build(*, counts: dict[str, int], seed: int = 2026, say=print, today: date | None = None) -> Bench:
    """Write the benchmark's rows, step by step (each in its own transaction, timed); what was made."""
    if counts["targets"] > counts["indicators"] * len(LOCAL_AUTHORITIES):
        raise ValueError("more targets than indicators × areas: each target needs its own indicator and area")
    bench = Bench(counts=counts, rng=random.Random(seed), today=today or timezone.localdate(), now=timezone.now())
    steps = [
        people.areas_and_partners,
        people.people,
        figures.priorities_and_indicators,
        figures.targets,
        figures.observations,
        sharing.agreements,
        sharing.grants,
        _snapshots,
    ]
    for step in steps:
        started = time.perf_counter()
        with transaction.atomic():
            done = step(bench)
        say(f"  {step.__name__.strip('_'):<26} {done:>10,} rows  {time.perf_counter() - started:7.1f} s")
    with transaction.atomic():
        audit_record(
            actor=system("bench data"),
            action="bench.generate",
            object_type="bench",
            summary="Benchmark data generated: " + ", ".join(f"{n:,} {k}" for k, n in counts.items()),
            after=dict(counts),
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would soon: the planner needs the new sizes
    return bench


def _snapshots(bench: Bench) -> int:
    return target_snapshots_refresh(everything=True)
