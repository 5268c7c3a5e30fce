"""A return shows every figure it would revise (old → new, change in %), warns about big moves, and
replaces figures the board holds only when someone confirms it: on the page, through the API and
in the service."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from portal.models import AuditEvent
from targets import services
from targets.models import DataReturn, Observation
from tests.factories import csv_file, observe, upload

from ..conftest import signed_in
from .conftest import BIRMINGHAM, COVENTRY, FORCE

pytestmark = pytest.mark.usefixtures("media")

OCTOBER = (date(2025, 10, 1), date(2025, 10, 31))
HOM_OCTOBER = f"HOM,{FORCE},2025-10-01,2025-10-31,{{}},,,,,"


@pytest.fixture
def four_homicides(homicides, areas) -> Observation:
    """The board holds 4 homicides for October 2025."""
    return observe(homicides, areas[FORCE], *OCTOBER, "4")


def test_the_report_lists_each_revised_figure_with_old_and_new_value(
    police, police_officer, four_homicides, sv, areas, django_capture_on_commit_callbacks
):
    observe(sv, areas[BIRMINGHAM], *OCTOBER, "1.2", key="sex=Female", breakdown={"sex": "Female"})
    data_return = upload(
        police,
        police_officer,
        csv_file(
            HOM_OCTOBER.format(5),
            f"SV-1000,{BIRMINGHAM},2025-10-01,2025-10-31,0.9,,,,female,",
            f"SV-1000,{COVENTRY},2025-10-01,2025-10-31,1.0,,,,,",
        ),
        django_capture_on_commit_callbacks,
    )
    assert data_return.status == DataReturn.Status.VALID
    assert data_return.changes == {"new": 1, "revised": 2, "unchanged": 0}
    assert data_return.revisions == [
        {
            "row": 2,
            "indicator": "HOM",
            "area": FORCE,
            "area_name": "West Midlands",
            "period_start": "2025-10-01",
            "period_end": "2025-10-31",
            "breakdown": "All",
            "old": 4.0,
            "new": 5.0,
            "change_pct": 25.0,
            "note": "",
        },
        {
            "row": 3,
            "indicator": "SV-1000",
            "area": BIRMINGHAM,
            "area_name": "Birmingham",
            "period_start": "2025-10-01",
            "period_end": "2025-10-31",
            "breakdown": "Sex Female",
            "old": 1.2,
            "new": 0.9,
            "change_pct": -25.0,
            "note": "",
        },
    ]
    assert data_return.warnings == []  # 25% is within the 50% a revision may move


def test_a_revision_needs_confirming_in_the_service(
    police, police_officer, four_homicides, django_capture_on_commit_callbacks
):
    data_return = upload(police, police_officer, csv_file(HOM_OCTOBER.format(5)), django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as refused:
        services.data_return_apply(data_return=data_return, by=police_officer)
    assert "confirm_revisions" in refused.value.message_dict
    assert Observation.objects.get(is_current=True).value == Decimal("4")
    applied = services.data_return_apply(data_return=data_return, by=police_officer, confirm_revisions=True)
    assert applied.status == DataReturn.Status.APPLIED
    assert Observation.objects.get(is_current=True).value == Decimal("5")
    assert applied.revisions[0]["old"] == 4.0 and applied.revisions[0]["new"] == 5.0


def test_a_return_with_no_revisions_needs_no_confirmation(
    police, police_officer, homicides, django_capture_on_commit_callbacks
):
    data_return = upload(police, police_officer, csv_file(HOM_OCTOBER.format(5)), django_capture_on_commit_callbacks)
    assert data_return.revisions == [] and data_return.revision_count == 0
    assert services.data_return_apply(data_return=data_return, by=police_officer).status == DataReturn.Status.APPLIED


def test_revisions_that_changed_since_the_checks_are_shown_again_not_applied(
    police, police_officer, four_homicides, django_capture_on_commit_callbacks
):
    first = upload(police, police_officer, csv_file(HOM_OCTOBER.format(5)), django_capture_on_commit_callbacks)
    second = upload(police, police_officer, csv_file(HOM_OCTOBER.format(6)), django_capture_on_commit_callbacks)
    services.data_return_apply(data_return=first, by=police_officer, confirm_revisions=True)
    # The second return was checked against 4; the board now holds 5.
    result = services.data_return_apply(data_return=second, by=police_officer, confirm_revisions=True)
    assert result.status == DataReturn.Status.VALID
    assert result.revisions[0]["old"] == 5.0 and result.revisions[0]["new"] == 6.0
    assert Observation.objects.get(is_current=True).value == Decimal("5")
    assert AuditEvent.objects.filter(action="data_return.revisions_changed", object_id=str(second.pk)).exists()
    again = services.data_return_apply(data_return=second, by=police_officer, confirm_revisions=True)
    assert again.status == DataReturn.Status.APPLIED


def test_figures_that_became_held_since_the_checks_need_confirming(
    police, police_officer, homicides, django_capture_on_commit_callbacks
):
    first = upload(police, police_officer, csv_file(HOM_OCTOBER.format(5)), django_capture_on_commit_callbacks)
    second = upload(police, police_officer, csv_file(HOM_OCTOBER.format(6)), django_capture_on_commit_callbacks)
    assert second.revision_count == 0  # nothing held when it was checked
    services.data_return_apply(data_return=first, by=police_officer)
    result = services.data_return_apply(data_return=second, by=police_officer)
    assert result.status == DataReturn.Status.VALID and result.revision_count == 1
    assert Observation.objects.get(is_current=True).value == Decimal("5")


# --- Warnings about revisions --------------------------------------------------------------------
def test_a_revision_beyond_the_indicators_threshold_is_a_warning(
    police, police_officer, four_homicides, django_capture_on_commit_callbacks
):
    data_return = upload(police, police_officer, csv_file(HOM_OCTOBER.format(7)), django_capture_on_commit_callbacks)
    assert data_return.status == DataReturn.Status.VALID
    assert [(w["row"], w["column"], w["message"]) for w in data_return.warnings] == [
        (
            2,
            "value",
            "This revises the figure we hold from 4 to 7 (+75%), more than the 50% expected of a revision to HOM",
        )
    ]


def test_the_threshold_is_set_per_indicator(
    police, police_officer, four_homicides, homicides, django_capture_on_commit_callbacks
):
    homicides.revision_warning_percent = 100
    homicides.save(update_fields=["revision_warning_percent"])
    data_return = upload(police, police_officer, csv_file(HOM_OCTOBER.format(7)), django_capture_on_commit_callbacks)
    assert data_return.warnings == []


def test_a_revision_from_zero_is_a_warning(
    police, police_officer, homicides, areas, django_capture_on_commit_callbacks
):
    observe(homicides, areas[FORCE], *OCTOBER, "0")
    data_return = upload(police, police_officer, csv_file(HOM_OCTOBER.format(3)), django_capture_on_commit_callbacks)
    assert [w["message"] for w in data_return.warnings] == [
        "This revises the figure we hold from 0 to 3 (up from 0), more than the 50% expected of a revision to HOM"
    ]
    assert data_return.revisions[0]["change_pct"] is None


# --- The pages -------------------------------------------------------------------------------------
def test_the_report_page_shows_old_and_new_and_the_csv_lists_them(
    police, police_officer, four_homicides, django_capture_on_commit_callbacks
):
    data_return = upload(police, police_officer, csv_file(HOM_OCTOBER.format(12)), django_capture_on_commit_callbacks)
    client = signed_in(police_officer)
    page = client.get(data_return.get_absolute_url()).content.decode()
    assert "Figures it would revise" in page and 'aria-labelledby="revisions-caption"' in page
    assert "October 2025" in page and "up 200%" in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">4</td>' in page
    assert "<strong>12</strong>" in page
    download = client.get(f"/data-returns/{data_return.pk}/revised-figures.csv")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:10] == [
        "Row",
        "Indicator",
        "Area code",
        "Area",
        "Period start",
        "Period end",
        "Breakdown",
        "Value held now",
        "Value in this return",
        "Change (%)",
    ]
    assert rows[1][:10] == ["2", "HOM", FORCE, "West Midlands", "2025-10-01", "2025-10-31", "All", "4", "12", "200.0"]


def test_the_revised_figures_are_paged(police, police_officer, sv, areas, django_capture_on_commit_callbacks):
    from targets.models import periods_between

    months = periods_between("monthly", date(2015, 1, 1), date(2025, 10, 31))[:60]
    for start, end in months:
        for code in (BIRMINGHAM, COVENTRY):
            observe(sv, areas[code], start, end, "1.0")
    rows = [f"SV-1000,{code},{start},{end},1.1,,,,," for start, end in months for code in (BIRMINGHAM, COVENTRY)]
    data_return = upload(police, police_officer, csv_file(*rows), django_capture_on_commit_callbacks)
    assert data_return.revision_count == 120
    client = signed_in(police_officer)
    first = client.get(data_return.get_absolute_url()).content.decode()
    assert "govuk-pagination" in first and "1 to 100 shown" in first
    second = client.get(data_return.get_absolute_url() + "?page=2").content.decode()
    assert "101 to 120 shown" in second and ">121</td>" in second


def test_applying_revisions_needs_the_tick_on_the_page(
    police, police_officer, four_homicides, django_capture_on_commit_callbacks
):
    data_return = upload(police, police_officer, csv_file(HOM_OCTOBER.format(5)), django_capture_on_commit_callbacks)
    client = signed_in(police_officer)
    url = f"/data-returns/{data_return.pk}/apply/"
    form = client.get(url).content.decode()
    assert "I confirm this figure replaces what the board holds" in form
    refused = client.post(url, {})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "There is a problem" in text and "Confirm that the revised figures replace what the board holds" in text
    assert Observation.objects.get(is_current=True).value == Decimal("4")
    done = client.post(url, {"confirm_revisions": "on"})
    assert done["Location"] == f"/data-returns/{data_return.pk}/applied/"
    assert Observation.objects.get(is_current=True).value == Decimal("5")
    applied = client.get(data_return.get_absolute_url()).content.decode()
    assert "Figures it revised" in applied and "Before" in applied


def test_a_return_without_revisions_shows_no_tick(
    police, police_officer, homicides, django_capture_on_commit_callbacks
):
    data_return = upload(police, police_officer, csv_file(HOM_OCTOBER.format(5)), django_capture_on_commit_callbacks)
    client = signed_in(police_officer)
    assert "confirm_revisions" not in client.get(f"/data-returns/{data_return.pk}/apply/").content.decode()
    assert client.post(f"/data-returns/{data_return.pk}/apply/")["Location"].endswith("/applied/")


def test_another_partner_cannot_download_the_revised_figures(
    police, police_officer, probation_officer, pcc_officer, four_homicides, django_capture_on_commit_callbacks
):
    data_return = upload(police, police_officer, csv_file(HOM_OCTOBER.format(5)), django_capture_on_commit_callbacks)
    assert signed_in(probation_officer).get(f"/data-returns/{data_return.pk}/revised-figures.csv").status_code == 404
    assert signed_in(pcc_officer).get(f"/data-returns/{data_return.pk}/revised-figures.csv").status_code == 200


# --- The API -------------------------------------------------------------------------------------
def test_the_api_lists_revisions_and_apply_needs_the_flag(
    police, police_officer, four_homicides, django_capture_on_commit_callbacks
):
    client = signed_in(police_officer)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/data-returns/", {"file": csv_file(HOM_OCTOBER.format(5))})
    pk = created.json()["id"]
    detail = client.get(f"/api/v1/data-returns/{pk}/").json()
    assert detail["revision_count"] == 1
    assert (detail["revisions"][0]["old"], detail["revisions"][0]["new"]) == (4.0, 5.0)
    assert "revisions" not in client.get("/api/v1/data-returns/").json()["results"][0]

    refused = client.post(f"/api/v1/data-returns/{pk}/apply/", {}, content_type="application/json")
    assert refused.status_code == 400
    assert '{"confirm_revisions": true}' in refused.json()["confirm_revisions"][0]
    assert Observation.objects.get(is_current=True).value == Decimal("4")
    applied = client.post(
        f"/api/v1/data-returns/{pk}/apply/", {"confirm_revisions": True}, content_type="application/json"
    )
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    assert Observation.objects.get(is_current=True).value == Decimal("5")


def test_an_api_batch_says_what_it_revised(police_officer, four_homicides):
    response = signed_in(police_officer).post(
        "/api/v1/observations/",
        {
            "rows": [
                {
                    "indicator_code": "HOM",
                    "area_code": FORCE,
                    "period_start": "2025-10-01",
                    "period_end": "2025-10-31",
                    "value": 5,
                }
            ]
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert [(r["old"], r["new"]) for r in response.json()["revisions"]] == [(4.0, 5.0)]
