"""The board's dashboard: panels per priority worst first with counts by status, the filters carried in the
URL, figures only where shared (hidden ones say so), a past month's view, the exports and the board pack —
each page in a constant number of queries whatever the number of targets."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from targets import services
from targets.dashboard_views import _filters
from targets.models import Indicator, Observation, Target, periods_between
from targets.selectors.dashboard import PANEL_PREVIEW, Filters, dashboard, month_ends, sparkline_points
from targets.services.snapshots import target_snapshots_refresh
from tests.conftest import signed_in
from tests.factories import SYSTEM

from .conftest import BIRMINGHAM, COVENTRY, FORCE

pytestmark = pytest.mark.django_db
MAX_QUERIES = 25


def months_to_date(n: int = 12) -> list[tuple[date, date]]:
    """The n whole months before this one (from the same clock as the code)."""
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    for _ in range(n - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return periods_between(Indicator.Frequency.MONTHLY, first, today.replace(day=1) - timedelta(days=1))


def build(priority, owner, area, how_many: int, *, first: int = 0, values=(9, 10, 11), code="I") -> list[Target]:
    """how_many targets (baseline 10, target 8, lower is better) with a figure for each of the last 12 months."""
    made = []
    months = months_to_date()
    for n in range(first, first + how_many):
        indicator = services.indicator_create(
            code=f"{code}{priority.pk}-{n}",
            name=f"Indicator {n}",
            unit=Indicator.Unit.COUNT,
            polarity=Indicator.Polarity.LOWER_IS_BETTER,
            frequency=Indicator.Frequency.MONTHLY,
            geography=area.kind,
            provider=owner,
            by=SYSTEM,
        )
        made.append(
            services.target_create(
                priority=priority,
                indicator=indicator,
                area=area,
                owner=owner,
                baseline_value=10,
                baseline_period_start=months[0][0],
                baseline_period_end=months[0][1],
                target_value=8,
                target_date=months[-1][1] + timedelta(days=365),
                by=SYSTEM,
            )
        )
        Observation.objects.bulk_create(
            [
                Observation(
                    indicator=indicator,
                    area=area,
                    period_start=start,
                    period_end=end,
                    value=values[i % len(values)],
                    provider=owner,
                )
                for i, (start, end) in enumerate(months)
            ]
        )
    target_snapshots_refresh(everything=True)
    return made


def board_for(user, **params):
    """The dashboard for these query parameters, as the page reads them (the filter form, then the selector)."""
    request = RequestFactory().get("/dashboard/", params)
    request.user = user
    form, filters = _filters(request)
    return dashboard(user=user, filters=filters)


def queries(client, path: str) -> int:
    assert client.get(path).status_code == 200  # (warms the session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


@pytest.fixture
def violence(db):
    return services.priority_create(title="Reduce violence", slug="reduce-violence", by=SYSTEM)


@pytest.fixture
def reoffending_priority(db):
    return services.priority_create(title="Reduce reoffending", slug="reduce-reoffending", by=SYSTEM)


@pytest.mark.parametrize("person", ["police_officer", "probation_officer", "pcc_officer", "board_member"])
def test_every_dashboard_page_costs_the_same_queries_for_two_targets_or_sixty(
    person, request, violence, reoffending_priority, police, probation, areas
):
    user = request.getfixturevalue(person)
    build(violence, police, areas[FORCE], 1)
    build(reoffending_priority, probation, areas[BIRMINGHAM], 1, code="P")
    month = month_ends(timezone.localdate())[1].strftime("%Y-%m")
    paths = [
        "/dashboard/",
        f"/dashboard/?period={month}",
        f"/dashboard/?area={BIRMINGHAM}&priority=reduce-reoffending",
        "/dashboard/export.csv",
        "/dashboard/board-pack/",
    ]
    client = signed_in(user)
    small = {path: queries(client, path) for path in paths}
    build(violence, police, areas[FORCE], 29, first=1)
    build(reoffending_priority, probation, areas[BIRMINGHAM], 29, first=1, code="P")
    assert Target.objects.count() == 60
    big = {path: queries(client, path) for path in paths}
    assert big == small
    assert max(big.values()) <= MAX_QUERIES, big


def test_a_panel_per_priority_worst_first_with_counts_and_a_link_to_the_rest(violence, police, areas, pcc_officer):
    build(violence, police, areas[FORCE], 9, values=(7,))  # better than expected: on track
    build(violence, police, areas[FORCE], 3, first=9, values=(12,))  # worse than expected by far: off track
    board = dashboard(user=pcc_officer, filters=Filters())
    (panel,) = board.panels
    assert panel.target_count == 12 and board.total == 12
    assert panel.counts == {"on_track": 9, "at_risk": 0, "off_track": 3, "no_data": 0}
    assert len(panel.targets) == PANEL_PREVIEW == 5
    assert [t.status for t in panel.targets] == ["off_track"] * 3 + ["on_track"] * 2
    page = signed_in(pcc_officer).get("/dashboard/").content.decode()
    assert "Reduce violence" in page and "See all 12 targets" in page
    assert "3 off track, 0 at risk, 9 on track, 0 no data" in page
    assert "Off track" in page and "On track" in page  # status in words, never colour alone
    assert "since the last period" in page


def test_figures_go_only_where_an_agreement_shares_them_and_hidden_ones_say_so(
    violence, police, areas, police_officer, probation_officer
):
    (target,) = build(violence, police, areas[FORCE], 1, values=(9, 11))
    theirs = signed_in(probation_officer).get("/dashboard/").content.decode()
    mine = signed_in(police_officer).get("/dashboard/").content.decode()
    assert target.display_title in theirs and target.display_title in mine  # status words go to everyone
    assert "Hidden: not shared with your partner" in theirs and "app-sparkline" not in theirs
    assert "Hidden: not shared with your partner" not in mine and "app-sparkline" in mine
    csv = signed_in(probation_officer).get("/dashboard/export.csv").content.decode("utf-8-sig")
    assert "Hidden: not shared with your partner" in csv and ",11," not in csv
    assert "never added in" in csv


def test_the_filters_narrow_and_travel_in_the_url(
    violence, reoffending_priority, police, probation, areas, pcc_officer
):
    build(violence, police, areas[FORCE], 2)
    build(violence, police, areas[COVENTRY], 1, first=2)
    build(reoffending_priority, probation, areas[BIRMINGHAM], 3, code="P")
    client = signed_in(pcc_officer)

    def total(**filters) -> int:
        return board_for(pcc_officer, **filters).total

    assert total() == 6
    assert total(area=COVENTRY) == 1
    assert total(partner=probation.slug) == 3
    assert total(priority="reduce-violence", area=FORCE) == 2
    page = client.get("/dashboard/", {"area": COVENTRY}).content.decode()
    assert f"/dashboard/export.csv?area={COVENTRY}" in page and f"/dashboard/board-pack/?area={COVENTRY}" in page
    assert "Clear filters" in page


def test_a_filter_that_is_not_offered_says_so_and_shows_the_rest(violence, police, areas, pcc_officer):
    build(violence, police, areas[FORCE], 2)
    response = signed_in(pcc_officer).get("/dashboard/", {"area": "E99999999", "period": "1999-01"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select an area from the list" in page and "Select a period from the list" in page
    assert board_for(pcc_officer, area="E99999999", period="1999-01").total == 2


def test_a_past_month_shows_the_figures_and_status_as_they_stood_then(violence, police, areas, pcc_officer):
    months = months_to_date()
    (target,) = build(violence, police, areas[FORCE], 1, values=(9,))
    # The latest month turns bad; a month earlier everything was on track.
    Observation.objects.filter(indicator=target.indicator, period_start=months[-1][0]).update(value=Decimal("14"))
    target_snapshots_refresh(everything=True)
    now = board_for(pcc_officer)
    assert now.counts["off_track"] == 1
    before = month_ends(timezone.localdate())[1]
    then = board_for(pcc_officer, period=before.strftime("%Y-%m"))
    assert then.counts["on_track"] == 1 and then.counts["off_track"] == 0
    (shown,) = then.panels[0].targets
    assert shown.latest_value == Decimal("9") and shown.latest_period_start == months[-2][0]


def test_the_exports_carry_the_filters_and_the_demo_label(violence, police, areas, pcc_officer):
    (target,) = build(violence, police, areas[FORCE], 1)
    Observation.objects.update(is_demo=True)
    target_snapshots_refresh(everything=True)
    client = signed_in(pcc_officer)
    csv = client.get("/dashboard/export.csv", {"area": FORCE}).content.decode("utf-8-sig")
    assert "Area: West Midlands" in csv and "Synthetic demo data" in csv and target.display_title in csv
    response = client.get("/dashboard/export.xlsx", {"priority": "reduce-violence"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "Priority: Reduce violence" in cells and target.display_title in cells
    assert client.get("/dashboard/export.pdf").status_code == 404


def test_the_board_pack_lists_off_track_targets_with_owners_and_projections_and_makes_a_pdf(
    violence, police, areas, board_member
):
    (late,) = build(violence, police, areas[FORCE], 1, values=(12, 13, 14))
    build(violence, police, areas[FORCE], 1, first=1, values=(7,))
    client = signed_in(board_member)
    page = client.get("/dashboard/board-pack/").content.decode()
    assert "1. Overview" in page and "2. Targets off track" in page and "3. Overdue sign-offs and late actions" in page
    assert late.display_title in page and police.name in page
    assert "No plan sign-off is overdue." in page
    response = client.get("/dashboard/board-pack.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith('attachment; filename="board-pack-')


def test_the_sparkline_fits_its_box():
    points = sparkline_points([("2026-01-01", "1"), ("2026-02-01", "3"), ("2026-03-01", "2")])
    assert points == "0.0,22.0 50.0,2.0 100.0,12.0"
    assert sparkline_points([("2026-01-01", "1")]) == ""


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"] == "/sign-in/?next=/dashboard/"
