"""The public register in a browser, as a visitor who never signs in, at 320 px and 1280 px: every page passes
axe-core and never scrolls sideways, its scripts run under the CSP (a cached page still gets this response's
nonce), the filters work without JavaScript, and a confidential decision shows only its number, date and
partner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from callins import services
from callins.models import CallInGround
from partners.models import Partner, Role
from portal import ratelimit
from tests.factories import just_now, make_partner, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 1280)
SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


def _register():
    police = make_partner("west-midlands-police", Partner.Kind.POLICE, "West Midlands Police")
    opcc = make_partner("opcc", Partner.Kind.PCC_OFFICE, "Office of the Police and Crime Commissioner")
    officer, signatory = make_person(police, Role.OFFICER), make_person(police, Role.SIGNATORY)
    pcc_officer, pcc = make_person(opcc, Role.PCC_OFFICER), make_person(opcc, Role.PCC)
    ground = CallInGround.objects.create(name="Value for money")
    today = timezone.localdate()

    def log(reference, title, *, confidential=False):
        return services.decision_log(
            partner=police,
            by=officer,
            reference=reference,
            title=title,
            summary="Custody moves to Perry Barr and Oldbury.\nThe Digbeth building closes in March.",
            reasons="The building is at the end of its life.",
            decision_maker_name="Claire Bennett",
            decision_maker_post="Assistant Chief Constable",
            made_on=today,
            takes_effect_on=today + timedelta(days=60),
            category="estates",
            financial_value="1250000.00",
            confidential=confidential,
        )

    def referred_back(decision):
        callin = services.callin_draft(
            decision=decision, by=pcc_officer, grounds=[ground], questions="How will detainees be transported?"
        )
        callin = services.callin_issue(callin=callin, by=pcc, confirmed_at=just_now())
        services.callin_response_save(callin=callin, by=officer, response_text="By van, within the hour.")
        services.callin_submit(callin=callin, by=signatory, confirmed_at=just_now())
        return services.callin_determine(
            callin=callin,
            by=pcc,
            outcome="referred_back",
            reasons="Transport has not been costed.",
            recommendations="Cost the transport before the suite closes.",
            confirmed_at=just_now(),
        )

    public = referred_back(log("WMP-2026-031", "Close the Digbeth custody suite"))
    secret = referred_back(log("WMP-2026-032", "Move the firearms unit", confidential=True))
    services.decision_record_outcome(
        decision=public.decision, by=officer, outcome="changed", outcome_text="We costed transport and went ahead."
    )
    signed = services.pcc_decision_sign(
        decision=services.pcc_decision_draft(
            by=pcc_officer,
            title="Fund the youth diversion scheme for two more years",
            summary="Two years of funding for diversion workers in every local policing area.",
            reasons="It cut reoffending in the pilot.",
            financial_implications="£240,000 a year from the PCC's grants budget.",
            partner=police,
        ),
        by=pcc,
        confirmed_at=just_now(),
    )
    return {"public": public, "secret": secret, "signed": signed}


def test_a_visitor_reads_the_register_without_signing_in(page, page_problems, axe_check):
    made = _register()
    public, secret, signed = made["public"], made["secret"], made["signed"]
    secret_record = secret.pcc_decision
    pages = [
        "/register/",
        "/register/decisions/",
        f"/register/decisions/{signed.year}/{signed.number}/",
        f"/register/decisions/{public.pcc_decision.year}/{public.pcc_decision.number}/",
        f"/register/decisions/{secret_record.year}/{secret_record.number}/",
        "/register/call-ins/",
        f"/register/call-ins/{public.reference}/",
        f"/register/call-ins/{secret.reference}/",
        # a filter with a mistake in it: the GOV.UK error summary
        "/register/decisions/?date_from-day=31&date_from-month=2&date_from-year=2026",
    ]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in pages:
            response = page.goto(path)
            assert response.status == 200, path
            assert not page.evaluate(SIDEWAYS), (path, width)
            axe_check(page)
            # the template's inline script ran under this response's nonce (a cached page's placeholder replaced)
            assert page.evaluate("() => document.body.classList.contains('govuk-frontend-supported')"), path
    assert not page_problems

    # the filters work with no script: the partner and a date range
    page.goto("/register/decisions/")
    page.get_by_label("Partner").select_option("west-midlands-police")
    page.get_by_label("Kind").select_option("callin_determination")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("tr[data-reference]")
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.reference)")) == [public.pcc_decision.reference]

    # the determination found, as an anonymous visitor would: the call-in page tells its story
    page.goto(f"/register/call-ins/{public.reference}/")
    body = page.locator("main").inner_text()
    for words in (
        "Cost the transport before the suite closes.",
        "We costed transport and went ahead.",
        "£1,250,000.00",
    ):
        assert words in body, words

    # a confidential one: its number, date and partner only
    page.goto(f"/register/decisions/{secret_record.year}/{secret_record.number}/")
    body = page.locator("main").inner_text()
    assert secret_record.reference in body and "West Midlands Police" in body
    assert "firearms" not in page.content().lower() and "firearms" not in page.title().lower()

    # the feed and the download, from the links on the first page
    page.goto("/register/")
    feed = page.request.get(page.get_by_role("link", name="Atom feed of the PCC's decisions").get_attribute("href"))
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert f"PCC decision {public.pcc_decision.reference}" in feed.text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the whole register (CSV)").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert public.reference in text and secret.reference in text and "firearms" not in text.lower()


def test_too_many_pages_get_a_page_saying_how_long_to_wait(page, axe_check, monkeypatch):
    monkeypatch.setattr(
        ratelimit,
        "PUBLIC_PAGES",
        ratelimit.Limit("public-page-browser", 2, 300, "Your network has asked for {count} pages in the last {period}"),
    )
    for _ in range(2):
        assert page.goto("/register/").status == 200
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto("/register/call-ins/")
        assert response.status == 429 and "Too many requests" in page.title()
        assert not page.evaluate(SIDEWAYS)
        axe_check(page)
