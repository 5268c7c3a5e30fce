"""Issue 15's "Done when", in a real browser, from the demo exactly as seeded: Birmingham YJS returns the
delivery plan's version 2; the owner revises it and sends version 3; every required signatory signs it
off and it is agreed; then the partner that does an action records progress on it. axe-core on every
page visited, and no page scrolls sideways, at 1280 px (and the key pages again at 320 px)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from partners.models import Partner
from portal.demo import seed_all
from targets.plans.demo import delivery_title
from targets.plans.models import Plan, PlanAction, PlanSignOff, PlanVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-123"
# Screenshots of the key pages at both widths, only when asked (they change with the date, so a normal run
# leaves docs/ alone): PORTAL_SCREENSHOTS=1 make test, or the pytest command with it set.
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TAKE_SHOTS = os.environ.get("PORTAL_SCREENSHOTS") == "1"
WIDE, NARROW = 1280, 320
V, S = PlanVersion.Status, PlanSignOff.Status

# Each partner that must sign the delivery plan, and its demo signatory.
SIGNATORIES = [
    ("police.signatory", "west-midlands-police"),
    ("probation.signatory", "probation-west-midlands"),
    ("vrp.signatory", "west-midlands-vrp"),
    ("council.birmingham.signatory", "birmingham-council"),
    ("yjs.birmingham.signatory", "birmingham-yjs"),
]
SCHOOLS_ACTION = "Knife-crime education in every Birmingham secondary school"


@pytest.fixture
def demo(monkeypatch, settings, tmp_path):
    """The demo as `seed_demo` makes it (the demo people's password is known to the test)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    seed_all()
    return Plan.objects.get(title=delivery_title(timezone.localdate()))


@pytest.fixture
def people(chromium_browser, live_server):
    """people(username): that person's page, signed in once in their own browser context."""
    pages: dict[str, object] = {}
    problems: list[str] = []

    def person(username: str):
        if username not in pages:
            pages[username] = _sign_in(chromium_browser, live_server.url, username, problems)
        return pages[username]

    person.problems = problems
    yield person
    for page in pages.values():
        page.context.close()


# --- Signing in, with the codes a real authenticator app would show --------------------------------------
def _code(username: str, steps_ahead: int) -> str:
    """The code the person's app shows steps_ahead × 30 s from now (each code is good once)."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    return (
        f"{totp(device.bin_key, device.step, device.t0 - steps_ahead * device.step, device.digits, device.drift):06d}"
    )


def _sign_in(browser, base_url: str, username: str, problems: list[str]):
    context = browser.new_context(base_url=base_url, locale="en-GB", viewport={"width": WIDE, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Console errors (CSP refusals, missing files) and uncaught script errors, on any page anyone visits.
    page.on("console", lambda m: problems.append(f"{username} {page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"{username} {page.url}: uncaught {error}"))
    page.goto("/sign-in/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/sign-in/two-factor/"))
    page.get_by_label("Code from your authenticator app").fill(_code(username, 0))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    return page


def _step_up_if_asked(page, username: str, axe_check) -> None:
    """Sign-off pages ask for a fresh code (the next one the app shows): follow the page."""
    page.wait_for_load_state()
    if urlsplit(page.url).path != "/sign-in/confirm/":
        return
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    look(page, axe_check)
    page.get_by_label("Code from your authenticator app").fill(_code(username, 1))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(lambda url: urlsplit(url).path != "/sign-in/confirm/")


# --- What is checked on every page -------------------------------------------------------------------------
def _no_sideways_scroll(page) -> None:
    scroll, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= width, f"{page.url} scrolls sideways: {scroll}px wide in a {width}px window"


def look(page, axe_check, *, narrow: bool = False, shot: str | None = None) -> None:
    """axe-core and no sideways scroll at 1280 px; for a key page (narrow, or one to screenshot) the same
    again at 320 px; the screenshots at both widths when PORTAL_SCREENSHOTS=1."""
    _no_sideways_scroll(page)
    axe_check(page)
    if shot and TAKE_SHOTS:
        page.screenshot(path=SHOTS / f"{shot}-{WIDE}.png", full_page=True)
    if narrow or shot:
        page.set_viewport_size({"width": NARROW, "height": 900})
        _no_sideways_scroll(page)
        axe_check(page)
        if shot and TAKE_SHOTS:
            page.screenshot(path=SHOTS / f"{shot}-{NARROW}.png", full_page=True)
        page.set_viewport_size({"width": WIDE, "height": 900})


def path_of(page) -> str:
    return urlsplit(page.url).path


def waiting_list(page):
    """The start page's "Plans waiting for you" list."""
    return page.locator("h2", has_text="Plans waiting for you").locator("xpath=following-sibling::ul[1]")


def version_url(plan, number: int) -> str:
    return f"/plans/{plan.pk}/versions/{number}/"


# --- The journey ---------------------------------------------------------------------------------------------
def test_the_demo_delivery_plan_is_returned_revised_agreed_and_delivered(demo, people, axe_check):
    if TAKE_SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
    plan, title = demo, demo.title
    today = timezone.localdate()
    names = {p.slug: p for p in Partner.objects.filter(slug__in=[slug for _, slug in SIGNATORIES])}

    # 1. Birmingham YJS's signatory opens the overdue sign-off from the start page and returns version 2.
    page = people("yjs.birmingham.signatory")
    expect(page.get_by_role("heading", name="Your start page")).to_be_visible()
    waiting = waiting_list(page).get_by_role("link", name=f"Sign off {title}, version 2, for Birmingham YJS")
    expect(waiting).to_be_visible()
    expect(waiting.locator("xpath=..")).to_contain_text("Overdue")
    look(page, axe_check, narrow=True)
    waiting.click()
    page.wait_for_url(re.compile(rf"{version_url(plan, 2)}#your-decision$"))
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    look(page, axe_check)
    page.get_by_role("button", name="Return it for Birmingham Youth Justice Service").click()
    _step_up_if_asked(page, "yjs.birmingham.signatory", axe_check)
    expect(page.get_by_role("heading", name="Return version 2 with reasons")).to_be_visible()
    look(page, axe_check)
    reasons = "Say who screens the children who come to notice out of hours, and how fast."
    page.get_by_label("Why are you returning it?").fill(reasons)
    page.get_by_role("button", name="Return it").click()
    page.wait_for_url(re.compile(rf"{version_url(plan, 3)}$"))
    expect(page.get_by_text("You returned version 2 for Birmingham YJS. Version 3 is a new draft")).to_be_visible()
    look(page, axe_check)
    assert plan.versions.get(number=2).status == V.RETURNED
    assert plan.versions.get(number=3).status == V.DRAFT

    # Old sign-off links (from the email, or a bookmark) to version 2: the round has closed, so each lands on
    # version 3, the draft made from it, saying why; a partner that had decided is told its decision too.
    for username, slug, short in (
        ("yjs.birmingham.signatory", "birmingham-yjs", "Birmingham YJS"),
        ("police.signatory", "west-midlands-police", "WMP"),
    ):
        page = people(username)
        page.goto(f"{version_url(plan, 2)}sign-offs/{slug}/sign/")
        page.wait_for_url(re.compile(rf"{version_url(plan, 3)}$"))
        expect(page.get_by_text("the round closed when Birmingham YJS returned it", exact=False)).to_be_visible()
        expect(page.get_by_text("Version 3, made from it, is being revised", exact=False)).to_be_visible()
        if slug != "birmingham-yjs":
            expect(page.get_by_text(f"{short}'s own decision was made", exact=False)).to_be_visible()
        expect(page.get_by_text("This version is a draft.")).to_be_visible()
        look(page, axe_check)

    # 2. The owner's officer finds the returned version on the start page, revises it and sends version 3.
    page = people("police.officer")
    revise = waiting_list(page).get_by_role(
        "link", name=f"Version 2 of {title} was returned by Birmingham YJS: revise and send version 3"
    )
    expect(revise).to_be_visible()
    look(page, axe_check, shot="start-page-returned")
    revise.click()
    page.wait_for_url(re.compile(rf"{version_url(plan, 3)}$"))
    look(page, axe_check, narrow=True)

    # The draft says why version 2 was returned, and asks the owner to say what changed.
    expect(page.locator("#returned-reasons")).to_contain_text("Birmingham Youth Justice Service returned")
    page.get_by_role("link", name="Say what changed in this version").click()
    expect(page.get_by_role("heading", name="What changed in this version")).to_be_visible()
    look(page, axe_check)
    note = "Children at risk of exploitation now says who screens children out of hours: the YJS duty officer."
    page.get_by_label("What changed in this version?").fill(note)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"{version_url(plan, 3)}$"))
    expect(page.get_by_text("What changed in this version is saved.")).to_be_visible()
    expect(page.locator("#what-changed")).to_contain_text(note)

    section = plan.versions.get(number=3).sections.get(title="What we will achieve")
    page.get_by_role("link", name=re.compile(r"^Change this section\W+What we will achieve$")).click()
    expect(page.get_by_role("heading", name="Change this section")).to_be_visible()
    look(page, axe_check)
    body = page.get_by_label("Text")
    body.fill(body.input_value() + "\n\nOut of hours, the **YJS duty officer** screens every child within a day.")
    page.get_by_role("button", name="Save the section").click()
    page.wait_for_url(re.compile(rf"{version_url(plan, 3)}#section-{section.key}$"))
    expect(page.locator(f"#section-{section.key} strong", has_text="YJS duty officer")).to_be_visible()
    expect(page.locator(f"#section-{section.key}")).to_contain_text("Last changed by Daniel Okafor")
    # The return changed no section: none says the signatory who returned it last changed it.
    expect(page.locator(".app-plan-section__meta", has_text="Joanne Okoro")).to_have_count(0)
    look(page, axe_check)

    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.get_by_role("heading", name="Send version 3 for sign-off")).to_be_visible()
    required = page.locator("#required-partners")
    for partner in names.values():
        expect(required).to_contain_text(partner.name)
    expect(required.get_by_text("No signatory")).to_have_count(0)
    expect(page.get_by_text(note)).to_be_visible()
    look(page, axe_check, narrow=True, shot="send-version-3")
    page.get_by_label("How many working days do partners have to sign it off?").fill("10")
    page.get_by_role("button", name="Send for sign-off").click()
    page.wait_for_url(re.compile(rf"{version_url(plan, 3)}$"))
    expect(page.get_by_text("Version 3 is sent. Each partner's signatory has been asked")).to_be_visible()
    look(page, axe_check)
    third = plan.versions.get(number=3)
    assert third.status == V.IN_SIGNOFF
    assert set(third.signoffs.values_list("partner__slug", flat=True)) == {slug for _, slug in SIGNATORIES}

    # 3. Each required signatory finds version 3 on their start page and signs it off.
    for n, (username, slug) in enumerate(SIGNATORIES):
        partner, last = names[slug], n == len(SIGNATORIES) - 1
        page = people(username)
        page.goto("/")
        waiting = waiting_list(page).get_by_role("link", name=f"Sign off {title}, version 3, for {partner.short_name}")
        expect(waiting).to_be_visible()
        look(page, axe_check)
        waiting.click()
        page.wait_for_url(re.compile(rf"{version_url(plan, 3)}#your-decision$"))
        expect(page.locator("#what-changed")).to_contain_text(note)
        look(page, axe_check, narrow=n == 0)
        page.get_by_role("button", name=f"Sign off for {partner.name}").click()
        _step_up_if_asked(page, username, axe_check)
        expect(page.get_by_role("heading", name=f"Sign off version 3 for {partner.name}")).to_be_visible()
        look(page, axe_check, narrow=n == 0, shot="sign-off" if n == 0 else None)
        if n % 2 == 0:
            page.get_by_label("Statement (optional)").fill(f"Signed for {partner.short_name}.")
        page.get_by_label("I have read this version and have the authority to sign it off").check()
        page.get_by_role("button", name=f"Sign off for {partner.short_name}").click()
        page.wait_for_url(re.compile(rf"{version_url(plan, 3)}$"))
        done = page.get_by_text(f"You signed off version 3 for {partner.short_name}.")
        expect(done).to_be_visible()
        expect(page.locator(f'tr[data-partner="{slug}"]')).to_contain_text("Signed off")
        if not last:
            expect(page.get_by_text("the plan is agreed")).to_have_count(0)
            look(page, axe_check)
    expect(page.get_by_text("Every partner has now signed: the plan is agreed.")).to_be_visible()
    expect(page.locator("main .govuk-tag", has_text=re.compile(r"^\s*Agreed\s*$")).first).to_be_visible()
    expect(page.get_by_text("and locked.")).to_be_visible()
    look(page, axe_check, shot="plan-agreed")
    third.refresh_from_db()
    assert third.status == V.AGREED and third.agreed_at is not None
    assert set(third.signoffs.values_list("status", flat=True)) == {S.SIGNED}

    # 4. The VRP's officer finds their action of the agreed plan on the start page and records it done.
    page = people("vrp.officer")
    action = third.actions.get(what=SCHOOLS_ACTION)
    late = action.due_date < today  # 20 days ago, unless the financial year began since
    deliver = waiting_list(page).get_by_role("link", name=re.compile(rf"^{re.escape(SCHOOLS_ACTION)}"))
    expect(deliver).to_be_visible()
    expect(deliver.locator("xpath=..")).to_contain_text("Late" if late else "Action due")
    look(page, axe_check)
    deliver.click()
    page.wait_for_url(re.compile(rf"{version_url(plan, 3)}#action-{action.key}$"))
    row = page.locator(f"#action-{action.key}")
    expect(row).to_contain_text("Late" if late else "In progress")
    look(page, axe_check, narrow=True)
    row.get_by_role("link", name=re.compile(r"^Record progress")).click()
    expect(page.get_by_role("heading", name="Record progress on an action")).to_be_visible()
    expect(page.get_by_role("radio", name="In progress")).to_be_checked()  # how it stands now
    look(page, axe_check, narrow=True)
    page.get_by_role("radio", name="Done").check()
    dated = page.get_by_role("group", name=re.compile("Date it was done"))
    dated.get_by_label("Day").fill(str(today.day))
    dated.get_by_label("Month").fill(str(today.month))
    dated.get_by_label("Year").fill(str(today.year))
    progress = "Every secondary school in Birmingham and the three pupil referral units have had the sessions."
    page.get_by_label("Progress note (optional)").fill(progress)
    look(page, axe_check, shot="record-progress")
    page.get_by_role("button", name="Save progress").click()
    page.wait_for_url(re.compile(rf"{version_url(plan, 3)}#action-{action.key}$"))
    expect(page.get_by_text(f"Progress on '{SCHOOLS_ACTION}' is saved.")).to_be_visible()
    row = page.locator(f"#action-{action.key}")
    expect(row).to_contain_text("Done")
    expect(row).to_contain_text(progress)
    expect(row).to_contain_text(f"on {today.day} {today:%B %Y}")
    look(page, axe_check, shot="action-done")
    action.refresh_from_db()
    assert (action.status, action.done_on, action.progress_note) == (PlanAction.Status.DONE, today, progress)
    third.refresh_from_db()
    assert third.status == V.AGREED  # no new sign-off round

    # The start page no longer lists the action once it is done.
    page.goto("/")
    expect(waiting_list(page).get_by_role("link", name=re.compile(rf"^{re.escape(SCHOOLS_ACTION)}"))).to_have_count(0)
    look(page, axe_check)
    assert people.problems == [], people.problems
