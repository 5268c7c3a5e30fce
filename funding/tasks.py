"""Daily, on working days: reminders of late spend returns."""

from __future__ import annotations

from celery import shared_task

from portal.actors import system
from portal.tasks import TASK_OPTIONS

DAILY = system("funding reminders")


@shared_task(name="funding.daily", **TASK_OPTIONS)
def funding_daily() -> dict:
    from portal.schedule import scheduled_run_done

    from .services import funding_daily as run

    result = run(by=DAILY)
    scheduled_run_done(name="funding.daily", by=DAILY)
    return result
