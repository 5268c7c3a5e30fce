"""A real Celery worker takes tasks from Redis and its effect is seen in the database.

Run by .ci/run against PostgreSQL and Redis (marker `broker`)."""

import time

import pytest
from django.db import transaction

from portal.celery import app
from portal.models import AuditEvent, OutboxTask
from portal.outbox import outbox_enqueue, outbox_relay
from tests.conftest import wait_for as _wait_for

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def test_a_worker_runs_a_task_relayed_from_the_outbox(worker):
    with transaction.atomic():
        outbox_enqueue("portal.record_probe", label="real-worker")
    assert OutboxTask.objects.get().status == OutboxTask.Status.PENDING  # no request published it
    assert outbox_relay() == 1
    seen = _wait_for(lambda: AuditEvent.objects.filter(action="worker.probe", object_id="real-worker").exists())
    assert seen, "the worker did not run the task"


def test_after_a_broker_outage_the_task_still_runs_once(worker):
    from celery import Celery

    down = Celery("down", broker="redis://127.0.0.1:1/0")
    down.conf.update(broker_connection_timeout=1, broker_connection_retry=False, broker_connection_max_retries=0)
    started = time.monotonic()
    with transaction.atomic():
        outbox_enqueue("portal.record_probe", label="outage")
    assert time.monotonic() - started < 0.5
    assert outbox_relay(app=down) == 0
    assert OutboxTask.objects.get().status == OutboxTask.Status.PENDING
    assert outbox_relay(app=app) == 1  # the broker is back
    assert _wait_for(lambda: AuditEvent.objects.filter(action="worker.probe", object_id="outage").exists())
    assert outbox_relay(app=app) == 0  # nothing published twice
    assert AuditEvent.objects.filter(action="worker.probe", object_id="outage").count() == 1
