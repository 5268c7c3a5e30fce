"""Writing checked figures to the observations table: set-based on PostgreSQL, multi-row INSERTs elsewhere.

On PostgreSQL the rows to write (new figures and revisions) go to a temporary table with one COPY, then two
statements do the work the database is best at: one UPDATE retires every figure a revision replaces, one
INSERT … SELECT writes every new row (with its revision number), against the table's own indexes and
constraints. This is the shape of the floor PostgreSQL itself sets (COPY + INSERT … SELECT, measured beside
it by `make bench-ingest`). Unchanged rows are never sent. The caller's transaction makes it all or nothing:
a constraint broken by any row (another writer's figure, say) rolls back every row.

SQLite (the embedded default) has no COPY: the same rows go in multi-row INSERTs after one UPDATE.
"""

from __future__ import annotations

import io
import json

import pandas as pd
from django.db import connection
from django.utils import timezone

from partners.models import Partner

from ..models import BREAKDOWN_DIMENSIONS, Observation
from ..validation import decimal_or_none

WRITE_CHUNK = 2000
INSERT_ROWS_PER_STATEMENT = 500


def _number(text) -> str | None:
    """A checked number as stored: 4 decimal places, rounded as Django's DecimalField rounds (half to even).

    NOTE: rounded here, not by PostgreSQL's numeric input (which rounds halves away from zero), so that both
    databases store the same figure."""
    number = decimal_or_none(text)
    return None if number is None else str(number)


def _rows(to_write: pd.DataFrame):
    """(indicator, area, start, end, key, breakdown JSON, value, numerator, denominator, revision, current id)."""
    dims = list(BREAKDOWN_DIMENSIONS)
    columns = [
        "indicator_id",
        "area_id",
        "period_start",
        "period_end",
        "breakdown_key",
        "value_text",
        "numerator_text",
        "denominator_text",
        "revision_held",
        "current_id",
        *[f"{d}_text" for d in dims],
    ]
    for row in to_write[columns].itertuples(index=False, name=None):
        (indicator_id, area_id, start, end, key, value, numerator, denominator, held, current, *parts) = row
        yield [
            int(indicator_id),
            int(area_id),
            start,
            end,
            key,
            json.dumps({d: v for d, v in zip(dims, parts) if v}, separators=(", ", ": ")),
            _number(value),
            _number(numerator),
            _number(denominator),
            1 if pd.isna(held) else int(held) + 1,
            None if pd.isna(current) else int(current),
        ]


def writers_lock(partner_id: int) -> None:
    """One writer of a partner's figures at a time (an apply, an API batch, a backfill), until the commit.

    NOTE: FOR NO KEY UPDATE, not FOR UPDATE: another transaction that only refers to the partner (an upload's
    new return, checked at its commit with FOR KEY SHARE while it holds the audit chain's lock) must not wait
    for it, or it and a writer waiting for the audit lock deadlock (found by make loadtest)."""
    Partner.objects.select_for_update(no_key=True).only("pk").get(pk=partner_id)


def observations_write(
    clean: pd.DataFrame, *, provider_id: int, actor_id: int | None, data_return_id: int | None, batch_id: str
) -> dict:
    """Write checked rows (column 'change': new, revised or unchanged); returns the counts of each.

    Runs inside the caller's transaction, after the caller has locked the provider's row (one writer of a
    partner's figures at a time) and compared the rows with the figures held."""
    counts = {k: int((clean["change"] == k).sum()) for k in ("new", "revised", "unchanged")}
    to_write = clean[clean["change"] != "unchanged"]
    if to_write.empty:
        return counts
    common = {
        "provider_id": provider_id,
        "data_return_id": data_return_id,
        "batch_id": batch_id,
        "created_at": timezone.now(),
        "created_by_id": actor_id,
    }
    if connection.vendor == "postgresql":
        _write_copy(to_write, common)
    else:
        _write_inserts(list(_rows(to_write)), common)
    return counts


def _table() -> str:
    return connection.ops.quote_name(Observation._meta.db_table)


# The temporary table the rows are copied into: the observations table's columns, the breakdown as one text
# column a dimension (the JSON is built by the database), and the id of the figure a revision replaces.
COPY_COLUMNS = [
    "indicator_id",
    "area_id",
    "period_start",
    "period_end",
    "breakdown_key",
    *BREAKDOWN_DIMENSIONS,
    "value",
    "numerator",
    "denominator",
    "revision",
    "current_id",
]
PLAIN_NUMBER = r"-?\d{1,14}(?:\.\d{1,4})?"  # stored as written: no rounding to do


def temporary_table_sql(name: str) -> str:
    """CREATE TEMPORARY TABLE for COPY_COLUMNS, typed as the observations table's columns."""
    dims = "".join(f" {d} text," for d in BREAKDOWN_DIMENSIONS)
    return (
        f"CREATE TEMPORARY TABLE {name} ("
        " indicator_id bigint NOT NULL, area_id bigint NOT NULL, period_start date NOT NULL,"
        f" period_end date NOT NULL, breakdown_key varchar(200) NOT NULL,{dims}"
        " value numeric(18, 4) NOT NULL, numerator numeric(18, 4), denominator numeric(18, 4),"
        " revision integer NOT NULL, current_id bigint"
        ") ON COMMIT DROP"
    )


def copy_sql(name: str) -> str:
    """COPY … FROM STDIN for copy_text's CSV: an empty field is NULL (a number or dimension not given), but
    for the breakdown key, where it is the empty key of a figure without breakdown."""
    return f"COPY {name} ({', '.join(COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (breakdown_key))"


def insert_select_sql(name: str) -> str:
    """INSERT … SELECT of every row of the temporary table; parameters: provider, return, batch, at, by."""
    pairs = ", ".join(f"'{d}', {d}" for d in BREAKDOWN_DIMENSIONS)
    return (
        f"INSERT INTO {_table()} (indicator_id, area_id, period_start, period_end, breakdown_key, breakdown, value,"
        " numerator, denominator, revision, is_current, provider_id, data_return_id, batch_id, is_demo,"
        " created_at, created_by_id) "
        "SELECT indicator_id, area_id, period_start, period_end, breakdown_key,"
        f" jsonb_strip_nulls(jsonb_build_object({pairs})), value, numerator, denominator, revision, true,"
        f" %s, %s, %s, false, %s, %s FROM {name}"
    )


def _numbers(texts: pd.Series) -> pd.Series:
    """Checked numbers as text PostgreSQL stores unchanged: most as written; the rest (more than 4 decimal
    places, an exponent) rounded in Python as Django's DecimalField rounds (half to even), not by
    PostgreSQL's numeric input (which rounds halves away from zero)."""
    texts = texts.fillna("").astype(str)
    plain = texts.str.fullmatch(PLAIN_NUMBER) | (texts == "")
    if plain.all():
        return texts
    out = texts.copy()
    out[~plain] = [_number(t) or "" for t in texts[~plain]]
    return out


def copy_text(to_write: pd.DataFrame) -> io.StringIO:
    """The rows to write as CSV in COPY_COLUMNS order (pandas' C writer: no Python loop over the rows)."""
    held = to_write["revision_held"]
    table = pd.DataFrame(
        {
            "indicator_id": to_write["indicator_id"].astype("int64"),
            "area_id": to_write["area_id"].astype("int64"),
            "period_start": to_write["period_start"],
            "period_end": to_write["period_end"],
            "breakdown_key": to_write["breakdown_key"].fillna(""),
            **{d: to_write[f"{d}_text"].fillna("").astype(str) for d in BREAKDOWN_DIMENSIONS},
            "value": _numbers(to_write["value_text"]),
            "numerator": _numbers(to_write["numerator_text"]),
            "denominator": _numbers(to_write["denominator_text"]),
            "revision": held.fillna(0).astype("int64") + 1,
            "current_id": to_write["current_id"].astype("Int64"),
        }
    )
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, header=False, lineterminator="\n")
    buffer.seek(0)
    return buffer


def _write_copy(to_write: pd.DataFrame, common: dict) -> None:
    """COPY into a temporary table, then one UPDATE and one INSERT … SELECT (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(temporary_table_sql("incoming_observations"))
        cursor.copy_expert(copy_sql("incoming_observations"), copy_text(to_write))
        cursor.execute(
            f"UPDATE {_table()} AS held SET is_current = false FROM incoming_observations AS i "
            "WHERE held.id = i.current_id AND held.is_current"
        )
        cursor.execute(
            insert_select_sql("incoming_observations"),
            [
                common["provider_id"],
                common["data_return_id"],
                common["batch_id"],
                common["created_at"],
                common["created_by_id"],
            ],
        )
        # The foreign keys' checks of every row written, now rather than at the commit: the service audits
        # after this, and the audit chain's lock (portal/audit.py) is held from then to the commit, so
        # every other audited write in the portal would wait for these checks too.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("DROP TABLE incoming_observations")


def _write_inserts(rows: list[list], common: dict) -> None:
    """One UPDATE per chunk of revisions, then multi-row INSERTs (SQLite; no COPY there)."""
    revised = [row[10] for row in rows if row[10] is not None]
    for i in range(0, len(revised), WRITE_CHUNK):
        Observation.objects.filter(pk__in=revised[i : i + WRITE_CHUNK], is_current=True).update(is_current=False)
    ops = connection.ops
    created_at = ops.adapt_datetimefield_value(common["created_at"])
    columns = [
        "indicator_id",
        "area_id",
        "period_start",
        "period_end",
        "breakdown_key",
        "breakdown",
        "value",
        "numerator",
        "denominator",
        "revision",
        "is_current",
        "provider_id",
        "data_return_id",
        "batch_id",
        "is_demo",
        "created_at",
        "created_by_id",
    ]
    head = f"INSERT INTO {_table()} ({', '.join(ops.quote_name(c) for c in columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), INSERT_ROWS_PER_STATEMENT):
            chunk = rows[i : i + INSERT_ROWS_PER_STATEMENT]
            params = []
            for indicator_id, area_id, start, end, key, breakdown, value, numerator, denominator, revision, _ in chunk:
                params += [
                    indicator_id,
                    area_id,
                    ops.adapt_datefield_value(start),
                    ops.adapt_datefield_value(end),
                    key,
                    breakdown,
                    value,
                    numerator,
                    denominator,
                    revision,
                    True,
                    common["provider_id"],
                    common["data_return_id"],
                    common["batch_id"],
                    False,
                    created_at,
                    common["created_by_id"],
                ]
            cursor.execute(head + ", ".join([one] * len(chunk)), params)
