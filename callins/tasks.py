"""Daily, on working days: reminders of call-ins' and appointments' deadlines, and late responses escalated."""

from __future__ import annotations

from celery import shared_task

from portal.actors import system
from portal.tasks import TASK_OPTIONS

DAILY = system("call-in reminders")


@shared_task(name="callins.daily", **TASK_OPTIONS)
def callins_daily() -> dict:
    from portal.schedule import scheduled_run_done

    from .services import callins_daily as run

    result = run(by=DAILY)
    scheduled_run_done(name="callins.daily", by=DAILY)
    return result
