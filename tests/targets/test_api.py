"""The targets API: exact sets for each caller, 404 for rows another partner may not know exist."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from targets import services
from targets.models import DataReturn, Observation
from tests.factories import SYSTEM, csv_file, observe

from ..conftest import signed_in
from .conftest import BIRMINGHAM, COVENTRY, FORCE

pytestmark = pytest.mark.usefixtures("media")

ROW = {
    "indicator_code": "SV-1000",
    "area_code": BIRMINGHAM,
    "period_start": "2025-04-01",
    "period_end": "2025-04-30",
    "value": "1.2",
    "numerator": "120",
    "denominator": "100000",
}


@pytest.fixture
def figures(sv, reoffending, areas):
    return {
        "police_total": observe(sv, areas[BIRMINGHAM], date(2025, 4, 1), date(2025, 4, 30), "1.2"),
        "police_split": observe(
            sv,
            areas[BIRMINGHAM],
            date(2025, 4, 1),
            date(2025, 4, 30),
            "0.5",
            key="sex=Female",
            breakdown={"sex": "Female"},
        ),
        "probation_total": observe(reoffending, areas[FORCE], date(2025, 4, 1), date(2025, 6, 30), "25"),
    }


def result_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_observations_list_exactly_what_each_caller_may_see(figures, police_officer, probation_officer, pcc_officer):
    assert result_ids(signed_in(police_officer).get("/api/v1/observations/")) == {
        figures["police_total"].pk,
        figures["police_split"].pk,
    }
    assert result_ids(signed_in(probation_officer).get("/api/v1/observations/")) == {figures["probation_total"].pk}
    assert result_ids(signed_in(pcc_officer).get("/api/v1/observations/")) == {f.pk for f in figures.values()}


def test_observations_filter_by_code_area_period_and_breakdown(figures, pcc_officer):
    client = signed_in(pcc_officer)
    assert result_ids(client.get("/api/v1/observations/", {"indicator": "SV-1000", "breakdown": "total"})) == {
        figures["police_total"].pk
    }
    assert result_ids(client.get("/api/v1/observations/", {"area": FORCE})) == {figures["probation_total"].pk}
    assert result_ids(client.get("/api/v1/observations/", {"period_from": "2025-05-01"})) == set()
    assert client.get("/api/v1/observations/", {"period_from": "April"}).status_code == 400
    row = client.get("/api/v1/observations/", {"breakdown": "sex=Female"}).json()["results"][0]
    assert (row["indicator"], row["area"], row["breakdown"], row["value"]) == (
        "SV-1000",
        BIRMINGHAM,
        {"sex": "Female"},
        "0.5000",
    )


def test_a_batch_is_saved_whole_and_answered_201(sv, police_officer):
    response = signed_in(police_officer).post("/api/v1/observations/", {"rows": [ROW]}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert {k: response.json()[k] for k in ("new", "revised", "unchanged")} == {"new": 1, "revised": 0, "unchanged": 0}
    assert Observation.objects.get().value == Decimal("1.2")


def test_a_batch_with_errors_is_answered_400_with_row_numbers_and_nothing_saved(sv, police_officer):
    bad = {**ROW, "area_code": "E09999999"}
    response = signed_in(police_officer).post(
        "/api/v1/observations/", {"rows": [ROW, bad]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": 2,
            "column": "area_code",
            "message": "E09999999 is not an area code we know",
            "fix": "Use the ONS code of a police force area or local authority, for example E08000025 for Birmingham",
        }
    ]
    assert not Observation.objects.exists()


def test_a_batch_for_an_indicator_of_another_partner_is_refused(sv, probation_officer):
    response = signed_in(probation_officer).post(
        "/api/v1/observations/", {"rows": [ROW]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "SV-1000 is not an indicator your organisation provides"


def test_the_pcc_office_cannot_post_figures(sv, pcc_officer):
    response = signed_in(pcc_officer).post("/api/v1/observations/", {"rows": [ROW]}, content_type="application/json")
    assert response.status_code == 403


def test_anonymous_callers_are_refused(anonymous, figures):
    assert anonymous.get("/api/v1/observations/").status_code in (401, 403)


def upload(client, file, capture):
    with capture(execute=True):
        return client.post("/api/v1/data-returns/", {"file": file})


def test_a_return_is_uploaded_checked_and_visible_only_to_its_partner(
    sv, police_officer, probation_officer, pcc_officer, django_capture_on_commit_callbacks
):
    response = upload(
        signed_in(police_officer), csv_file(",".join(ROW.values()) + ",,,"), django_capture_on_commit_callbacks
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status_url"].endswith(f"/api/v1/data-returns/{body['id']}/")
    detail = signed_in(police_officer).get(f"/api/v1/data-returns/{body['id']}/").json()
    assert (detail["status"], detail["row_count"], detail["errors"]) == ("valid", 1, [])
    assert result_ids(signed_in(police_officer).get("/api/v1/data-returns/")) == {body["id"]}
    assert result_ids(signed_in(probation_officer).get("/api/v1/data-returns/")) == set()
    assert result_ids(signed_in(pcc_officer).get("/api/v1/data-returns/")) == {body["id"]}
    assert signed_in(probation_officer).get(f"/api/v1/data-returns/{body['id']}/").status_code == 404
    assert signed_in(probation_officer).post(f"/api/v1/data-returns/{body['id']}/apply/").status_code == 404

    applied = signed_in(police_officer).post(f"/api/v1/data-returns/{body['id']}/apply/")
    assert applied.status_code == 200
    assert applied.json()["status"] == "applied"
    assert Observation.objects.count() == 1


def test_an_invalid_return_reports_its_errors(sv, police_officer, django_capture_on_commit_callbacks):
    response = upload(
        signed_in(police_officer),
        csv_file(f"SV-1000,{COVENTRY},2025-04-01,2025-04-30,x,,,,,"),
        django_capture_on_commit_callbacks,
    )
    detail = signed_in(police_officer).get(response.json()["status_url"]).json()
    assert detail["status"] == "invalid"
    assert detail["errors"][0] | {} == {
        "row": 2,
        "column": "value",
        "message": "x is not a number",
        "fix": detail["errors"][0]["fix"],
    }
    assert signed_in(police_officer).post(f"/api/v1/data-returns/{detail['id']}/apply/").status_code == 400


def test_an_upload_that_is_not_a_spreadsheet_gets_a_clear_400(sv, police_officer, django_capture_on_commit_callbacks):
    fake = SimpleUploadedFile("figures.csv", b"\x00\x01\x02\x03" * 100)
    response = upload(signed_in(police_officer), fake, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "must be a CSV or XLSX file" in response.json()["file"][0]
    assert not DataReturn.objects.exists()


def test_targets_show_status_to_all_and_figures_only_where_shared(sv, areas, police, police_officer, probation_officer):
    priority = services.priority_create(title="Reduce violence", slug="reduce-violence", by=SYSTEM)
    target = services.target_create(
        priority=priority,
        indicator=sv,
        area=areas[BIRMINGHAM],
        owner=police,
        baseline_value="1.5",
        baseline_period_start=date(2024, 4, 1),
        baseline_period_end=date(2025, 3, 31),
        target_value="1.0",
        target_date=date(2026, 3, 31),
        by=SYSTEM,
    )
    observe(sv, areas[BIRMINGHAM], date(2025, 4, 1), date(2025, 4, 30), "1.2")
    mine = signed_in(police_officer).get("/api/v1/targets/").json()["results"]
    theirs = signed_in(probation_officer).get("/api/v1/targets/").json()["results"]
    assert [(t["id"], t["status"], t["figures_shared"], t["latest_value"]) for t in mine] == [
        (target.pk, "on_track", True, "1.2000")
    ]
    assert [(t["id"], t["status"], t["figures_shared"], t["latest_value"]) for t in theirs] == [
        (target.pk, "on_track", False, None)
    ]
    detail = signed_in(probation_officer).get(f"/api/v1/targets/{target.pk}/").json()
    assert (detail["status_label"], detail["latest_value"], len(detail["trajectory"])) == ("On track", None, 12)


def test_priorities_and_indicators_are_readable_by_everyone_with_a_role(sv, probation_officer):
    services.priority_create(title="Reduce violence", slug="reduce-violence", by=SYSTEM)
    client = signed_in(probation_officer)
    assert [p["slug"] for p in client.get("/api/v1/priorities/").json()["results"]] == ["reduce-violence"]
    assert client.get("/api/v1/priorities/reduce-violence/").json()["title"] == "Reduce violence"
    assert [i["code"] for i in client.get("/api/v1/indicators/").json()["results"]] == ["SV-1000"]
    indicator = client.get("/api/v1/indicators/SV-1000/").json()
    assert (indicator["provider"], indicator["breakdowns"]) == ("west-midlands-police", ["sex", "ethnicity"])
    assert client.get("/api/v1/indicators/NOPE/").status_code == 404


@pytest.mark.parametrize("numerator", ["1e20", "1e300", 1e20])
def test_a_batch_with_a_figure_too_large_to_store_is_answered_400_naming_row_and_column(sv, police_officer, numerator):
    row = {**ROW, "value": "100", "numerator": numerator, "denominator": numerator}
    response = signed_in(police_officer).post(
        "/api/v1/observations/", {"rows": [ROW, row]}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert {(e["row"], e["column"]) for e in response.json()["errors"]} >= {(2, "numerator"), (2, "denominator")}
    assert not Observation.objects.exists()


def test_a_return_with_a_figure_too_large_to_store_is_invalid_not_a_500(
    sv, police_officer, django_capture_on_commit_callbacks
):
    client = signed_in(police_officer)
    response = upload(
        client,
        csv_file(f"SV-1000,{BIRMINGHAM},2025-04-01,2025-04-30,1000,1e20,1e20,,,"),
        django_capture_on_commit_callbacks,
    )
    detail = client.get(response.json()["status_url"]).json()
    assert detail["status"] == "invalid"
    assert [(e["row"], e["column"]) for e in detail["errors"]] == [(2, "numerator"), (2, "denominator")]
    assert client.post(f"/api/v1/data-returns/{detail['id']}/apply/").status_code == 400
    assert not Observation.objects.exists()


# --- Filters narrow what the caller may see, never more ---------------------------------------------
def test_observation_filters_never_show_figures_the_caller_may_not_see(figures, sv, areas, probation_officer):
    client = signed_in(probation_officer)
    assert result_ids(client.get("/api/v1/observations/", {"indicator": "SV-1000"})) == set()  # police's
    assert result_ids(client.get("/api/v1/observations/", {"area": BIRMINGHAM, "history": "true"})) == set()
    assert result_ids(client.get("/api/v1/observations/", {"indicator": "reoff"})) == {figures["probation_total"].pk}


def test_replaced_revisions_come_back_only_with_history(sv, areas, police_officer, probation_officer):
    april = (date(2025, 4, 1), date(2025, 4, 30))
    old = observe(sv, areas[BIRMINGHAM], *april, "1.1", revision=1, is_current=False)
    new = observe(sv, areas[BIRMINGHAM], *april, "1.3", revision=2)
    client = signed_in(police_officer)
    assert result_ids(client.get("/api/v1/observations/")) == {new.pk}
    assert result_ids(client.get("/api/v1/observations/", {"history": "false"})) == {new.pk}
    assert result_ids(client.get("/api/v1/observations/", {"history": "true", "indicator": "sv-1000"})) == {
        old.pk,
        new.pk,
    }
    assert result_ids(signed_in(probation_officer).get("/api/v1/observations/", {"history": "true"})) == set()


def test_data_return_filters_show_only_the_callers_own_returns(police, probation, police_officer, pcc_officer):
    from portal import permissions

    def make(partner, status):
        data_return = DataReturn.objects.create(
            partner=partner, file_path="x.csv", original_filename="x.csv", kind="csv", sha256="0" * 64, status=status
        )
        permissions.grant("view_datareturn", partner.group, data_return)
        return data_return

    mine, theirs = make(police, DataReturn.Status.VALID), make(probation, DataReturn.Status.VALID)
    applied = make(police, DataReturn.Status.APPLIED)
    client = signed_in(police_officer)
    assert result_ids(client.get("/api/v1/data-returns/", {"status": "valid"})) == {mine.pk}
    assert result_ids(client.get("/api/v1/data-returns/", {"status": "applied"})) == {applied.pk}
    assert result_ids(signed_in(pcc_officer).get("/api/v1/data-returns/", {"status": "valid"})) == {
        mine.pk,
        theirs.pk,
    }


def test_target_filters_narrow_by_priority_owner_indicator_and_the_status_word(
    sv, reoffending, areas, police, probation, police_officer, probation_officer
):
    violence = services.priority_create(title="Reduce violence", slug="reduce-violence", by=SYSTEM)
    reoffend = services.priority_create(title="Reduce reoffending", slug="reduce-reoffending", by=SYSTEM)
    retired = services.priority_create(title="Old", slug="old", by=SYSTEM)

    def target(priority, indicator, area, owner):
        return services.target_create(
            priority=priority,
            indicator=indicator,
            area=areas[area],
            owner=owner,
            baseline_value="30",
            baseline_period_start=date(2024, 4, 1),
            baseline_period_end=date(2025, 3, 31),
            target_value="20",
            target_date=date(2026, 3, 31),
            by=SYSTEM,
        )

    on_track = target(violence, sv, BIRMINGHAM, police)
    no_data = target(reoffend, reoffending, FORCE, probation)
    hidden = target(retired, sv, COVENTRY, police)
    services.priority_update(priority=retired, active=False, by=SYSTEM)
    observe(sv, areas[BIRMINGHAM], date(2025, 4, 1), date(2025, 4, 30), "25")

    def listed(client, **filters) -> set[int]:
        return result_ids(client.get("/api/v1/targets/", filters))

    for client in (signed_in(police_officer), signed_in(probation_officer)):  # status words go to every role
        assert listed(client) == {on_track.pk, no_data.pk}
        assert listed(client, status="on_track") == {on_track.pk}
        assert listed(client, status="no_data") == {no_data.pk}
        assert listed(client, owner="west-midlands-police") == {on_track.pk}  # never the retired priority's
        assert listed(client, indicator="sv-1000", status="no_data") == set()
        assert listed(client, priority="reduce-reoffending", owner="probation-west-midlands") == {no_data.pk}
    response = signed_in(police_officer).get("/api/v1/targets/", {"priority": "old"})  # not an active priority
    assert response.status_code == 400 and list(response.json()) == ["priority"]
    assert hidden.pk not in listed(signed_in(police_officer), indicator="SV-1000")
