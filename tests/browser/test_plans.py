"""Plans in a real browser, on the demo data: partners write a draft together (each only its own
sections), the owner sends it, signatories sign it off or return it (each with a fresh code), and a
round that every partner signs ends agreed and locked, with a PDF to circulate."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from partners.models import Partner
from targets.plans.models import PlanSignOff, PlanVersion
from tests.factories import latest_version, make_plan, plan_send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-123"
V = PlanVersion.Status
SECTIONS = [
    ("Policing", "Patrols at the three hotspots.", "west-midlands-police"),
    ("Offender management", "Joint supervision of the top 50.", "probation-west-midlands"),
]


@pytest.fixture
def demo_plan(monkeypatch, settings, tmp_path):
    """The demo data, and a police delivery plan that probation contributes to (a draft)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("seed_demo", stdout=io.StringIO())
    partners = {p.slug: p for p in Partner.objects.filter(slug__in=[s for *_, s in SECTIONS])}
    return make_plan(
        partners["west-midlands-police"],
        [partners["probation-west-midlands"]],
        title="Knife crime delivery plan 2027",
        sections=[(title, body, partners[slug]) for title, body, slug in SECTIONS],
    )


def _code(username: str, steps_ahead: int = 0) -> str:
    """The app's code now, or the one it shows steps_ahead × 30 s later (each code is used once)."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    return (
        f"{totp(device.bin_key, device.step, device.t0 - steps_ahead * device.step, device.digits, device.drift):06d}"
    )


def signed_in_page(browser, base_url: str, username: str, width: int = 1280):
    context = browser.new_context(base_url=base_url, locale="en-GB", viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/sign-in/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/sign-in/two-factor/"))
    page.get_by_label("Code from your authenticator app").fill(_code(username))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    return page


def step_up(page, username: str) -> None:
    """The sign-off pages ask for a fresh code, even just after sign-in."""
    page.wait_for_url(re.compile(r"/sign-in/confirm/"))
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(_code(username, steps_ahead=1))
    page.get_by_role("button", name="Confirm").click()


def check(page, axe_check, *, narrow: bool = True) -> None:
    """axe-core at 1280 px and (unless told) at 320 px, where the page must not scroll sideways."""
    axe_check(page)
    if narrow:
        page.set_viewport_size({"width": 320, "height": 900})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 320, f"{page.url} is {scroll}px wide at 320px"
        axe_check(page)
        page.set_viewport_size({"width": 1280, "height": 900})


def version_path(plan, number: int = 1) -> str:
    return f"/plans/{plan.pk}/versions/{number}/"


def test_partners_write_their_own_sections_then_one_signs_and_one_returns_it(
    chromium_browser, live_server, demo_plan, axe_check
):
    plan, base = demo_plan, live_server.url
    police_section = plan.versions.get().sections.get(title="Policing")

    # police.officer: edits the police section of the draft, then sends the draft for sign-off
    page = signed_in_page(chromium_browser, base, "police.officer")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Plans").click()
    expect(page.get_by_role("heading", name="Plans", exact=True)).to_be_visible()
    check(page, axe_check)
    page.get_by_role("link", name="Knife crime delivery plan 2027", exact=True).click()
    check(page, axe_check)
    page.get_by_role("link", name="Version 1").first.click()
    expect(page.get_by_role("heading", name="Knife crime delivery plan 2027", level=1)).to_be_visible()
    check(page, axe_check)
    page.get_by_role("link", name=re.compile(r"^Change this section\W+Policing$")).click()
    expect(page.get_by_role("heading", name="Change this section")).to_be_visible()
    check(page, axe_check)
    page.get_by_label("Text").fill("Patrols at the three hotspots, **with body-worn video**.")
    page.get_by_role("button", name="Save the section").click()
    page.wait_for_url(re.compile(rf"{version_path(plan)}#section-{police_section.key}$"))
    expect(page.locator(f"#section-{police_section.key} strong", has_text="with body-worn video")).to_be_visible()
    police_officer = page

    # probation.officer: reads it, but has no way to change it, and the address is refused
    page = signed_in_page(chromium_browser, base, "probation.officer")
    page.goto(version_path(plan))
    expect(page.get_by_role("link", name=re.compile(r"^Change this section\W+Offender management$"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Change this section\W+Policing$"))).to_have_count(0)
    response = page.goto(f"{version_path(plan)}sections/{police_section.key}/edit/")
    assert response.status == 403
    check(page, axe_check, narrow=False)
    page.context.close()

    page = police_officer  # (a code is used once: the officer's session goes on)
    page.goto(version_path(plan))
    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.get_by_role("heading", name="Send version 1 for sign-off")).to_be_visible()
    check(page, axe_check)
    page.get_by_label("How many working days do partners have to sign it off?").fill("10")
    page.get_by_role("button", name="Send for sign-off").click()
    page.wait_for_url(re.compile(rf"{version_path(plan)}$"))
    expect(page.get_by_text("is sent. Each partner's signatory has been asked")).to_be_visible()
    page.context.close()
    assert latest_version(plan).status == V.IN_SIGNOFF

    # police.signatory: signs off for the police, with a fresh code
    page = signed_in_page(chromium_browser, base, "police.signatory")
    page.goto(version_path(plan))
    check(page, axe_check)
    page.get_by_role("button", name=re.compile(r"^Sign off\W+for West Midlands Police$")).click()
    step_up(page, "police.signatory")
    expect(page.get_by_role("heading", name="Sign off version 1 for West Midlands Police")).to_be_visible()
    check(page, axe_check)
    page.get_by_label("Statement (optional)").fill("Agreed for the force.")
    page.get_by_label("I have read this version and have the authority to sign it off").check()
    page.get_by_role("button", name="Sign off for WMP").click()
    page.wait_for_url(re.compile(rf"{version_path(plan)}$"))
    expect(page.get_by_text("You signed off version 1 for WMP")).to_be_visible()
    expect(page.locator('tr[data-partner="west-midlands-police"]')).to_contain_text("Signed off")
    page.context.close()

    # probation.signatory: returns it with reasons; a new draft is made from it
    page = signed_in_page(chromium_browser, base, "probation.signatory")
    page.goto(version_path(plan))
    page.get_by_role("button", name=re.compile(r"^Return it\W+for Probation Service West Midlands$")).click()
    step_up(page, "probation.signatory")
    expect(page.get_by_role("heading", name="Return version 1 with reasons")).to_be_visible()
    check(page, axe_check)
    page.get_by_label("Why are you returning it?").fill("Say who pays for the extra probation officers.")
    page.get_by_role("button", name="Return it").click()
    page.wait_for_url(re.compile(rf"{version_path(plan, 2)}$"))
    expect(page.get_by_text("Version 2 is a new draft made from it")).to_be_visible()
    check(page, axe_check)
    page.goto(version_path(plan, 1))
    expect(page.get_by_text("Say who pays for the extra probation officers.").first).to_be_visible()
    page.context.close()

    first, second = plan.versions.get(number=1), plan.versions.get(number=2)
    assert first.status == V.RETURNED and second.status == V.DRAFT
    assert first.signoffs.get(partner__slug="probation-west-midlands").status == PlanSignOff.Status.RETURNED
    assert "body-worn video" in second.sections.get(title="Policing").body


def test_a_round_that_every_partner_signs_ends_agreed_and_locked_and_the_pdf_downloads(
    chromium_browser, live_server, demo_plan, axe_check
):
    plan, base = demo_plan, live_server.url
    plan_send(plan)
    for username, partner in (
        ("police.signatory", "West Midlands Police"),
        ("probation.signatory", "Probation Service West Midlands"),
    ):
        page = signed_in_page(chromium_browser, base, username)
        page.goto(version_path(plan))
        page.get_by_role("button", name=re.compile(rf"^Sign off\W+for {partner}$")).click()
        step_up(page, username)
        page.get_by_label("I have read this version and have the authority to sign it off").check()
        page.get_by_role("button", name=re.compile("^Sign off for ")).click()
        page.wait_for_url(re.compile(rf"{version_path(plan)}$"))
        page.context.close()

    version = latest_version(plan)
    assert version.status == V.AGREED and version.agreed_at is not None

    # every signed-in person reads it, locked; the print page and the PDF are there to circulate
    page = signed_in_page(chromium_browser, base, "police.officer")
    page.goto(version_path(plan))
    expect(page.get_by_text("and locked.")).to_be_visible()
    expect(page.get_by_text("Every partner has now signed")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Change this section"))).to_have_count(0)
    expect(page.get_by_role("button", name="Send for sign-off")).to_have_count(0)
    check(page, axe_check)
    page.get_by_role("link", name="Print the plan with its sign-off record").click()
    expect(page.get_by_role("heading", name="Sign-off record")).to_be_visible()
    expect(page.locator("#sign-off-record")).to_contain_text("Signed off")
    check(page, axe_check)
    with page.expect_download() as download:
        page.get_by_role("link", name="download it as a PDF").click()
    pdf = open(download.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF") and download.value.suggested_filename == f"plan-{plan.pk}-version-1.pdf"

    # the locked version refuses a change by its address too, and nothing changes
    section = version.sections.get(title="Policing")
    page.goto(f"{version_path(plan)}sections/{section.key}/edit/")
    expect(page.get_by_text("this version is locked")).to_be_visible()
    page.context.close()
    section.refresh_from_db()
    assert section.body == "Patrols at the three hotspots."
