"""A return never stays "Checking" for ever: the sweeper retries it, then fails it with a message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import AuditEvent, OutboxTask
from targets import services
from targets.models import DataReturn
from tests.conftest import signed_in
from tests.factories import SYSTEM

pytestmark = pytest.mark.django_db


def _stuck(partner, *, attempts: int, minutes_ago: int) -> DataReturn:
    from portal import permissions

    data_return = DataReturn.objects.create(
        partner=partner,
        file_path="data-returns/x.csv",
        original_filename="figures.csv",
        kind="csv",
        sha256="0" * 64,
        status=DataReturn.Status.VALIDATING,
        progress=45,
        validation_attempts=attempts,
        validation_started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    permissions.grant("view_datareturn", partner.group, data_return)
    return data_return


def test_a_return_checking_for_too_long_is_queued_again(police):
    data_return = _stuck(police, attempts=1, minutes_ago=20)
    assert services.data_returns_sweep_stuck(by=SYSTEM) == {"retried": 1, "failed": 0}
    data_return.refresh_from_db()
    assert data_return.status == DataReturn.Status.UPLOADED
    assert OutboxTask.objects.filter(
        task_name="targets.validate_data_return", kwargs={"data_return_id": data_return.pk}
    ).exists()
    assert AuditEvent.objects.filter(action="data_return.retry", object_id=str(data_return.pk)).exists()


def test_after_the_last_attempt_it_fails_with_a_message_the_uploader_sees(police, police_officer):
    data_return = _stuck(police, attempts=services.MAX_VALIDATION_ATTEMPTS, minutes_ago=20)
    assert services.data_returns_sweep_stuck(by=SYSTEM) == {"retried": 0, "failed": 1}
    data_return.refresh_from_db()
    assert data_return.status == DataReturn.Status.FAILED
    assert "could not finish checking this file" in data_return.failure_message
    page = signed_in(police_officer).get(f"/data-returns/{data_return.pk}/").content.decode()
    assert "could not finish checking this file" in page
    assert not OutboxTask.objects.filter(task_name="targets.validate_data_return").exists()


def test_a_return_still_within_its_time_is_left_alone(police):
    data_return = _stuck(police, attempts=1, minutes_ago=1)
    assert services.data_returns_sweep_stuck(by=SYSTEM) == {"retried": 0, "failed": 0}
    data_return.refresh_from_db()
    assert data_return.status == DataReturn.Status.VALIDATING
    assert not OutboxTask.objects.exists() and not AuditEvent.objects.filter(action="data_return.retry").exists()


def test_checking_counts_its_attempts(police, police_officer, homicides, media, django_capture_on_commit_callbacks):
    from tests.factories import csv_file

    with django_capture_on_commit_callbacks(execute=True):
        data_return = services.data_return_upload(
            partner=police, by=police_officer, uploaded_file=csv_file("HOM,E23000014,2026-09-01,2026-09-30,4,,,,,")
        )
    data_return.refresh_from_db()
    assert data_return.status == DataReturn.Status.VALID
    assert data_return.validation_attempts == 1 and data_return.validation_started_at is not None


def test_a_killed_check_is_queued_again_within_two_minutes():
    from django.conf import settings

    from targets.tasks import VALIDATE_TIME_LIMIT, validate_data_return

    sweep_every = timedelta(seconds=settings.CELERY_BEAT_SCHEDULE["sweep-stuck-returns"]["schedule"])
    # the sweeper never takes a check still within its time limit for a stopped one...
    assert services.STUCK_AFTER > timedelta(seconds=VALIDATE_TIME_LIMIT)
    assert validate_data_return.time_limit == VALIDATE_TIME_LIMIT
    # ...and finds a stopped one within two minutes of its start
    assert services.STUCK_AFTER + sweep_every <= timedelta(minutes=2)


def test_a_check_under_two_minutes_old_is_left_alone_and_one_past_it_is_retried(police):
    fresh = _stuck(police, attempts=1, minutes_ago=1)
    assert services.data_returns_sweep_stuck(by=SYSTEM) == {"retried": 0, "failed": 0}
    DataReturn.objects.filter(pk=fresh.pk).update(validation_started_at=timezone.now() - timedelta(seconds=110))
    assert services.data_returns_sweep_stuck(by=SYSTEM) == {"retried": 1, "failed": 0}


def test_the_uploader_is_told_when_checking_takes_longer_than_usual(police, police_officer):
    slow = _stuck(police, attempts=1, minutes_ago=0)
    page = signed_in(police_officer).get(f"/data-returns/{slow.pk}/progress/").content.decode()
    assert "taking longer than usual" not in page
    DataReturn.objects.filter(pk=slow.pk).update(validation_started_at=timezone.now() - timedelta(seconds=45))
    page = signed_in(police_officer).get(f"/data-returns/{slow.pk}/progress/").content.decode()
    assert "This is taking longer than usual" in page and "start again by themselves within 2 minutes" in page


def test_each_step_of_a_returns_life_is_audited_once_through_its_workflow(police):
    data_return = _stuck(police, attempts=3, minutes_ago=20)
    services.data_returns_sweep_stuck(by=SYSTEM)
    data_return.refresh_from_db()
    assert data_return.status == DataReturn.Status.FAILED
    events = AuditEvent.objects.filter(object_id=str(data_return.pk), object_type="targets.datareturn")
    assert list(events.values_list("action", flat=True)) == ["data_return.fail"]
    assert events.get().before == {"status": "validating", "failure_message": ""}
