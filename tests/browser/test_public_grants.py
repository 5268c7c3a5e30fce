"""The public grants page in a browser, as a visitor who never signs in, at 320 px and 1280 px: it passes axe-core
and never scrolls sideways, its scripts run under the CSP, the filters work without JavaScript, and its links lead
to the PCC decision on the register and to the 360Giving data."""

from __future__ import annotations

import json
from datetime import date

import pytest

from funding import services
from funding.models import Fund
from partners.models import Area, Partner, Role
from tests.factories import SYSTEM, make_partner, make_person
from tests.funding.test_threesixty import awarded, granted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 1280)
SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"
OPENED = date(2026, 12, 7)


def _grants() -> dict:
    """Two grants from the rape victim support fund, one of them serving three areas with long names."""
    opcc = make_partner("opcc", Partner.Kind.PCC_OFFICE, "Office of the Police and Crime Commissioner")
    pcc_officer, pcc = make_person(opcc, Role.PCC_OFFICER), make_person(opcc, Role.PCC)
    victims = make_partner("victims-services", Partner.Kind.VICTIM_SERVICES, "Victim Support West Midlands")
    officer = make_person(victims, Role.OFFICER)
    organisation = services.organisation_register(
        by=SYSTEM, name="Victim Support West Midlands", org_id="GB-CHC-1234567", partner=victims
    )
    fund = services.fund_create(
        by=pcc_officer,
        name="Rape victim support",
        kind=Fund.Kind.RAPE_VICTIM_SUPPORT,
        financial_year=2026,
        budget="100000.00",
    )
    round_ = services.round_open(
        round_=services.round_create(
            fund=fund,
            by=pcc_officer,
            title="Independent sexual violence advisers 2026-27",
            eligibility="Registered charities supporting victims in the West Midlands.",
            opens_on=date(2026, 12, 1),
            closes_on=date(2027, 1, 29),
            max_award="50000.00",
            criteria=[("Need", 100)],
        ),
        by=pcc_officer,
        today=OPENED,
    )
    areas = [
        Area.objects.create(code="E08000025", name="Birmingham", kind=Area.Kind.LOCAL_AUTHORITY),
        Area.objects.create(code="E07000218", name="North Warwickshire", kind=Area.Kind.LOCAL_AUTHORITY),
        Area.objects.create(code="E23000014", name="West Midlands police force area", kind=Area.Kind.FORCE_AREA),
    ]
    applications = [
        granted(round_, organisation, officer, amount="1234.56", title="Helpline evenings"),
        granted(round_, organisation, officer, amount="40000.00", title="ISVA service", areas=areas),
    ]
    services.round_close_for_applications(round_=round_, by=pcc_officer)
    return {a.project_title: awarded(a, pcc) for a in applications}


def test_a_visitor_reads_and_downloads_the_grants_without_signing_in(page, page_problems, axe_check):
    made = _grants()
    pages = ["/register/", "/register/grants/", "/register/grants/?q=helpline", "/register/grants/?year=1999"]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in pages:
            response = page.goto(path)
            assert response.status == 200, path
            assert not page.evaluate(SIDEWAYS), (path, width)
            axe_check(page)
            assert page.evaluate("() => document.body.classList.contains('govuk-frontend-supported')"), path
    assert not page_problems

    # from the register to the grants; the search works without a script
    page.goto("/register/")
    page.get_by_role("link", name="Grants awarded").click()
    page.get_by_label("Search").fill("ISVA")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("tr[data-grant]")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.grant)") == [str(made["ISVA service"].pk)]
    assert "£40,000.00" in rows.inner_text()

    # the PCC decision that made it, on the register
    decision = made["ISVA service"].pcc_decision
    rows.get_by_role("link", name=decision.reference).click()
    page.wait_for_url(f"**/register/decisions/{decision.year}/{decision.number}/")

    # the 360Giving data, from the page's links
    page.goto("/register/grants/")
    data = page.request.get(page.get_by_role("link", name="360Giving data (JSON)").get_attribute("href"))
    assert data.headers["content-type"] == "application/json"
    assert {g["title"] for g in json.loads(data.text())["grants"]} == {"Helpline evenings", "ISVA service"}
    with page.expect_download() as download:
        page.get_by_role("link", name="360Giving data (CSV)").click()
    assert "Helpline evenings" in open(download.value.path(), encoding="utf-8-sig").read()
