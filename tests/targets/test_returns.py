"""Data returns: upload, checks, apply (all or nothing), revisions, refusals and the task."""

from __future__ import annotations

from decimal import Decimal

import pytest
from celery.exceptions import Retry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.files import UploadRejected
from portal.models import AuditEvent, OutboxTask
from targets import services
from targets.models import DataReturn, DataReturnGroupObjectPermission, Observation
from targets.validation import RowErrors
from tests.factories import SYSTEM, csv_file, upload, xlsx_file

from .conftest import BIRMINGHAM, COVENTRY, FORCE

pytestmark = pytest.mark.usefixtures("media")

APRIL_BHAM = f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.2,120,100000,,,"
APRIL_COV = f"SV-1000,{COVENTRY},2025-04-01,2025-04-30,0.9,,,,,"
APRIL_BHAM_FEMALE = f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,0.5,,,,Female,"


def test_an_upload_is_checked_once_committed_and_can_be_applied(
    police, police_officer, sv, django_capture_on_commit_callbacks
):
    data_return = upload(
        police, police_officer, csv_file(APRIL_BHAM, APRIL_COV, APRIL_BHAM_FEMALE), django_capture_on_commit_callbacks
    )
    assert data_return.status == DataReturn.Status.VALID
    assert (data_return.progress, data_return.row_count, data_return.kind) == (100, 3, "csv")
    assert data_return.changes == {"new": 3, "revised": 0, "unchanged": 0}
    assert OutboxTask.objects.get().task_name == "targets.validate_data_return"
    assert DataReturnGroupObjectPermission.objects.filter(content_object=data_return, group=police.group).exists()

    applied = services.data_return_apply(data_return=data_return, by=police_officer)
    assert applied.status == DataReturn.Status.APPLIED
    assert applied.applied_by == police_officer and applied.applied_at is not None
    rows = Observation.objects.order_by("area__code", "breakdown_key")
    assert [(o.area.code, o.breakdown_key, o.value, o.revision, o.is_current) for o in rows] == [
        (BIRMINGHAM, "", Decimal("1.2000"), 1, True),
        (BIRMINGHAM, "sex=Female", Decimal("0.5000"), 1, True),
        (COVENTRY, "", Decimal("0.9000"), 1, True),
    ]
    first = rows[0]
    assert (first.numerator, first.denominator, first.data_return_id) == (Decimal("120"), Decimal("100000"), applied.pk)
    assert rows[1].breakdown == {"sex": "Female"}
    assert first.source_label == f"Data return {applied.pk}"
    assert AuditEvent.objects.filter(action="data_return.apply", object_id=str(applied.pk)).exists()


def test_an_xlsx_return_is_accepted(police, police_officer, sv, django_capture_on_commit_callbacks):
    data_return = upload(
        police,
        police_officer,
        xlsx_file([["SV-1000", BIRMINGHAM, "2025-04-01", "2025-04-30", "1.2", "", "", "", "", ""]]),
        django_capture_on_commit_callbacks,
    )
    assert (data_return.kind, data_return.status) == ("xlsx", DataReturn.Status.VALID)


def test_the_same_period_again_revises_and_keeps_history(
    police, police_officer, sv, django_capture_on_commit_callbacks
):
    first = upload(police, police_officer, csv_file(APRIL_BHAM, APRIL_COV), django_capture_on_commit_callbacks)
    services.data_return_apply(data_return=first, by=police_officer)
    second = upload(
        police,
        police_officer,
        csv_file(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.3,130,100000,,,", APRIL_COV),
        django_capture_on_commit_callbacks,
    )
    assert second.changes == {"new": 0, "revised": 1, "unchanged": 1}
    with pytest.raises(ValidationError, match="replace what the board holds"):
        services.data_return_apply(data_return=second, by=police_officer)  # not confirmed
    applied = services.data_return_apply(data_return=second, by=police_officer, confirm_revisions=True)
    assert applied.changes == {"new": 0, "revised": 1, "unchanged": 1}
    history = Observation.objects.filter(area__code=BIRMINGHAM).order_by("revision")
    assert [(o.value, o.revision, o.is_current, o.data_return_id) for o in history] == [
        (Decimal("1.2000"), 1, False, first.pk),
        (Decimal("1.3000"), 2, True, second.pk),
    ]
    assert Observation.objects.filter(area__code=COVENTRY).count() == 1  # unchanged: not written again


def test_a_bad_file_changes_nothing(police, police_officer, sv, django_capture_on_commit_callbacks):
    data_return = upload(
        police,
        police_officer,
        csv_file(APRIL_BHAM, f"SV-1000,{COVENTRY},2025-04-01,2025-04-30,lots,,,,,"),
        django_capture_on_commit_callbacks,
    )
    assert data_return.status == DataReturn.Status.INVALID
    assert data_return.error_count == 1
    assert data_return.errors == [
        {
            "row": 3,
            "column": "value",
            "message": "lots is not a number",
            "fix": "Enter digits only, with a full stop for decimals and no commas, spaces or % signs",
        }
    ]
    with pytest.raises(ValidationError, match="passed its checks"):
        services.data_return_apply(data_return=data_return, by=police_officer)
    assert not Observation.objects.exists()


def test_apply_checks_again_and_writes_nothing_if_the_return_no_longer_passes(
    police, police_officer, sv, django_capture_on_commit_callbacks
):
    data_return = upload(police, police_officer, csv_file(APRIL_BHAM, APRIL_COV), django_capture_on_commit_callbacks)
    services.indicator_update(indicator=sv, by=SYSTEM, active=False)
    result = services.data_return_apply(data_return=data_return, by=police_officer)
    assert result.status == DataReturn.Status.INVALID
    assert {e["message"] for e in result.errors} == {"SV-1000 is not an indicator your organisation provides"}
    assert not Observation.objects.exists()


def test_a_return_cannot_be_applied_twice(police, police_officer, sv, django_capture_on_commit_callbacks):
    data_return = upload(police, police_officer, csv_file(APRIL_BHAM), django_capture_on_commit_callbacks)
    services.data_return_apply(data_return=data_return, by=police_officer)
    with pytest.raises(ValidationError, match="already been applied"):
        services.data_return_apply(data_return=data_return, by=police_officer)
    assert Observation.objects.count() == 1


def test_checking_again_does_nothing(police, police_officer, sv, django_capture_on_commit_callbacks):
    data_return = upload(police, police_officer, csv_file(APRIL_BHAM), django_capture_on_commit_callbacks)
    events = AuditEvent.objects.count()
    again = services.data_return_validate(data_return_id=data_return.pk, by=SYSTEM)
    assert again.status == DataReturn.Status.VALID
    assert AuditEvent.objects.count() == events


def test_the_task_is_idempotent(police, police_officer, sv, django_capture_on_commit_callbacks):
    from targets.tasks import validate_data_return

    data_return = upload(police, police_officer, csv_file(APRIL_BHAM), django_capture_on_commit_callbacks)
    services.data_return_apply(data_return=data_return, by=police_officer)
    validate_data_return.apply(kwargs={"data_return_id": data_return.pk}).get()
    data_return.refresh_from_db()
    assert data_return.status == DataReturn.Status.APPLIED


def test_an_unreadable_file_is_reported_not_crashed(police, police_officer, sv, django_capture_on_commit_callbacks):
    bad = SimpleUploadedFile("r.csv", b'indicator_code,"area_code\n"unterminated', content_type="text/csv")
    data_return = upload(police, police_officer, bad, django_capture_on_commit_callbacks)
    assert data_return.status == DataReturn.Status.INVALID
    assert data_return.errors[0]["row"] == 1


def test_a_binary_file_renamed_csv_is_refused_with_a_clear_message(police, police_officer, sv):
    fake = SimpleUploadedFile("figures.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    with pytest.raises(UploadRejected) as refused:
        services.data_return_upload(partner=police, uploaded_file=fake, by=police_officer)
    assert refused.value.messages == [
        "The selected file must be a CSV or XLSX file. Its content is not CSV or XLSX, whatever its name says."
    ]
    assert not DataReturn.objects.exists()


def test_an_oversize_file_is_refused_with_a_clear_message(police, police_officer, sv, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = csv_file(*([APRIL_BHAM] * 20000))
    with pytest.raises(UploadRejected) as refused:
        services.data_return_upload(partner=police, uploaded_file=big, by=police_officer)
    assert refused.value.messages == ["The selected file must be smaller than 1 MB."]
    assert not DataReturn.objects.exists()


def test_another_partner_cannot_upload_or_apply_for_the_police(
    police, police_officer, probation_officer, sv, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        services.data_return_upload(partner=police, uploaded_file=csv_file(APRIL_BHAM), by=probation_officer)
    data_return = upload(police, police_officer, csv_file(APRIL_BHAM), django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        services.data_return_apply(data_return=data_return, by=probation_officer)
    assert not Observation.objects.exists()


def test_a_signatory_without_the_upload_permission_is_refused(police, police_signatory, sv):
    with pytest.raises(PermissionDenied):
        services.data_return_upload(partner=police, uploaded_file=csv_file(APRIL_BHAM), by=police_signatory)


def test_an_api_batch_is_saved_whole(police, police_officer, sv):
    result = services.observations_submit_batch(
        partner=police,
        by=police_officer,
        rows=[
            {
                "indicator_code": "SV-1000",
                "area_code": BIRMINGHAM,
                "period_start": "2025-04-01",
                "period_end": "2025-04-30",
                "value": 1.2,
            },
            {
                "indicator_code": "SV-1000",
                "area_code": FORCE,
                "period_start": "2025-04-01",
                "period_end": "2025-04-30",
                "value": "1.1",
                "sex": "Male",
            },
        ],
    )
    assert (result["new"], result["revised"], result["unchanged"]) == (2, 0, 0)
    assert set(Observation.objects.values_list("batch_id", flat=True)) == {result["batch_id"]}


def test_an_api_batch_with_one_bad_row_saves_nothing(police, police_officer, sv):
    with pytest.raises(RowErrors) as refused:
        services.observations_submit_batch(
            partner=police,
            by=police_officer,
            rows=[
                {
                    "indicator_code": "SV-1000",
                    "area_code": BIRMINGHAM,
                    "period_start": "2025-04-01",
                    "period_end": "2025-04-30",
                    "value": 1.2,
                },
                {
                    "indicator_code": "SV-1000",
                    "area_code": BIRMINGHAM,
                    "period_start": "2025-05-01",
                    "period_end": "2025-05-31",
                },
            ],
        )
    assert refused.value.row_errors == [
        {
            "row": 2,
            "column": "value",
            "message": "Enter the value",
            "fix": "Enter the figure for the period, for example 12.5",
        }
    ]
    assert not Observation.objects.exists()


def test_a_return_whose_checks_cannot_run_is_marked_failed_after_the_last_retry(police, police_officer, sv):
    from portal.files import upload_storage
    from portal.tasks import TASK_OPTIONS
    from targets.tasks import validate_data_return

    data_return = services.data_return_upload(partner=police, uploaded_file=csv_file(APRIL_BHAM), by=police_officer)
    upload_storage().delete(data_return.file_path)  # the shared upload volume lost the file
    with pytest.raises(Retry):  # Celery will try again, with backoff
        validate_data_return.apply(kwargs={"data_return_id": data_return.pk}, throw=True)
    data_return.refresh_from_db()
    assert data_return.status == DataReturn.Status.VALIDATING  # retried later, not given up yet
    validate_data_return.apply(kwargs={"data_return_id": data_return.pk}, retries=TASK_OPTIONS["max_retries"])
    data_return.refresh_from_db()
    assert data_return.status == DataReturn.Status.FAILED
    assert "problem on our side" in data_return.failure_message
