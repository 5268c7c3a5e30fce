"""Adding a passkey and signing in with it, in Chromium with a virtual authenticator (CDP WebAuthn domain)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from partners.models import Partner, Role
from portal.models import AuditEvent, SecurityEvent
from tests.factories import PASSWORD, make_partner, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "police.officer"


@pytest.fixture
def officer(db):
    police = make_partner("west-midlands-police", Partner.Kind.POLICE, "West Midlands Police")
    return make_person(police, Role.OFFICER, USERNAME)


@pytest.fixture
def webauthn_at_live_server(settings, live_server):
    """The relying party is "localhost", as in development: the page must be on http://localhost:PORT."""
    origin = live_server.url
    assert urlsplit(origin).hostname == "localhost", origin  # 127.0.0.1 can never be a relying party ID
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [origin]
    return origin


@pytest.fixture
def virtual_authenticator(page):
    """A platform authenticator (like Touch ID or Windows Hello) that always verifies the user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    result = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield cdp, result["authenticatorId"]
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": result["authenticatorId"]})


def path_of(page) -> str:
    return urlsplit(page.url).path


def current_code(steps_ahead: int = 0) -> str:
    """The app's code now, or the next one (a code is accepted only once)."""
    device = TOTPDevice.objects.get(user__username=USERNAME, confirmed=True)
    t0 = device.t0 - steps_ahead * device.step
    return f"{totp(device.bin_key, device.step, t0, device.digits, device.drift):06d}"


def sign_in_with_password(page) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username", exact=True).fill(USERNAME)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/sign-in/two-factor/(\?.*)?$"))


def test_an_officer_adds_a_passkey_and_signs_in_with_it(
    page, page_problems, officer, webauthn_at_live_server, virtual_authenticator, axe_check
):
    cdp, authenticator_id = virtual_authenticator

    # First sign-in: password and authenticator app code, as always.
    sign_in_with_password(page)
    # No passkey yet, so the two-factor page does not offer one.
    expect(page.get_by_role("button", name="Use a passkey instead")).to_have_count(0)
    page.get_by_label("Code from your authenticator app").fill(current_code())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")

    page.get_by_role("link", name="Passkeys").click()
    # Managing passkeys is a step-up action: a fresh code even right after signing in.
    page.wait_for_url(lambda url: urlsplit(url).path == "/sign-in/confirm/")
    page.get_by_label("Code from your authenticator app").fill(current_code(steps_ahead=1))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/account/passkeys/")
    expect(page.get_by_text("You have not added a passkey.")).to_be_visible()
    add = page.get_by_role("button", name="Add a passkey")
    expect(add).to_be_visible()  # the register script found WebAuthn and showed the button
    axe_check(page)

    add.click()
    # The page reloads with the new passkey listed and the portal's message.
    expect(page.get_by_role("cell", name="Passkey 1", exact=True)).to_be_visible()
    expect(page.get_by_text("Passkey 1 added.")).to_be_visible()
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1
    assert WebAuthnCredential.objects.filter(user__username=USERNAME, name="Passkey 1").exists()
    assert AuditEvent.objects.filter(action="passkey.register", actor__username=USERNAME).exists()
    axe_check(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/signed-out/")

    # Second sign-in: password, then the passkey instead of the code.
    sign_in_with_password(page)
    use_passkey = page.get_by_role("button", name="Use a passkey instead")
    expect(use_passkey).to_be_visible()
    axe_check(page)
    use_passkey.click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_role("heading", name="Your start page")).to_be_visible()

    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.SIGN_IN, username=USERNAME, detail="second factor (passkey)"
    ).exists()
    assert WebAuthnCredential.objects.get(user__username=USERNAME).last_used_at is not None

    # The passkey also confirms it is you (step-up), and returns to where you were going.
    page.goto("/sign-in/confirm/?next=/account/passkeys/")
    page.get_by_role("button", name="Use a passkey instead").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/account/passkeys/")
    expect(page.get_by_role("heading", name="Passkeys", exact=True)).to_be_visible()
    # No CSP refusals, missing files or script errors on any page of the journey.
    assert page_problems == []
