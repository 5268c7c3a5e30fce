"""The template a partner downloads: its example rows are marked, refused if sent back unchanged, taken
once typed over; its numbers are numbers in the XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from targets import services
from targets.models import DataReturn, Indicator, Observation, last_complete_period
from tests.factories import observe

from ..conftest import signed_in
from .conftest import FORCE

pytestmark = pytest.mark.usefixtures("media")


def download(user, fmt: str) -> bytes:
    response = signed_in(user).get(f"/data-returns/template.{fmt}")
    assert response.status_code == 200
    return response.content


def upload(partner, by, name: str, content: bytes, capture) -> DataReturn:
    with capture(execute=True):
        data_return = services.data_return_upload(
            partner=partner, by=by, uploaded_file=SimpleUploadedFile(name, content)
        )
    data_return.refresh_from_db()
    return data_return


def example_month() -> tuple[date, date]:
    """The period the template's monthly example rows name, from the same clock as the template."""
    return last_complete_period(Indicator.Frequency.MONTHLY, timezone.localdate())


def month_before(start: date) -> tuple[date, date]:
    return last_complete_period(Indicator.Frequency.MONTHLY, start)


@pytest.fixture
def held(homicides, areas):
    """The board holds a figure for the period the template's example row names (last month)."""
    start, end = example_month()
    return observe(homicides, areas[FORCE], start, end, "4")


def test_the_template_marks_its_example_rows(police_officer, homicides, sv):
    rows = list(csv.reader(io.StringIO(download(police_officer, "csv").decode("utf-8-sig"))))
    assert rows[0][-1] == "example"
    assert [row[0] for row in rows[1:]] == ["HOM", "SV-1000"]
    assert all(row[-1] == "example" for row in rows[1:])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_uploaded_unchanged_is_refused_and_changes_nothing(
    fmt, police, police_officer, homicides, sv, held, django_capture_on_commit_callbacks
):
    data_return = upload(
        police, police_officer, f"template.{fmt}", download(police_officer, fmt), django_capture_on_commit_callbacks
    )
    assert data_return.status == DataReturn.Status.INVALID
    assert [(e["row"], e["message"]) for e in data_return.errors] == [
        (2, "Row 2 is the template's example: delete it"),
        (3, "Row 3 is the template's example: delete it"),
    ]
    assert Observation.objects.get(is_current=True).value == 4


def test_the_xlsx_template_stores_numbers_as_numbers(police_officer, homicides, sv):
    sheet = load_workbook(io.BytesIO(download(police_officer, "xlsx"))).active
    header = [cell.value for cell in sheet[1]]
    hom, sv_row = ({h: c for h, c in zip(header, row)} for row in sheet.iter_rows(min_row=2))
    assert (hom["value"].data_type, hom["value"].value) == ("n", 12)
    assert (sv_row["value"].value, sv_row["numerator"].value, sv_row["denominator"].value) == (2.5, 250, 100000)
    assert all(sv_row[c].data_type == "n" for c in ("value", "numerator", "denominator"))
    assert hom["example"].value == "example"


def test_the_xlsx_template_filled_in_as_excel_would_is_taken(
    police, police_officer, homicides, sv, held, django_capture_on_commit_callbacks
):
    workbook = load_workbook(io.BytesIO(download(police_officer, "xlsx")))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    col = {name: i + 1 for i, name in enumerate(header)}
    # Typed over, as a person does in Excel: numbers, and dates that Excel turns into real dates.
    sheet.cell(2, col["value"], 5)
    # The second row moved to the month before the example's: a figure the board does not hold yet.
    start, end = month_before(example_month()[0])
    sheet.cell(3, col["period_start"], datetime.combine(start, time()))
    sheet.cell(3, col["period_end"], datetime.combine(end, time()))
    sheet.cell(3, col["value"], 1.1)
    sheet.cell(3, col["numerator"], 110)
    sheet.cell(3, col["denominator"], 100000)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data_return = upload(police, police_officer, "ours.xlsx", buffer.getvalue(), django_capture_on_commit_callbacks)
    assert data_return.status == DataReturn.Status.VALID, data_return.errors
    assert data_return.changes == {"new": 1, "revised": 1, "unchanged": 0}
    assert data_return.revisions[0]["old"] == 4.0 and data_return.revisions[0]["new"] == 5.0


def test_the_csv_template_with_the_example_deleted_is_taken(
    police, police_officer, homicides, sv, django_capture_on_commit_callbacks
):
    rows = list(csv.reader(io.StringIO(download(police_officer, "csv").decode("utf-8-sig"))))
    mine = io.StringIO()
    writer = csv.writer(mine)
    writer.writerow(rows[0])
    start, end = month_before(example_month()[0])
    writer.writerow(["HOM", FORCE, start.isoformat(), end.isoformat(), "3", "", "", "", "", "", ""])
    data_return = upload(
        police, police_officer, "ours.csv", mine.getvalue().encode(), django_capture_on_commit_callbacks
    )
    assert data_return.status == DataReturn.Status.VALID, data_return.errors
    assert data_return.warnings == []
