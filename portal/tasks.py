"""Core background tasks: the outbox relay, housekeeping, and a probe used by the worker tests."""

from __future__ import annotations

from celery import shared_task
from django.db import IntegrityError, transaction

from .actors import system
from .models import TaskRun

TASK_OPTIONS = dict(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    time_limit=300,
    soft_time_limit=240,
)


def claim_once(key: str) -> bool:
    """Inside the caller's transaction, claim a unit of work; False if it was already done.

    Tasks call a service that claims first, so a redelivered task changes nothing twice and a
    failed one (rolled back) is tried again.
    """
    try:
        with transaction.atomic():
            TaskRun.objects.create(key=key)
    except IntegrityError:
        return False
    return True


# NOTE: its own limits, soft below hard: Celery 5.7 refuses to schedule a task whose soft limit
# (inherited from CELERY_TASK_SOFT_TIME_LIMIT, 240 s) is above its own time_limit.
@shared_task(name="portal.relay_outbox", acks_late=True, time_limit=60, soft_time_limit=50, ignore_result=True)
def relay_outbox() -> int:
    from .outbox import outbox_relay

    return outbox_relay()


# NOTE: short limits and no retries: a heartbeat that cannot run now is simply late, which is what
# /healthz reports (portal.schedule: the job "portal.worker_heartbeat" is expected every minute).
@shared_task(name="portal.worker_heartbeat", acks_late=False, time_limit=30, soft_time_limit=20, ignore_result=True)
def worker_heartbeat() -> None:
    """Every 15 seconds (beat): a worker took a task from the broker and reached the database."""
    from .schedule import HEARTBEAT, scheduled_run_done

    scheduled_run_done(name=HEARTBEAT, by=system("worker heartbeat"))


@shared_task(name="portal.audit_checkpoint", **TASK_OPTIONS)
def audit_checkpoint() -> None:
    """Hourly: sign the audit chain's count and head, outside the database (portal.audit)."""
    from .audit import audit_checkpoint as take

    take()


@shared_task(name="portal.daily_housekeeping", **TASK_OPTIONS)
def daily_housekeeping() -> None:
    from .services import housekeeping_run

    housekeeping_run(by=system("daily housekeeping"))


@shared_task(name="portal.record_probe", **TASK_OPTIONS)
def record_probe(*, label: str) -> None:
    """Writes an audit event: lets tests and operators see that a worker really runs tasks."""
    from .services import probe_record

    probe_record(label=label, by=system("worker probe"))


@shared_task(name="portal.send_notification_email", **TASK_OPTIONS)
def send_notification_email(*, notification_id: int) -> None:
    """Email one notification (queued by portal.notifications.notify); retried with backoff if sending fails."""
    from .notifications import notification_email_send

    notification_email_send(notification_id=notification_id)


@shared_task(name="portal.sweep_stuck_emails", acks_late=True, time_limit=60, soft_time_limit=50, ignore_result=True)
def sweep_stuck_emails() -> None:
    """Every few minutes: fail, with the reason, the emails a stopped worker or a lost retry left unfinished."""
    from .notifications import notification_emails_sweep

    notification_emails_sweep()
