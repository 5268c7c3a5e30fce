"""Lockouts in a real browser: people sharing one address are not locked out by each other's
mistakes, a locked account is told so, and the PCC office sees and clears both kinds of lockout."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from portal import lockout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-123"
SPRAYER = "198.51.100.66"
# Five people at one office (all of them reach the portal from the live server's 127.0.0.1).
MISTYPING = ["victims.officer", "probation.officer", "cps.officer", "courts.officer", "health.officer"]


@pytest.fixture
def demo_data(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("seed_demo", stdout=io.StringIO())


def path_of(page) -> str:
    return urlsplit(page.url).path


def current_code(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def submit_password(page, username: str, password: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Continue").click()


def sign_in(page, username: str) -> None:
    submit_password(page, username, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/sign-in/two-factor/(\?.*)?$"))
    page.get_by_label("Code from your authenticator app").fill(current_code(username))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_five_people_mistyping_at_one_address_then_a_sixth_signs_in(page, page_problems, demo_data, axe_check):
    for username in MISTYPING:
        for attempt in range(3):
            submit_password(page, username, f"my-old-password-{attempt}")
            expect(page.locator(".govuk-error-summary")).to_contain_text("The username or password is not right")
    assert path_of(page) == "/sign-in/"
    axe_check(page)

    sign_in(page, "police.officer")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    axe_check(page)
    assert lockout.username_locks() == [] and lockout.address_throttles() == []
    assert page_problems == []


def test_a_locked_account_is_told_so_and_the_pcc_office_unlocks_it(page, page_problems, demo_data, axe_check, settings):
    settings.LOCKOUT_ADDRESS_FAILURES = 20
    for attempt in range(settings.LOCKOUT_USERNAME_FAILURES - 1):
        submit_password(page, "victims.officer", f"my-old-password-{attempt}")
    # Warned before the last try, with the lockout's real length.
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "If the next attempt is wrong too, this account will be locked for 15 minutes."
    )
    axe_check(page)
    submit_password(page, "victims.officer", "my-oldest-password")
    expect(page.get_by_role("heading", level=1)).to_have_text("This account is locked")
    expect(page.get_by_text("It will unlock by itself at")).to_be_visible()
    # The PCC office's contact details (the made-up demo ones under the tests).
    expect(page.get_by_role("link", name=settings.PCC_OFFICE_CONTACT_EMAIL)).to_be_visible()
    expect(page.get_by_text(f"Telephone: {settings.PCC_OFFICE_CONTACT_PHONE}")).to_be_visible()
    axe_check(page)
    # The page itself comes with status 403, which Chromium reports as a failed resource.
    assert page_problems == ["Failed to load resource: the server responded with a status of 403 (Forbidden)"]
    page_problems.clear()
    # Someone elsewhere sprays usernames: their address is throttled, nobody's account is locked.
    sprayer = Client(REMOTE_ADDR=SPRAYER)
    for n in range(settings.LOCKOUT_ADDRESS_FAILURES):
        sprayer.post("/sign-in/", {"username": f"guess.{n}", "password": "Winter2026!"})

    # The PCC office, at the same address as victims.officer, is not locked out.
    sign_in(page, "pcc.officer")
    page.goto("/security/")
    locked = page.get_by_role("region", name="Locked accounts")
    expect(locked).to_contain_text("victims.officer")
    expect(page.get_by_role("region", name="Throttled addresses")).to_contain_text(SPRAYER)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert no_sideways_scroll(page), f"the security log scrolls sideways at {width} px"
        axe_check(page)

    page.get_by_role("button", name="Unlock victims.officer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("victims.officer can sign in again")
    page.get_by_role("button", name=f"Allow sign-ins from {SPRAYER}").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"People at {SPRAYER} can sign in again")
    expect(page.get_by_text("No accounts are locked.")).to_be_visible()
    expect(page.get_by_text("No addresses are throttled.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Sign out").click()

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "victims.officer")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    assert page_problems == []
