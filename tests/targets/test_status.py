"""Target status: the rule in Target.STATUS_RULE, for both polarities and with no data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partners.models import Area
from targets import services
from targets.models import Indicator, Target, compute_status
from targets.selectors import with_status
from tests.factories import SYSTEM, observe

from .conftest import BIRMINGHAM, FORCE

D = Decimal


@pytest.mark.parametrize(
    "value, expected_status",
    [
        ("95", Target.Status.ON_TRACK),  # lower than expected: better
        ("100", Target.Status.ON_TRACK),  # exactly as expected
        ("104", Target.Status.AT_RISK),  # 4% worse, tolerance 5%
        ("105", Target.Status.AT_RISK),  # at the tolerance
        ("106", Target.Status.OFF_TRACK),  # beyond it
    ],
)
def test_lower_is_better(value, expected_status):
    assert (
        compute_status(value=D(value), expected=D("100"), higher_is_better=False, tolerance_percent=D("5"))
        == expected_status
    )


@pytest.mark.parametrize(
    "value, expected_status",
    [
        ("105", Target.Status.ON_TRACK),
        ("100", Target.Status.ON_TRACK),
        ("96", Target.Status.AT_RISK),
        ("95", Target.Status.AT_RISK),
        ("94", Target.Status.OFF_TRACK),
    ],
)
def test_higher_is_better(value, expected_status):
    assert (
        compute_status(value=D(value), expected=D("100"), higher_is_better=True, tolerance_percent=D("5"))
        == expected_status
    )


def test_the_rule_is_written_for_people():
    assert "On track" in Target.STATUS_RULE and "At risk" in Target.STATUS_RULE
    assert "Off track" in Target.STATUS_RULE and "No data" in Target.STATUS_RULE
    assert [label for _, label in Target.Status.choices] == ["On track", "At risk", "Off track", "No data"]


@pytest.fixture
def priority(db):
    return services.priority_create(title="Reduce violence", slug="reduce-violence", by=SYSTEM)


def make_target(priority, indicator, area, owner, *, trajectory=None, baseline="10", target="8"):
    return services.target_create(
        priority=priority,
        indicator=indicator,
        area=area,
        owner=owner,
        baseline_value=D(baseline),
        baseline_period_start=date(2024, 4, 1),
        baseline_period_end=date(2025, 3, 31),
        target_value=D(target),
        target_date=date(2026, 3, 31),
        trajectory=trajectory,
        by=SYSTEM,
    )


def status_of(user, target):
    return with_status(user, Target.objects.filter(pk=target.pk))[0]


def test_no_figure_means_no_data(priority, sv, areas, police, pcc_officer):
    target = make_target(priority, sv, areas[FORCE], police)
    row = status_of(pcc_officer, target)
    assert (row.status, row.status_label, row.latest_value) == ("no_data", "No data", None)


def test_status_uses_the_latest_current_total_against_the_trajectory_point(priority, sv, areas, police, pcc_officer):
    target = make_target(
        priority, sv, areas[FORCE], police, trajectory=[(date(2025, 4, 1), D("9.5")), (date(2025, 6, 1), D("9.0"))]
    )
    force = areas[FORCE]
    observe(sv, force, date(2025, 4, 1), date(2025, 4, 30), "9.4")
    observe(sv, force, date(2025, 5, 1), date(2025, 5, 31), "20", revision=1, is_current=False)  # retired
    observe(sv, force, date(2025, 5, 1), date(2025, 5, 31), "9.8", revision=2)  # 9.8 vs 9.5: at risk
    observe(sv, force, date(2025, 5, 1), date(2025, 5, 31), "1.0", key="sex=Female", breakdown={"sex": "Female"})
    row = status_of(pcc_officer, target)
    assert row.latest_value == D("9.8") and row.latest_period_start == date(2025, 5, 1)
    assert row.expected_value == D("9.5")
    assert row.status == Target.Status.AT_RISK


def test_before_the_first_trajectory_point_the_baseline_is_expected(priority, sv, areas, police, pcc_officer):
    target = make_target(priority, sv, areas[FORCE], police, trajectory=[(date(2025, 6, 1), D("9"))])
    observe(sv, areas[FORCE], date(2025, 4, 1), date(2025, 4, 30), "11")  # 10% worse than baseline 10
    assert status_of(pcc_officer, target).status == Target.Status.OFF_TRACK


def test_a_higher_is_better_target(priority, probation, areas, pcc_officer):
    contact = services.indicator_create(
        code="VS",
        name="Victims contacted",
        unit=Indicator.Unit.PERCENTAGE,
        polarity=Indicator.Polarity.HIGHER_IS_BETTER,
        frequency=Indicator.Frequency.MONTHLY,
        geography=Area.Kind.FORCE_AREA,
        provider=probation,
        by=SYSTEM,
    )
    target = make_target(
        priority, contact, areas[FORCE], probation, baseline="80", target="90", trajectory=[(date(2025, 4, 1), D("85"))]
    )
    observe(contact, areas[FORCE], date(2025, 4, 1), date(2025, 4, 30), "86")
    assert status_of(pcc_officer, target).status == Target.Status.ON_TRACK


def test_the_default_trajectory_runs_straight_from_baseline_to_target(priority, reoffending, areas, probation):
    target = make_target(priority, reoffending, areas[FORCE], probation, baseline="30", target="26")
    points = [(p.period_start, p.expected_value) for p in target.trajectory_points.order_by("period_start")]
    assert points == [
        (date(2025, 4, 1), D("29")),
        (date(2025, 7, 1), D("28")),
        (date(2025, 10, 1), D("27")),
        (date(2026, 1, 1), D("26")),
    ]


def test_the_status_word_shows_without_the_figures_to_other_partners(priority, sv, areas, police, probation_officer):
    target = make_target(priority, sv, areas[BIRMINGHAM], police, trajectory=[(date(2025, 4, 1), D("9"))])
    observe(sv, areas[BIRMINGHAM], date(2025, 4, 1), date(2025, 4, 30), "12")
    row = status_of(probation_officer, target)
    assert row.status == Target.Status.OFF_TRACK
    assert (row.figures_shared, row.latest_value, row.series, row.expected_value) == (False, None, [], None)
