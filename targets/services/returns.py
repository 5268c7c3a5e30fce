"""Data returns and API batches: upload, checks, apply (all or nothing) and the observations they write."""

from __future__ import annotations

import logging
import uuid
import zipfile
from datetime import timedelta
from xml.etree.ElementTree import ParseError

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Partner
from portal import permissions
from portal.actors import require_actor
from portal.audit import audit_record, snapshot
from portal.files import stored_open, upload_accept, upload_store
from portal.outbox import outbox_enqueue

from .. import rules
from ..models import DataReturn
from ..validation import Report, RowErrors, frame_from_rows, read_return_file, validate_frame
from ..workflows import DATA_RETURN_FLOW
from .ingest import observations_write, writers_lock
from .snapshots import snapshots_refresh_later

log = logging.getLogger(__name__)

DATA_RETURN_FOLDER = "data-returns"
MAX_API_ROWS = 10_000


# --- Data returns -------------------------------------------------------------------------------
@transaction.atomic
def data_return_upload(*, partner: Partner, uploaded_file, by) -> DataReturn:
    """Store a partner's CSV/XLSX return and queue its checks (UploadRejected says what is wrong)."""
    permissions.check(by, rules.DATA_RETURN_SUBMIT, partner)
    accepted = upload_accept(uploaded_file)
    relative = upload_store(uploaded_file, accepted, folder=DATA_RETURN_FOLDER)
    data_return = DataReturn.objects.create(
        partner=partner,
        uploaded_by=by,
        file_path=relative,
        original_filename=accepted.original_name,
        kind=accepted.kind,
        size=accepted.size,
        sha256=accepted.sha256,
    )
    permissions.grant("view_datareturn", partner.group, data_return)
    audit_record(
        actor=by,
        partner=partner,
        action="data_return.upload",
        obj=data_return,
        summary=f"{partner.short_name} uploaded data return '{accepted.original_name}'",
        after=snapshot(data_return, ["partner", "original_filename", "kind", "size", "sha256", "status"]),
    )
    outbox_enqueue("targets.validate_data_return", data_return_id=data_return.pk)
    return data_return


def _read_report(data_return: DataReturn, progress=None) -> Report:
    try:
        with stored_open(data_return.file_path) as handle:
            frame = read_return_file(handle, data_return.kind)
    except (
        ValueError,
        UnicodeDecodeError,
        zipfile.BadZipFile,
        KeyError,
        IndexError,
        ParseError,
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
    ) as exc:
        log.info("data return %s unreadable: %s", data_return.pk, exc)
        return Report(
            row_count=0,
            errors=[
                {
                    "row": 1,
                    "column": "",
                    "message": "The file could not be read as a table",
                    "fix": "Save the file as CSV (UTF-8) or XLSX with the header row first, then upload it again",
                }
            ],
        )
    return validate_frame(frame, partner=data_return.partner, progress=progress)


def _finish_with_report(data_return: DataReturn, report: Report, transition: str, *, by, summary: str) -> None:
    """Keep a check's report on the return and move it on (ready to apply, or with errors), audited once."""
    fields = {
        "row_count": report.row_count,
        "errors": report.errors[: DataReturn.MAX_STORED_ERRORS],
        "error_count": len(report.errors),
        "warnings": report.warnings[: DataReturn.MAX_STORED_ERRORS],
        "changes": report.changes,
        "revisions": report.revisions[: DataReturn.MAX_STORED_REVISIONS],
        "progress": 100,
        "validated_at": timezone.now(),
    }
    DATA_RETURN_FLOW.finish(
        data_return,
        transition,
        by=by,
        partner=data_return.partner,
        to=DataReturn.Status.VALID if report.ok else DataReturn.Status.INVALID,
        changes=fields,
        audited=("row_count", "error_count", "changes"),
        summary=summary,
    )


def revisions_confirm_text(count: int) -> str:
    """The words a person ticks (and the API's flag confirms) before figures held are replaced."""
    if count == 1:
        return "I confirm this figure replaces what the board holds"
    return f"I confirm these {count:,} figures replace what the board holds"


def data_return_validate(*, data_return_id: int, by) -> DataReturn | None:
    """Run the checks on an uploaded return (the task calls this); does nothing once it has been checked."""
    require_actor(by)
    # NOTE: three short transactions, not one: the progress updates in between must be seen by
    # the page that polls while a large file is checked.
    with transaction.atomic():
        found = DATA_RETURN_FLOW.lock_all(DataReturn.objects.filter(pk=data_return_id))
        data_return = found[0] if found else None
        if data_return is None or not DATA_RETURN_FLOW.in_source_state(data_return, "check"):
            return data_return
        DATA_RETURN_FLOW.finish(
            data_return,
            "check",
            by=by,
            changes={
                "progress": 5,
                "validation_attempts": data_return.validation_attempts + 1,
                "validation_started_at": timezone.now(),
            },
            summary=f"Checks of data return {data_return.pk} started (attempt {data_return.validation_attempts + 1})",
        )

    def progress(pct: int) -> None:
        DataReturn.objects.filter(pk=data_return_id, status=DataReturn.Status.VALIDATING).update(progress=pct)

    report = _read_report(data_return, progress)
    with transaction.atomic():
        data_return = DATA_RETURN_FLOW.lock(data_return)
        if data_return.status != DataReturn.Status.VALIDATING:
            return data_return
        _finish_with_report(
            data_return,
            report,
            "report",
            by=by,
            summary=f"Data return {data_return.pk} checked: {report.row_count} rows, "
            f"{len(report.errors)} errors, {len(report.warnings)} warnings",
        )
    return data_return


@transaction.atomic
def data_return_fail(*, data_return_id: int, by) -> DataReturn | None:
    """Mark a return whose checks could not run (after the task's retries) as failed."""
    found = DATA_RETURN_FLOW.lock_all(DataReturn.objects.filter(pk=data_return_id))
    data_return = found[0] if found else None
    if data_return is None or not DATA_RETURN_FLOW.in_source_state(data_return, "fail"):
        return data_return
    DATA_RETURN_FLOW.finish(
        data_return,
        "fail",
        by=by,
        partner=data_return.partner,
        changes={
            "failure_message": "We could not check this file because of a problem on our side. "
            "Upload it again; if it fails again, contact the PCC office."
        },
        summary=f"Checks of data return {data_return.pk} could not run",
    )
    return data_return


def _observations_write(
    clean: pd.DataFrame, *, provider: Partner, by, data_return: DataReturn | None = None, batch_id: str = ""
) -> dict:
    """Write checked rows: new figures, and revisions that retire the figure they replace. Unchanged skipped."""
    return observations_write(
        clean,
        provider_id=provider.pk,
        actor_id=by.pk if getattr(by, "is_authenticated", False) else None,
        data_return_id=data_return.pk if data_return else None,
        batch_id=batch_id,
    )


@transaction.atomic
def data_return_apply(*, data_return: DataReturn, by, confirm_revisions: bool = False) -> DataReturn:
    """Apply a checked return in one transaction; checks again first (status 'invalid' if it no longer passes).

    A return that revises figures the board holds needs confirm_revisions: the person has seen the
    revisions listed on its report and confirms them. If the check again finds other revisions than
    those listed (someone changed the figures meanwhile), nothing is applied: the report lists the new
    ones (status still 'valid') for the person to confirm again.
    """
    data_return = DATA_RETURN_FLOW.lock(data_return)
    permissions.check(by, rules.DATA_RETURN_SUBMIT, data_return.partner)
    if data_return.status == DataReturn.Status.APPLIED:
        raise ValidationError("This data return has already been applied")
    DATA_RETURN_FLOW.begin("apply", data_return, by=by, lock=False)
    if data_return.revision_count and confirm_revisions is not True:
        raise ValidationError(
            {
                "confirm_revisions": [
                    "Confirm that the revised figures listed on the report replace what the board holds "
                    f"('{revisions_confirm_text(data_return.revision_count)}')"
                ]
            }
        )
    # Serialise writers of this partner's figures: one apply or API batch at a time.
    writers_lock(data_return.partner_id)
    report = _read_report(data_return)
    if not report.ok:
        _finish_with_report(
            data_return,
            report,
            "recheck_failed",
            by=by,
            summary=f"Data return {data_return.pk} no longer passes its checks and was not applied",
        )
        return data_return
    listed = report.revisions[: DataReturn.MAX_STORED_REVISIONS]
    if report.changes["revised"] and (
        report.changes["revised"] != data_return.revision_count or listed != data_return.revisions
    ):
        _finish_with_report(
            data_return,
            report,
            "revisions_changed",
            by=by,
            summary=f"Data return {data_return.pk} was not applied: the figures it revises changed since "
            f"its checks ({report.changes['revised']} revisions now)",
        )
        return data_return
    counts = _observations_write(report.clean, provider=data_return.partner, by=by, data_return=data_return)
    snapshots_refresh_later(indicator_ids=report.clean["indicator_id"].astype(int).unique().tolist())
    DATA_RETURN_FLOW.finish(
        data_return,
        "apply",
        by=by,
        partner=data_return.partner,
        changes={"changes": counts, "revisions": listed, "applied_at": timezone.now(), "applied_by": by},
        audited=("changes", "applied_at", "applied_by"),
        summary=f"Data return {data_return.pk} applied: {counts['new']} new, {counts['revised']} revised, "
        f"{counts['unchanged']} unchanged",
    )
    return data_return


@transaction.atomic
def observations_submit_batch(*, partner: Partner, rows: list[dict], by) -> dict:
    """Save a batch of figures from a partner system, all or nothing; RowErrors lists what is wrong."""
    permissions.check(by, rules.DATA_RETURN_SUBMIT, partner)
    if not isinstance(rows, list):
        raise RowErrors(
            [
                {
                    "row": 0,
                    "column": "rows",
                    "message": "rows must be a list of objects",
                    "fix": 'Send {"rows": [{"indicator_code": ..., ...}, ...]}',
                }
            ]
        )
    if len(rows) > MAX_API_ROWS:
        raise RowErrors(
            [
                {
                    "row": 0,
                    "column": "rows",
                    "message": f"A batch can hold at most {MAX_API_ROWS:,} rows",
                    "fix": "Split the figures into smaller batches, or upload a data return file",
                }
            ]
        )
    writers_lock(partner.pk)
    report = validate_frame(frame_from_rows(rows), partner=partner, header_row=0)
    if not report.ok:
        raise RowErrors(report.errors[: DataReturn.MAX_STORED_ERRORS])
    batch_id = uuid.uuid4().hex[:16]
    counts = _observations_write(report.clean, provider=partner, by=by, batch_id=batch_id)
    snapshots_refresh_later(indicator_ids=report.clean["indicator_id"].astype(int).unique().tolist())
    audit_record(
        actor=by,
        partner=partner,
        action="observations.batch",
        object_type="targets.observation",
        object_id=batch_id,
        summary=f"{partner.short_name} sent {report.row_count} figures through the API: "
        f"{counts['new']} new, {counts['revised']} revised, {counts['unchanged']} unchanged",
        after={"batch_id": batch_id, **counts},
    )
    return {"batch_id": batch_id, **counts, "warnings": report.warnings, "revisions": report.revisions}


# --- Returns stuck in "Checking" -----------------------------------------------------------------
# A worker killed mid-check (SIGKILL, a container kill) leaves the return "Checking". The check's task
# is time-limited (targets.tasks.VALIDATE_TIME_LIMIT, 90 s), so one still "Checking" 15 s after that has
# stopped: this sweeper (beat, every 15 s) queues the checks again, within 2 minutes of the kill, and after
# the last attempt fails the return with a message the uploader sees. (Redis would hand the message to
# another worker only after the broker's visibility timeout, 10 minutes; the check is safe to repeat.)
STUCK_AFTER = timedelta(seconds=90 + 15)
MAX_VALIDATION_ATTEMPTS = 3
STUCK_MESSAGE = (
    "We could not finish checking this file: the checks stopped {n} times on our side. Upload it "
    "again; if it happens again, contact the PCC office."
)


def data_returns_sweep_stuck(*, now=None, by) -> dict:
    """Retry (or, after MAX_VALIDATION_ATTEMPTS, fail) every return checking for longer than STUCK_AFTER."""
    require_actor(by)
    now = now or timezone.now()
    cutoff = now - STUCK_AFTER
    stuck = DataReturn.objects.filter(status=DataReturn.Status.VALIDATING, validation_started_at__lt=cutoff)
    outcome = {"retried": 0, "failed": 0}
    for pk in list(stuck.values_list("pk", flat=True)):
        result = _data_return_unstick(data_return_id=pk, cutoff=cutoff, by=by)
        if result:
            outcome[result] += 1
    return outcome


@transaction.atomic
def _data_return_unstick(*, data_return_id: int, cutoff, by) -> str | None:
    data_return = DATA_RETURN_FLOW.lock(DataReturn(pk=data_return_id))
    if (
        data_return.status != DataReturn.Status.VALIDATING
        or not data_return.validation_started_at
        or data_return.validation_started_at >= cutoff
    ):
        return None  # finished, or started again, since the sweep looked
    attempts = data_return.validation_attempts
    if attempts >= MAX_VALIDATION_ATTEMPTS:
        DATA_RETURN_FLOW.finish(
            data_return,
            "fail",
            by=by,
            partner=data_return.partner,
            changes={"failure_message": STUCK_MESSAGE.format(n=attempts)},
            summary=f"Checks of data return {data_return.pk} stopped {attempts} times; it is marked as failed",
            after={"attempts": attempts},
        )
        return "failed"
    DATA_RETURN_FLOW.finish(
        data_return,
        "retry",
        by=by,
        partner=data_return.partner,
        changes={"progress": 0},
        summary=f"Checks of data return {data_return.pk} stopped part-way; queued again "
        f"(attempt {attempts + 1} of {MAX_VALIDATION_ATTEMPTS})",
        after={"attempts": attempts},
    )
    outbox_enqueue("targets.validate_data_return", data_return_id=data_return.pk)
    return "retried"
