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


def filled_return(template_path, tmp_path) -> tuple[str, int]:
    """Keep the template's header and its first two rows (its example figures); returns the file and row count."""
    with open(template_path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, examples = rows[0], rows[1:3]
    assert header[:5] == ["indicator_code", "area_code", "period_start", "period_end", "value"]
    assert examples, "the template should hold an example row for each indicator the police provide"
    target = tmp_path / "our-return.csv"
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(examples)
    return str(target), len(examples)


def test_a_partner_officer_uploads_checks_and_applies_a_data_return(page, page_problems, demo_data, axe_check,
                                                                     tmp_path):
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
    upload_path, rows = filled_return(template_path, tmp_path)

    page.get_by_role("button", name="Upload a data return").click()
    page.wait_for_url(re.compile(r"/data-returns/upload/$"))
    axe_check(page)
    # Without a file: the GOV.UK error summary.
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a CSV or XLSX file")
    axe_check(page)

    page.get_by_label("Upload a file").set_input_files(upload_path)
    page.get_by_role("button", name="Upload and check").click()
    # The progress page refreshes itself until the checks are done, then shows the report.
    page.wait_for_url(re.compile(r"/data-returns/\d+/$"), timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("our-return.csv")
    expect(page.get_by_text("Ready to apply").first).to_be_visible()
    expect(page.get_by_role("heading", name="What would change")).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Apply these figures").click()
    page.wait_for_url(re.compile(r"/data-returns/\d+/apply/$"))
    expect(page.get_by_role("heading", name="Apply these figures?")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Apply these figures").click()

    page.wait_for_url(re.compile(r"/data-returns/\d+/applied/$"))
    expect(page.locator(".govuk-panel")).to_contain_text("Figures applied")
    axe_check(page)

    data_return = DataReturn.objects.get(original_filename="our-return.csv")
    assert data_return.status == DataReturn.Status.APPLIED
    assert Observation.objects.filter(data_return=data_return).count() == (
        data_return.changes["new"] + data_return.changes["revised"])
    assert sum(data_return.changes.values()) == rows
    assert page_problems == []


def test_priorities_targets_and_indicators_read_well_and_the_chart_is_drawn(page, page_problems, demo_data,
                                                                             axe_check):
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
