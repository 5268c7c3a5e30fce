"""Daily: remind signatories of sign-offs due soon or overdue; tell the board chair of long-overdue ones."""

from __future__ import annotations

from celery import shared_task

from portal.actors import system
from portal.tasks import TASK_OPTIONS

REMINDERS = system("plan sign-off reminders")


@shared_task(name="targets.plan_signoff_reminders", **TASK_OPTIONS)
def plan_signoff_reminders() -> dict:
    from portal.schedule import scheduled_run_done

    from .services import plan_signoff_reminders as remind

    result = remind(by=REMINDERS)
    scheduled_run_done(name="targets.plan_signoff_reminders", by=REMINDERS)
    return result
