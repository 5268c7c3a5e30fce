"""A partner officer sends a data return in a real browser: template → upload → report → apply."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from targets.models import DataReturn, Observation, Target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-123"
USERNAME = "police.officer"


@pytest.fixture
def demo_data(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("seed_demo", stdout=io.StringIO())


def path_of(page) -> str:
    return urlsplit(page.url).path


def sign_in(page, username: str = USERNAME) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/sign-in/two-factor/"))
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Code from your authenticator app").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def template_rows(template_path) -> tuple[list[str], list[list[str]]]:
    with open(template_path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def revising_return(template_path, tmp_path) -> tuple[str, Observation, str]:
    """The template filled in the normal way: the homicides example row typed over with a new count for a
    period the board already holds (a revision), the other example rows deleted."""
    header, examples = template_rows(template_path)
    row = next(r for r in examples if r[0] == "HOM")
    held = Observation.objects.get(
        indicator__code="HOM", area__code=row[1], period_start=row[2], breakdown_key="", is_current=True
    )
    new_value = str(int(held.value) + 1)
    row[header.index("value")] = new_value
    target = tmp_path / "our-return.csv"
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(row)  # still marked "example": typed over, so taken
    return str(target), held, new_value


def upload_file(page, path: str) -> None:
    page.goto("/data-returns/upload/")
    page.get_by_label("Upload a file").set_input_files(path)
    page.get_by_role("button", name="Upload and check").click()
    # The progress page refreshes itself until the checks are done, then shows the report.
    page.wait_for_url(re.compile(r"/data-returns/\d+/$"), timeout=30_000)


def test_a_partner_officer_uploads_checks_and_applies_a_data_return(
    page, page_problems, demo_data, axe_check, tmp_path
):
    sign_in(page)
    page.get_by_role("link", name="Data returns").first.click()
    page.wait_for_url(re.compile(r"/data-returns/$"))
    expect(page.get_by_role("heading", name="Data returns", level=1)).to_be_visible()
    axe_check(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the template as CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    template_path = tmp_path / "template.csv"
    download.save_as(template_path)
    header, examples = template_rows(template_path)
    assert header[:5] == ["indicator_code", "area_code", "period_start", "period_end", "value"]
    assert header[-1] == "example" and examples and all(r[-1] == "example" for r in examples)

    page.get_by_role("button", name="Upload a data return").click()
    page.wait_for_url(re.compile(r"/data-returns/upload/$"))
    axe_check(page)
    # Without a file: the GOV.UK error summary.
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a CSV or XLSX file")
    axe_check(page)

    # The template sent back unchanged is refused: it would have revised real figures with made-up ones.
    before = {o.pk: o.value for o in Observation.objects.filter(is_current=True, provider__slug="west-midlands-police")}
    page.get_by_label("Upload a file").set_input_files(str(template_path))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/data-returns/\d+/$"), timeout=30_000)
    expect(page.get_by_text("Has errors").first).to_be_visible()
    expect(page.get_by_role("cell", name="Row 2 is the template's example: delete it")).to_be_visible()
    expect(page.get_by_role("button", name="Apply these figures")).to_have_count(0)
    axe_check(page)
    assert {
        o.pk: o.value for o in Observation.objects.filter(is_current=True, provider__slug="west-midlands-police")
    } == before

    # A real revision: the report shows the old and the new value.
    upload_path, held, new_value = revising_return(template_path, tmp_path)
    upload_file(page, upload_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("our-return.csv")
    expect(page.get_by_text("Ready to apply").first).to_be_visible()
    expect(page.get_by_role("heading", name="What would change")).to_be_visible()
    expect(page.get_by_role("heading", name="Figures it would revise")).to_be_visible()
    revisions = page.get_by_role("region", name=re.compile("1 revised figure"))
    row = revisions.get_by_role("row").filter(has_text="HOM")
    expect(row.get_by_role("cell").nth(5)).to_have_text(str(int(held.value)))
    expect(row.get_by_role("cell").nth(6)).to_have_text(new_value)
    axe_check(page)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        axe_check(page)

    # Applying needs the tick.
    page.get_by_role("button", name="Apply these figures").click()
    page.wait_for_url(re.compile(r"/data-returns/\d+/apply/$"))
    expect(page.get_by_role("heading", name="Apply these figures?")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Apply these figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Confirm that the revised figures replace what the board holds"
    )
    axe_check(page)
    held.refresh_from_db()
    assert held.is_current
    page.get_by_label("I confirm this figure replaces what the board holds").check()
    page.get_by_role("button", name="Apply these figures").click()

    page.wait_for_url(re.compile(r"/data-returns/\d+/applied/$"))
    expect(page.locator(".govuk-panel")).to_contain_text("Figures applied")
    axe_check(page)

    data_return = DataReturn.objects.get(original_filename="our-return.csv")
    assert data_return.status == DataReturn.Status.APPLIED
    assert data_return.changes == {"new": 0, "revised": 1, "unchanged": 0}
    current = Observation.objects.get(
        indicator=held.indicator, area=held.area, period_start=held.period_start, breakdown_key="", is_current=True
    )
    assert (current.value, current.revision, current.data_return_id) == (
        int(new_value),
        held.revision + 1,
        data_return.pk,
    )
    assert page_problems == []


def test_priorities_targets_and_indicators_read_well_and_the_chart_is_drawn(page, page_problems, demo_data, axe_check):
    sign_in(page)
    page.get_by_role("link", name="Priorities").first.click()
    page.wait_for_url(re.compile(r"/priorities/$"))
    axe_check(page)

    target = Target.objects.filter(indicator__provider__slug="west-midlands-police").order_by("pk").first()
    page.get_by_role("link", name=target.priority.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(target.priority.title)
    expect(page.get_by_text("Synthetic demo data").first).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name=target.display_title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(target.display_title)
    expect(page.locator(".app-chart")).to_be_visible()
    # Chart.js drew on the canvas (it sizes it), and the same numbers are in the table beside it.
    assert page.locator("#target-chart").evaluate("c => c.width > 0 && c.height > 0")
    expect(page.get_by_role("table").filter(has_text="Actual and expected figures")).to_be_visible()
    expect(page.get_by_role("heading", name="Revision history")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name=f"{target.indicator.code}: {target.indicator.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(target.indicator.name)
    expect(page.get_by_role("heading", name="Latest figures")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Indicators").first.click()
    page.get_by_label("Search by code or name").fill(target.indicator.code)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=target.indicator.code, exact=True)).to_be_visible()
    axe_check(page)
    assert page_problems == []


def test_another_partner_sees_the_status_without_the_figures(page, page_problems, demo_data, axe_check):
    sign_in(page, "probation.officer")
    target = Target.objects.filter(indicator__provider__slug="west-midlands-police").order_by("pk").first()
    page.goto(target.get_absolute_url())
    expect(page.get_by_text("The figures behind this status are not shared with your partner.")).to_be_visible()
    expect(page.locator("main .govuk-tag").first).to_have_text(re.compile("On track|At risk|Off track|No data"))
    assert page.locator("#target-chart").count() == 0
    axe_check(page)
    assert page_problems == []
