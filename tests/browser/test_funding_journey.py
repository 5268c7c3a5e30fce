"""A grant's life in a real browser, from the demo exactly as seeded: Victim Support's officer applies to the
open VAWG round (first sending nothing, then several areas, two budget lines and a document) and submits; the
PCC office's officer closes the round for applications, scores the application and finds it ranked in the
moderation view and its download; the Commissioner awards it after a fresh code, through a PCC decision. Then a
visitor who never signs in finds the grant on the public grants page and in the 360Giving data, which validates
against the official schema. axe-core on every page visited, and no page scrolls sideways, at 1280 px (and the
key pages again at 320 px)."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from funding.models import Application, Award, Round
from portal.demo import seed_all
from tests.browser.test_callin_journey import banner, people, status_tag  # noqa: F401 (people: a fixture)
from tests.browser.test_plan_journey import DEMO_PASSWORD, SHOTS, TAKE_SHOTS, _step_up_if_asked, look
from tests.funding.test_threesixty import package_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Refuge outreach in Walsall and Wolverhampton"
SUMMARY = "Two outreach workers for women leaving abusive homes, referred by the police and the councils."
AREAS = ("Walsall", "Wolverhampton")
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


@pytest.fixture
def demo(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    seed_all()
    return Round.objects.get(status=Round.Status.OPEN, closes_on__gte=timezone.localdate())


def test_victim_support_applies_the_office_assesses_the_commissioner_awards_and_it_is_published(
    demo,
    people,  # noqa: F811 (the fixture imported above)
    axe_check,
):
    if TAKE_SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
    round_ = demo
    today = timezone.localdate()
    amount = min(round_.max_award, Decimal("30000.00"))

    # 1. Victim Support's officer finds the open round from the funding page and applies.
    page = people("victims.officer")
    page.get_by_role("link", name="Funding", exact=True).first.click()
    expect(page.get_by_role("heading", name="Funding", level=1)).to_be_visible()
    look(page, axe_check)
    page.locator("#open-rounds").get_by_role("link", name=round_.title).click()
    expect(page.get_by_role("heading", name=round_.title, level=1)).to_be_visible()
    look(page, axe_check, shot="funding-round")
    page.get_by_role("button", name="Apply to this round").click()
    expect(page.get_by_role("heading", name="Apply for funding")).to_be_visible()
    look(page, axe_check, narrow=True)
    # Nothing filled in: the error summary says what to do, and nothing is saved.
    drafts = Application.objects.count()
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter the project's title")).to_be_visible()
    expect(page.get_by_role("link", name="Select at least one area the project serves")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Add at least one budget line"))).to_be_visible()
    look(page, axe_check)
    assert Application.objects.count() == drafts
    page.get_by_label("Project title").fill(TITLE)
    page.get_by_label("What the project will do").fill(SUMMARY)
    page.get_by_label("Amount asked for").fill(f"{amount:,.2f}")
    page.get_by_label("Budget line 1: item").fill("Two outreach workers")
    page.get_by_label("Budget line 1: amount").fill(str(amount - Decimal("2500.00")))
    page.get_by_label("Budget line 2: item").fill("Training and travel")
    page.get_by_label("Budget line 2: amount").fill("2500.00")
    for area in AREAS:  # several areas, one box each
        page.get_by_role("checkbox", name=area, exact=True).check()
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(re.compile(r"/funding/applications/\d+/$"))
    application = Application.objects.get(project_title=TITLE)
    assert application.organisation.org_id.startswith("GB-CHC-")
    assert sorted(a.name for a in application.areas.all()) == list(AREAS)
    expect(banner(page, f"Your draft “{TITLE}” is saved.")).to_be_visible()
    expect(status_tag(page, "Draft")).to_be_visible()
    look(page, axe_check)
    page.get_by_role("link", name="Add a document").click()
    page.get_by_label("Document title").fill("Business case")
    page.get_by_label("Document", exact=True).set_input_files(
        {"name": "business-case.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    look(page, axe_check)
    page.get_by_role("button", name="Add the document").click()
    expect(banner(page, "“Business case” is added to the application.")).to_be_visible()
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_role("heading", name=f"Submit “{TITLE}”?")).to_be_visible()
    look(page, axe_check, narrow=True)
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_role("link", name="Confirm that the organisation meets the round's eligibility")).to_be_visible()
    page.get_by_label(re.compile("The organisation meets the round's eligibility")).check()
    page.get_by_role("button", name="Submit the application").click()
    expect(status_tag(page, "Submitted")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    # 2. The PCC office's officer closes the round for applications, scores it, and moderates.
    page = people("pcc.officer")
    page.goto(round_.get_absolute_url())
    page.get_by_role("button", name="Close for applications and assess").click()
    expect(page.get_by_role("heading", name=f"Close “{round_.title}” for applications and assess?")).to_be_visible()
    look(page, axe_check)
    page.get_by_role("button", name="Close for applications and assess").click()
    expect(status_tag(page, "In assessment")).to_be_visible()
    page.goto(application.get_absolute_url())
    expect(page.get_by_role("link", name="Business case")).to_be_visible()
    look(page, axe_check)
    page.get_by_role("button", name="Score this application").click()
    criteria = list(round_.criteria.all())
    for n, criterion in enumerate(criteria):
        page.get_by_role("group", name=f"{criterion.name}: score").get_by_label(str(4 + n % 2), exact=True).check()
        page.get_by_label(f"{criterion.name}: rationale").fill(f"Evidence for {criterion.name.lower()}.")
    look(page, axe_check, narrow=True)
    page.get_by_role("button", name="Save the scores").click()
    page.wait_for_url(re.compile(rf"/funding/rounds/{round_.pk}/moderation/$"))
    ranked = page.locator(f'#moderation tr[data-application="{application.pk}"]')
    expect(ranked).to_contain_text(TITLE)
    expect(ranked).to_contain_text(f"{len(criteria)} of {len(criteria)}")
    look(page, axe_check, shot="funding-moderation")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the ranking as CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert any(str(application.pk) in r and TITLE in r for r in rows)

    # 3. The Commissioner awards it, after a fresh code, in two instalments.
    page = people("pcc")
    page.goto(application.get_absolute_url())
    page.get_by_role("button", name="Award a grant").click()
    _step_up_if_asked(page, "pcc", axe_check)
    expect(page.get_by_role("heading", name=f"Award a grant for “{TITLE}”")).to_be_visible()
    look(page, axe_check, narrow=True, shot="funding-award")
    page.get_by_label("Amount awarded").fill(str(amount))
    first = amount / 2
    for n, share in ((1, first), (2, amount - first)):
        group = page.get_by_role("group", name=re.compile(rf"^Instalment {n}: due on"))
        group.get_by_label("Day").fill(str(today.day))
        group.get_by_label("Month").fill(str(today.month))
        group.get_by_label("Year").fill(str(today.year + (n - 1)))
        page.get_by_label(re.compile(rf"Instalment {n}: amount")).fill(f"{share:.2f}")
    page.get_by_label("Reasons for the decision").fill("Strong need in both towns and a proven provider.")
    page.get_by_role("button", name="Award the grant").click()
    page.wait_for_url(re.compile(r"/funding/awards/\d+/$"))
    award = Award.objects.get(application=application)
    reference = award.pcc_decision.reference
    expect(
        banner(page, f"You awarded £{amount:,.2f} to {award.organisation.name} (PCC decision {reference})")
    ).to_be_visible()
    expect(status_tag(page, "Awarded")).to_be_visible()
    look(page, axe_check, shot="funding-award-made")
    fund = award.fund
    fund.refresh_from_db()
    assert fund.available >= 0 and award.instalments.count() == 2
    # The fund's dashboard counts it: committed, by programme and by area, with the chart's table.
    page.goto(fund.get_absolute_url())
    expect(page.get_by_role("heading", name=fund.name, level=1)).to_be_visible()
    expect(page.locator("#by-area")).to_contain_text("Walsall")
    expect(page.locator("#spend")).to_contain_text(TITLE)
    look(page, axe_check, shot="funding-fund-dashboard")

    # 4. A visitor finds the grant on the public grants page and in the 360Giving data.
    page = people(None)
    page.goto("/register/grants/")
    expect(page.get_by_text(TITLE)).to_be_visible()
    expect(page.get_by_text(f"£{amount:,.2f}").first).to_be_visible()
    look(page, axe_check, narrow=True, shot="grants-public")
    data = page.request.get("/register/grants/360giving.json")
    assert data.ok
    package = json.loads(data.body())
    assert not package_errors(package), package_errors(package)
    grant = next(g for g in package["grants"] if g["title"] == TITLE)
    assert Decimal(str(grant["amountAwarded"])) == amount and grant["currency"] == "GBP"
    assert grant["recipientOrganization"][0]["id"] == application.organisation.org_id
    assert sorted(loc["name"] for loc in grant["beneficiaryLocation"]) == list(AREAS)
    api = page.request.get("/api/v1/grants/360giving.json")
    assert api.ok and any(g["title"] == TITLE for g in json.loads(api.body())["grants"])
    assert not people.problems, people.problems
