"""Pages built from the selectors cost a constant number of queries whatever the data size."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Area
from targets import selectors, services
from targets.models import Indicator, Observation, periods_between
from tests.factories import SYSTEM

from .conftest import FORCE

MAX_QUERIES = 12


def build(priority, police, areas, how_many: int) -> None:
    force = areas[FORCE]
    months = periods_between(Indicator.Frequency.MONTHLY, date(2023, 4, 1), date(2025, 3, 31))
    for n in range(how_many):
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
                for i, (start, end) in enumerate(months[: 1 if how_many == 1 else None])
            ]
        )


def queries_for_priority_page(user, slug) -> int:
    fresh = get_user_model().objects.get(pk=user.pk)  # no cached seats or permissions
    with CaptureQueriesContext(connection) as captured:
        priority = selectors.priority_get(user=fresh, slug=slug)
        [(t.status, t.latest_value) for t in priority.targets_shown]
    return len(captured)


@pytest.mark.parametrize("person", ["police_officer", "probation_officer", "pcc_officer"])
def test_priority_get_costs_the_same_queries_for_one_target_or_many(
    person, request, police, areas, django_assert_max_num_queries
):
    user = request.getfixturevalue(person)
    small = services.priority_create(title="Small", slug="small", by=SYSTEM)
    large = services.priority_create(title="Large", slug="large", by=SYSTEM)
    build(small, police, areas, 1)
    build(large, police, areas, 15)
    assert Observation.objects.filter(indicator__targets__priority=large).count() == 15 * 24
    assert queries_for_priority_page(user, "small") == queries_for_priority_page(user, "large")
    with django_assert_max_num_queries(MAX_QUERIES):
        priority = selectors.priority_get(user=get_user_model().objects.get(pk=user.pk), slug="large")
        assert len(priority.targets_shown) == 15


def test_priority_list_costs_the_same_queries_as_data_grows(police, areas, police_officer):
    first = services.priority_create(title="First", slug="first", by=SYSTEM)
    build(first, police, areas, 1)

    def count() -> int:
        fresh = get_user_model().objects.get(pk=police_officer.pk)
        with CaptureQueriesContext(connection) as captured:
            selectors.priority_list(user=fresh)
        return len(captured)

    before = count()
    for n in range(4):
        build(services.priority_create(title=f"More {n}", slug=f"more-{n}", by=SYSTEM), police, areas, 5)
    assert count() == before
