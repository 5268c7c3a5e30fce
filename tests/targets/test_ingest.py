"""Writing checked figures (targets.services.ingest): the same rows, history and refusals on both paths.

The suite runs twice: on SQLite (multi-row INSERTs) in make test and on PostgreSQL (COPY into a temporary
table, then one UPDATE and one INSERT … SELECT) in .ci/run, so every test here covers both paths."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from targets import services
from targets.models import Observation
from targets.services.ingest import observations_write
from targets.validation import frame_from_rows, validate_frame
from tests.factories import csv_file, observe, upload

from .conftest import BIRMINGHAM, COVENTRY

pytestmark = pytest.mark.usefixtures("media")


def rows_held():
    return [
        (o.area.code, o.breakdown_key, o.breakdown, o.value, o.numerator, o.denominator, o.revision, o.is_current)
        for o in Observation.objects.select_related("area").order_by("area__code", "breakdown_key", "revision")
    ]


def test_new_revised_and_unchanged_rows_keep_breakdowns_empty_numbers_rounding_and_history(
    police, police_officer, sv, django_capture_on_commit_callbacks
):
    first = upload(
        police,
        police_officer,
        csv_file(
            f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.00005,,,,,",  # half way: to even, as Django rounds
            f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,0.50015,,,,Female,White",
            f"SV-1000,{COVENTRY},2025-04-01,2025-04-30,0.9,90,100000,,,",
        ),
        django_capture_on_commit_callbacks,
    )
    assert first.changes == {"new": 3, "revised": 0, "unchanged": 0}
    services.data_return_apply(data_return=first, by=police_officer)
    assert rows_held() == [
        (BIRMINGHAM, "", {}, Decimal("1.0000"), None, None, 1, True),
        (
            BIRMINGHAM,
            "sex=Female;ethnicity=White",
            {"sex": "Female", "ethnicity": "White"},
            Decimal("0.5002"),
            None,
            None,
            1,
            True,
        ),
        (COVENTRY, "", {}, Decimal("0.9000"), Decimal("90.0000"), Decimal("100000.0000"), 1, True),
    ]

    second = upload(
        police,
        police_officer,
        csv_file(
            f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.1,,,,,",  # revised
            f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,0.5002,,,,Female,White",  # unchanged
            f"SV-1000,{COVENTRY},2025-04-01,2025-04-30,0.9,90,100000,,,",  # unchanged
            f"SV-1000,{COVENTRY},2025-05-01,2025-05-31,0.8,,,,Male,",  # new
        ),
        django_capture_on_commit_callbacks,
    )
    applied = services.data_return_apply(data_return=second, by=police_officer, confirm_revisions=True)
    assert applied.changes == {"new": 1, "revised": 1, "unchanged": 2}
    birmingham_total = Observation.objects.filter(area__code=BIRMINGHAM, breakdown_key="").order_by("revision")
    assert [(o.value, o.revision, o.is_current, o.data_return_id) for o in birmingham_total] == [
        (Decimal("1.0000"), 1, False, first.pk),
        (Decimal("1.1000"), 2, True, second.pk),
    ]
    may = Observation.objects.get(period_start=date(2025, 5, 1))
    assert (may.breakdown_key, may.breakdown, may.provider, may.created_by, may.data_return_id, may.is_demo) == (
        "sex=Male",
        {"sex": "Male"},
        police,
        police_officer,
        second.pk,
        False,
    )
    assert Observation.objects.count() == 5  # the unchanged rows were not written again


def test_a_batch_through_the_api_service_writes_with_its_batch_id(police, police_officer, sv):
    result = services.observations_submit_batch(
        partner=police,
        rows=[
            {
                "indicator_code": "SV-1000",
                "area_code": BIRMINGHAM,
                "period_start": "2025-04-01",
                "period_end": "2025-04-30",
                "value": "1.2",
            }
        ],
        by=police_officer,
    )
    held = Observation.objects.get()
    assert (held.batch_id, held.data_return_id, held.value, held.revision) == (
        result["batch_id"],
        None,
        Decimal("1.2000"),
        1,
    )


def test_a_row_the_database_refuses_leaves_every_figure_as_it_was(police, police_officer, sv, areas):
    """All or nothing: a figure written behind the checks' back (here: straight into the table) makes the
    database refuse one row, and the revision written before it is undone with it."""
    held = observe(sv, areas[BIRMINGHAM], date(2025, 4, 1), date(2025, 4, 30), "1.2")
    report = validate_frame(
        frame_from_rows(
            [
                {
                    "indicator_code": "SV-1000",
                    "area_code": code,
                    "period_start": "2025-04-01",
                    "period_end": "2025-04-30",
                    "value": value,
                }
                for code, value in ((BIRMINGHAM, "1.3"), (COVENTRY, "0.9"))
            ]
        ),
        partner=police,
        header_row=0,
    )
    assert report.ok and report.changes == {"new": 1, "revised": 1, "unchanged": 0}
    observe(sv, areas[COVENTRY], date(2025, 4, 1), date(2025, 4, 30), "0.7")  # now Coventry is held too
    before = rows_held()
    with pytest.raises(IntegrityError), transaction.atomic():
        observations_write(
            report.clean, provider_id=police.pk, actor_id=police_officer.pk, data_return_id=None, batch_id=""
        )
    assert rows_held() == before
    held.refresh_from_db()
    assert held.is_current


def test_postgresql_takes_copy_and_set_based_statements_and_sqlite_multi_row_inserts(police, police_officer, sv):
    rows = [
        {
            "indicator_code": "SV-1000",
            "area_code": BIRMINGHAM,
            "period_start": f"2024-{month:02d}-01",
            "period_end": f"2024-{month:02d}-{calendar.monthrange(2024, month)[1]}",
            "value": str(month),
        }
        for month in range(1, 13)
    ]
    with CaptureQueriesContext(connection) as queries:
        services.observations_submit_batch(partner=police, rows=rows, by=police_officer)
    writes = [
        q["sql"] for q in queries.captured_queries if "targets_observation" in q["sql"] and "SELECT" not in q["sql"][:6]
    ]
    if connection.vendor == "postgresql":
        # (the COPY itself goes through psycopg2's copy_expert, beside Django's query log)
        assert any(
            sql.startswith("CREATE TEMPORARY TABLE incoming_observations")
            for sql in (q["sql"] for q in queries.captured_queries)
        )
        assert [sql.split(" (")[0] for sql in writes if sql.startswith("INSERT")] == [
            'INSERT INTO "targets_observation"'
        ]
        assert "FROM incoming_observations" in next(sql for sql in writes if sql.startswith("INSERT"))
    else:
        inserts = [sql for sql in writes if sql.startswith("INSERT")]
        assert len(inserts) == 1 and inserts[0].count("), (") == 11  # one statement, twelve rows
    assert Observation.objects.filter(area__code=BIRMINGHAM, is_current=True).count() == 12


@pytest.mark.postgres
def test_writers_of_a_partners_figures_lock_its_row_without_blocking_rows_that_refer_to_it(
    police, police_officer, sv, django_capture_on_commit_callbacks
):
    """FOR NO KEY UPDATE: an upload's foreign-key check (FOR KEY SHARE at its commit, while it holds the audit
    chain's lock) never waits for an apply, which waits for that lock: the deadlock make loadtest found."""
    data_return = upload(
        police,
        police_officer,
        csv_file(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1.2,,,,,"),
        django_capture_on_commit_callbacks,
    )
    with CaptureQueriesContext(connection) as queries:
        services.data_return_apply(data_return=data_return, by=police_officer)
        services.observations_submit_batch(
            partner=police,
            rows=[
                {
                    "indicator_code": "SV-1000",
                    "area_code": COVENTRY,
                    "period_start": "2025-04-01",
                    "period_end": "2025-04-30",
                    "value": "1",
                }
            ],
            by=police_officer,
        )
    partner_locks = [
        q["sql"] for q in queries.captured_queries if 'FROM "partners_partner"' in q["sql"] and " FOR " in q["sql"]
    ]
    assert len(partner_locks) == 2
    assert all(sql.endswith("FOR NO KEY UPDATE") for sql in partner_locks), partner_locks
