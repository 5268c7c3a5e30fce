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
    data_return = _stuck(police, attempts=1, minutes_ago=5)
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
