"""Disparities by ethnicity: the statistics against hand-worked numbers, the suppression of small counts (no total
or difference gives a hidden count away), and the page for each kind of viewer."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from itertools import product

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import DataSharingAgreement
from targets import disparities as stats
from targets.demo_populations import demo_population
from targets.models import Indicator, Observation
from tests.conftest import signed_in
from tests.factories import SYSTEM, make_dsa

from .conftest import BIRMINGHAM, COVENTRY, FORCE

DSA = DataSharingAgreement
SEPTEMBER = (date(2026, 9, 1), date(2026, 9, 30))
AUGUST = (date(2026, 8, 1), date(2026, 8, 31))
pytestmark = pytest.mark.django_db


# --- The statistics, worked by hand ---------------------------------------------------------------------
def test_a_rate_is_per_1000_people():
    assert stats.rate(10, 2000) == 5.0
    assert stats.rate(3, 0) is None and stats.rate(None, 100) is None


def test_the_rri_and_its_katz_log_interval_match_the_hand_worked_figures():
    # 30 of 1,000 against 60 of 6,000: rates 0.03 and 0.01, RRI 3. ln 3 = 1.09861;
    # SE = sqrt(1/30 - 1/1000 + 1/60 - 1/6000) = sqrt(0.0488333) = 0.220983; 1.96 x SE = 0.433127;
    # interval exp(0.665485) to exp(1.531739) = 1.9454 to 4.6262.
    assert stats.rri(30, 1000, 60, 6000) == pytest.approx(3.0)
    low, high = stats.rri_interval(30, 1000, 60, 6000)
    assert low == pytest.approx(1.9454, abs=1e-4)
    assert high == pytest.approx(4.6262, abs=1e-4)


def test_a_group_less_likely_has_an_rri_under_1():
    # 30 of 36,000 against 100 of 60,000: RRI 0.5; SE = sqrt(1/30 - 1/36000 + 1/100 - 1/60000) = 0.208060;
    # interval exp(-0.693147 - 0.407798) to exp(-0.693147 + 0.407798) = 0.3326 to 0.7518.
    low, high = stats.rri_interval(30, 36000, 100, 60000)
    assert stats.rri(30, 36000, 100, 60000) == pytest.approx(0.5)
    assert (low, high) == (pytest.approx(0.3326, abs=1e-4), pytest.approx(0.7518, abs=1e-4))


def test_no_interval_without_a_count_and_no_rri_without_a_reference_rate():
    assert stats.rri_interval(0, 1000, 60, 6000) is None
    assert stats.rri(5, 1000, 0, 6000) is None


def test_the_reading_says_it_in_plain_words():
    assert stats.reading(2.12, 1.6, 2.79) == "2.1 times as likely (1.6 to 2.8)"
    assert stats.reading(1.3, 0.8, 2.1) == (
        "1.3 times as likely (0.8 to 2.1); the range includes 1, so the difference may be chance"
    )


# --- Suppression --------------------------------------------------------------------------------------
def _giveaways(counts: pd.DataFrame, status: pd.DataFrame, *, total_row=None, total_col=None) -> list:
    """Hidden cells that one subtraction from a published total would give away."""
    lines = []
    if total_col:
        lines += [[(r, c) for c in counts.columns] for r in counts.index if pd.notna(counts.at[r, total_col])]
    if total_row:
        lines += [[(r, c) for r in counts.index] for c in counts.columns if pd.notna(counts.at[total_row, c])]
    found = []
    for line in lines:
        hidden = [cell for cell in line if status.at[cell] != stats.SHOWN]
        if len(hidden) == 1:
            found.append(hidden[0])
    return found


def test_counts_under_5_are_hidden_and_the_next_smallest_too_when_one_alone_would_be_given_away():
    counts = pd.DataFrame(
        [[3.0, 12.0, 20.0, 50.0, 85.0]], index=["Area"], columns=["Asian", "Black", "Mixed", "White", "All"]
    )
    status = stats.suppress(counts, total_col="All")
    assert status.loc["Area"].to_dict() == {
        "Asian": stats.PRIMARY,  # 3: under 5
        "Black": stats.SECONDARY,  # 12: else 85 - 20 - 50 - 12 would give the 3 away
        "Mixed": "",
        "White": "",
        "All": "",
    }
    assert not _giveaways(counts, status, total_col="All")


def test_zero_is_a_count_under_5():
    counts = pd.DataFrame([[0.0, 40.0]], index=["Area"], columns=["Black", "White"])
    assert stats.suppress(counts).at["Area", "Black"] == stats.PRIMARY


def test_without_a_total_nothing_more_is_hidden():
    counts = pd.DataFrame([[3.0, 12.0, 50.0]], index=["Area"], columns=["Asian", "Black", "White"])
    status = stats.suppress(counts)
    assert list(status.loc["Area"]) == [stats.PRIMARY, "", ""]


def test_the_reference_group_and_the_totals_are_hidden_only_when_nothing_else_would_do():
    counts = pd.DataFrame([[3.0, 8.0, 7.0, 18.0]], index=["Area"], columns=["Other", "Black", "White", "All"])
    status = stats.suppress(counts, total_col="All", protect=["White"])
    assert status.loc["Area"].to_dict() == {"Other": stats.PRIMARY, "Black": stats.SECONDARY, "White": "", "All": ""}
    # with only the reference group left beside the total, the reference group goes before the total
    counts = pd.DataFrame([[3.0, 7.0, 10.0]], index=["Area"], columns=["Other", "White", "All"])
    status = stats.suppress(counts, total_col="All", protect=["White"])
    assert status.loc["Area"].to_dict() == {"Other": stats.PRIMARY, "White": stats.SECONDARY, "All": ""}


def test_across_areas_no_total_of_the_local_authorities_gives_a_hidden_count_away():
    groups = ["Asian", "Black", "Mixed", "White", "Other"]
    birmingham = [30, 40, 12, 100, 3]
    coventry = [9, 6, 4, 25, 7]
    force = [b + c for b, c in zip(birmingham, coventry)]
    rows = {"BIR": birmingham, "COV": coventry, "FORCE": force}
    counts = pd.DataFrame(
        {area: [*values, sum(values)] for area, values in rows.items()}, index=[*groups, "All"]
    ).T.astype(float)
    status = stats.suppress(counts, total_row="FORCE", total_col="All", protect=["White"])
    assert status.at["BIR", "Other"] == status.at["COV", "Mixed"] == stats.PRIMARY
    # Coventry's Mixed alone in its row: its next smallest (Black, 6) goes; then Birmingham's Other alone in its
    # column: Coventry's Other (7) goes; Coventry's Black alone in its column: Birmingham's Black goes;
    # Birmingham's Other alone in its row: its next smallest (Mixed, 12) goes.
    hidden = {cell for cell in product(counts.index, counts.columns) if status.at[cell] == stats.SECONDARY}
    assert hidden == {("BIR", "Mixed"), ("BIR", "Black"), ("COV", "Black"), ("COV", "Other")}
    assert not _giveaways(counts, status, total_row="FORCE", total_col="All")
    assert (status.loc["FORCE"] == "").all() and (status["White"] == "").all()


def test_on_many_random_tables_no_published_total_gives_a_hidden_count_away():
    rng = np.random.default_rng(18)
    for _ in range(200):
        inner = rng.poisson(rng.uniform(1, 30), size=(rng.integers(1, 8), 5)).astype(float)
        if rng.random() < 0.2:
            inner[rng.integers(inner.shape[0]), rng.integers(5)] = np.nan  # a group not reported
        counts = pd.DataFrame(inner, columns=["Asian", "Black", "Mixed", "White", "Other"])
        counts["All"] = counts.sum(axis=1, min_count=1)
        counts.loc["FORCE"] = counts.sum(axis=0, min_count=1)
        status = stats.suppress(counts, total_row="FORCE", total_col="All", protect=["White"])
        assert not _giveaways(counts, status, total_row="FORCE", total_col="All"), counts
        assert (status.to_numpy()[(counts < 5).to_numpy()] != stats.SHOWN).all()  # every small count hidden
        assert (status.to_numpy()[counts.isna().to_numpy()] == stats.SHOWN).all()  # a missing count is never chosen


def test_a_hidden_count_hides_its_rate_and_rri_and_a_hidden_reference_hides_every_rri():
    counts = {"Asian": 30.0, "Black": 3.0, "White": 100.0}
    populations = {"Asian": 36000.0, "Black": 10000.0, "White": 60000.0}
    rows = stats.group_rows(
        counts, populations, {"Black": stats.PRIMARY}, groups=["Asian", "Black", "White"], reference="White"
    )
    asian, black, white = rows
    assert black.count is black.rate is black.rri is None and black.suppressed_words == "Fewer than 5"
    assert black.population == 10000.0  # populations are not secret
    assert asian.rate == pytest.approx(30 / 36)
    assert asian.rri == pytest.approx(0.5) and asian.reading.startswith("0.5 times as likely (0.3 to 0.8)")
    assert white.is_reference and white.rri == 1.0
    rows = stats.group_rows(
        counts, populations, {"White": stats.SECONDARY}, groups=["Asian", "Black", "White"], reference="White"
    )
    assert all(r.rri is None and r.low is None for r in rows)
    assert rows[2].suppressed_words == "Suppressed"


def test_the_demo_populations_are_the_demo_children_aged_10_to_17_by_ethnic_group():
    from targets.demo import AGE_SHARE, ETHNIC_SHARE, POPULATION

    children = round(POPULATION[BIRMINGHAM] * AGE_SHARE["10-17"])  # 120,214
    assert demo_population(indicator_code="YJS-FTE-BIR", area_code=BIRMINGHAM, group=None) == children == 120214
    assert demo_population(indicator_code="YJS-FTE-BIR", area_code=BIRMINGHAM, group="Black") == 9617
    assert sum(
        demo_population(indicator_code="YJS-FTE-BIR", area_code=BIRMINGHAM, group=g) for g in ETHNIC_SHARE
    ) == pytest.approx(children, abs=3)
    assert demo_population(indicator_code="FTE10-17", area_code=BIRMINGHAM, group="Black") is None
    assert demo_population(indicator_code="YJS-FTE-BIR", area_code=FORCE, group="Black") is None


# --- The page --------------------------------------------------------------------------------------------
# (count, population) by area and group; the force area's are the local authorities' added up.
SEPTEMBER_FIGURES = {
    BIRMINGHAM: {
        "Asian": (30, 36000),
        "Black": (40, 10000),
        "Mixed": (12, 9600),
        "White": (100, 60000),
        "Other": (6, 4800),
    },
    COVENTRY: {"Asian": (9, 10900), "Black": (6, 2900), "Mixed": (5, 2900), "White": (25, 18100), "Other": (7, 1450)},
}
# August: Coventry's Other group is 2 people
AUGUST_FIGURES = {
    BIRMINGHAM: SEPTEMBER_FIGURES[BIRMINGHAM],
    COVENTRY: {**SEPTEMBER_FIGURES[COVENTRY], "Other": (2, 1450)},
}


def _store(indicator, areas, period, figures, *, demo=False, with_population=True):
    start, end = period
    by_area = dict(figures)
    by_area[FORCE] = {g: tuple(sum(figures[a][g][i] for a in figures) for i in (0, 1)) for g in figures[BIRMINGHAM]}
    for code, groups in by_area.items():
        rows = [({"ethnicity": g}, n, pop) for g, (n, pop) in groups.items()]
        rows.append(({}, sum(n for n, _ in groups.values()), sum(p for _, p in groups.values())))
        for values, n, pop in rows:
            Observation.objects.create(
                indicator=indicator,
                area=areas[code],
                period_start=start,
                period_end=end,
                breakdown=values,
                breakdown_key=f"ethnicity={values['ethnicity']}" if values else "",
                value=Decimal(n) if indicator.unit == Indicator.Unit.COUNT else Decimal(n) / Decimal(pop) * 1000,
                numerator=None if indicator.unit == Indicator.Unit.COUNT else Decimal(n),
                denominator=Decimal(pop) if with_population else None,
                provider=indicator.provider,
                is_demo=demo,
            )


@pytest.fixture
def figures(sv, areas):
    """SV-1000 (police, split by sex and ethnicity) by ethnic group in Birmingham, Coventry and the force area."""
    _store(sv, areas, SEPTEMBER, SEPTEMBER_FIGURES)
    _store(sv, areas, AUGUST, AUGUST_FIGURES)
    return sv


def _url(indicator, **query) -> str:
    path = f"/indicators/{indicator.code}/disparities/"
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _row(html: str, group: str) -> list[str]:
    """The cells of a group's line in the table, as text."""
    line = re.search(rf'<tr class="govuk-table__row" data-group="{group}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", line, re.S)]


def test_the_provider_sees_each_groups_rate_and_rri_against_the_white_group(police_officer, figures):
    response = signed_in(police_officer).get(_url(figures, area=BIRMINGHAM, period="2026-09-01"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The reference group is <strong>White</strong>" in html
    # Black: 40 of 10,000 = 4.00 per 1,000; White 100 of 60,000 = 1.67; RRI 2.4 (1.66 to 3.46)
    assert _row(html, "Black") == [
        "Black",
        "40",
        "10,000",
        "4.00",
        "2.40",
        "1.66 to 3.46",
        "2.4 times as likely (1.7 to 3.5)",
    ]
    assert _row(html, "White") == [
        "White (reference group)",
        "100",
        "60,000",
        "1.67",
        "1.00",
        "Not applicable",
        "The reference group",
    ]
    assert _row(html, "Asian")[4:6] == ["0.50", "0.33 to 0.75"]
    assert _row(html, "All groups")[:4] == ["All groups", "188", "120,400", "1.56"]
    assert "Counts under 5 are not shown" in html  # the rule, in words, always
    assert "Some counts in this table are hidden" not in html
    assert "Synthetic demo data" not in html


def test_counts_under_5_show_as_fewer_than_5_and_the_next_smallest_as_suppressed(police_officer, figures):
    client = signed_in(police_officer)
    coventry = client.get(_url(figures, area=COVENTRY, period="2026-08-01")).content.decode()
    assert _row(coventry, "Other")[1:] == [
        "Fewer than 5",
        "1,450",
        "Suppressed",
        "Suppressed",
        "Suppressed",
        "Not shown: the count is hidden",
    ]
    assert _row(coventry, "Mixed")[1] == "Suppressed"  # else the total less the others gives the 2 away
    assert _row(coventry, "All groups")[1] == "47"
    assert "Some counts in this table are hidden for that reason." in coventry
    # and across areas: Birmingham's Other is hidden, else the force area's less it would give Coventry's away
    birmingham = client.get(_url(figures, area=BIRMINGHAM, period="2026-08-01")).content.decode()
    assert _row(birmingham, "Other")[1] == "Suppressed"
    assert _row(birmingham, "Mixed")[1] == "Suppressed"
    assert _row(birmingham, "Black")[1] == "40"
    force = client.get(_url(figures, area=FORCE, period="2026-08-01")).content.decode()
    assert _row(force, "Other")[1] == "8"  # the total is shown: two hidden cells beneath it


def test_the_latest_period_and_first_area_are_shown_unless_chosen(police_officer, figures):
    html = signed_in(police_officer).get(_url(figures)).content.decode()
    assert "West Midlands, September 2026" in html
    assert '<option value="2026-08-01">August 2026</option>' in html


def test_a_choice_not_in_the_lists_is_refused_in_words(police_officer, figures):
    html = signed_in(police_officer).get(_url(figures, area="E99999999")).content.decode()
    assert "Select an area from the list" in html
    assert "<title>Error: Disparities by ethnicity: SV-1000" in html
    assert "West Midlands, September 2026" in html


def test_a_partner_with_the_breakdowns_shared_sees_the_figures(police, probation, probation_officer, figures):
    make_dsa(police, [probation], [figures], level=DSA.Level.BREAKDOWNS)
    html = signed_in(probation_officer).get(_url(figures, area=BIRMINGHAM)).content.decode()
    assert _row(html, "Black")[1:5] == ["40", "10,000", "4.00", "2.40"]


@pytest.mark.parametrize("level", [DSA.Level.AGGREGATE, None])
def test_a_partner_without_the_breakdowns_is_told_and_sees_no_number(
    level, police, probation, probation_officer, figures
):
    if level:
        make_dsa(police, [probation], [figures], level=level)
    client = signed_in(probation_officer)
    response = client.get(_url(figures, area=BIRMINGHAM))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The breakdown of this indicator by ethnicity is not shared with your partner." in html
    assert 'data-disparities="not-shared"' in html
    assert 'data-disparities="table"' not in html and "10,000" not in html and "times as likely" not in html
    assert "Ask West Midlands Police for a data-sharing agreement." in html or "Some data is hidden" in html
    assert client.get(_url(figures, area=BIRMINGHAM, format="csv")).status_code == 403


def test_the_pcc_office_sees_every_indicators_figures(pcc_officer, figures):
    html = signed_in(pcc_officer).get(_url(figures, area=BIRMINGHAM)).content.decode()
    assert _row(html, "Black")[1] == "40"


def test_an_anonymous_visitor_is_sent_to_sign_in(anonymous, figures):
    sign_in = reverse("portal:login")
    response = anonymous.get(_url(figures))
    assert response.status_code == 302 and response["Location"].startswith(sign_in)
    assert anonymous.get(_url(figures, format="csv"))["Location"].startswith(sign_in)


def test_an_indicator_not_broken_down_by_ethnicity_says_so(police_officer, homicides):
    client = signed_in(police_officer)
    response = client.get(_url(homicides))
    assert response.status_code == 200
    assert "This indicator is not broken down by ethnicity" in response.content.decode()
    assert "There is a problem" not in client.get(_url(homicides, area="E99999999")).content.decode()
    assert client.get(_url(homicides, format="csv")).status_code == 404


def test_an_indicator_without_figures_yet_says_so(police_officer, sv):
    html = signed_in(police_officer).get(_url(sv)).content.decode()
    assert "No figures broken down by ethnicity have been received" in html


def test_an_unknown_indicator_is_not_found(police_officer, areas):
    assert signed_in(police_officer).get("/indicators/NOPE/disparities/").status_code == 404


def test_the_csv_is_the_same_table_with_its_filters(police_officer, figures):
    response = signed_in(police_officer).get(_url(figures, area=COVENTRY, period="2026-08-01", format="csv"))
    assert response.status_code == 200 and response["Content-Disposition"].endswith(
        f'filename="disparities-SV-1000-{COVENTRY}-2026-08-01.csv"'
    )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = lines.index(["Area", "Period", "Group", "Count", "Population", "Rate per 1,000",
                          "Relative rate index (RRI)", "95% confidence interval", "What it means"])  # fmt: skip
    notes = [line[0] for line in lines[:header]]
    assert "Area: Coventry" in notes and "Period: August 2026" in notes and "Reference group: White" in notes
    assert any("Counts under 5 are not shown" in note for note in notes)
    assert not any("Synthetic demo data" in note for note in notes)
    table = {line[2]: line for line in lines[header + 1 :]}
    assert table["Other"][3:6] == ["Fewer than 5", "1450", "Suppressed"]
    assert table["Mixed"][3] == "Suppressed"
    assert table["White (reference group)"][3:6] == ["25", "18100", "1.38"]
    # The same table as a spreadsheet, with the same notes above it.
    from openpyxl import load_workbook

    xlsx = signed_in(police_officer).get(_url(figures, area=COVENTRY, period="2026-08-01", format="xlsx"))
    assert xlsx["Content-Disposition"].endswith(f'filename="disparities-SV-1000-{COVENTRY}-2026-08-01.xlsx"')
    rows = [list(r) for r in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)]
    assert ["Area: Coventry"] == [c for c in rows[notes.index("Area: Coventry")] if c]
    other = rows[header + 1 + list(table).index("Other")]
    assert [str(c) for c in other[2:6]] == ["Other", "Fewer than 5", "1450", "Suppressed"]


def test_demo_counts_without_populations_take_the_demo_populations_and_say_so(police, areas, police_officer):
    from targets import services

    yjs = services.indicator_create(
        code="YJS-FTE-BIR",
        name="First-time entrants to Birmingham Youth Justice Service",
        unit=Indicator.Unit.COUNT,
        polarity=Indicator.Polarity.LOWER_IS_BETTER,
        frequency=Indicator.Frequency.QUARTERLY,
        geography="local_authority",
        provider=police,
        breakdowns=["age_band", "sex", "ethnicity"],
        by=SYSTEM,
    )
    figures = {
        BIRMINGHAM: {g: (n, 0) for g, n in {"Asian": 8, "Black": 9, "Mixed": 6, "White": 22, "Other": 2}.items()}
    }
    for code, groups in figures.items():
        for values, n in [*[({"ethnicity": g}, n) for g, (n, _) in groups.items()], ({}, 47)]:
            Observation.objects.create(
                indicator=yjs,
                area=areas[code],
                period_start=date(2026, 7, 1),
                period_end=date(2026, 9, 30),
                breakdown=values,
                breakdown_key=f"ethnicity={values['ethnicity']}" if values else "",
                value=Decimal(n),
                provider=police,
                is_demo=True,
            )
    client = signed_in(police_officer)
    html = client.get(_url(yjs)).content.decode()
    assert "Synthetic demo data" in html and "The populations of these counts are synthetic too" in html
    assert _row(html, "Black")[1:3] == ["9", "9,617"]
    assert _row(html, "Other")[1] == "Fewer than 5"
    lines = list(csv.reader(io.StringIO(client.get(_url(yjs, format="csv")).content.decode("utf-8-sig"))))
    assert lines[0][0].startswith("Synthetic demo data")


def test_the_page_reads_in_a_constant_number_of_queries(police_officer, figures, areas):
    client = signed_in(police_officer)
    client.get(_url(figures))
    with CaptureQueriesContext(connection) as few:
        client.get(_url(figures, area=BIRMINGHAM))
    _store(figures, areas, (date(2026, 10, 1), date(2026, 10, 31)), SEPTEMBER_FIGURES)
    with CaptureQueriesContext(connection) as more:
        client.get(_url(figures, area=BIRMINGHAM))
    assert len(more) == len(few) <= 18
