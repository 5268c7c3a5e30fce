"""A data return checked by a real Celery worker from Redis (run by .ci/run: marker `broker`)."""

import pytest
from django.db import transaction

from portal.outbox import outbox_relay
from targets import services
from targets.models import DataReturn
from tests.conftest import wait_for
from tests.factories import csv_file

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def test_a_worker_checks_an_uploaded_return(worker, police, police_officer, homicides):
    with transaction.atomic():
        data_return = services.data_return_upload(
            partner=police, by=police_officer, uploaded_file=csv_file("HOM,E23000014,2026-09-01,2026-09-30,4,,,,,")
        )
    assert DataReturn.objects.get(pk=data_return.pk).status == DataReturn.Status.UPLOADED
    assert outbox_relay() == 1
    assert wait_for(lambda: DataReturn.objects.get(pk=data_return.pk).status == DataReturn.Status.VALID)
    checked = DataReturn.objects.get(pk=data_return.pk)
    assert checked.row_count == 1 and not checked.errors
