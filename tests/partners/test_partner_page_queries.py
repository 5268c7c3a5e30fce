"""The partner page shows its targets a page at a time and its latest agreements, in a constant number of
queries whatever the partner owns, employs or shares."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Area, Partner, Role
from partners.views import PARTNER_AGREEMENTS_SHOWN, PARTNER_PAGE_ROWS
from targets import services
from targets.models import Indicator
from targets.services.snapshots import target_snapshots_refresh
from tests.conftest import signed_in
from tests.factories import SYSTEM, AreaFactory, add_monthly_totals, make_dsa, make_person

MAX_QUERIES = 25
PAGE = "/partners/west-midlands-police/"


@pytest.fixture
def force(db) -> Area:
    return AreaFactory(code="E23000014", name="West Midlands", kind=Area.Kind.FORCE_AREA)


def grow(police: Partner, probation: Partner, force: Area, *, first: int, last: int) -> None:
    """Targets (with two years of monthly figures), people and agreements of the police, numbered first..last-1."""
    for n in range(first, last):
        indicator = services.indicator_create(
            code=f"PP-{n}",
            name=f"Indicator {n}",
            unit=Indicator.Unit.COUNT,
            polarity=Indicator.Polarity.LOWER_IS_BETTER,
            frequency=Indicator.Frequency.MONTHLY,
            geography=Area.Kind.FORCE_AREA,
            provider=police,
            by=SYSTEM,
        )
        services.target_create(
            priority=services.priority_create(title=f"Priority {n}", slug=f"priority-{n}", by=SYSTEM),
            indicator=indicator,
            area=force,
            owner=police,
            baseline_value=10,
            baseline_period_start=date(2023, 4, 1),
            baseline_period_end=date(2024, 3, 31),
            target_value=8,
            target_date=date(2026, 3, 31),
            by=SYSTEM,
        )
        add_monthly_totals(indicator, force, 24, value=str(8 + n % 4), demo=False)
        make_person(police, Role.OFFICER if n % 2 else Role.SIGNATORY)
        make_dsa(police, [probation], [indicator], title=f"Agreement {n}")


def page_queries(user, path: str) -> int:
    """Queries to answer the page for a person (signed in beforehand; the session's first request warms it)."""
    client = signed_in(user)
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


@pytest.mark.parametrize("refreshed", [True, False], ids=["snapshots", "no snapshot yet"])
@pytest.mark.parametrize("person", ["police_officer", "probation_officer", "pcc_officer"])
def test_the_partner_page_costs_the_same_queries_for_one_target_or_forty(
    person, refreshed, request, police, probation, force
):
    """At two data sizes: one target, person and agreement; then forty of each (two pages of targets)."""
    user = request.getfixturevalue(person)
    paths = [PAGE, PAGE + "?page=2"]
    grow(police, probation, force, first=0, last=1)
    if refreshed:
        target_snapshots_refresh(everything=True)
    small = {path: page_queries(user, path) for path in paths}
    grow(police, probation, force, first=1, last=40)
    if refreshed:
        target_snapshots_refresh(everything=True)
    assert police.targets_owned.count() == 40
    big = {path: page_queries(user, path) for path in paths}
    assert big == small
    assert max(big.values()) <= MAX_QUERIES, big


def _target_rows(page: str) -> int:
    owned = page.split('id="targets"', 1)[1].split("</table>", 1)[0]
    return owned.count('<tr class="govuk-table__row">') - 1  # (less the header row)


def test_the_partner_page_shows_its_targets_a_page_at_a_time(police, probation, force, pcc_officer):
    grow(police, probation, force, first=0, last=PARTNER_PAGE_ROWS + 5)
    client = signed_in(pcc_officer)
    first = client.get(PAGE).content.decode()
    assert f"{PARTNER_PAGE_ROWS + 5} targets: page 1 of 2" in first
    assert _target_rows(first) == PARTNER_PAGE_ROWS
    assert 'class="govuk-pagination' in first and 'href="?page=2#targets"' in first
    second = client.get(PAGE + "?page=2").content.decode()
    assert "page 2 of 2" in second and _target_rows(second) == 5
    shown = {code for n in range(PARTNER_PAGE_ROWS + 5) if (code := f"Indicator {n} in") in first + second}
    assert len(shown) == PARTNER_PAGE_ROWS + 5  # every target on one page or the other


def test_one_page_of_targets_has_no_pagination(police, probation, force, pcc_officer):
    grow(police, probation, force, first=0, last=3)
    page = signed_in(pcc_officer).get(PAGE).content.decode()
    assert "3 targets." in page and 'class="govuk-pagination' not in page


def test_the_partner_page_shows_the_latest_agreements_and_links_to_all(police, probation, force, pcc_officer):
    grow(police, probation, force, first=0, last=PARTNER_AGREEMENTS_SHOWN + 2)
    page = signed_in(pcc_officer).get(PAGE).content.decode()
    agreements = page.split("Data-sharing agreements of", 1)[1].split("</table>", 1)[0]
    assert agreements.count("/sharing-agreements/") == PARTNER_AGREEMENTS_SHOWN
    assert f"Agreement {PARTNER_AGREEMENTS_SHOWN + 1}" in agreements and "Agreement 0<" not in agreements
    assert f"The latest {PARTNER_AGREEMENTS_SHOWN} of {PARTNER_AGREEMENTS_SHOWN + 2} agreements" in page
    assert f'href="/sharing-agreements/?partner={police.pk}"' in page
