"""The public grants page (/register/grants/) and the 360Giving data (its downloads, and the API's
/api/v1/grants/360giving.json): anyone reads them without signing in, and a signed-in person gets the same;
published grants only (never a cancelled one, nor one made through a confidential decision); searched by
recipient or title, filtered by fund or financial year, a page at a time, in a bounded number of queries; the
downloads valid 360Giving data (tests/funding/test_threesixty.py's validation)."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft7Validator

from callins.models import PccDecision
from funding import public_views, services
from funding.models import Fund
from partners.models import Area
from portal import public as public_pages
from tests.conftest import signed_in
from tests.factories import just_now

from .conftest import TODAY
from .test_threesixty import (
    assert_valid_360giving,
    awarded,
    format_checker,
    granted,
    json_package,
    package_errors,
)

pytestmark = pytest.mark.django_db

PAGE = "/register/grants/"
JSON = "/register/grants/360giving.json"
CSV = "/register/grants/360giving.csv"
API = "/api/v1/grants/360giving.json"


def a_minute_later(monkeypatch) -> None:
    """Public pages are cached for a minute, whoever asks: a new cache namespace is the minute passing."""
    monkeypatch.setattr(public_pages, "NAMESPACE", f"public-page-{uuid.uuid4().hex}")


@pytest.fixture
def second_fund_round(pcc_officer):
    """The violence against women and girls fund of 2027-28, its round open now."""
    fund = services.fund_create(
        by=pcc_officer,
        name="Violence against women and girls",
        kind=Fund.Kind.VAWG,
        financial_year=2027,
        budget="80000",
    )
    made = services.round_create(
        fund=fund,
        by=pcc_officer,
        title="Safe spaces at night",
        eligibility="Registered charities in the West Midlands.",
        opens_on=date(2026, 12, 1),
        closes_on=date(2027, 1, 29),
        max_award="50000.00",
        criteria=[("Need", 100)],
    )
    return services.round_open(round_=made, by=pcc_officer, today=TODAY)


@pytest.fixture
def grants(round_, second_fund_round, organisation, victims_officer, pcc, pcc_officer):
    """Published: two from the rape victim support fund (2026-27), one from the VAWG fund (2027-28). Not: one
    cancelled, one through a confidential decision."""
    coventry = Area.objects.create(code="E08000026", name="Coventry", kind=Area.Kind.LOCAL_AUTHORITY)

    def apply(round_, amount, title, areas=()):
        return granted(round_, organisation, victims_officer, amount=amount, title=title, areas=areas)

    made = {
        "pence": apply(round_, "1234.56", "Helpline evenings"),
        "isva": apply(round_, "40000.00", "ISVA service", [coventry]),
        "night": apply(second_fund_round, "25000.00", "Night-time safe space"),
        "cancelled": apply(round_, "5000.00", "Kestrel cancelled work"),
        "confidential": apply(round_, "6000.00", "Kestrel safe house"),
    }
    for each in (round_, second_fund_round):
        services.round_close_for_applications(round_=each, by=pcc_officer)
    awards = {key: awarded(application, pcc) for key, application in made.items()}
    services.award_cancel(award=awards["cancelled"], by=pcc, reasons="The provider closed.", confirmed_at=just_now())
    # NOTE: no service marks an award's decision confidential yet; the register treats any such decision so.
    PccDecision.objects.filter(pk=awards["confidential"].pcc_decision_id).update(confidential=True)
    return awards


def titles(response) -> set[str]:
    """The projects listed on a grants page."""
    html = response.content.decode()
    return set(re.findall(r"<strong>Victim Support West Midlands</strong><br>([^<]+)", html))


# --- The page ---------------------------------------------------------------------------------------------------
def test_anyone_reads_the_published_grants_and_nothing_else(grants, anonymous):
    response = anonymous.get(PAGE)
    assert response.status_code == 200
    assert titles(response) == {"Helpline evenings", "ISVA service", "Night-time safe space"}
    html = response.content.decode()
    assert "Kestrel" not in html
    assert "£1,234.56" in html and "£40,000.00" in html and "£66,234.56 in all" in html
    decision = grants["isva"].pcc_decision
    assert f'href="/register/decisions/{decision.year}/{decision.number}/"' in html
    assert "Coventry" in html
    assert "Rape victim support 2026-27" in html


def test_a_signed_in_person_gets_the_same_page(grants, anonymous, victims_officer, pcc, monkeypatch):
    seen = anonymous.get(PAGE).content
    for person in (victims_officer, pcc):
        a_minute_later(monkeypatch)
        response = signed_in(person).get(PAGE)
        assert response.status_code == 200
        assert b"Sign out" not in response.content
        assert re.sub(rb'nonce="[^"]+"', b"", response.content) == re.sub(rb'nonce="[^"]+"', b"", seen)


def test_the_search_finds_grants_by_recipient_or_title(grants, anonymous):
    assert titles(anonymous.get(PAGE, {"q": "helpline"})) == {"Helpline evenings"}
    assert len(titles(anonymous.get(PAGE, {"q": "victim support"}))) == 3
    nothing = anonymous.get(PAGE, {"q": "kestrel"})
    assert titles(nothing) == set()
    assert "No grants match these filters." in nothing.content.decode()


def test_the_filters_narrow_by_fund_and_by_financial_year(grants, anonymous):
    vawg = grants["night"].fund
    assert titles(anonymous.get(PAGE, {"fund": vawg.pk})) == {"Night-time safe space"}
    assert titles(anonymous.get(PAGE, {"year": "2026"})) == {"Helpline evenings", "ISVA service"}
    assert titles(anonymous.get(PAGE, {"year": "2027", "q": "night"})) == {"Night-time safe space"}
    page = anonymous.get(PAGE).content.decode()
    assert '<option value="2026">2026-27</option>' in page and '<option value="2027">2027-28</option>' in page


def test_a_wrong_filter_is_shown_with_its_error_and_left_out(grants, anonymous):
    response = anonymous.get(PAGE, {"year": "1999"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert len(titles(response)) == 3


def test_the_grants_come_a_page_at_a_time(grants, anonymous, monkeypatch):
    monkeypatch.setattr(public_views, "PER_PAGE", 2)
    first, second = anonymous.get(PAGE), anonymous.get(PAGE, {"page": "2"})
    assert titles(first) == {"Night-time safe space", "ISVA service"}  # the latest first
    assert titles(second) == {"Helpline evenings"}
    assert "govuk-pagination" in first.content.decode()
    assert "3 grants" in second.content.decode()


def test_with_nothing_awarded_the_page_says_so(anonymous):
    response = anonymous.get(PAGE)
    assert response.status_code == 200
    assert "The PCC has not awarded any grants yet." in response.content.decode()


def test_the_page_costs_the_same_queries_whatever_the_number_of_grants(
    round_, organisation, victims_officer, pcc, pcc_officer, anonymous, monkeypatch, django_assert_max_num_queries
):
    areas = [
        Area.objects.create(code=f"E0800002{n}", name=f"District {n}", kind=Area.Kind.LOCAL_AUTHORITY) for n in range(3)
    ]
    applications = [
        granted(round_, organisation, victims_officer, amount="1000.00", title=f"Project {n}", areas=areas[: n % 3])
        for n in range(6)
    ]
    services.round_close_for_applications(round_=round_, by=pcc_officer)
    awarded(applications[0], pcc)
    with django_assert_max_num_queries(50) as one:
        assert anonymous.get(PAGE).status_code == 200
    baseline = len(one.captured_queries)
    assert baseline <= 8  # the filters' choices, the count, the rows, their areas, the total
    for application in applications[1:]:
        awarded(application, pcc)
    a_minute_later(monkeypatch)
    with django_assert_max_num_queries(baseline):
        response = anonymous.get(PAGE)
    assert len(titles(response)) == 6


def test_the_register_links_to_the_grants(anonymous):
    assert f'href="{PAGE}"' in anonymous.get("/register/").content.decode()


# --- The downloads and the API -------------------------------------------------------------------------------
def test_anyone_downloads_valid_360giving_data_of_the_published_grants(grants, anonymous):
    as_json, as_csv = anonymous.get(JSON), anonymous.get(CSV)
    assert (as_json.status_code, as_csv.status_code) == (200, 200)
    assert as_json["Content-Type"] == "application/json"
    assert as_json["Content-Disposition"] == 'attachment; filename="360giving-grants.json"'
    assert as_csv["Content-Type"].startswith("text/csv")
    assert as_csv["Content-Disposition"] == 'attachment; filename="360giving-grants.csv"'
    package = assert_valid_360giving(as_json.content, as_csv.content)
    assert {g["title"] for g in package["grants"]} == {"Helpline evenings", "ISVA service", "Night-time safe space"}
    assert b"Kestrel" not in as_json.content and b"Kestrel" not in as_csv.content


def test_the_api_gives_anyone_the_same_package(grants, anonymous, victims_officer):
    response = anonymous.get(API)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    package = json_package(response.content)
    assert not package_errors(package), package_errors(package)
    downloaded = json_package(anonymous.get(JSON).content)
    assert package["grants"] == downloaded["grants"]
    assert signed_in(victims_officer).get(API).status_code == 200


def test_the_apis_answer_is_what_its_schema_says(grants, anonymous):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][API]["get"]
    assert operation["security"] == [{}]  # open to anyone: no 401 documented, none given
    assert set(operation["responses"]) == {"200", "400", "429"}
    documented = operation["responses"]["200"]["content"]["application/json"]["schema"]
    errors = list(Draft7Validator(documented, format_checker=format_checker()).iter_errors(anonymous.get(API).json()))
    assert not errors, [e.message for e in errors]


def test_the_api_refuses_what_it_does_not_understand(anonymous):
    unknown = anonymous.get(API, {"fund": "1"})
    assert unknown.status_code == 400
    assert unknown.json()["unknown_parameters"] == ["fund"]
    assert anonymous.post(API, {}, content_type="application/json").status_code == 405


def test_the_api_is_limited_per_address(anonymous, monkeypatch):
    from portal import ratelimit

    monkeypatch.setattr(ratelimit, "PUBLIC_PAGES", ratelimit.Limit("public-page-test", 2, 300, "{count} in {period}"))
    assert [anonymous.get(API).status_code for _ in range(3)] == [200, 200, 429]
    refused = anonymous.get(API)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "detail" in refused.json()
