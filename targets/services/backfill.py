"""Loading a partner's history from one large CSV (manage.py backfill_observations): the operator's tool for
what is too big to upload, such as the years of figures a partner holds when it joins the board.

The file goes through the same checks as an uploaded return and the same write path (targets.services.ingest:
COPY and set-based statements on PostgreSQL), a chunk of rows at a time so memory stays bounded, all in one
transaction: any row with an error, or the same figure twice anywhere in the file, and nothing is saved. One
audit event records what was loaded."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
from django.db import transaction

from partners.models import Partner
from portal import permissions
from portal.actors import require_actor
from portal.audit import audit_record

from .. import rules
from ..models import DataReturn
from ..validation import RowErrors, validate_frame
from .ingest import observations_write, writers_lock
from .snapshots import snapshots_refresh_later

BACKFILL_CHUNK_ROWS = 50_000
KEY = ["indicator_id", "area_id", "start", "breakdown_key"]


def _chunks(path: Path, chunk_rows: int):
    """The file as tables of strings, indexed by row number (header = row 1), chunk_rows at a time."""
    reader = pd.read_csv(
        path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=False, chunksize=chunk_rows
    )
    first = 2
    for chunk in reader:
        chunk.index = pd.RangeIndex(first, first + len(chunk))
        first += len(chunk)
        yield chunk


@transaction.atomic
def observations_backfill(*, partner: Partner, path: Path, by, chunk_rows: int = BACKFILL_CHUNK_ROWS) -> dict:
    """Check and write every row of a CSV of the partner's figures, all or nothing; RowErrors lists problems."""
    require_actor(by)
    permissions.check(by, rules.DATA_RETURN_SUBMIT, partner)
    writers_lock(partner.pk)  # one writer of the partner's figures at a time
    counts = {"new": 0, "revised": 0, "unchanged": 0}
    rows = 0
    seen: list[pd.DataFrame] = []
    indicator_ids: set[int] = set()
    for chunk in _chunks(Path(path), chunk_rows):
        report = validate_frame(chunk, partner=partner)
        if not report.ok:
            raise RowErrors(report.errors[: DataReturn.MAX_STORED_ERRORS])
        keys = report.clean[[*KEY, "row"]]
        seen.append(keys)
        written = observations_write(
            report.clean, provider_id=partner.pk, actor_id=_actor_id(by), data_return_id=None, batch_id=""
        )
        for name, n in written.items():
            counts[name] += n
        rows += report.row_count
        indicator_ids.update(report.clean["indicator_id"].astype(int).unique().tolist())
    if not rows:
        raise RowErrors([{"row": 1, "column": "", "message": "The file has no rows", "fix": "Add rows"}])
    _refuse_repeats(pd.concat(seen, ignore_index=True))
    snapshots_refresh_later(indicator_ids=sorted(indicator_ids))
    digest = _sha256(Path(path))
    audit_record(
        actor=by,
        partner=partner,
        action="observations.backfill",
        object_type="targets.observation",
        object_id=digest[:16],
        summary=f"{partner.short_name}'s history loaded from {Path(path).name}: {rows:,} rows, "
        f"{counts['new']:,} new, {counts['revised']:,} revised, {counts['unchanged']:,} unchanged",
        after={"file": Path(path).name, "sha256": digest, "rows": rows, **counts},
    )
    return {"rows": rows, **counts}


def _refuse_repeats(keys: pd.DataFrame) -> None:
    """The same figure (indicator, area, period, breakdown) twice in the file, across chunks: nothing is saved.

    (Within a chunk the checks already refuse it; across chunks the later row would otherwise revise the
    earlier one.)"""
    repeated = keys[keys.duplicated(subset=KEY, keep="first")]
    if repeated.empty:
        return
    first = keys.groupby(KEY, sort=False)["row"].transform("first")
    raise RowErrors(
        [
            {
                "row": int(row),
                "column": "",
                "message": f"This figure is already in the file at row {int(first.loc[i])}",
                "fix": "Keep one row for each indicator, area, period and breakdown",
            }
            for i, row in repeated["row"].head(DataReturn.MAX_STORED_ERRORS).items()
        ]
    )


def _actor_id(by) -> int | None:
    return by.pk if getattr(by, "is_authenticated", False) else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
