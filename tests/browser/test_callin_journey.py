"""A call-in's whole life in a real browser, from the demo exactly as seeded: the PCC office drafts a call-in of
West Midlands Police's decision WMP-2026-031 (logged today, its window open); the Commissioner issues it and the
decision is paused; the force's officer writes the response and its signatory submits it; the Commissioner
refers it back with recommendations; the force records its final outcome, and the decision cannot be called in
again. Then a visitor who never signs in finds the determination on the public register, its feed and its CSV,
and a confidential PCC decision shows there only its number, date and partner. axe-core on every page visited,
and no page scrolls sideways, at 1280 px (and the key pages again at 320 px)."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from callins import selectors
from callins.models import CallIn, PartnerDecision, PccDecision
from portal.demo import seed_all
from portal.formats import gov_date
from portal.working_days import add_working_days

# Signing in with the codes an authenticator app shows, and what is checked on every page: as the plan journey.
from tests.browser.test_plan_journey import (
    DEMO_PASSWORD,
    SHOTS,
    TAKE_SHOTS,
    WIDE,
    _code,
    _step_up_if_asked,
    look,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D, C = PartnerDecision.Status, CallIn.Status

REFERENCE, TITLE = "WMP-2026-031", "Close the Digbeth custody suite"
GROUNDS = ["Value for money", "Insufficient consultation"]
ADDED_GROUND = "Equality impact"
QUESTIONS = (
    "How will detainees be taken to Perry Barr and Oldbury, and how long will it take?\n"
    "What did the people who live near Perry Barr say?"
)
RESPONSE = (
    "Detainees go by van within the hour; the transport contract is costed in the attached plan.\n"
    "We held two public meetings in Perry Barr in January."
)
DOCUMENT = "Custody transport plan"
REASONS = "The transport has not been costed against the saving from closing the suite."
RECOMMENDATIONS = "Cost the detainee transport, and consult Perry Barr residents again, before the suite closes."
OUTCOME = "We costed the transport and consulted again: the suite closes six months later than planned."
# The demo's confidential PCC decision (callins/demo.py _pcc_decisions): its words must never be published.
SECRET_TITLE, SECRET_SUMMARY = "Settlement of an employment claim", "The terms of a settlement."
# A small, plain PDF (tests/factories.py pdf_file): what the upload checks accept.
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


@pytest.fixture
def demo(monkeypatch, settings, tmp_path):
    """The demo as `seed_demo` makes it (the demo people's password is known to the test)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    seed_all()
    return PartnerDecision.objects.get(partner__slug="west-midlands-police", reference=REFERENCE)


@pytest.fixture
def people(chromium_browser, live_server):
    """people(username): that person's page, signed in once in their own browser context; people(None): a
    visitor's page, in a fresh context that never signs in."""
    pages: dict[str | None, object] = {}
    problems: list[str] = []

    def person(username: str | None):
        if username not in pages:
            pages[username] = _sign_in(chromium_browser, live_server.url, username, problems)
        return pages[username]

    person.problems = problems
    yield person
    for page in pages.values():
        page.context.close()


# --- Signing in, with the codes a real authenticator app would show --------------------------------------
def _sign_in(browser, base_url: str, username: str | None, problems: list[str]):
    context = browser.new_context(base_url=base_url, locale="en-GB", viewport={"width": WIDE, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    who = username or "visitor"
    # Console errors (CSP refusals, missing files) and uncaught script errors, on any page anyone visits.
    page.on("console", lambda m: problems.append(f"{who} {page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"{who} {page.url}: uncaught {error}"))
    if username is None:
        return page
    page.goto("/sign-in/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/sign-in/two-factor/"))
    page.get_by_label("Code from your authenticator app").fill(_code(username, 0))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    return page


def waiting_list(page):
    """The start page's call-ins section: what waits for the person."""
    return page.locator("h2", has_text="Call-ins and the PCC's decisions").locator("xpath=following-sibling::ul[1]")


def banner(page, text: str):
    """The notification banner saying `text` (the messages the pages send)."""
    return page.locator(".govuk-notification-banner", has_text=text)


def row(scope, key: str):
    """The summary list's row whose key is `key`, in scope (a page or a part of it)."""
    return scope.locator(f'.govuk-summary-list__row:has(> dt:text-is("{key}"))')


def click_words(link) -> None:
    """Click a link in the middle of its words. (A link with a visually hidden part, like the register's
    "Decision 003/2026", also has a 1 px box where that part sits, which Playwright would aim at.)"""
    box = link.bounding_box()
    link.click(position={"x": box["width"] / 2, "y": box["height"] / 2})


def status_tag(page, text: str):
    """A status tag in the page's first paragraph under the heading (the word, not only its colour)."""
    return page.locator("main p.govuk-body > .govuk-tag", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


# --- The journey ---------------------------------------------------------------------------------------------
def test_the_demo_police_decision_is_called_in_referred_back_reconsidered_and_published(demo, people, axe_check):
    if TAKE_SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
    decision, today = demo, timezone.localdate()
    decision_url = decision.get_absolute_url()
    assert decision.status == D.LOGGED and decision.window_open(today)
    assert not CallIn.objects.filter(decision=decision).exists()

    # 1. The PCC office's officer finds the decision on the start page (its window open) and drafts a call-in.
    page = people("pcc.officer")
    expect(page.get_by_role("heading", name="Your start page")).to_be_visible()
    open_window = waiting_list(page).get_by_role(
        "link", name=re.compile(rf"^WMP: {TITLE} \({REFERENCE}\): call-in window closes ")
    )
    expect(open_window).to_be_visible()
    expect(open_window.locator("xpath=..")).to_contain_text("Window open")
    look(page, axe_check)
    open_window.click()
    page.wait_for_url(re.compile(rf"{decision_url}$"))
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text(f"West Midlands Police, decision {REFERENCE}")).to_be_visible()
    expect(status_tag(page, "Logged")).to_be_visible()
    days_left = selectors.window_days_left(decision, today)
    expect(page.locator("#window")).to_have_text(
        f"The PCC may call it in until the end of {gov_date(decision.window_closes_on)} ({days_left} working "
        f"day{'' if days_left == 1 else 's'} left). It cannot take effect until then."
    )
    look(page, axe_check, narrow=True)
    page.get_by_role("button", name="Call in this decision").click()
    page.wait_for_url(re.compile(rf"{decision_url}call-in/$"))
    expect(page.get_by_role("heading", name=f"Call in “{TITLE}”")).to_be_visible()
    look(page, axe_check, narrow=True)

    # Nothing chosen or written: the error summary says what to do.
    page.get_by_role("button", name="Draft the call-in").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Select at least one ground for the call-in")).to_be_visible()
    expect(page.get_by_role("link", name="Enter the questions the partner must answer")).to_be_visible()
    look(page, axe_check)

    for ground in GROUNDS:  # several grounds, one box each
        page.get_by_role("checkbox", name=ground, exact=True).check()
    page.get_by_label("Questions the partner must answer").fill(QUESTIONS)
    page.get_by_label("How many working days does the partner have to respond?").fill("12")
    page.get_by_role("button", name="Draft the call-in").click()
    page.wait_for_url(re.compile(r"/call-ins/\d+/$"))
    callin = CallIn.objects.get(decision=decision)
    expect(
        banner(
            page,
            f"Call-in {callin.reference} is drafted. The Commissioner is asked to issue it before the window closes "
            f"at the end of {gov_date(decision.window_closes_on)}.",
        )
    ).to_be_visible()
    expect(status_tag(page, "Draft")).to_be_visible()
    expect(page.locator("#next")).to_have_text(
        f"A draft for the Commissioner to issue. {REFERENCE} may be called in until the end of "
        f"{gov_date(decision.window_closes_on)}."
    )
    look(page, axe_check, narrow=True)

    # The officer changes the draft: one more ground and a longer time to respond, then saves it.
    page.get_by_role("button", name="Change the draft").click()
    expect(page.get_by_role("heading", name="Change the draft call-in")).to_be_visible()
    for ground in GROUNDS:
        expect(page.get_by_role("checkbox", name=ground, exact=True)).to_be_checked()
    expect(page.get_by_label("Questions the partner must answer")).to_have_value(QUESTIONS)
    look(page, axe_check)
    page.get_by_role("checkbox", name=ADDED_GROUND, exact=True).check()
    page.get_by_label("How many working days does the partner have to respond?").fill("15")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(re.compile(rf"{callin.get_absolute_url()}$"))
    expect(banner(page, f"The draft call-in {callin.reference} is saved.")).to_be_visible()
    grounds = row(page, "Grounds").locator("li")
    expect(grounds).to_have_text(["Value for money", ADDED_GROUND, "Insufficient consultation"])  # the list's order
    expect(row(page, "Time to respond, once issued")).to_contain_text("15 working days")
    # The office drafts; only the Commissioner issues.
    expect(page.get_by_role("button", name="Issue the call-in")).to_have_count(0)
    look(page, axe_check)
    callin.refresh_from_db()
    assert callin.status == C.DRAFT and callin.response_working_days == 15
    assert set(callin.grounds.values_list("name", flat=True)) == {*GROUNDS, ADDED_GROUND}

    # 2. The Commissioner finds the draft on the start page and issues it, confirming with a fresh code.
    page = people("pcc")
    issue = waiting_list(page).get_by_role("link", name=f"Issue call-in {callin.reference} of WMP's {REFERENCE}")
    expect(issue).to_be_visible()
    expect(issue.locator("xpath=..")).to_contain_text("Draft to issue")
    look(page, axe_check)
    issue.click()
    page.wait_for_url(re.compile(rf"{callin.get_absolute_url()}$"))
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    look(page, axe_check)
    page.get_by_role("button", name="Issue the call-in").click()
    _step_up_if_asked(page, "pcc", axe_check)
    expect(page.get_by_role("heading", name=f"Issue the call-in of “{TITLE}”?")).to_be_visible()
    due = add_working_days(today, 15)
    expect(page.locator("#due")).to_have_text(f"If you issue it today, WMP's response will be due by {gov_date(due)}.")
    expect(page.get_by_text(f"{REFERENCE} will be paused until you determine or withdraw the call-in.")).to_be_visible()
    look(page, axe_check, narrow=True, shot="callin-issue")
    page.get_by_role("button", name="Issue the call-in").click()
    page.wait_for_url(re.compile(rf"{callin.get_absolute_url()}$"))
    expect(
        banner(
            page,
            f"Call-in {callin.reference} is issued. {REFERENCE} is paused, and WMP's response is due by "
            f"{gov_date(due)}.",
        )
    ).to_be_visible()
    expect(status_tag(page, "Waiting for a response")).to_be_visible()
    look(page, axe_check)
    callin.refresh_from_db()
    decision.refresh_from_db()
    assert (callin.status, callin.response_due, decision.status) == (C.ISSUED, due, D.CALLED_IN)

    # The decision's page shows it paused, with the call-in and when the response is due.
    page.get_by_role("link", name=f"{REFERENCE}: {TITLE}").click()
    page.wait_for_url(re.compile(rf"{decision_url}$"))
    expect(status_tag(page, "Paused: called in")).to_be_visible()
    expect(
        page.get_by_text("It is paused while the PCC's call-in is resolved: it cannot take effect until then.")
    ).to_be_visible()
    the_callin = page.locator("#call-in").locator("xpath=following-sibling::dl[1]")
    expect(the_callin.get_by_role("link", name=callin.reference)).to_be_visible()
    expect(row(the_callin, "Status")).to_contain_text("Waiting for a response")
    expect(row(the_callin, "Response due")).to_contain_text(gov_date(due))
    expect(page.get_by_role("button", name="Call in this decision")).to_have_count(0)
    look(page, axe_check, shot="callin-decision-paused")

    # 3. The force's officer writes the response, with a document, and leaves it for the signatory.
    page = people("police.officer")
    write = waiting_list(page).get_by_role(
        "link", name=f"{REFERENCE} is called in ({callin.reference}): write the response"
    )
    expect(write).to_be_visible()
    expect(write.locator("xpath=..")).to_contain_text("Response due")
    look(page, axe_check)
    write.click()
    page.wait_for_url(re.compile(rf"{callin.get_absolute_url()}$"))
    expect(page.locator("#next")).to_have_text(f"{REFERENCE} is paused. WMP's response is due by {gov_date(due)}.")
    expect(page.get_by_role("button", name="Submit the response")).to_have_count(0)  # the signatory's
    look(page, axe_check, narrow=True)
    page.get_by_role("button", name="Write the response").click()
    expect(page.get_by_role("heading", name="Respond to the call-in")).to_be_visible()
    expect(page.locator("main")).to_contain_text("What did the people who live near Perry Barr say?")
    look(page, axe_check, narrow=True)
    page.get_by_label("Title", exact=True).fill(DOCUMENT)
    page.get_by_label("Upload a file").set_input_files(
        {"name": "custody-transport-plan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Add the document").click()
    page.wait_for_url(re.compile(rf"{callin.get_absolute_url()}respond/$"))
    expect(banner(page, f"“{DOCUMENT}” is added to the response.")).to_be_visible()
    expect(page.locator("#documents").locator("xpath=following-sibling::ul[1]")).to_contain_text(DOCUMENT)
    look(page, axe_check)
    page.get_by_label("The response", exact=True).fill(RESPONSE)
    page.get_by_role("button", name="Save the response").click()
    page.wait_for_url(re.compile(rf"{callin.get_absolute_url()}$"))
    expect(
        banner(
            page,
            f"Your response to {callin.reference} is saved. It is not submitted yet: your signatory submits it by "
            f"{gov_date(due)}.",
        )
    ).to_be_visible()
    response = page.locator("#response").locator("xpath=following-sibling::*")
    expect(page.locator("main")).to_contain_text("Not submitted yet. Last saved by Daniel Okafor")
    expect(response.get_by_role("link", name=DOCUMENT)).to_be_visible()
    look(page, axe_check)

    # The force's signatory submits it, confirming with a fresh code.
    page = people("police.signatory")
    submit = waiting_list(page).get_by_role(
        "link", name=f"{REFERENCE} is called in ({callin.reference}): submit the response"
    )
    expect(submit).to_be_visible()
    look(page, axe_check)
    submit.click()
    page.wait_for_url(re.compile(rf"{callin.get_absolute_url()}$"))
    look(page, axe_check)
    page.get_by_role("button", name="Submit the response").click()
    _step_up_if_asked(page, "police.signatory", axe_check)
    expect(page.get_by_role("heading", name="Submit WMP's response")).to_be_visible()
    expect(page.locator("main")).to_contain_text("We held two public meetings in Perry Barr in January.")
    expect(page.get_by_role("link", name=DOCUMENT)).to_be_visible()
    look(page, axe_check, narrow=True, shot="callin-submit")
    page.get_by_role("button", name="Submit the response").click()  # not confirmed: the page says so
    expect(page.get_by_role("link", name="Confirm that you have read the response and may submit it")).to_be_visible()
    look(page, axe_check)
    page.get_by_label("I have read the response and have the authority to submit it for my organisation").check()
    page.get_by_role("button", name="Submit the response").click()
    page.wait_for_url(re.compile(rf"{callin.get_absolute_url()}$"))
    callin.refresh_from_db()
    determination_due = callin.determination_due
    assert callin.status == C.RESPONDED and determination_due == add_working_days(today, 10)
    expect(
        banner(
            page,
            f"You submitted WMP's response to {callin.reference}. The PCC's determination is due by "
            f"{gov_date(determination_due)}.",
        )
    ).to_be_visible()
    expect(status_tag(page, "Waiting for the PCC's determination")).to_be_visible()
    expect(page.get_by_text("Submitted by Claire Bennett on", exact=False)).to_be_visible()
    look(page, axe_check)

    # 4. The Commissioner determines it: referred back, with recommendations.
    page = people("pcc")
    page.goto("/")
    determine = waiting_list(page).get_by_role("link", name=f"Determine call-in {callin.reference}")
    expect(determine).to_be_visible()
    expect(determine.locator("xpath=..")).to_contain_text("To determine")
    look(page, axe_check)
    determine.click()
    page.wait_for_url(re.compile(rf"{callin.get_absolute_url()}$"))
    look(page, axe_check)
    page.get_by_role("button", name="Determine the call-in").click()
    _step_up_if_asked(page, "pcc", axe_check)
    expect(page.get_by_role("heading", name=f"Determine the call-in of “{TITLE}”")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Detainees go by van within the hour")
    look(page, axe_check, narrow=True)
    page.get_by_role("radio", name="Refer it back to the partner to reconsider").check()
    page.get_by_label("Reasons", exact=True).fill(REASONS)
    page.get_by_role("button", name="Record the determination").click()  # no recommendations: the page asks
    expect(page.get_by_role("link", name="Enter your recommendations for the partner to reconsider")).to_be_visible()
    look(page, axe_check)
    page.get_by_label("Recommendations (if you refer it back)").fill(RECOMMENDATIONS)
    page.get_by_role("button", name="Record the determination").click()
    page.wait_for_url(re.compile(rf"{callin.get_absolute_url()}$"))
    callin.refresh_from_db()
    record = callin.pcc_decision
    reconsider_by = add_working_days(today, 15)
    assert (callin.status, callin.reconsider_by) == (C.REFERRED_BACK, reconsider_by)
    assert record.kind == PccDecision.Kind.CALLIN_DETERMINATION and not record.confidential
    expect(
        banner(
            page,
            f"Call-in {callin.reference} is determined: referred back: WMP reconsiders it by "
            f"{gov_date(reconsider_by)}. It is recorded as PCC decision {record.reference} and published.",
        )
    ).to_be_visible()
    expect(status_tag(page, "Determined: referred back")).to_be_visible()
    determination = page.locator("#determination").locator("xpath=following-sibling::dl[1]")
    expect(row(determination, "Outcome")).to_contain_text("Referred back to the partner to reconsider")
    expect(row(determination, "Recommendations")).to_contain_text(RECOMMENDATIONS)
    expect(determination.get_by_role("link", name=record.reference)).to_be_visible()
    look(page, axe_check, shot="callin-determined")

    # 5. The force's officer records the final outcome: the call-in closes and it cannot be called in again.
    page = people("police.officer")
    page.goto("/")
    reconsider = waiting_list(page).get_by_role("link", name=f"{REFERENCE} was referred back: record the final outcome")
    expect(reconsider).to_be_visible()
    expect(reconsider.locator("xpath=..")).to_contain_text("Reconsider")
    look(page, axe_check)
    reconsider.click()
    page.wait_for_url(re.compile(rf"{decision_url}$"))
    expect(status_tag(page, "Referred back")).to_be_visible()
    expect(
        page.get_by_text(
            f"The PCC referred it back: WMP reconsiders it and records its final outcome by {gov_date(reconsider_by)}."
        )
    ).to_be_visible()
    look(page, axe_check, narrow=True)
    page.get_by_role("button", name="Record the final outcome").click()
    page.wait_for_url(re.compile(rf"{decision_url}outcome/$"))
    expect(page.get_by_role("heading", name="Record the final outcome")).to_be_visible()
    expect(page.locator("main")).to_contain_text(RECOMMENDATIONS)
    look(page, axe_check, narrow=True)
    page.get_by_role("radio", name="Changed").check()
    page.get_by_label("What was decided, and why").fill(OUTCOME)
    page.get_by_role("button", name="Record the final outcome").click()
    page.wait_for_url(re.compile(rf"{decision_url}$"))
    expect(
        banner(
            page,
            f"The final outcome of {REFERENCE} is recorded and the call-in is closed. It cannot be called in again.",
        )
    ).to_be_visible()
    expect(status_tag(page, "Reconsidered")).to_be_visible()
    outcome = page.locator("#outcome").locator("xpath=following-sibling::dl[1]")
    expect(row(outcome, "Decided in the end")).to_have_text(re.compile(r"^\s*Decided in the end\s*Changed\s*$"))
    expect(row(outcome, "What was decided, and why")).to_contain_text(OUTCOME)
    expect(row(page.locator("#call-in + dl"), "Status")).to_contain_text("Closed: the partner reconsidered")
    look(page, axe_check, shot="callin-decision-reconsidered")
    decision.refresh_from_db()
    callin.refresh_from_db()
    assert (decision.status, decision.outcome, callin.status) == (D.RECONSIDERED, "changed", C.CLOSED)

    # The PCC office can no longer call it in: no button, and the old address leads to the closed call-in.
    page = people("pcc.officer")
    page.goto(decision_url)
    expect(status_tag(page, "Reconsidered")).to_be_visible()
    expect(page.get_by_role("button", name="Call in this decision")).to_have_count(0)
    look(page, axe_check)
    page.goto(f"{decision_url}call-in/")
    page.wait_for_url(re.compile(rf"{callin.get_absolute_url()}$"))
    expect(banner(page, f"{REFERENCE} has been called in already: this is the call-in.")).to_be_visible()
    expect(status_tag(page, "Closed: the partner reconsidered")).to_be_visible()
    expect(page.locator("#next")).to_have_text("Closed: WMP reconsidered the decision and recorded its final outcome.")
    look(page, axe_check)

    # 6. A visitor who never signs in finds the determination on the public register.
    record_url = f"/register/decisions/{record.year}/{record.number}/"
    record_heading = f"PCC decision {record.reference}: Determination of call-in {callin.reference}: {TITLE}"
    page = people(None)
    page.goto("/register/")
    expect(page.get_by_role("heading", name="Public register", level=1)).to_be_visible()
    look(page, axe_check, narrow=True, shot="register-index")
    page.get_by_role("link", name="The PCC's decisions", exact=True).click()
    page.wait_for_url(re.compile(r"/register/decisions/$"))
    expect(page.get_by_role("heading", name="The PCC's decisions", level=1)).to_be_visible()
    look(page, axe_check)
    page.get_by_label("Partner").select_option(label="West Midlands Police")
    page.get_by_label("Kind").select_option(label="Determination of a call-in")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/register/decisions/\?"))
    rows = page.locator("tr[data-reference]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-reference", record.reference)
    expect(rows.first).to_contain_text(f"Determination of call-in {callin.reference}: {TITLE}")
    expect(rows.first).to_contain_text("West Midlands Police")
    expect(page.get_by_role("link", name="Clear filters")).to_be_visible()
    look(page, axe_check, narrow=True)
    click_words(rows.first.get_by_role("link", name=f"Decision {record.reference}"))
    page.wait_for_url(re.compile(rf"{record_url}$"))
    expect(page.get_by_role("heading", name=f"Determination of call-in {callin.reference}: {TITLE}")).to_be_visible()
    assert page.title().startswith(f"{record_heading} – Public register")
    main = page.locator("main")
    expect(main).to_contain_text("Determination of a call-in")
    expect(main).to_contain_text(f"is referred back to be reconsidered by {gov_date(reconsider_by)}.")
    expect(main).to_contain_text(RECOMMENDATIONS)
    expect(main).to_contain_text("Simon Foster")
    look(page, axe_check, narrow=True, shot="register-determination")

    # The call-in it determines tells the whole story, the partner's final outcome included.
    page.get_by_role("link", name=f"call-in {callin.reference}").click()
    page.wait_for_url(re.compile(rf"/register/call-ins/{callin.reference}/$"))
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.locator("main p.govuk-body > .govuk-tag")).to_have_text("Closed: the partner reconsidered")
    main = page.locator("main")
    for words in (
        "£1,250,000.00",
        *GROUNDS,
        ADDED_GROUND,
        "What did the people who live near Perry Barr say?",
        "We held two public meetings in Perry Barr in January.",
        REASONS,
        RECOMMENDATIONS,
        "Changed",
        OUTCOME,
    ):
        expect(main).to_contain_text(words)
    expect(main.get_by_role("link", name=f"PCC decision {record.reference}")).to_have_attribute("href", record_url)
    look(page, axe_check, narrow=True, shot="register-callin")

    # The register's call-ins, narrowed to the force and a word of the title, find it too.
    page.goto("/register/call-ins/")
    look(page, axe_check)
    page.get_by_label("Search").fill("Digbeth")
    page.get_by_label("Partner").select_option(label="West Midlands Police")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/register/call-ins/\?"))
    rows = page.locator("tr[data-reference]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-reference", callin.reference)
    expect(rows.first).to_contain_text("Closed: the partner reconsidered")
    look(page, axe_check, narrow=True)

    # The Atom feed and the CSV, from the links on the register's first page.
    page.goto("/register/")
    feed = page.request.get(page.get_by_role("link", name="Atom feed of the PCC's decisions").get_attribute("href"))
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    feed_text = feed.text()
    assert f"<title>{record_heading}</title>" in feed_text
    assert f"/register/decisions/{record.year}/{record.number}/" in feed_text
    assert f"WMP-2026-031 is referred back to be reconsidered by {gov_date(reconsider_by)}." in feed_text
    download = page.request.get(
        page.get_by_role("link", name="Download the whole register (CSV)").get_attribute("href")
    )
    assert download.ok and download.headers["content-type"].startswith("text/csv")
    csv_text = download.body().decode("utf-8-sig")
    register = list(csv.DictReader(io.StringIO(csv_text)))
    by_reference = {row["Reference"]: row for row in register}
    assert by_reference[record.reference]["Record"] == "PCC decision"
    assert by_reference[record.reference]["Title"] == f"Determination of call-in {callin.reference}: {TITLE}"
    assert by_reference[record.reference]["Determination or call-in"] == callin.reference
    assert by_reference[callin.reference]["Record"] == "Call-in"
    assert by_reference[callin.reference]["Kind or status"] == "Closed: the partner reconsidered"
    assert by_reference[callin.reference]["Partner"] == "West Midlands Police"
    assert by_reference[callin.reference]["Determination or call-in"] == record.reference

    # 7. The demo's confidential PCC decision: its number, date (and partner) on the register, never its words.
    secret = PccDecision.objects.get(confidential=True, status=PccDecision.Status.SIGNED, title=SECRET_TITLE)
    secret_url = f"/register/decisions/{secret.year}/{secret.number}/"
    hidden = (SECRET_TITLE.lower(), SECRET_SUMMARY.lower(), "employment claim")

    def shows_nothing_of_it(text: str, where: str) -> None:
        for words in hidden:
            assert words not in text.lower(), f"{where} shows the confidential decision's words: {words!r}"

    for path in ("/register/", "/register/decisions/", secret_url):
        page.goto(path)
        shows_nothing_of_it(page.content(), path)
        shows_nothing_of_it(page.title(), path)
    page.goto("/register/decisions/")
    listed = page.locator(f'tr[data-reference="{secret.reference}"]')
    expect(listed).to_contain_text("Confidential")
    expect(listed).to_contain_text(gov_date(secret.signed_at))
    click_words(listed.get_by_role("link", name=f"Decision {secret.reference}"))
    page.wait_for_url(re.compile(rf"{secret_url}$"))
    expect(page.get_by_role("heading", name="Confidential decision", level=1)).to_be_visible()
    assert page.title().startswith(f"PCC decision {secret.reference} (confidential) – Public register")
    facts = page.locator("main dl")
    expect(facts).to_contain_text(secret.reference)
    expect(facts).to_contain_text(gov_date(secret.signed_at))
    expect(facts).to_contain_text(secret.partner.name if secret.partner else "None: it is not about one partner")
    expect(
        page.get_by_text("This decision is confidential. The register publishes only that it exists, its number")
    ).to_be_visible()
    shows_nothing_of_it(page.content(), secret_url)
    look(page, axe_check, narrow=True, shot="register-confidential")
    # Searching for its words never finds it (finding it would tell what it says).
    page.goto("/register/decisions/?search=settlement")
    expect(page.locator(f'tr[data-reference="{secret.reference}"]')).to_have_count(0)
    shows_nothing_of_it(page.locator("main").inner_text(), "a search for its words")
    # The feed names it by its number only; the CSV has its row, with nothing in the title or summary.
    assert f"<title>PCC decision {secret.reference} (confidential)</title>" in feed_text
    shows_nothing_of_it(feed_text, "the feed")
    shows_nothing_of_it(csv_text, "the CSV")
    secret_row = by_reference[secret.reference]
    assert (secret_row["Confidential"], secret_row["Title"], secret_row["Summary"]) == ("Yes", "", "")
    assert secret_row["Date"] == timezone.localdate(secret.signed_at).isoformat()

    assert people.problems == [], people.problems
