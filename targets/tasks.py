"""Background work for data returns. Tasks are thin: they call a service as the system actor."""

from __future__ import annotations

from celery import shared_task

from portal.actors import system
from portal.tasks import TASK_OPTIONS

CHECKS = system("data return checks")
SWEEPER = system("stuck data return sweeper")
SNAPSHOTS = system("target snapshots")
# A return's checks take seconds (50,000 rows: under 3 s on PostgreSQL, make bench): a check still running
# after this long has stopped with its worker, and the sweeper (every 15 s) starts it again.
VALIDATE_TIME_LIMIT = 90
VALIDATE_OPTIONS = {**TASK_OPTIONS, "time_limit": VALIDATE_TIME_LIMIT, "soft_time_limit": VALIDATE_TIME_LIMIT - 15}


@shared_task(name="targets.validate_data_return", bind=True, **VALIDATE_OPTIONS)
def validate_data_return(self, *, data_return_id: int) -> None:
    """Check an uploaded return; a return already checked is left alone (safe to redeliver)."""
    from .services import data_return_fail, data_return_validate

    try:
        data_return_validate(data_return_id=data_return_id, by=CHECKS)
    except Exception:
        if self.request.retries >= self.max_retries:
            # Out of retries: say so on the return rather than leave it "Checking" for ever.
            data_return_fail(data_return_id=data_return_id, by=CHECKS)
            return
        raise


@shared_task(name="targets.sweep_stuck_returns", **TASK_OPTIONS)
def sweep_stuck_returns() -> dict:
    """Every few minutes: retry, or fail with a message, returns whose checks stopped part-way."""
    from .services import data_returns_sweep_stuck

    return data_returns_sweep_stuck(by=SWEEPER)


@shared_task(name="targets.refresh_snapshots", **TASK_OPTIONS)
def refresh_snapshots(*, indicator_ids=(), target_ids=()) -> int:
    """Recompute the snapshots of the targets whose figures or definition changed (queued by the services)."""
    from .services.snapshots import target_snapshots_refresh

    return target_snapshots_refresh(indicator_ids=indicator_ids, target_ids=target_ids)


@shared_task(name="targets.refresh_all_snapshots", **TASK_OPTIONS)
def refresh_all_snapshots() -> int:
    """Nightly: every target's snapshot, so that a status that depends on the date is never a day stale."""
    from portal.schedule import scheduled_run_done

    from .services.snapshots import target_snapshots_refresh

    count = target_snapshots_refresh(everything=True)
    scheduled_run_done(name="targets.refresh_all_snapshots", by=SNAPSHOTS)
    return count
