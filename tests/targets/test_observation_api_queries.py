"""The observations API is paginated (50 a page) and costs a constant number of queries a page whatever the number
of figures, for the provider, a recipient of an agreement and the PCC office."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Area, DataSharingAgreement
from targets import selectors, services
from targets.models import Indicator, Observation, periods_between
from tests.conftest import signed_in
from tests.factories import SYSTEM, make_dsa

from .conftest import BIRMINGHAM, COVENTRY, FORCE

MAX_QUERIES = 12
PAGE_SIZE = 50
PATHS = [
    "/api/v1/observations/",
    "/api/v1/observations/?page=2",
    "/api/v1/observations/?breakdown=total",
    "/api/v1/observations/?breakdown=sex&period_from=2024-01-01",
]


def build(police, areas, first: int, last: int) -> list[Indicator]:
    """Police indicators numbered first..last-1, each with two years of monthly totals and a breakdown by sex in
    three areas (144 figures an indicator)."""
    months = periods_between(Indicator.Frequency.MONTHLY, date(2023, 4, 1), date(2025, 3, 31))
    made = []
    for n in range(first, last):
        indicator = services.indicator_create(
            code=f"OBS-{n:02d}",
            name=f"Indicator {n}",
            unit=Indicator.Unit.COUNT,
            polarity=Indicator.Polarity.LOWER_IS_BETTER,
            frequency=Indicator.Frequency.MONTHLY,
            geography=Area.Kind.LOCAL_AUTHORITY,
            provider=police,
            breakdowns=["sex"],
            by=SYSTEM,
        )
        Observation.objects.bulk_create(
            Observation(
                indicator=indicator,
                area=areas[code],
                period_start=start,
                period_end=end,
                breakdown_key=f"sex={sex}" if sex else "",
                breakdown={"sex": sex} if sex else {},
                value=9 + i % 3,
                provider=police,
            )
            for code in (FORCE, BIRMINGHAM, COVENTRY)
            for i, (start, end) in enumerate(months)
            for sex in ("", "Female")
        )
        made.append(indicator)
    return made


def share(police, probation, indicators, level=DataSharingAgreement.Level.BREAKDOWNS) -> None:
    make_dsa(police, [probation], indicators, level=level, title=f"Sharing {indicators[0].code}")


def page_queries(user, path: str) -> int:
    """Queries to answer a page of the list for a person (signed in beforehand; sessions are warm)."""
    client = signed_in(user)
    assert client.get(path).status_code == 200, path
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


@pytest.mark.parametrize("person", ["police_officer", "probation_officer", "pcc_officer"])
def test_the_observations_api_costs_the_same_queries_for_one_indicator_or_forty(
    person, request, police, probation, areas
):
    """At two data sizes: one indicator's 144 figures (3 pages), then forty indicators' (116 pages); the
    probation service receives the first, then half of them, by agreement (totals and breakdowns)."""
    user = request.getfixturevalue(person)
    first = build(police, areas, 0, 1)
    share(police, probation, first)
    small = {path: page_queries(user, path) for path in PATHS}
    more = build(police, areas, 1, 40)
    share(police, probation, more[:19])
    assert Observation.objects.count() == 40 * 144
    big = {path: page_queries(user, path) for path in PATHS}
    assert big == small
    assert max(big.values()) <= MAX_QUERIES, big


def test_the_pages_together_list_exactly_what_the_recipient_may_see(police, probation, areas, probation_officer):
    """Totals of the aggregate agreement's indicator; totals and breakdowns of the other's; nothing else."""
    indicators = build(police, areas, 0, 3)
    share(police, probation, indicators[:1])
    share(police, probation, indicators[1:2], level=DataSharingAgreement.Level.AGGREGATE)
    expected = set(Observation.objects.filter(indicator=indicators[0]).values_list("pk", flat=True)) | set(
        Observation.objects.filter(indicator=indicators[1], breakdown_key="").values_list("pk", flat=True)
    )
    client = signed_in(probation_officer)
    first = client.get("/api/v1/observations/").json()
    assert first["count"] == len(expected) == 144 + 72
    assert len(first["results"]) == PAGE_SIZE and first["previous"] is None
    seen, url = [], "/api/v1/observations/"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert set(seen) == set(selectors.observations_visible_to(user=probation_officer).values_list("pk", flat=True))


def test_a_page_past_the_last_is_not_found(police, areas, police_officer):
    build(police, areas, 0, 1)
    client = signed_in(police_officer)
    assert client.get("/api/v1/observations/?page=3").status_code == 200
    assert client.get("/api/v1/observations/?page=4").status_code == 404
