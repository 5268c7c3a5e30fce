"""Signing in with a password and an authenticator code, in a real browser."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-123"
USERNAME = "police.officer"


@pytest.fixture
def demo_data(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("seed_demo", stdout=io.StringIO())


def path_of(page) -> str:
    return urlsplit(page.url).path


def current_code(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in_with_password(page, password: str) -> None:
    page.get_by_label("Username", exact=True).fill(USERNAME)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Continue").click()


def test_a_partner_officer_signs_in_with_password_and_authenticator_code(page, page_problems, demo_data, axe_check):
    page.goto("/")
    page.wait_for_url(re.compile(r"/sign-in/(\?.*)?$"))
    assert path_of(page) == "/sign-in/"
    # The portal's own stylesheet is served and applied: Arial, not GDS Transport.
    assert "arial" in page.locator("h1").evaluate("h1 => getComputedStyle(h1).fontFamily").lower()
    axe_check(page)

    sign_in_with_password(page, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/sign-in/two-factor/(\?.*)?$"))
    assert path_of(page) == "/sign-in/two-factor/"
    axe_check(page)

    page.get_by_label("Code from your authenticator app").fill(current_code(USERNAME))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")

    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_text("West Midlands Police").first).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    axe_check(page)
    assert page_problems == []


def test_a_wrong_password_shows_the_error_summary(page, page_problems, demo_data, axe_check):
    page.goto("/sign-in/")
    sign_in_with_password(page, "not-the-password-1")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    # GOV.UK Frontend's script moves focus to the summary: proof that it was loaded.
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert path_of(page) == "/sign-in/"
    axe_check(page)
    assert page_problems == []
