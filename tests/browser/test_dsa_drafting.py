"""A police officer drafts an agreement like the demo's DSA-2026-001 in a real browser: eight recipients
(every council, with the "all councils" shortcut, and the VRP) and three indicators."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from partners.models import DataSharingAgreement, Partner
from tests.factories import covered_codes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-123"


@pytest.fixture
def demo_data(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("seed_demo", stdout=io.StringIO())


def sign_in(page, username: str) -> None:
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


def fill_date(page, legend: str, day: int, month: int, year: int) -> None:
    group = page.get_by_role("group", name=re.compile(legend))
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


@pytest.mark.parametrize("width", [320, 1280])
def test_an_officer_drafts_an_agreement_with_eight_recipients_and_three_indicators(
    page, page_problems, demo_data, axe_check, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "police.officer")
    page.goto("/sharing-agreements/new/")
    expect(page.get_by_role("heading", name="Draft a data-sharing agreement")).to_be_visible()
    axe_check(page)

    page.get_by_label("Title").fill("Recorded crime for every council")
    page.get_by_label("Purpose of sharing").fill("Community safety partnerships plan with recorded crime.")
    page.get_by_label("UK GDPR Article 6(1)(e): public task").check()
    page.get_by_role("group", name=re.compile("special category data")).get_by_label("No").check()
    page.get_by_role("group", name=re.compile("criminal offence data")).get_by_label("No").check()
    # Several answers: checkboxes, never radios.
    assert page.locator("input[type=radio][name=recipients]").count() == 0
    assert page.locator("input[type=radio][name=indicators]").count() == 0
    page.get_by_label("All 7 councils").check()
    page.get_by_label("West Midlands Violence Reduction Partnership", exact=True).check()
    for code in ("SV-1000", "NC-1000", "HOM"):
        page.get_by_label(re.compile(rf"{code}: ")).check()
    page.get_by_label("Aggregate figures only").check()
    page.get_by_label("Retention and deletion").fill("Kept while the agreement lasts, deleted within 30 days.")
    page.get_by_label("Security measures").fill("Read in the portal only, behind two-factor sign-in.")
    page.get_by_label("Contacts").fill("Data protection officers, through the OPCC.")
    fill_date(page, "Start date", 1, 1, 2027)
    fill_date(page, "End date", 31, 12, 2028)
    fill_date(page, "Review date", 1, 1, 2028)
    page.get_by_role("button", name="Save as draft").click()

    page.wait_for_url(re.compile(r"/sharing-agreements/\d+/$"))
    expect(page.get_by_text("is saved as a draft")).to_be_visible()
    agreement = DataSharingAgreement.objects.get(title="Recorded crime for every council")
    recipients = set(agreement.recipients.values_list("slug", flat=True))
    councils = set(Partner.objects.filter(kind=Partner.Kind.LOCAL_AUTHORITY).values_list("slug", flat=True))
    assert recipients == councils | {"west-midlands-vrp"} and len(recipients) == 8
    assert covered_codes(agreement) == ["HOM", "NC-1000", "SV-1000"]
    axe_check(page)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the agreement page is {scroll}px wide at {width}px"
    assert page_problems == []
