"""The public register (/register/): anyone reads it without signing in; signed PCC decisions and issued call-ins
only, never a draft; a confidential item shows its number or reference, date and partner and nothing else, on
the pages, in their titles and attributes, in the Atom feed and in the CSV, and no search or filter finds it by
what it says; the same page for everybody (no session, no cookie), cached briefly, limited per address."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from xml.etree import ElementTree

import pytest
from django.test import Client

from callins import services
from callins.models import PccDecision
from partners.models import Role
from portal import public, ratelimit
from portal.middleware import PUBLIC_PREFIXES
from tests.conftest import signed_in
from tests.factories import just_now, make_person

from .conftest import LOGGED_ON, draft

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SECRETS = [
    "Hangar",
    "firearms",
    "SECRET-SUMMARY",
    "SECRET-REASONS",
    "SECRET-QUESTION",
    "SECRET-RESPONSE",
    "SECRET-DETERMINATION",
    "SECRET-RECOMMENDATION",
    "SECRET-PCC-TITLE",
    "SECRET-PCC-SUMMARY",
    "SECRET-PCC-REASONS",
    "SECRET-PCC-MONEY",
    "SECRET-PCC-INTEREST",
    "SECRET-OUTCOME",
    "SWORN-REF",
]
DRAFTS = ["DRAFT-PCC-TITLE"]


def _log(partner, officer, reference, title, *, confidential=False, **extra):
    return services.decision_log(
        partner=partner,
        by=officer,
        reference=reference,
        title=title,
        summary=extra.pop("summary", "Custody moves to Perry Barr and Oldbury."),
        reasons=extra.pop("reasons", "The building is at the end of its life."),
        decision_maker_name="Claire Bennett",
        decision_maker_post="Assistant Chief Constable",
        made_on=date(2026, 12, 18),
        takes_effect_on=date(2027, 2, 1),
        category="estates",
        confidential=confidential,
        today=LOGGED_ON,
        **extra,
    )


def _through_to_outcome(decision, *, pcc, pcc_officer, grounds, officer, signatory, words: dict):
    """Call it in, respond, refer it back and record the final outcome, with the words given."""
    callin = services.callin_draft(
        decision=decision, by=pcc_officer, grounds=grounds[:2], questions=words["questions"], today=LOGGED_ON
    )
    services.callin_issue(callin=callin, by=pcc, confirmed_at=just_now(), today=LOGGED_ON)
    services.callin_response_save(callin=callin, by=officer, response_text=words["response"])
    services.callin_submit(callin=callin, by=signatory, confirmed_at=just_now(), today=LOGGED_ON)
    services.callin_determine(
        callin=callin,
        by=pcc,
        outcome="referred_back",
        reasons=words["determination"],
        recommendations=words["recommendations"],
        confirmed_at=just_now(),
        today=LOGGED_ON,
    )
    services.decision_record_outcome(decision=decision, by=officer, outcome="changed", outcome_text=words["outcome"])
    callin.refresh_from_db()
    return callin


@pytest.fixture
def register(police, police_officer, police_signatory, pcc, pcc_officer, grounds):
    """A published call-in taken to its end; a confidential one taken as far; a call-in waiting for a response;
    a draft call-in; a signed PCC decision, a signed confidential one and a draft."""
    open_one = _log(police, police_officer, "WMP-2026-031", "Close the Digbeth custody suite")
    public_callin = _through_to_outcome(
        open_one,
        pcc=pcc,
        pcc_officer=pcc_officer,
        grounds=grounds,
        officer=police_officer,
        signatory=police_signatory,
        words={
            "questions": "How will detainees be transported?",
            "response": "By van, within the hour.",
            "determination": "Transport has not been costed.",
            "recommendations": "Cost the transport first.",
            "outcome": "We costed it and went ahead.",
        },
    )
    secret = _log(
        police,
        police_officer,
        "SWORN-REF-1",
        "Move the firearms unit to Hangar 9",
        confidential=True,
        summary="SECRET-SUMMARY of the move",
        reasons="SECRET-REASONS for it",
    )
    secret_callin = _through_to_outcome(
        secret,
        pcc=pcc,
        pcc_officer=pcc_officer,
        grounds=grounds,
        officer=police_officer,
        signatory=police_signatory,
        words={
            "questions": "SECRET-QUESTION about the site",
            "response": "SECRET-RESPONSE from the police",
            "determination": "SECRET-DETERMINATION of the PCC",
            "recommendations": "SECRET-RECOMMENDATION to review",
            "outcome": "SECRET-OUTCOME of the review",
        },
    )
    waiting = services.callin_draft(
        decision=_log(police, police_officer, "WMP-2026-040", "Merge two response hubs"),
        by=pcc_officer,
        grounds=grounds[2:3],
        questions="What happens to response times?",
        today=LOGGED_ON,
    )
    waiting = services.callin_issue(callin=waiting, by=pcc, confirmed_at=just_now(), today=LOGGED_ON)
    services.callin_response_save(callin=waiting, by=police_officer, response_text="UNSUBMITTED-RESPONSE so far")
    drafted = draft(_log(police, police_officer, "WMP-2026-041", "Close a front counter"), pcc_officer, grounds)
    signed = services.pcc_decision_sign(
        decision=services.pcc_decision_draft(
            by=pcc_officer,
            title="Fund the youth diversion scheme",
            summary="Two years of funding for diversion workers.",
            reasons="It cut reoffending in the pilot.",
            partner=police,
        ),
        by=pcc,
        confirmed_at=just_now(),
        today=date(2026, 12, 1),
    )
    confidential = services.pcc_decision_sign(
        decision=services.pcc_decision_draft(
            by=pcc_officer,
            title="SECRET-PCC-TITLE",
            summary="SECRET-PCC-SUMMARY",
            reasons="SECRET-PCC-REASONS",
            financial_implications="SECRET-PCC-MONEY",
            interests_declared="SECRET-PCC-INTEREST",
            confidential=True,
            partner=police,
        ),
        by=pcc,
        confirmed_at=just_now(),
        today=date(2026, 12, 2),
    )
    unsigned = services.pcc_decision_draft(by=pcc_officer, title="DRAFT-PCC-TITLE", summary="S", reasons="R")
    # (signed on given days, as if long ago: the register shows the day each was signed)
    for decision, day in ((signed, 1), (confidential, 2)):
        PccDecision.objects.filter(pk=decision.pk).update(signed_at=datetime(2026, 12, day, 10, tzinfo=UTC))
    return {
        "public_callin": public_callin,
        "secret_callin": secret_callin,
        "waiting": waiting,
        "drafted": drafted,
        "signed": signed,
        "confidential": confidential,
        "unsigned": unsigned,
        "determination": public_callin.pcc_decision,
        "secret_determination": secret_callin.pcc_decision,
    }


def _refs(response) -> set[str]:
    return set(re.findall(r'data-reference="([^"]+)"', response.content.decode()))


def _every_public_address(register) -> list[str]:
    found = [
        "/register/",
        "/register/decisions/",
        "/register/call-ins/",
        "/register/feed/",
        "/register/register.csv",
        # filters that would find a confidential item by its kind or how it ended (searches: below)
        "/register/decisions/?kind=callin_determination",
        "/register/call-ins/?status=closed",
    ]
    for key in ("signed", "confidential", "determination", "secret_determination"):
        d = register[key]
        found.append(f"/register/decisions/{d.year}/{d.number}/")
    for key in ("public_callin", "secret_callin", "waiting"):
        found.append(f"/register/call-ins/{register[key].reference}/")
    return found


# --- Anyone, without signing in -------------------------------------------------------------------------
def test_the_register_needs_no_sign_in_while_the_portal_does(register, anonymous):
    for path in _every_public_address(register):
        assert anonymous.get(path).status_code == 200, path
    assert anonymous.get("/decisions/")["Location"].startswith("/sign-in/")
    assert anonymous.get("/api/v1/decisions/").status_code == 401
    # the second-factor middleware lets the register's prefix through, and nothing else new
    assert PUBLIC_PREFIXES == ("/register/",)
    assert anonymous.get("/register/no-such-page/").status_code == 404


def test_no_confidential_word_appears_in_any_public_response(register, anonymous, police_officer):
    visitors = {"anonymous": anonymous, "police officer": signed_in(police_officer)}
    for who, client in visitors.items():
        for path in _every_public_address(register):
            body = client.get(path).content.decode("utf-8-sig")
            leaked = [word for word in SECRETS + DRAFTS + ["UNSUBMITTED-RESPONSE"] if word.lower() in body.lower()]
            assert not leaked, (who, path, leaked)


def test_a_confidential_item_shows_that_it_exists_its_number_date_and_partner(register, anonymous):
    secret = register["confidential"]
    page = anonymous.get(f"/register/decisions/{secret.year}/{secret.number}/").content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert secret.reference in title and "confidential" in title.lower()
    assert secret.reference in page and "2 December 2026" in page and "West Midlands Police" in page
    callin = register["secret_callin"]
    page = anonymous.get(f"/register/call-ins/{callin.reference}/").content.decode()
    assert callin.reference in page and "West Midlands Police" in page and "Confidential call-in" in page
    listed = anonymous.get("/register/call-ins/")
    assert callin.reference in _refs(listed)
    assert secret.reference in _refs(anonymous.get("/register/decisions/"))


def test_drafts_never_appear(register, anonymous):
    assert register["drafted"].reference not in _refs(anonymous.get("/register/call-ins/"))
    assert anonymous.get(f"/register/call-ins/{register['drafted'].reference}/").status_code == 404
    assert not PccDecision.objects.get(pk=register["unsigned"].pk).number
    assert anonymous.get("/register/decisions/2000/999/").status_code == 404


def test_the_lists_hold_exactly_the_published_items(register, anonymous):
    callins = {register[k].reference for k in ("public_callin", "secret_callin", "waiting")}
    assert _refs(anonymous.get("/register/call-ins/")) == callins
    decisions = {register[k].reference for k in ("signed", "confidential", "determination", "secret_determination")}
    assert _refs(anonymous.get("/register/decisions/")) == decisions


def test_the_public_call_in_tells_its_story(register, anonymous):
    callin = register["public_callin"]
    page = anonymous.get(f"/register/call-ins/{callin.reference}/").content.decode()
    for words in (
        "Close the Digbeth custody suite",
        "How will detainees be transported?",
        "By van, within the hour.",
        "Transport has not been costed.",
        "Cost the transport first.",
        "We costed it and went ahead.",
        "Not stated",  # its financial value
        f"PCC decision {callin.pcc_decision.reference}",
    ):
        assert words in page, words
    waiting = anonymous.get(f"/register/call-ins/{register['waiting'].reference}/").content.decode()
    assert "Not submitted yet" in waiting


def test_filters_narrow_and_never_find_a_confidential_item_by_its_words_kind_or_status(register, anonymous):
    secret, signed = register["confidential"], register["signed"]

    def decisions(query: str) -> set[str]:
        return _refs(anonymous.get(f"/register/decisions/?{query}"))

    def callins(query: str) -> set[str]:
        return _refs(anonymous.get(f"/register/call-ins/?{query}"))

    assert decisions("search=diversion") == {signed.reference}
    assert decisions(f"search={secret.reference}") == {secret.reference}  # by its number: that is published
    assert decisions("search=SECRET") == set()
    assert decisions("kind=callin_determination") == {register["determination"].reference}
    assert decisions("partner=west-midlands-police&date_from-day=2&date_from-month=12&date_from-year=2026") >= {
        secret.reference
    }
    assert signed.reference not in decisions("date_from-day=2&date_from-month=12&date_from-year=2026")
    assert callins("status=closed") == {register["public_callin"].reference}
    assert callins(f"search={register['secret_callin'].reference}") == {register["secret_callin"].reference}
    assert callins("search=firearms") == set()


def test_a_wrong_filter_says_what_is_wrong(register, anonymous):
    query = "date_from-day=5&date_from-month=12&date_from-year=2026&date_to-day=1&date_to-month=12&date_to-year=2026"
    page = anonymous.get(f"/register/decisions/?{query}").content.decode()
    assert "There is a problem" in page and "The end of the date range must be the same as or after its start" in page
    assert "<title>Error: " in page
    assert anonymous.get("/register/call-ins/?partner=nobody").status_code == 200


# --- The feed and the download ------------------------------------------------------------------------------
def test_the_feed_is_atom_and_holds_decisions_and_determinations(register, anonymous):
    response = anonymous.get("/register/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    determination = register["determination"]
    assert f"PCC decision {determination.reference}: {determination.title}" in titles
    assert f"PCC decision {register['confidential'].reference} (confidential)" in titles
    links = {e.find(f"{ATOM}link").get("href") for e in feed.iter(f"{ATOM}entry")}
    assert f"http://testserver/register/decisions/{determination.year}/{determination.number}/" in links


def test_the_csv_holds_the_register_with_formulas_neutralised(register, anonymous, pcc, pcc_officer):
    services.pcc_decision_sign(
        decision=services.pcc_decision_draft(by=pcc_officer, title="=HYPERLINK(1)", summary="@SUM(A1)", reasons="R"),
        by=pcc,
        confirmed_at=just_now(),
    )
    response = anonymous.get("/register/register.csv")
    assert response["Content-Disposition"] == 'attachment; filename="public-register.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Record", "Reference", "Date", "Partner"]
    by_reference = {row[1]: row for row in rows[1:]}
    assert by_reference[register["confidential"].reference][4:8] == ["Yes", "", "", ""]
    assert by_reference[register["secret_callin"].reference][4:8] == ["Yes", "", "", ""]
    public_callin = by_reference[register["public_callin"].reference]
    assert (
        public_callin[5] == "Closed: the partner reconsidered" and public_callin[6] == "Close the Digbeth custody suite"
    )
    assert any(row[6] == "'=HYPERLINK(1)" and row[7] == "'@SUM(A1)" for row in rows)


# --- The same page for everybody, cached briefly, limited per address ---------------------------------------
def test_a_signed_in_person_sees_the_page_an_anonymous_visitor_sees(register, anonymous, police_officer):
    mine = signed_in(police_officer).get("/register/").content.decode()
    assert "Signed in as" not in mine and "Sign out" not in mine
    response = anonymous.get("/register/call-ins/")
    assert not response.cookies  # no session, no CSRF cookie
    assert "Public register" in response.content.decode()


def test_pages_are_cached_briefly_and_each_gets_its_own_nonce(register, anonymous, monkeypatch, pcc, pcc_officer):
    first = anonymous.get("/register/decisions/")
    services.pcc_decision_sign(
        decision=services.pcc_decision_draft(by=pcc_officer, title="Signed a moment ago", summary="S", reasons="R"),
        by=pcc,
        confirmed_at=just_now(),
    )
    second = anonymous.get("/register/decisions/")
    assert "Signed a moment ago" not in second.content.decode()  # the page kept for a minute
    nonces = []
    for response in (first, second):
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert f'nonce="{nonce}"' in response.content.decode()
        assert public.NONCE_PLACEHOLDER not in response.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    monkeypatch.setattr(public, "NAMESPACE", "public-page-later")  # the minute has passed
    assert "Signed a moment ago" in anonymous.get("/register/decisions/").content.decode()


def test_the_same_security_headers_apply(register, anonymous):
    response = anonymous.get("/register/")
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src" in response["Content-Security-Policy"]
    assert response["Permissions-Policy"].startswith("camera=()")
    assert anonymous.post("/register/call-ins/").status_code == 405  # read only


def test_too_many_pages_from_one_address_are_refused_with_a_page_saying_how_long_to_wait(register, monkeypatch):
    monkeypatch.setattr(
        ratelimit, "PUBLIC_PAGES", ratelimit.Limit("public-page-test", 3, 300, "Asked for {count} in the last {period}")
    )
    one = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert one.get("/register/").status_code == 200
    refused = one.get("/register/call-ins/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    assert "Too many requests" in page and "Asked for 3 in the last 5 minutes" in page
    assert Client(REMOTE_ADDR="203.0.113.8").get("/register/").status_code == 200  # another address


def test_with_the_cache_down_the_register_still_answers(register, anonymous, monkeypatch):
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("cache down")

            return fail

    monkeypatch.setattr(ratelimit, "cache", Down())
    monkeypatch.setattr(public, "cache", Down())
    response = anonymous.get("/register/decisions/")
    assert response.status_code == 200 and register["signed"].reference in _refs(response)


# --- The pages that cover it ----------------------------------------------------------------------------------
def test_the_footer_sign_in_page_accessibility_statement_and_privacy_notice_cover_the_register(anonymous):
    for path in ("/sign-in/", "/accessibility/", "/privacy/"):
        page = anonymous.get(path).content.decode()
        assert 'href="/register/"' in page, path
    assert "public register" in anonymous.get("/accessibility/").content.decode()
    assert "If you read the public register" in anonymous.get("/privacy/").content.decode()


def test_a_person_from_another_partner_sees_on_the_register_what_anyone_sees(register, probation):
    client = signed_in(make_person(probation, Role.OFFICER))
    assert _refs(client.get("/register/call-ins/")) == {
        register[k].reference for k in ("public_callin", "secret_callin", "waiting")
    }
