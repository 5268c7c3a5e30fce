"""An indicator's page: its figures over time for the force area or an area chosen from a list (the latest 36
periods, as a chart with its table), only for those the figures are shared with, at a constant number of queries.

The page reads no clock: every date here is in the data.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Area
from targets.models import Indicator, Observation, periods_between
from targets.selectors.indicators import SERIES_PERIODS
from tests.conftest import signed_in
from tests.factories import make_dsa

from .conftest import BIRMINGHAM, COVENTRY, FORCE

pytestmark = pytest.mark.django_db

FORTY_MONTHS = periods_between(Indicator.Frequency.MONTHLY, date(2022, 1, 1), date(2025, 4, 30))
NOT_SHARED = "The figures for this indicator are not shared with your partner, so they are not shown over time either."
MAX_QUERIES = 20


def figures(indicator, area, months, *, first=Decimal("1"), step=Decimal("0.01")) -> None:
    """Monthly totals (test input, written directly): first, first + step, … ."""
    Observation.objects.bulk_create(
        Observation(
            indicator=indicator,
            area=area,
            period_start=start,
            period_end=end,
            value=first + step * n,
            provider=indicator.provider,
        )
        for n, (start, end) in enumerate(months)
    )


@pytest.fixture
def world(sv, areas):
    """Forty months of SV-1000 for the force area (1.00 rising to 1.39), the last five for Birmingham (2.00 up)."""
    figures(sv, areas[FORCE], FORTY_MONTHS)
    figures(sv, areas[BIRMINGHAM], FORTY_MONTHS[-5:], first=Decimal("2"))
    return sv


def get(user, url: str) -> str:
    response = signed_in(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def words(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text))).strip()


def series_table(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The figures-over-time table: its caption and its rows (period, value)."""
    table = text[text.index('<caption id="series-caption"') :]
    table = table[: table.index("</table>")]
    caption = words(table[: table.index("</caption>")])
    rows = [
        tuple(words(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S))
        for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table, re.S)[1:]
    ]
    return caption, rows


def chart(text: str) -> dict | None:
    found = re.search(r'<script type="application/json" id="indicator-chart-data">(.*?)</script>', text, re.S)
    return json.loads(found.group(1)) if found else None


def test_the_provider_sees_the_force_area_over_the_latest_36_months(world, police_officer):
    text = get(police_officer, world.get_absolute_url())
    caption, rows = series_table(text)
    assert caption == "Serious violence per 1,000 in West Midlands, the latest 36 periods (rate per 1,000)"
    assert len(rows) == SERIES_PERIODS == 36
    assert rows[0] == ("May 2022", "1.04") and rows[-1] == ("April 2025", "1.39")  # oldest first
    assert "January 2022" not in text and "April 2022" not in text
    assert "Only the latest 36 periods are shown." in words(text)
    data = chart(text)
    assert data["labels"][0] == "May 2022" and data["labels"][-1] == "Apr 2025"
    assert data["series"] == [{"label": "West Midlands", "values": [float(v) for _, v in rows]}]
    assert "build/chart.umd.min.js" in text and "js/charts.js" in text


def test_another_area_is_chosen_from_the_list(world, police_officer):
    url = world.get_absolute_url()
    text = get(police_officer, url)
    assert '<select class="govuk-select" id="area" name="area">' in text
    assert '<option value="E23000014" selected>West Midlands</option>' in text
    assert '<option value="E08000025">Birmingham</option>' in text
    assert f'<option value="{COVENTRY}"' not in text  # (no figures there)

    chosen = get(police_officer, f"{url}?area={BIRMINGHAM}")
    caption, rows = series_table(chosen)
    assert caption == "Serious violence per 1,000 in Birmingham, every period (rate per 1,000)"
    # (a whole number without decimals, as every figure on the portal)
    assert rows == [("December 2024", "2"), ("January 2025", "2.01"), ("February 2025", "2.02"),
                    ("March 2025", "2.03"), ("April 2025", "2.04")]  # fmt: skip
    assert '<option value="E08000025" selected>Birmingham</option>' in chosen
    assert "Only the latest" not in chosen


def test_an_area_without_figures_falls_back_to_the_force_area_and_says_so(world, police_officer):
    text = get(police_officer, f"{world.get_absolute_url()}?area={COVENTRY}")
    assert "There are no figures for the area asked for. These are the figures for West Midlands." in words(text)
    assert series_table(text)[0].startswith("Serious violence per 1,000 in West Midlands")


def test_without_force_area_figures_the_first_area_is_shown_and_there_is_no_list(sv, areas, police_officer):
    figures(sv, areas[COVENTRY], FORTY_MONTHS[:3])
    text = get(police_officer, sv.get_absolute_url())
    caption, rows = series_table(text)
    assert caption.startswith("Serious violence per 1,000 in Coventry") and len(rows) == 3
    assert 'name="area"' not in text


def test_with_no_figures_yet_the_page_says_so(sv, police_officer):
    text = get(police_officer, sv.get_absolute_url())
    assert "Figures over time" in text and "indicator-chart-data" not in text
    assert words(text).count("No figures have been received yet.") == 2  # the latest figures, and over time


def test_another_partner_without_an_agreement_sees_no_figures_over_time(world, probation_officer):
    text = get(probation_officer, f"{world.get_absolute_url()}?area={BIRMINGHAM}")
    assert NOT_SHARED in words(text)
    assert "indicator-chart-data" not in text and "chart.umd.min.js" not in text
    assert 'name="area"' not in text and "series-caption" not in text
    for shown in ("1.39", "2.04", "April 2025", "May 2022"):
        assert shown not in text


def test_an_agreement_opens_the_figures_over_time(world, police, probation, probation_officer):
    make_dsa(police, [probation], [world])
    text = get(probation_officer, world.get_absolute_url())
    assert NOT_SHARED not in words(text)
    assert len(series_table(text)[1]) == 36 and chart(text) is not None


def test_the_pcc_office_sees_the_figures_over_time(world, pcc_officer):
    text = get(pcc_officer, f"{world.get_absolute_url()}?area={BIRMINGHAM}")
    assert series_table(text)[1][-1] == ("April 2025", "2.04")


def test_a_missing_indicator_is_404(police_officer):
    assert signed_in(police_officer).get("/indicators/NO-SUCH/").status_code == 404


# --- A constant number of queries, whatever the number of figures and areas ------------------------------
def queries(client, url: str) -> int:
    assert client.get(url).status_code == 200  # (warms the session)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["police_officer", "probation_officer", "pcc_officer"])
@pytest.mark.parametrize("area", ["", BIRMINGHAM])
def test_the_indicator_page_costs_the_same_queries_for_few_or_many_figures_and_areas(
    request, who, area, sv, areas, police
):
    client = signed_in(request.getfixturevalue(who))
    url = f"{sv.get_absolute_url()}?area={area}"
    figures(sv, areas[FORCE], FORTY_MONTHS[:2])
    figures(sv, areas[BIRMINGHAM], FORTY_MONTHS[:1])
    small = queries(client, url)

    kind = Area.Kind.LOCAL_AUTHORITY
    more = [Area.objects.create(code=f"E0800003{n}", name=f"Authority {n}", kind=kind) for n in range(5)]
    for place in [*areas.values(), *more]:
        figures(sv, place, FORTY_MONTHS[2:], first=Decimal("3"))
    assert Observation.objects.count() > 250
    assert queries(client, url) == small <= MAX_QUERIES
