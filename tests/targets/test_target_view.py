"""A target's page: its figures against the trajectory and the target, the projection to the target date with its
80% range, "likely to miss" in words, how the projection is made and how well it did on history, and the local
authorities side by side; every figure only for those the figures are shared with, at a constant number of queries.

The pages read no clock: every date here is in the data (the figures, the trajectory and the target date).
"""

from __future__ import annotations

import html
import json
import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Area
from targets import forecast, services
from targets.models import Indicator, Observation, Target, TargetSnapshot, periods_between
from targets.selectors import targets as target_selectors
from targets.services.snapshots import target_snapshots_refresh
from tests.conftest import signed_in
from tests.factories import SYSTEM, make_dsa

from .conftest import BIRMINGHAM, COVENTRY, FORCE

pytestmark = pytest.mark.django_db

MORE_AUTHORITIES = {
    "E08000027": "Dudley",
    "E08000028": "Sandwell",
    "E08000029": "Solihull",
    "E08000030": "Walsall",
    "E08000031": "Wolverhampton",
}
LAG = "Recorded crime, about 1 month in arrears"
HIDDEN = "The figures behind this status are not shared with your partner."
MAX_QUERIES = 20
TWO_YEARS = periods_between(Indicator.Frequency.MONTHLY, date(2023, 4, 1), date(2025, 3, 31))


@pytest.fixture(autouse=True)
def _backtest_worked_out_afresh(monkeypatch):
    """Each test starts with no backtest in the cache (it is kept an hour, and the cache outlives a test)."""
    monkeypatch.setattr(target_selectors, "BACKTEST_CACHE_KEY", f"projection-backtest-{uuid.uuid4().hex}")


@pytest.fixture
def authorities(areas) -> dict[str, Area]:
    """The seven local authorities of the force area (and the force area itself)."""
    more = {
        code: Area.objects.create(code=code, name=name, kind=Area.Kind.LOCAL_AUTHORITY)
        for code, name in MORE_AUTHORITIES.items()
    }
    return {**areas, **more}


def figures(indicator, area, values, months=TWO_YEARS, *, revision: int = 1) -> None:
    """Monthly totals (test input, written directly); the snapshots are worked out by the caller."""
    Observation.objects.bulk_create(
        Observation(
            indicator=indicator,
            area=area,
            period_start=start,
            period_end=end,
            value=Decimal(str(value)),
            provider=indicator.provider,
            revision=revision,
        )
        for (start, end), value in zip(months, values)
    )


def rising(n: int = 24) -> list[Decimal]:
    """Rising by about 0.01 a month from 0.69 to 0.94, zigzagging: better than the trajectory expects today (lower
    is better), but heading above the target."""
    return [Decimal("0.70") + Decimal("0.01") * i + (Decimal("0.01") if i % 2 else Decimal("-0.01")) for i in range(n)]


def make_target(indicator, area, owner, *, slug="reduce-violence", target_date=date(2026, 3, 31)) -> Target:
    priority = services.priority_create(title=f"Priority {slug}", slug=slug, by=SYSTEM)
    return services.target_create(
        priority=priority,
        indicator=indicator,
        area=area,
        owner=owner,
        baseline_value=Decimal("1.2"),
        baseline_period_start=date(2023, 4, 1),
        baseline_period_end=date(2024, 3, 31),
        target_value=Decimal("0.9"),
        target_date=target_date,
        by=SYSTEM,
    )


@pytest.fixture
def world(sv, authorities, police):
    """A police target on SV-1000 in the force area with two years of figures heading the wrong way, and the latest
    figures of two of the seven local authorities (Coventry's a month behind Birmingham's)."""
    Indicator.objects.filter(pk=sv.pk).update(data_lag_note=LAG)
    target = make_target(sv, authorities[FORCE], police)
    figures(sv, authorities[FORCE], rising())
    figures(sv, authorities[BIRMINGHAM], ["1.4", "1.3"], TWO_YEARS[-2:])
    figures(sv, authorities[COVENTRY], ["1.1"], TWO_YEARS[-2:-1])
    target_snapshots_refresh(everything=True)
    return {"target": target, "snapshot": TargetSnapshot.objects.get(target=target), "areas": authorities}


def page(user, target) -> str:
    response = signed_in(user).get(target.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def words(text: str) -> str:
    """The page's text, tags dropped and entities read, spaces closed up."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def chart(text: str) -> dict | None:
    found = re.search(r'<script type="application/json" id="target-chart-data">(.*?)</script>', text, re.S)
    return json.loads(found.group(1)) if found else None


def comparison_rows(text: str) -> dict[str, list[str]]:
    """The local authorities table: area name -> its cells (the figure and the period)."""
    table = text[text.index('id="comparison-caption"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table, re.S)[1:]:
        cells = [words(cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def figure(value) -> str:
    return f"{Decimal(value):.2f}"


# --- The projection, the target and the band on the chart ---------------------------------------------
def test_the_provider_sees_the_projection_as_a_band_to_the_target_date_and_the_target(world, police_officer):
    snapshot = world["snapshot"]
    text = page(police_officer, world["target"])
    data = chart(text)
    series = {s["label"]: s["values"] for s in data["series"]}
    assert set(series) == {
        "Actual",
        "Trajectory (expected)",
        "Target",
        "Projection",
        "80% range, low",
        "80% range of the projection",
    }
    assert data["labels"][-1] == "Mar 2026"  # the target date's period, the last on the chart
    assert series["Projection"][-1] == float(snapshot.projected_value)
    assert series["80% range, low"][-1] == float(snapshot.projected_low)
    assert series["80% range of the projection"][-1] == float(snapshot.projected_high)
    assert series["Target"] == [None] * (len(data["labels"]) - 1) + [0.9]
    # The band runs over every month after the latest figure (March 2025) to the target date, widening.
    latest = data["labels"].index("Mar 2025")
    assert series["Actual"][latest] == 0.94 and all(v is None for v in series["Actual"][latest + 1 :])
    assert all(v is None for v in series["Projection"][: latest + 1])
    lows, highs = series["80% range, low"][latest + 1 :], series["80% range of the projection"][latest + 1 :]
    assert len(lows) == 12 and None not in lows and None not in highs
    widths = [high - low for low, high in zip(lows, highs)]
    assert widths == sorted(widths) and widths[0] > 0


def test_the_projection_is_stated_in_words_and_in_the_table_rows_for_the_months_ahead(world, police_officer):
    snapshot = world["snapshot"]
    text = words(page(police_officer, world["target"]))
    low, value, high = (figure(v) for v in (snapshot.projected_low, snapshot.projected_value, snapshot.projected_high))
    assert f"Projected {value} by 31 March 2026 (80% range {low} to {high}), against a target of 0.90." in text
    assert "Actual and expected figures, and the projection" in text
    assert f"Mar 2026 Target date: target 0.90 Not yet 0.90 {value} {low} to {high}" in text
    assert re.search(r"Apr 2025 Not yet [\d.]+ [\d.]+ [\d.]+ to [\d.]+", text)


def test_the_projection_matches_the_documented_method(world):
    """A year of months ahead of March 2025: the line fitted to the 24 figures, 12 periods on (forecast.project)."""
    made = forecast.project([float(v) for v in rising()], 12)
    snapshot = world["snapshot"]
    assert snapshot.projected_value == Decimal(str(round(made.value, 4)))
    assert snapshot.projected_low < snapshot.projected_value < snapshot.projected_high


def test_likely_to_miss_is_shown_in_words_while_the_status_is_still_on_track(world, police_officer):
    snapshot = world["snapshot"]
    assert snapshot.status == Target.Status.ON_TRACK and snapshot.likely_to_miss
    text = page(police_officer, world["target"])
    assert re.search(r'class="govuk-tag govuk-tag--green">\s*On track\s*<', text)
    assert re.search(r'class="govuk-tag govuk-tag--orange">\s*Likely to miss the target\s*<', text)
    assert "the figures are on track today, but where their trend is heading by 31 March 2026 is worse" in words(text)


def test_a_target_heading_for_its_target_is_not_said_to_miss_it(sv, areas, police, police_officer):
    target = make_target(sv, areas[FORCE], police)
    figures(sv, areas[FORCE], [Decimal("1.2") - Decimal("0.015") * i for i in range(24)])
    target_snapshots_refresh(everything=True)
    text = page(police_officer, target)
    assert "Projected " in text and "Likely to miss the target" not in text


def test_an_off_track_target_is_not_also_tagged_likely_to_miss(sv, areas, police, police_officer):
    target = make_target(sv, areas[FORCE], police)
    figures(sv, areas[FORCE], [Decimal("1.3") + Decimal("0.01") * i for i in range(24)])
    target_snapshots_refresh(everything=True)
    snapshot = TargetSnapshot.objects.get(target=target)
    assert snapshot.status == Target.Status.OFF_TRACK and snapshot.likely_to_miss
    assert "Likely to miss the target" not in page(police_officer, target)


def test_with_too_few_figures_the_page_says_there_is_no_projection_yet(sv, areas, police, police_officer):
    target = make_target(sv, areas[FORCE], police)
    figures(sv, areas[FORCE], ["1.1", "1.0", "1.05"], TWO_YEARS[-3:])
    target_snapshots_refresh(everything=True)
    text = page(police_officer, target)
    assert target_selectors.NO_PROJECTION_YET in words(text)
    labels = [s["label"] for s in chart(text)["series"]]
    assert labels == ["Actual", "Trajectory (expected)", "Target"]
    assert "80% range" not in text


def test_once_the_figures_reach_the_target_date_nothing_is_projected(sv, areas, police, police_officer):
    target = make_target(sv, areas[FORCE], police, target_date=date(2024, 12, 31))
    figures(sv, areas[FORCE], rising())
    target_snapshots_refresh(everything=True)
    text = page(police_officer, target)
    assert target_selectors.NO_PROJECTION_PAST in words(text)
    assert "Projected " not in text and "Projection" not in [s["label"] for s in chart(text)["series"]]


# --- The method, its limits and the backtest -------------------------------------------------------------
def test_the_page_says_how_the_projection_is_made_and_how_it_did_a_year_earlier(world, police_officer):
    text = words(page(police_officer, world["target"]))
    assert "How the projection is made" in text
    assert forecast.METHOD in text
    assert "It reads the trend only, not seasons, one-off events or the effect of new work" in text  # its limits
    # Made from the first 12 of the 24 figures, 12 months on: within the trajectory, as the last figure was.
    assert (
        "Tested on history: made a year before each target's latest figure, the projection called whether the "
        "figure would meet its trajectory correctly for 1 of 1 targets (100%)."
    ) in text


def test_the_backtest_is_kept_in_the_cache_so_the_page_stays_cheap(world, sv, areas, police, police_officer):
    client = signed_in(police_officer)
    url = world["target"].get_absolute_url()
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    assert cache.get(target_selectors.BACKTEST_CACHE_KEY) == (1, 1)
    with CaptureQueriesContext(connection) as warm:
        first = words(client.get(url).content.decode())
    assert len(warm) < len(cold)

    assert "for 1 of 1 targets" in first

    # A second target with history: the page says the same until the kept result is worked out again.
    make_target(sv, areas[BIRMINGHAM], police, slug="birmingham")
    figures(sv, areas[BIRMINGHAM], rising(22), TWO_YEARS[:22])
    target_snapshots_refresh(everything=True)
    assert "for 1 of 1 targets" in words(client.get(url).content.decode())
    cache.delete(target_selectors.BACKTEST_CACHE_KEY)
    assert "of 2 targets" in words(client.get(url).content.decode())


def test_with_no_history_long_enough_the_backtest_says_so(sv, areas, police, police_officer):
    target = make_target(sv, areas[FORCE], police)
    figures(sv, areas[FORCE], rising(10), TWO_YEARS[-10:])
    target_snapshots_refresh(everything=True)
    assert "There is not yet enough history to test the projection" in words(page(police_officer, target))


# --- The data lag and the local authorities side by side ---------------------------------------------
def test_the_data_lag_is_shown_by_the_latest_figure(world, police_officer, probation_officer):
    text = words(page(police_officer, world["target"]))
    assert f"Latest figure 0.94 in March 2025 Data lag: {LAG}" in text
    # (the lag is about the indicator, not a figure: shown beside "Not shared" too)
    assert f"Latest figure Not shared with your partner Data lag: {LAG}" in words(
        page(probation_officer, world["target"])
    )


def test_the_seven_local_authorities_are_side_by_side_at_their_latest_figures(world, police_officer):
    rows = comparison_rows(page(police_officer, world["target"]))
    assert rows == {
        "Birmingham": ["1.30", "March 2025"],
        "Coventry": ["1.10", "February 2025"],
        "Dudley": ["No figure yet", "None"],
        "Sandwell": ["No figure yet", "None"],
        "Solihull": ["No figure yet", "None"],
        "Walsall": ["No figure yet", "None"],
        "Wolverhampton": ["No figure yet", "None"],
    }


def test_a_target_in_a_local_authority_marks_its_own_row(sv, authorities, police, police_officer):
    target = make_target(sv, authorities[BIRMINGHAM], police)
    figures(sv, authorities[BIRMINGHAM], rising())
    target_snapshots_refresh(everything=True)
    rows = comparison_rows(page(police_officer, target))
    assert rows["Birmingham This target's area"] == ["0.94", "March 2025"]
    assert len(rows) == 7


def test_an_indicator_kept_for_the_force_area_only_has_no_comparison(homicides, areas, police, police_officer):
    target = make_target(homicides, areas[FORCE], police)
    figures(homicides, areas[FORCE], [3, 4, 5, 4, 3, 4, 5], TWO_YEARS[-7:])
    target_snapshots_refresh(everything=True)
    text = words(page(police_officer, target))
    assert "HOM is reported for the police force area only, so there are no local authority figures to compare." in text
    assert "Latest figure for each local authority" not in text


# --- Sharing: another partner without an agreement sees no figure at all ---------------------------------
def test_another_partner_without_an_agreement_sees_no_numbers_no_band_and_no_comparison(world, probation_officer):
    snapshot = world["snapshot"]
    text = page(probation_officer, world["target"])
    assert HIDDEN in text and "Ask West Midlands Police for a data-sharing agreement." in text
    assert chart(text) is None and "target-chart-data" not in text and "chart.umd.min.js" not in text
    assert "Projected " not in text and "80% range (" not in words(text)
    assert "Actual and expected figures" not in text and "Revision history" not in text
    for value in (snapshot.latest_value, snapshot.projected_value, snapshot.projected_low, snapshot.projected_high):
        assert figure(value) not in text
    for value in ("1.30", "1.10", "March 2025", "February 2025"):
        assert value not in text
    # Every local authority is listed, and says its figures are not shared (never dropped).
    rows = comparison_rows(text)
    assert len(rows) == 7 and all(cells == ["Not shared", "Not shared"] for cells in rows.values())
    # What is not a figure stays: the status words, likely to miss, the method and the backtest.
    assert "govuk-tag--green" in text and "Likely to miss the target" in text
    assert "How the projection is made" in text and "for 1 of 1 targets" in words(text)


def test_an_agreement_opens_the_projection_and_the_comparison(world, police, probation, probation_officer):
    make_dsa(police, [probation], [world["target"].indicator])
    text = page(probation_officer, world["target"])
    assert HIDDEN not in text
    series = {s["label"]: s["values"] for s in chart(text)["series"]}
    assert series["80% range of the projection"][-1] == float(world["snapshot"].projected_high)
    assert comparison_rows(text)["Birmingham"] == ["1.30", "March 2025"]


def test_the_pcc_office_sees_the_projection_and_every_authority(world, pcc_officer):
    text = page(pcc_officer, world["target"])
    assert chart(text) is not None and "Projected " in text
    assert comparison_rows(text)["Coventry"] == ["1.10", "February 2025"]


def test_a_missing_target_is_404(world, police_officer):
    assert signed_in(police_officer).get("/targets/999999/").status_code == 404


# --- A constant number of queries, whatever the number of figures and areas ------------------------------
def queries(client, url: str) -> int:
    assert client.get(url).status_code == 200  # (warms the session and the kept backtest)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["police_officer", "probation_officer", "pcc_officer"])
def test_the_target_page_costs_the_same_queries_for_few_or_many_figures_and_areas(
    request, who, sv, authorities, police
):
    client = signed_in(request.getfixturevalue(who))
    target = make_target(sv, authorities[FORCE], police)
    figures(sv, authorities[FORCE], rising(8), TWO_YEARS[:8])
    figures(sv, authorities[BIRMINGHAM], ["1.2"], TWO_YEARS[:1])
    target_snapshots_refresh(everything=True)
    small = queries(client, target.get_absolute_url())

    # Six years of months in every area, and a revision of the first year in the force area.
    months = periods_between(Indicator.Frequency.MONTHLY, date(2019, 4, 1), date(2023, 3, 31))
    for area in authorities.values():
        figures(sv, area, rising(len(months)), months)
    Observation.objects.filter(area=authorities[FORCE], period_start__lt=date(2020, 4, 1)).update(is_current=False)
    figures(sv, authorities[FORCE], rising(12), months[:12], revision=2)
    target_snapshots_refresh(everything=True)
    assert Observation.objects.count() > 400
    assert queries(client, target.get_absolute_url()) == small <= MAX_QUERIES


def test_the_figures_download_as_the_pages_table_only_for_those_who_may_see_them(
    world, police_officer, probation_officer
):
    import csv
    import io

    from openpyxl import load_workbook

    target, snapshot = world["target"], world["snapshot"]
    text = page(police_officer, target)
    assert 'href="?format=csv"' in text and 'href="?format=xlsx"' in text
    response = signed_in(police_officer).get(target.get_absolute_url(), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith(
        f'filename="target-{target.pk}-figures.csv"'
    )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = lines.index(["Period", "Actual", "Expected (trajectory)", "Target", "Projected", "80% low", "80% high"])
    assert any(line[0].startswith("Area: West Midlands") for line in lines[:header])
    rows = lines[header + 1 :]
    assert len(rows) == len(target_selectors.target_get(user=police_officer, pk=target.pk).series)
    assert Decimal(rows[-1][6]) == snapshot.projected_high  # the band's top at the target date, as on the page
    sheet = load_workbook(
        io.BytesIO(signed_in(police_officer).get(target.get_absolute_url(), {"format": "xlsx"}).content)
    )
    assert ["Period", "Actual"] == [
        c for c in next(r for r in sheet.active.iter_rows(values_only=True) if r[0] == "Period")
    ][:2]
    # Another partner without an agreement: refused, and the page offers no download
    assert signed_in(probation_officer).get(target.get_absolute_url(), {"format": "csv"}).status_code == 403
    assert "format=csv" not in page(probation_officer, target)
