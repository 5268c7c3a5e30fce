"""The priorities, indicators, targets and data return pages, for the people who use them."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Area, Role
from partners.services import area_upsert, membership_add
from portal import permissions
from targets import services
from targets.models import DataReturn, Indicator, Observation, Target
from tests.conftest import signed_in
from tests.factories import SYSTEM, add_monthly_totals, csv_file, make_indicator, upload_page

pytestmark = pytest.mark.django_db

FORCE = "E23000014"
HIDDEN = "The figures behind this status are not shared with your partner."
TAG = re.compile(r'class="govuk-tag govuk-tag--(\w+)">\s*(On track|At risk|Off track|No data)\s*<')


# --- Building the board's data through the services ---------------------------------------------
@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def force_area(db) -> Area:
    return area_upsert(code=FORCE, name="West Midlands (police force area)", kind=Area.Kind.FORCE_AREA, by=SYSTEM)


def make_count_indicator(provider, code="HOM", frequency=Indicator.Frequency.MONTHLY) -> Indicator:
    return make_indicator(
        code,
        provider,
        name=f"Indicator {code}",
        unit=Indicator.Unit.COUNT,
        frequency=frequency,
        geography=Area.Kind.FORCE_AREA,
        breakdowns=(),
        definition=f"What {code} counts",
        data_lag_note="About a month in arrears",
    )


def make_priority(slug="reduce-violence", leads=()):
    return services.priority_create(
        title=f"Priority {slug}", slug=slug, description="Fewer people hurt", lead_partners=leads, by=SYSTEM
    )


def make_target(priority, indicator, area, owner) -> Target:
    return services.target_create(
        priority=priority,
        indicator=indicator,
        area=area,
        owner=owner,
        baseline_value=Decimal("10"),
        baseline_period_start=date(2023, 4, 1),
        baseline_period_end=date(2023, 4, 30),
        target_value=Decimal("5"),
        target_date=date(2025, 3, 31),
        by=SYSTEM,
    )


@pytest.fixture
def board(police, force_area):
    """One priority, one police indicator with a year of demo figures, one target owned by the police."""
    indicator = make_count_indicator(police)
    priority = make_priority(leads=[police])
    target = make_target(priority, indicator, force_area, police)
    add_monthly_totals(indicator, force_area, 12, value="7")
    return {"priority": priority, "indicator": indicator, "target": target}


def returns_csv(rows, name="return.csv"):
    return csv_file(*rows, header="indicator_code,area_code,period_start,period_end,value", name=name)


def upload(client, capture, file):
    return upload_page(client, capture, file)


def body(response) -> str:
    return response.content.decode()


# --- Priorities, targets and indicators ---------------------------------------------------------
@pytest.mark.parametrize("who", ["police_officer", "probation_officer", "pcc_officer", "board_member"])
def test_priority_pages_render_for_every_role(request, board, who):
    client = signed_in(request.getfixturevalue(who))
    listing = client.get("/priorities/")
    assert listing.status_code == 200
    assert "Priority reduce-violence" in body(listing)
    detail = client.get(board["priority"].get_absolute_url())
    assert detail.status_code == 200
    text = body(detail)
    assert "How we decide the status" in text
    assert "govuk-tag--" in text and board["target"].display_title in text


def test_the_status_word_is_always_shown_with_its_colour(board, police_officer, probation_officer):
    colours = {"On track": "green", "At risk": "yellow", "Off track": "red", "No data": "grey"}
    for person in (police_officer, probation_officer):
        for url in (board["priority"].get_absolute_url(), board["target"].get_absolute_url(), "/priorities/"):
            tags = TAG.findall(body(signed_in(person).get(url)))
            assert tags, url
            # Latest figure 7 for April 2024; the trajectory expects about 7.4 then (lower is better).
            assert ("green", "On track") in tags
            assert all(colours[word] == colour for colour, word in tags if word in colours)


def test_the_provider_sees_the_figures_chart_table_and_history(board, police_officer):
    response = signed_in(police_officer).get(board["target"].get_absolute_url())
    assert response.status_code == 200
    text = body(response)
    assert 'type="application/json" id="target-chart-data"' in text
    assert "build/chart.umd.min.js" in text and "js/charts.js" in text
    assert "Actual and expected figures" in text
    assert "Revision history" in text
    assert "Synthetic demo data" in text
    assert HIDDEN not in text


def test_another_partner_sees_the_status_but_not_the_figures(board, probation_officer):
    response = signed_in(probation_officer).get(board["target"].get_absolute_url())
    assert response.status_code == 200
    text = body(response)
    assert HIDDEN in text
    assert "govuk-tag--" in text
    assert "target-chart-data" not in text and "Revision history" not in text
    assert "Synthetic demo data" not in text


def test_the_pcc_office_sees_every_figure(board, pcc_officer):
    text = body(signed_in(pcc_officer).get(board["target"].get_absolute_url()))
    assert "target-chart-data" in text and HIDDEN not in text


def test_a_missing_target_or_priority_is_404(board, police_officer):
    client = signed_in(police_officer)
    assert client.get("/targets/999999/").status_code == 404
    assert client.get("/priorities/no-such-priority/").status_code == 404
    assert client.get("/indicators/NO-SUCH/").status_code == 404


@pytest.mark.parametrize("who", ["police_officer", "probation_officer", "board_member"])
def test_the_indicator_catalogue_searches_and_filters(request, board, probation, who):
    make_count_indicator(probation, code="REOFF", frequency=Indicator.Frequency.QUARTERLY)
    client = signed_in(request.getfixturevalue(who))
    everything = body(client.get("/indicators/"))
    assert "HOM" in everything and "REOFF" in everything
    by_search = body(client.get("/indicators/?q=reoff"))
    assert "/indicators/REOFF/" in by_search and "/indicators/HOM/" not in by_search
    by_provider = body(client.get(f"/indicators/?provider={probation.pk}"))
    assert "/indicators/REOFF/" in by_provider and "/indicators/HOM/" not in by_provider
    by_frequency = body(client.get("/indicators/?frequency=monthly"))
    assert "/indicators/HOM/" in by_frequency and "/indicators/REOFF/" not in by_frequency


def test_the_indicator_catalogue_is_paginated(police, police_officer):
    for i in range(30):
        make_count_indicator(police, code=f"IND{i:02d}")
    client = signed_in(police_officer)
    first = body(client.get("/indicators/"))
    assert "30 indicators" in first and "govuk-pagination" in first
    assert "/indicators/IND29/" not in first
    assert "/indicators/IND29/" in body(client.get("/indicators/?page=2"))


def test_an_indicator_shows_its_definition_and_latest_figures_only_to_who_may_see_them(
    board, police_officer, probation_officer
):
    url = board["indicator"].get_absolute_url()
    mine = body(signed_in(police_officer).get(url))
    for words in ("What HOM counts", "Lower is better", "Monthly", "About a month in arrears", "West Midlands Police"):
        assert words in mine
    assert "April 2024" in mine and "Synthetic demo data" in mine
    theirs = body(signed_in(probation_officer).get(url))
    assert "What HOM counts" in theirs
    assert "The figures for this indicator are not shared with your partner." in theirs
    assert "April 2024" not in theirs


def test_the_partner_page_lists_the_targets_it_owns(board, police, probation_officer):
    text = body(signed_in(probation_officer).get(police.get_absolute_url()))
    assert "Remit and targets" in text
    assert board["target"].get_absolute_url() in text
    assert "Not shared" in text


# --- Query counts stay constant as the data grows -----------------------------------------------
def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["police_officer", "probation_officer"])
def test_priority_page_queries_do_not_grow_with_targets(
    request, police, force_area, who, django_assert_max_num_queries
):
    client = signed_in(request.getfixturevalue(who))
    small = make_priority("small")
    make_target(small, make_count_indicator(police, "S0"), force_area, police)
    add_monthly_totals(Indicator.objects.get(code="S0"), force_area, 3)
    baseline = _queries(client, small.get_absolute_url())

    large = make_priority("large")
    for i in range(12):
        indicator = make_count_indicator(police, f"L{i}")
        make_target(large, indicator, force_area, police)
        add_monthly_totals(indicator, force_area, 20)
    with django_assert_max_num_queries(baseline):
        assert client.get(large.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(baseline + 1):
        assert client.get("/priorities/").status_code == 200


@pytest.mark.parametrize("who", ["police_officer", "probation_officer"])
def test_target_page_queries_do_not_grow_with_figures(request, police, force_area, who, django_assert_max_num_queries):
    client = signed_in(request.getfixturevalue(who))
    priority = make_priority()
    small = make_target(priority, make_count_indicator(police, "S0"), force_area, police)
    add_monthly_totals(small.indicator, force_area, 2)
    baseline = _queries(client, small.get_absolute_url())

    large_indicator = make_count_indicator(police, "L0")
    large = make_target(priority, large_indicator, force_area, police)
    add_monthly_totals(large_indicator, force_area, 22)
    # Revisions too: retire the first year and send it again.
    Observation.objects.filter(indicator=large_indicator, period_start__lt=date(2024, 5, 1)).update(is_current=False)
    revised = [
        Observation(
            indicator=o.indicator,
            area=o.area,
            period_start=o.period_start,
            period_end=o.period_end,
            value=o.value + 1,
            provider=o.provider,
            revision=2,
        )
        for o in Observation.objects.filter(indicator=large_indicator, is_current=False)
    ]
    Observation.objects.bulk_create(revised)
    with django_assert_max_num_queries(baseline):
        assert client.get(large.get_absolute_url()).status_code == 200


# --- Data returns: the list, and who may see a return -------------------------------------------
@pytest.mark.parametrize("who", ["police_officer", "probation_officer", "pcc_officer", "board_member"])
def test_data_returns_list_renders_for_every_role(request, board, who):
    response = signed_in(request.getfixturevalue(who)).get("/data-returns/")
    assert response.status_code == 200
    submits = who.endswith("_officer") and who != "pcc_officer"
    assert ("Upload a data return" in body(response)) == submits


def test_data_returns_list_shows_my_partners_returns_only(
    board, police_officer, probation_officer, django_capture_on_commit_callbacks
):
    police_client = signed_in(police_officer)
    upload(
        police_client,
        django_capture_on_commit_callbacks,
        returns_csv([["HOM", FORCE, "2024-05-01", "2024-05-31", "6"]]),
    )
    mine = body(police_client.get("/data-returns/"))
    assert "return.csv" in mine and "Download the template as CSV" in mine
    theirs = body(signed_in(probation_officer).get("/data-returns/"))
    assert "return.csv" not in theirs and "Your partner has not uploaded any data returns yet." in theirs


def test_a_board_member_is_told_why_the_returns_list_is_empty(
    board, police_officer, board_member, django_capture_on_commit_callbacks
):
    upload(
        signed_in(police_officer),
        django_capture_on_commit_callbacks,
        returns_csv([["HOM", FORCE, "2024-05-01", "2024-05-31", "6"]]),
    )
    page = body(signed_in(board_member).get("/data-returns/"))
    assert "return.csv" not in page
    assert "visible to the partner that sends them and to the PCC office" in page
    assert "No data returns have been uploaded yet" not in page


def test_data_returns_list_is_paginated(board, police, police_officer):
    for i in range(30):
        data_return = DataReturn.objects.create(
            partner=police, file_path="x", original_filename=f"r{i:02d}.csv", kind="csv", sha256="0" * 64
        )
        permissions.grant("view_datareturn", police.group, data_return)
    text = body(signed_in(police_officer).get("/data-returns/"))
    assert "30 data returns" in text and "govuk-pagination" in text


def test_another_partner_gets_404_on_every_page_of_a_return(
    board, police_officer, probation_officer, pcc_officer, django_capture_on_commit_callbacks
):
    upload(
        signed_in(police_officer),
        django_capture_on_commit_callbacks,
        returns_csv([["HOM", FORCE, "2024-05-01", "2024-05-31", "6"]]),
    )
    data_return = DataReturn.objects.get()
    pages = [
        f"/data-returns/{data_return.pk}/",
        f"/data-returns/{data_return.pk}/progress/",
        f"/data-returns/{data_return.pk}/report.csv",
        f"/data-returns/{data_return.pk}/apply/",
        f"/data-returns/{data_return.pk}/applied/",
    ]
    other = signed_in(probation_officer)
    for url in pages:
        assert other.get(url).status_code == 404, url
    assert other.post(f"/data-returns/{data_return.pk}/apply/").status_code == 404
    assert Observation.objects.filter(data_return=data_return).count() == 0
    assert signed_in(pcc_officer).get(f"/data-returns/{data_return.pk}/").status_code == 200


def test_the_pcc_office_may_read_a_return_but_not_apply_it(
    board, police_officer, pcc_officer, django_capture_on_commit_callbacks
):
    upload(
        signed_in(police_officer),
        django_capture_on_commit_callbacks,
        returns_csv([["HOM", FORCE, "2024-05-01", "2024-05-31", "6"]]),
    )
    data_return = DataReturn.objects.get()
    pcc = signed_in(pcc_officer)
    text = body(pcc.get(data_return.get_absolute_url()))
    assert "Ready to apply" in text and "Apply these figures" not in text
    assert pcc.post(f"/data-returns/{data_return.pk}/apply/").status_code == 403
    assert DataReturn.objects.get().status == DataReturn.Status.VALID


# --- The template ------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_downloads_with_a_row_for_each_indicator(board, police_officer, fmt):
    response = signed_in(police_officer).get(f"/data-returns/template.{fmt}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:5] == ["indicator_code", "area_code", "period_start", "period_end", "value"]
        assert rows[1][0] == "HOM"


def test_the_template_is_refused_to_someone_who_cannot_submit_returns(board, pcc_officer, police_officer):
    assert signed_in(pcc_officer).get("/data-returns/template.csv").status_code == 403
    assert signed_in(police_officer).get("/data-returns/template.pdf").status_code == 404


# --- The upload journey -------------------------------------------------------------------------
def test_upload_check_apply_journey(board, police_officer, django_capture_on_commit_callbacks):
    client = signed_in(police_officer)
    form = client.get("/data-returns/upload/")
    assert form.status_code == 200 and 'type="file"' in body(form)

    response = upload(
        client,
        django_capture_on_commit_callbacks,
        returns_csv(
            [
                ["HOM", FORCE, "2024-05-01", "2024-05-31", "6"],
                ["HOM", FORCE, "2024-06-01", "2024-06-30", "5"],
            ]
        ),
    )
    data_return = DataReturn.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/data-returns/{data_return.pk}/progress/"
    report = client.get(response["Location"], follow=True)
    assert report.redirect_chain[-1][0] == f"/data-returns/{data_return.pk}/"
    text = body(report)
    assert "Ready to apply" in text and "What would change" in text
    assert "New figures" in text and "Apply these figures" in text
    assert Observation.objects.filter(data_return=data_return).count() == 0

    confirm = client.get(f"/data-returns/{data_return.pk}/apply/")
    assert confirm.status_code == 200 and "Apply these figures?" in body(confirm)
    done = client.post(f"/data-returns/{data_return.pk}/apply/", follow=True)
    assert done.redirect_chain[-1][0] == f"/data-returns/{data_return.pk}/applied/"
    assert "govuk-panel" in body(done) and "Figures applied" in body(done)
    assert sorted(Observation.objects.filter(data_return=data_return).values_list("value", flat=True)) == [
        Decimal("5"),
        Decimal("6"),
    ]
    # Applying again changes nothing and lands on the same success page.
    again = client.post(f"/data-returns/{data_return.pk}/apply/")
    assert again["Location"] == f"/data-returns/{data_return.pk}/applied/"
    assert Observation.objects.filter(data_return=data_return).count() == 2


def test_uploading_the_same_period_again_says_it_will_revise(board, police_officer, django_capture_on_commit_callbacks):
    client = signed_in(police_officer)
    # The board already holds 7 for May 2023 (demo figure).
    upload(client, django_capture_on_commit_callbacks, returns_csv([["HOM", FORCE, "2023-05-01", "2023-05-31", "8"]]))
    data_return = DataReturn.objects.get()
    text = body(client.get(data_return.get_absolute_url()))
    assert "Applying it will revise 1 figure" in text
    client.post(f"/data-returns/{data_return.pk}/apply/", {"confirm_revisions": "on"})
    current = Observation.objects.get(indicator=board["indicator"], period_start=date(2023, 5, 1), is_current=True)
    assert current.value == Decimal("8") and current.revision == 2
    history = body(client.get(board["target"].get_absolute_url()))
    assert "Replaced" in history and "Data return" in history


def test_a_bad_file_gets_a_report_with_row_and_column_and_changes_nothing(
    board, police_officer, django_capture_on_commit_callbacks
):
    client = signed_in(police_officer)
    before = Observation.objects.count()
    upload(
        client,
        django_capture_on_commit_callbacks,
        returns_csv(
            [
                ["HOM", FORCE, "2024-05-01", "2024-05-31", "6"],
                ["HOM", "E99999999", "2024-06-01", "2024-06-30", "lots"],
            ]
        ),
    )
    data_return = DataReturn.objects.get()
    assert data_return.status == DataReturn.Status.INVALID
    text = body(client.get(data_return.get_absolute_url()))
    assert "Has errors" in text and "Nothing has been saved" in text
    assert "E99999999 is not an area code we know" in text and "area_code" in text
    assert "lots is not a number" in text
    assert "Apply these figures" not in text
    # The row and column are in the downloadable report too.
    download = client.get(f"/data-returns/{data_return.pk}/report.csv")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Row", "Column", "Problem", "What to do"]
    assert ["3", "area_code"] == rows[1][:2]
    # It cannot be applied.
    assert client.post(f"/data-returns/{data_return.pk}/apply/")["Location"] == data_return.get_absolute_url()
    assert Observation.objects.count() == before


def test_no_file_says_select_a_file(board, police_officer):
    response = signed_in(police_officer).post("/data-returns/upload/", {})
    assert response.status_code == 200
    text = body(response)
    assert "govuk-error-summary" in text and "Select a CSV or XLSX file" in text
    assert DataReturn.objects.count() == 0


def test_a_file_the_portal_refuses_is_shown_as_a_field_error(board, police_officer):
    picture = SimpleUploadedFile("figures.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", content_type="text/csv")
    response = signed_in(police_officer).post("/data-returns/upload/", {"file": picture})
    assert response.status_code == 200
    text = body(response)
    assert "govuk-error-summary" in text and 'href="#id_file"' in text
    assert "must be a CSV or XLSX file" in text
    assert DataReturn.objects.count() == 0


def test_an_officer_of_two_partners_chooses_which_partner_the_return_is_for(
    board, police_officer, probation, django_capture_on_commit_callbacks
):
    membership_add(user=police_officer, partner=probation, role=Role.OFFICER, by=SYSTEM)
    client = signed_in(police_officer)
    assert 'name="partner"' in body(client.get("/data-returns/upload/"))
    missing = client.post(
        "/data-returns/upload/", {"file": returns_csv([["HOM", FORCE, "2024-05-01", "2024-05-31", "6"]])}
    )
    assert "Select the partner this return is for" in body(missing)
    upload_for = returns_csv([["HOM", FORCE, "2024-05-01", "2024-05-31", "6"]])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/data-returns/upload/", {"file": upload_for, "partner": probation.pk})
    data_return = DataReturn.objects.get()
    assert data_return.partner == probation
    # Probation does not provide HOM: the report says so.
    assert "HOM is not an indicator your organisation provides" in body(client.get(data_return.get_absolute_url()))


def test_uploading_is_refused_to_someone_who_cannot_submit_returns(board, pcc_officer):
    assert signed_in(pcc_officer).get("/data-returns/upload/").status_code == 403


def test_the_progress_page_checks_again_only_while_checking(board, police_officer):
    client = signed_in(police_officer)
    # Without running the on-commit task the return stays "uploaded", as while a worker is busy.
    client.post("/data-returns/upload/", {"file": returns_csv([["HOM", FORCE, "2024-05-01", "2024-05-31", "6"]])})
    data_return = DataReturn.objects.get()
    assert data_return.status == DataReturn.Status.UPLOADED
    progress = client.get(f"/data-returns/{data_return.pk}/progress/")
    assert progress.status_code == 200
    # a script checks again (no <meta refresh>: it would take screen readers back to the top each time)
    assert "js/progress" in body(progress) and 'http-equiv="refresh"' not in body(progress)
    assert client.get(data_return.get_absolute_url())["Location"] == f"/data-returns/{data_return.pk}/progress/"

    services.data_return_validate(data_return_id=data_return.pk, by=SYSTEM)
    finished = client.get(f"/data-returns/{data_return.pk}/progress/")
    assert finished.status_code == 302 and finished["Location"] == data_return.get_absolute_url()
    assert "js/progress" not in body(client.get(data_return.get_absolute_url()))
