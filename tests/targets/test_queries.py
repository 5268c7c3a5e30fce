"""Pages built from the selectors cost a constant number of queries whatever the data size."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Area
from targets import selectors, services
from targets.models import Indicator, Observation, Target, periods_between
from targets.services.snapshots import target_snapshots_refresh
from tests.conftest import signed_in
from tests.factories import SYSTEM

from .conftest import FORCE

MAX_QUERIES = 20


def build(priority, police, areas, how_many: int, first: int = 0) -> None:
    force = areas[FORCE]
    months = periods_between(Indicator.Frequency.MONTHLY, date(2023, 4, 1), date(2025, 3, 31))
    for n in range(first, first + how_many):
        indicator = services.indicator_create(
            code=f"I{priority.pk}-{n}",
            name=f"Indicator {n}",
            unit=Indicator.Unit.COUNT,
            polarity=Indicator.Polarity.LOWER_IS_BETTER,
            frequency=Indicator.Frequency.MONTHLY,
            geography=Area.Kind.FORCE_AREA,
            provider=police,
            by=SYSTEM,
        )
        services.target_create(
            priority=priority,
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
        Observation.objects.bulk_create(
            [
                Observation(
                    indicator=indicator,
                    area=force,
                    period_start=start,
                    period_end=end,
                    value=9 + (i % 3),
                    provider=police,
                )
                for i, (start, end) in enumerate(months)
            ]
        )


def page_queries(user, path: str) -> int:
    """Queries to answer a page or an API list for a person (signed in beforehand; sessions are warm)."""
    client = signed_in(user)
    assert client.get(path).status_code == 200  # (the session's first request warms it)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


PAGES = ["/priorities/", "/priorities/large/", "/api/v1/targets/", "/api/v1/targets/?status=off_track"]


@pytest.mark.parametrize("refreshed", [True, False], ids=["snapshots", "no snapshot yet"])
@pytest.mark.parametrize("person", ["police_officer", "probation_officer", "pcc_officer"])
def test_pages_cost_the_same_queries_for_one_target_or_forty(person, refreshed, request, police, areas):
    """At two data sizes: a priority with one target, then with forty (and 24 figures each)."""
    user = request.getfixturevalue(person)
    large = services.priority_create(title="Large", slug="large", by=SYSTEM)
    build(large, police, areas, 1)
    if refreshed:
        target_snapshots_refresh(everything=True)
    small = {path: page_queries(user, path) for path in PAGES}
    build(large, police, areas, 39, first=1)
    if refreshed:
        target_snapshots_refresh(everything=True)
    assert Target.objects.count() == 40
    big = {path: page_queries(user, path) for path in PAGES}
    assert big == small
    assert max(big.values()) <= MAX_QUERIES, big


def test_the_priorities_list_shows_the_worst_targets_first_and_counts_them_all(police, areas, pcc_officer):
    large = services.priority_create(title="Large", slug="large", by=SYSTEM)
    build(large, police, areas, 12)
    target_snapshots_refresh(everything=True)
    priority = selectors.priority_list(user=pcc_officer)[0]
    assert priority.target_count == 12 and sum(priority.status_counts.values()) == 12
    assert len(priority.targets_shown) == selectors.PRIORITY_PREVIEW
    ranks = [selectors.STATUS_ORDER.index(t.status) for t in priority.targets_shown]
    assert ranks == sorted(ranks)


def test_the_priority_page_and_the_api_are_paginated(police, areas, pcc_officer):
    large = services.priority_create(title="Large", slug="large", by=SYSTEM)
    build(large, police, areas, 30)
    client = signed_in(pcc_officer)
    page = client.get("/priorities/large/").content.decode()
    assert "30 targets" in page and "page 1 of 2" in page
    assert page.count('class="govuk-table__row"') == 25 + 1  # (and the header row)
    listed = client.get("/api/v1/targets/").json()
    assert listed["count"] == 30 and len(listed["results"]) == 30  # (50 to a page in the API)
