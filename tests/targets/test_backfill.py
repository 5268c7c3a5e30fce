"""Loading a partner's history from a large CSV (manage.py backfill_observations): checked like a return,
written through the same path, a chunk at a time, all or nothing, audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from portal.actors import system
from portal.models import AuditEvent
from targets import services
from targets.models import Observation
from targets.validation import RowErrors
from tests.factories import HEADER

from .conftest import BIRMINGHAM, COVENTRY


def history(tmp_path, rows: list[str]):
    path = tmp_path / "history.csv"
    path.write_text(HEADER + "\n" + "".join(row + "\n" for row in rows))
    return path


def rows(n: int) -> list[str]:
    """n figures: Birmingham and Coventry, month by month from January 2020."""
    out = []
    for i in range(n):
        year, month = 2020 + (i // 2) // 12, (i // 2) % 12 + 1
        code = (BIRMINGHAM, COVENTRY)[i % 2]
        out.append(f"SV-1000,{code},{year}-{month:02d}-01,{year}-{month:02d}-{_last(year, month)},{i}.25,,,,,")
    return out


def _last(year: int, month: int) -> int:
    import calendar

    return calendar.monthrange(year, month)[1]


def test_every_chunk_is_checked_and_written_and_one_event_says_what_was_loaded(tmp_path, police, police_officer, sv):
    result = services.observations_backfill(
        partner=police, path=history(tmp_path, rows(7)), by=police_officer, chunk_rows=3
    )
    assert result == {"rows": 7, "new": 7, "revised": 0, "unchanged": 0}
    assert sorted(Observation.objects.values_list("value", flat=True)) == [Decimal(f"{i}.25") for i in range(7)]
    assert set(Observation.objects.values_list("provider_id", "created_by_id", "revision", "is_current")) == {
        (police.pk, police_officer.pk, 1, True)
    }
    event = AuditEvent.objects.get(action="observations.backfill")
    assert event.after["rows"] == 7 and event.after["new"] == 7 and len(event.after["sha256"]) == 64
    # the same file again: nothing new; one figure changed: one revision, history kept
    again = rows(7)
    again[4] = again[4].replace("4.25", "4.5")
    result = services.observations_backfill(
        partner=police, path=history(tmp_path, again), by=police_officer, chunk_rows=3
    )
    assert result == {"rows": 7, "new": 0, "revised": 1, "unchanged": 6}
    assert list(
        Observation.objects.filter(value__in=[Decimal("4.25"), Decimal("4.5")])
        .order_by("revision")
        .values_list("revision", "is_current")
    ) == [
        (1, False),
        (2, True),
    ]


def test_an_error_in_a_later_chunk_saves_nothing_and_names_the_row(tmp_path, police, police_officer, sv):
    bad = rows(7)
    bad[5] = bad[5].replace("5.25", "lots")  # row 7 of the file (header is row 1)
    with pytest.raises(RowErrors) as refused:
        services.observations_backfill(partner=police, path=history(tmp_path, bad), by=police_officer, chunk_rows=3)
    assert [(e["row"], e["column"], e["message"]) for e in refused.value.row_errors] == [
        (7, "value", "lots is not a number")
    ]
    assert not Observation.objects.exists()
    assert not AuditEvent.objects.filter(action="observations.backfill").exists()


def test_the_same_figure_in_two_chunks_saves_nothing(tmp_path, police, police_officer, sv):
    repeated = rows(4) + [rows(4)[1].replace("1.25", "9")]  # row 6 repeats row 3, in another chunk
    with pytest.raises(RowErrors) as refused:
        services.observations_backfill(
            partner=police, path=history(tmp_path, repeated), by=police_officer, chunk_rows=2
        )
    assert [(e["row"], e["message"]) for e in refused.value.row_errors] == [
        (6, "This figure is already in the file at row 3")
    ]
    assert not Observation.objects.exists()


def test_another_partners_officer_may_not_load_the_police_figures(tmp_path, police, probation_officer, sv):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.observations_backfill(partner=police, path=history(tmp_path, rows(2)), by=probation_officer)
    assert not Observation.objects.exists()


def test_the_command_loads_as_the_system_and_says_what_is_wrong(tmp_path, police, sv, capsys):
    call_command("backfill_observations", str(history(tmp_path, rows(4))), "--partner", police.slug)
    assert "Loaded 4 rows" in capsys.readouterr().out
    assert Observation.objects.count() == 4
    assert AuditEvent.objects.get(action="observations.backfill").actor_label == system("backfill of history.csv").label
    with pytest.raises(CommandError, match="row 2, value: nope is not a number"):
        call_command(
            "backfill_observations",
            str(history(tmp_path, [rows(5)[4].replace("4.25", "nope")])),
            "--partner",
            police.slug,
        )
    with pytest.raises(CommandError, match="no partner with the slug 'nobody'"):
        call_command("backfill_observations", str(history(tmp_path, rows(1))), "--partner", "nobody")
    assert Observation.objects.count() == 4
