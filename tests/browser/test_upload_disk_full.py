"""An officer uploads a return when the uploads disk is full, in a real browser: the upload page again with
the GOV.UK error summary saying what happened and what to do, nothing recorded; then, with room, it goes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from targets.models import DataReturn
from tests.browser.test_data_return import demo_data as demo_data  # noqa: F401 (a fixture, used by name)
from tests.browser.test_data_return import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_a_full_disk_refuses_the_upload_with_the_error_summary_and_records_nothing(
    page,
    demo_data,
    settings,
    tmp_path,
    axe_check,
    page_problems,  # noqa: F811
):
    template = tmp_path / "return.csv"
    template.write_text(
        "indicator_code,area_code,period_start,period_end,value,numerator,denominator,age_band,sex,ethnicity\n"
        "HOM,E23000014,2026-10-01,2026-10-31,3,,,,,\n"
    )
    sign_in(page)
    before = DataReturn.objects.count()
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": {"BACKEND": "tests.targets.test_upload_storage.FullDiskStorage"},
    }
    page.goto("/data-returns/upload/")
    page.get_by_label("Upload a file").set_input_files(str(template))
    page.get_by_role("button", name="Upload and check").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("the portal has run out of space for uploads")
    expect(summary).to_contain_text("Nothing was saved")
    expect(page).to_have_title(re.compile(r"^Error: "))
    axe_check(page)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"upload-disk-full-{width}.png"), full_page=True)
    assert DataReturn.objects.count() == before
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]

    settings.STORAGES = {**settings.STORAGES, "uploads": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    page.get_by_label("Upload a file").set_input_files(str(template))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/data-returns/\d+/$"), timeout=30_000)
    assert DataReturn.objects.count() == before + 1
    assert page_problems == []
