import time

import pytest
from django.db import transaction
from django.test import override_settings

from portal.celery import app
from portal.models import AuditEvent, OutboxTask
from portal.outbox import outbox_enqueue, outbox_relay


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_default_a_task_runs_when_its_transaction_commits():
    with transaction.atomic():
        outbox_enqueue("portal.record_probe", label="eager-1")
        assert not AuditEvent.objects.filter(action="worker.probe").exists()
    assert AuditEvent.objects.filter(action="worker.probe", object_id="eager-1").count() == 1
    assert OutboxTask.objects.get().status == OutboxTask.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_queues_nothing():
    with pytest.raises(ZeroDivisionError):
        with transaction.atomic():
            outbox_enqueue("portal.record_probe", label="never")
            raise ZeroDivisionError("something later in the same transaction fails")
    assert not OutboxTask.objects.exists()
    assert not AuditEvent.objects.filter(action="worker.probe").exists()


@pytest.mark.django_db(transaction=True)
def test_a_redelivered_task_changes_nothing_twice():
    from portal.tasks import record_probe

    record_probe.apply(kwargs={"label": "twice"})
    record_probe.apply(kwargs={"label": "twice"})
    assert AuditEvent.objects.filter(action="worker.probe", object_id="twice").count() == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_unreachable_the_service_succeeds_and_the_task_waits():
    """No request talks to the broker: the write commits at once, the relay retries later."""
    from celery import Celery

    down = Celery("down", broker="redis://127.0.0.1:1/0")
    down.conf.update(
        task_always_eager=False,
        broker_connection_timeout=1,
        broker_connection_retry=False,
        broker_connection_max_retries=0,
    )
    with override_settings(OUTBOX_RELAY_ON_COMMIT=False):
        started = time.monotonic()
        with transaction.atomic():
            outbox_enqueue("portal.record_probe", label="after-outage")
        assert time.monotonic() - started < 0.5
    started = time.monotonic()
    assert outbox_relay(app=down) == 0  # the broker refuses: the row stays pending
    assert time.monotonic() - started < 10
    row = OutboxTask.objects.get()
    assert row.status == OutboxTask.Status.PENDING and row.attempts == 1 and row.last_error
    assert not AuditEvent.objects.filter(action="worker.probe").exists()
    # The broker is back (here: the embedded default, which runs the task in-process).
    assert outbox_relay(app=app) == 1
    assert AuditEvent.objects.filter(action="worker.probe", object_id="after-outage").count() == 1


def test_every_task_has_a_soft_time_limit_within_its_hard_limit():
    """Celery 5.7's beat refuses to schedule a task whose soft limit (its own, or the global
    CELERY_TASK_SOFT_TIME_LIMIT) is above its hard limit: nothing would ever be relayed."""
    from django.conf import settings

    from portal.celery import app

    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert "portal.relay_outbox" in ours
    for name, task in ours.items():
        hard = task.time_limit if task.time_limit is not None else settings.CELERY_TASK_TIME_LIMIT
        soft = task.soft_time_limit if task.soft_time_limit is not None else settings.CELERY_TASK_SOFT_TIME_LIMIT
        assert soft <= hard, f"{name}: soft limit {soft} s is above its hard limit {hard} s"
