"""Scheduled jobs that must not be missed silently: each app registers its own (name, words, how often),
the job records when it finished, and a late one shows on /healthz and on the PCC office's start page.

Access never depends on a job having run (an agreement's grants carry its end date, see
portal/permissions.py): this is about seeing that the scheduler has stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .actors import require_actor
from .models import ScheduledRun


@dataclass(frozen=True)
class Expected:
    name: str
    label: str
    every: timedelta


EXPECTED: dict[str, Expected] = {}
# The workers' heartbeat: beat queues portal.worker_heartbeat every 15 s and a worker runs it. Older than
# this, no worker is taking tasks (or beat has stopped): /healthz says "degraded". Registered only where a
# broker and workers run (not in the embedded default, where tasks run in the web process).
HEARTBEAT = "portal.worker_heartbeat"
HEARTBEAT_EVERY = timedelta(minutes=1)
# The outbox's oldest task still waiting for the relay, older than this: the relay (beat and a worker) is
# not running, or the broker is down.
OUTBOX_WAITING_TOO_LONG = timedelta(minutes=1)


def register_scheduled(name: str, label: str, every: timedelta) -> None:
    """An app declares a job that must finish at least every `every` (give it slack: a nightly job, 26 hours)."""
    EXPECTED[name] = Expected(name, label, every)


def scheduled_runs_sync() -> None:
    """After migrate: a row for every registered job (idempotent; the clock of a new job starts now)."""
    for expected in EXPECTED.values():
        ScheduledRun.objects.update_or_create(
            name=expected.name, defaults={"label": expected.label, "expected_every": expected.every}
        )


@transaction.atomic
def scheduled_run_done(*, name: str, by) -> ScheduledRun:
    """A job records that it finished (called by the task after its work committed)."""
    require_actor(by)
    expected = EXPECTED.get(name)
    run, _ = ScheduledRun.objects.select_for_update().get_or_create(
        name=name,
        defaults={
            "label": expected.label if expected else name,
            "expected_every": expected.every if expected else timedelta(days=1),
        },
    )
    run.last_finished_at = timezone.now()
    run.save(update_fields=["last_finished_at"])
    return run


def late_runs(now=None) -> list[ScheduledRun]:
    """The registered jobs that have not finished within their expected time."""
    now = now or timezone.now()
    return [run for run in ScheduledRun.objects.filter(name__in=list(EXPECTED)) if run.is_late(now)]
