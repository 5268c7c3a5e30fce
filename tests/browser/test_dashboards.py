"""Issue 18's "Done when", in a real browser, from the demo exactly as seeded: the board chair and a partner
officer each open the board dashboard, filter it, download it and open the board pack; each sees the figures
the data-sharing agreements give their partner and, for the rest, the status word with "Hidden" beside it.
axe-core and no sideways scroll on every page at 1280 px and 320 px."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.test_plan_journey import SHOTS, TAKE_SHOTS, demo, look, people  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HIDDEN = "Hidden: not shared with your partner"
# A police target and one whose figures only HMCTS and the board share (the demo's agreements).
POLICE_TARGET = "Homicides in the West Midlands"
COURTS_TARGET = "Days from offence to completion (Crown Court) in the West Midlands"


def row(page, title: str):
    return page.locator("tr", has=page.get_by_role("link", name=title, exact=True))


def test_the_board_chair_sees_every_board_figure_filters_downloads_and_prints(demo, people, axe_check):  # noqa: F811
    if TAKE_SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
    chair = people("board.chair")
    # The start page opens with what is at a glance, then the way to the dashboard.
    expect(chair.get_by_role("heading", name="At a glance")).to_be_visible()
    expect(chair.get_by_role("heading", name="The board's targets")).to_be_visible()
    look(chair, axe_check, shot="start-page-glance")
    chair.get_by_role("link", name="Dashboard", exact=True).first.click()
    expect(chair.get_by_role("heading", name="Board dashboard", level=1)).to_be_visible()
    look(chair, axe_check, shot="dashboard")
    # The performance framework shares every targeted indicator's totals with the board: nothing hidden.
    expect(chair.get_by_text(HIDDEN)).to_have_count(0)
    expect(row(chair, COURTS_TARGET)).to_contain_text("since the last period")
    expect(chair.get_by_text("Synthetic demo data.", exact=False).first).to_be_visible()
    total = int(chair.locator(".app-status-counts__n").nth(0).inner_text())  # off track, first
    assert total >= 1

    # Filter to one local authority: the URL carries it, and only that area's targets remain.
    chair.get_by_label("Area").select_option(label="Birmingham (local authority)")
    chair.get_by_role("button", name="Apply filters").click()
    assert parse_qs(urlsplit(chair.url).query)["area"] == ["E08000025"]
    expect(chair.get_by_text("Area: Birmingham", exact=False).first).to_be_visible()
    for link in chair.locator(".app-dashboard-panel tbody th a").all():
        assert "Birmingham" in link.inner_text()
    look(chair, axe_check, narrow=True)

    # The download carries the filters and the demo label.
    with chair.expect_download() as download:
        chair.get_by_role("link", name="Download these targets as CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    lines = list(csv.reader(io.StringIO(text)))
    assert ["Area: Birmingham"] in lines and any("Synthetic demo data" in line[0] for line in lines if line)
    assert all(
        "Birmingham" in line[3] for line in lines[lines.index(next(r for r in lines if r[:1] == ["Priority"])) + 1 :]
    )

    # A past month, bookmarked: the page says which.
    chair.get_by_label("Period").select_option(index=2)
    chair.get_by_role("button", name="Apply filters").click()
    assert "period" in parse_qs(urlsplit(chair.url).query)
    expect(chair.get_by_text("Period: figures as at", exact=False).first).to_be_visible()

    # The board pack for a meeting, with the same filters, and its PDF.
    chair.get_by_role("link", name="Clear filters").first.click()
    chair.get_by_role("link", name="Board pack for a meeting").click()
    expect(chair.get_by_role("heading", name="2. Targets off track")).to_be_visible()
    look(chair, axe_check, shot="board-pack")
    pdf = chair.request.get(chair.get_by_role("link", name="download it as a PDF").get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert not people.problems, people.problems


def test_a_police_officer_sees_police_figures_and_only_the_status_of_the_rest(demo, people, axe_check):  # noqa: F811
    officer = people("police.officer")
    expect(officer.get_by_role("heading", name="Targets your partner owns")).to_be_visible()
    officer.get_by_role("link", name="See them all on the dashboard").click()
    assert parse_qs(urlsplit(officer.url).query)["partner"] == ["west-midlands-police"]
    officer.goto("/dashboard/")
    look(officer, axe_check, narrow=True)
    police = row(officer, POLICE_TARGET)
    expect(police).not_to_contain_text(HIDDEN)
    expect(police.locator("svg.app-sparkline")).to_have_count(1)
    courts = row(officer, COURTS_TARGET)
    expect(courts).to_contain_text(HIDDEN)  # the status word shows; the figures do not
    expect(courts.locator(".govuk-tag").first).to_be_visible()
    expect(courts.locator("svg.app-sparkline")).to_have_count(0)
    expect(officer.get_by_text("are not shared with your partner", exact=False).first).to_be_visible()
    assert not people.problems, people.problems
