"""A signatory finds an agreement waiting for them through the header's unread count, opens it from
their notifications, and chooses which notifications they also get by email: at 320 and 1280 px,
with axe-core on every page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from partners.models import DataSharingAgreement, Partner, Role
from portal.models import Notification, NotificationPreference
from tests.factories import PASSWORD, make_dsa, make_indicator, make_partner, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "probation.signatory"


@pytest.fixture
def waiting_agreement():
    """Sent by the police: the probation signatory is told (after commit, as in the portal)."""
    police = make_partner("west-midlands-police", Partner.Kind.POLICE, "West Midlands Police")
    probation = make_partner("probation-west-midlands", Partner.Kind.PROBATION, "Probation Service West Midlands")
    make_person(police, Role.SIGNATORY, "police.signatory")
    make_person(probation, Role.SIGNATORY, USERNAME)
    agreement = make_dsa(
        police, [probation], [make_indicator("SV-1000", police)], status=DataSharingAgreement.Status.AWAITING_SIGNATURES
    )
    assert Notification.objects.filter(user__username=USERNAME, read_at__isnull=True).count() == 1
    return agreement


def sign_in(page) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username", exact=True).fill(USERNAME)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/sign-in/two-factor/"))
    device = TOTPDevice.objects.get(user__username=USERNAME, confirmed=True)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Code from your authenticator app").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


@pytest.mark.parametrize("width", [320, 1280])
def test_a_signatory_opens_a_signature_request_and_chooses_their_emails(
    page, page_problems, waiting_agreement, axe_check, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page)

    # The header says how many are unread, in words.
    header_link = page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(header_link).to_have_accessible_name(re.compile(r"^Notifications\s*,\s*1 unread\s*$"))
    expect(header_link).to_be_visible()
    axe_check(page)

    header_link.click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/notifications/")
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    expect(page.get_by_text("You have 1 unread notification.")).to_be_visible()
    title = f"Data-sharing agreement {waiting_agreement.reference} is waiting for your signature"
    expect(page.get_by_role("heading", name=f"Unread {title}")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name=title).click()
    page.wait_for_url(lambda url: urlsplit(url).path == waiting_agreement.get_absolute_url())
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()  # none unread now

    page.goto("/notifications/")
    expect(page.get_by_text("You have read all your notifications.")).to_be_visible()
    expect(page.get_by_role("button", name="Mark all as read")).to_have_count(0)
    page.get_by_role("link", name="Choose which notifications you also get by email").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/account/notifications/")
    expect(page.get_by_role("heading", name="Your notification emails")).to_be_visible()
    axe_check(page)

    reviews = page.get_by_role("checkbox", name="Agreement reviews coming up")
    expect(reviews).to_be_checked()
    reviews.uncheck()
    page.get_by_role("button", name="Save your choices").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/account/notifications/")
    expect(page.get_by_text("Your email choices are saved.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Agreement reviews coming up")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Agreements waiting for your signature")).to_be_checked()
    axe_check(page)

    assert NotificationPreference.objects.get(user__username=USERNAME, kind="dsa.review_due").email is False
    assert not page_problems
