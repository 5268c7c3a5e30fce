"""The task outbox: services record tasks here, in their own transaction; a relay publishes them.

No web request talks to the broker. With a broker configured, the beat-driven
`portal.relay_outbox` task (worker side) publishes pending rows; in the embedded default
(Celery eager, no broker) each row is relayed as soon as its transaction commits.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import OutboxTask

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 20


def outbox_enqueue(task_name: str, **kwargs) -> OutboxTask:
    """Record a task to run after the current transaction commits. kwargs must be JSON (ids, not objects)."""
    row = OutboxTask.objects.create(task_name=task_name, kwargs=kwargs)
    if settings.OUTBOX_RELAY_ON_COMMIT:
        transaction.on_commit(lambda: outbox_relay(ids=[row.id]))
    return row


def _publish(app, known, row: OutboxTask) -> None:
    task_id = f"outbox-{row.id}"
    if app.conf.task_always_eager:
        known[row.task_name].apply(kwargs=row.kwargs, task_id=task_id, throw=True)
    else:
        app.send_task(row.task_name, kwargs=row.kwargs, task_id=task_id, retry=False)


def outbox_relay(*, ids: list[int] | None = None, limit: int = 200, app=None) -> int:
    """Publish pending tasks to Celery; returns how many were sent. Safe to run concurrently."""
    from .celery import app as portal_app

    app = app or portal_app
    known = portal_app.tasks
    sent = 0
    with transaction.atomic():
        rows = OutboxTask.objects.select_for_update(skip_locked=True).filter(status=OutboxTask.Status.PENDING)
        if ids is not None:
            rows = rows.filter(id__in=ids)
        for row in list(rows.order_by("id")[:limit]):
            if row.task_name not in known:
                row.status, row.last_error = OutboxTask.Status.FAILED, "unknown task"
                row.save(update_fields=["status", "last_error"])
                continue
            try:
                _publish(app, known, row)
            except Exception as exc:  # the broker is down (or an eager task failed): keep it for later
                row.attempts += 1
                row.last_error = f"{type(exc).__name__}: {exc}"[:500]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = OutboxTask.Status.FAILED
                row.save(update_fields=["attempts", "last_error", "status"])
                log.warning("outbox relay of %s failed: %s", row.task_name, row.last_error)
                break  # stop trying the rest this round; order is kept
            row.status = OutboxTask.Status.SENT
            row.sent_at = timezone.now()
            row.attempts += 1
            row.save(update_fields=["status", "sent_at", "attempts"])
            sent += 1
    return sent
