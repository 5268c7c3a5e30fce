"""The PCC's powers' pages: who gets what, each step of a call-in through its page (step-up where it needs it),
the PCC's decision log, senior appointments, GOV.UK error messages, the menu, the partner page and query counts.

The pages use today's date, so the decisions here are made relative to it (the services' own tests pin the
clock across Christmas and Easter)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from callins import services
from callins.models import Appointment, CallIn, CallInGround, PartnerDecision, PccDecision
from partners.models import Role
from portal.formats import gov_date
from portal.working_days import add_working_days
from tests.conftest import signed_in
from tests.factories import just_now, make_person, pdf_file

pytestmark = pytest.mark.django_db
D, C, A = PartnerDecision.Status, CallIn.Status, Appointment.Stage


def _text(response) -> str:
    return response.content.decode()


def _refs(response) -> set[str]:
    return set(re.findall(r'data-reference="([^"]+)"', _text(response)))


def _log(partner, officer, reference="WMP-2026-040", *, days_ago: int = 0, **extra):
    today = timezone.localdate() - timedelta(days=days_ago)
    return services.decision_log(
        partner=partner,
        by=officer,
        reference=reference,
        title=extra.pop("title", "Close the Digbeth custody suite"),
        summary="Custody moves to Perry Barr.\nOldbury takes the overflow.",
        reasons="The building is at the end of its life.",
        decision_maker_name="Claire Bennett",
        decision_maker_post="Assistant Chief Constable",
        made_on=today,
        takes_effect_on=today + timedelta(days=90),
        category="estates",
        financial_value=extra.pop("financial_value", "1234.56"),
        today=today,
        **extra,
    )


@pytest.fixture
def decision(police, police_officer, police_signatory, opcc, pcc, pcc_officer, grounds):
    return _log(police, police_officer)


@pytest.fixture
def closed(police, police_officer):
    """A police decision whose call-in window closed long ago, without a call-in."""
    return _log(police, police_officer, "WMP-2026-001", days_ago=40, title="Move the control room")


def _draft(decision, pcc_officer, grounds):
    return services.callin_draft(decision=decision, by=pcc_officer, grounds=grounds[:2], questions="Why Perry Barr?")


def _issued(decision, pcc, pcc_officer, grounds):
    return services.callin_issue(callin=_draft(decision, pcc_officer, grounds), by=pcc, confirmed_at=just_now())


def _responded(callin, police_officer, police_signatory):
    services.callin_response_save(callin=callin, by=police_officer, response_text="Perry Barr is newer.")
    return services.callin_submit(callin=callin, by=police_signatory, confirmed_at=just_now())


def _url(obj, rest: str = "") -> str:
    return obj.get_absolute_url() + rest


# --- Partners' decisions --------------------------------------------------------------------------------
def test_the_decisions_list_shows_each_person_exactly_what_they_may_see(
    decision, closed, probation, probation_officer, pcc, pcc_officer, board_member
):
    other = _log(probation, make_person(probation, Role.OFFICER, "probation.decider"), "PS-1", title="Hostel")
    police = {decision.reference, closed.reference}
    assert _refs(signed_in(decision.logged_by).get("/decisions/")) == police
    assert _refs(signed_in(probation_officer).get("/decisions/")) == {other.reference}
    for office in (pcc, pcc_officer):
        assert _refs(signed_in(office).get("/decisions/")) == police | {other.reference}
    assert signed_in(board_member).get("/decisions/").status_code == 403


def test_the_decisions_list_filters_by_words_status_and_window(decision, closed, police_officer):
    client = signed_in(police_officer)
    assert _refs(client.get("/decisions/", {"q": "control room"})) == {closed.reference}
    assert _refs(client.get("/decisions/", {"window": "open"})) == {decision.reference}
    assert _refs(client.get("/decisions/", {"window": "closed"})) == {closed.reference}
    assert _refs(client.get("/decisions/", {"status": "in_effect"})) == set()
    assert "No decisions you can see match these filters" in _text(client.get("/decisions/", {"q": "nothing"}))


def test_an_officer_logs_a_decision_for_their_own_partner_preselected(police, police_officer, opcc, pcc_officer):
    client = signed_in(police_officer)
    page = _text(client.get("/decisions/new/"))
    assert re.search(rf'value="{police.pk}"\s+checked', page), "their one partner is chosen already"
    assert 'class="govuk-input__prefix" aria-hidden="true">£<' in page
    today = timezone.localdate()
    response = client.post(
        "/decisions/new/",
        {
            "partner": str(police.pk),
            "reference": "WMP-2026-050",
            "title": "Merge two response hubs",
            "summary": "One hub for the north.",
            "reasons": "Fewer buildings.",
            "decision_maker_name": "Claire Bennett",
            "decision_maker_post": "Assistant Chief Constable",
            "made_on-day": str(today.day),
            "made_on-month": str(today.month),
            "made_on-year": str(today.year),
            "takes_effect_on-day": "1",
            "takes_effect_on-month": "4",
            "takes_effect_on-year": str(today.year + 1),
            "category": "service_change",
            "financial_value": "£1,250,000.10",
            "confidential": "no",
        },
        follow=True,
    )
    logged = PartnerDecision.objects.get(reference="WMP-2026-050")
    assert logged.partner == police and logged.financial_value == Decimal("1250000.10")
    closes = add_working_days(today, services.window_days_default())
    assert f"The PCC may call it in until the end of {gov_date(closes)}" in _text(response)
    assert "£1,250,000.10" in _text(response)


def test_logging_a_decision_says_what_to_fix_in_govuk_words(police, police_officer):
    response = signed_in(police_officer).post(
        "/decisions/new/", {"partner": str(police.pk), "financial_value": "12.345", "confidential": "no"}
    )
    page = _text(response)
    assert "<title>Error: " in page
    for message in (
        "Enter your reference for the decision",
        "Enter the decision&#39;s title",
        "Enter the date the decision was made",
        "Select the kind of decision",
        "Enter the financial value in pounds and pence, with no more than 2 decimal places",
    ):
        assert message in page, message
    assert not PartnerDecision.objects.exists()


def test_a_date_it_takes_effect_before_the_date_made_is_refused(police, police_officer):
    response = signed_in(police_officer).post(
        "/decisions/new/",
        {
            "partner": str(police.pk),
            "takes_effect_on-day": "1",
            "takes_effect_on-month": "1",
            "takes_effect_on-year": "2020",
            "made_on-day": "2",
            "made_on-month": "1",
            "made_on-year": "2020",
        },
    )
    assert "The date it takes effect must be the same as or after the date made" in _text(response)


def test_only_a_partners_officers_and_signatories_log_decisions(db, police_signatory, pcc, pcc_officer, board_member):
    assert signed_in(police_signatory).get("/decisions/new/").status_code == 200
    for user in (pcc, pcc_officer, board_member):
        assert signed_in(user).get("/decisions/new/").status_code == 403, user


def test_the_decision_page_shows_money_the_window_and_the_call_in_button_to_the_office(
    decision, police_officer, pcc_officer, probation_officer
):
    page = _text(signed_in(pcc_officer).get(_url(decision)))
    assert "£1,234.56" in page and re.search(r"\(\d working days? left\)", page)
    assert f'href="/decisions/{decision.pk}/call-in/"' in page
    assert re.search(r'class="govuk-body app-text">Custody moves to Perry Barr.\n\s*Oldbury takes', page)  # lines kept
    partner_page = _text(signed_in(police_officer).get(_url(decision)))
    assert "/call-in/" not in partner_page and "It cannot take effect until then" in partner_page
    assert signed_in(probation_officer).get(_url(decision)).status_code == 404


def test_a_decision_in_its_window_cannot_be_marked_as_taken_effect(decision, police_officer):
    response = signed_in(police_officer).get(_url(decision, "take-effect/"), follow=True)
    assert "cannot take effect yet" in _text(response)
    assert PartnerDecision.objects.get(pk=decision.pk).status == D.LOGGED


def test_a_decision_past_its_window_takes_effect(closed, police_officer, pcc_officer):
    client = signed_in(police_officer)
    assert "Record that it has taken effect" in _text(client.get(_url(closed)))
    today = timezone.localdate()
    response = client.post(
        _url(closed, "take-effect/"),
        {"on-day": str(today.day), "on-month": str(today.month), "on-year": str(today.year)},
        follow=True,
    )
    assert f"{closed.reference} is recorded as in effect from {gov_date(today)}" in _text(response)
    assert PartnerDecision.objects.get(pk=closed.pk).status == D.IN_EFFECT
    assert signed_in(pcc_officer).get(_url(closed, "take-effect/")).status_code == 403


def test_the_commissioner_waives_a_call_in_after_a_fresh_code(decision, pcc, pcc_officer):
    assert signed_in(pcc_officer).get(_url(decision, "waive/")).status_code == 403
    asked = signed_in(pcc, stepped_up=False).get(_url(decision, "waive/"))
    assert asked.status_code == 302 and asked["Location"].startswith("/sign-in/confirm/")
    client = signed_in(pcc)
    assert "Enter the reasons for waiving the call-in" in _text(client.post(_url(decision, "waive/"), {}))
    response = client.post(_url(decision, "waive/"), {"reasons": "Agreed with the board."}, follow=True)
    assert f"You waived the call-in of {decision.reference}" in _text(response)
    waived = PartnerDecision.objects.get(pk=decision.pk)
    assert waived.waived_at and waived.waiver_reasons == "Agreed with the board."


# --- Call-ins: drafting, issuing, discarding -----------------------------------------------------------------
def test_the_office_drafts_a_call_in_the_partner_does_not_see_the_draft(decision, grounds, pcc_officer, police_officer):
    client = signed_in(pcc_officer)
    form = _text(client.get(_url(decision, "call-in/")))
    assert all(g.name in form for g in grounds) and 'value="10"' in form
    missing = _text(client.post(_url(decision, "call-in/"), {"questions": "", "response_working_days": "3"}))
    assert "Select at least one ground for the call-in" in missing
    assert "Enter the questions the partner must answer" in missing and "Give at least 5 working days" in missing
    response = client.post(
        _url(decision, "call-in/"),
        {"grounds": [str(grounds[0].pk), str(grounds[2].pk)], "questions": "Why?", "response_working_days": "10"},
        follow=True,
    )
    callin = CallIn.objects.get()
    assert callin.status == C.DRAFT and set(callin.grounds.all()) == {grounds[0], grounds[2]}
    assert f"Call-in {callin.reference} is drafted" in _text(response)
    assert signed_in(police_officer).get(_url(callin)).status_code == 404
    assert signed_in(police_officer).get(_url(decision, "call-in/")).status_code == 403
    again = client.get(_url(decision, "call-in/"))
    assert again.status_code == 302 and again["Location"] == _url(callin)


def test_the_office_changes_and_discards_a_draft(decision, grounds, pcc_officer):
    callin = _draft(decision, pcc_officer, grounds)
    client = signed_in(pcc_officer)
    client.post(
        _url(callin, "edit/"),
        {"grounds": [str(grounds[4].pk)], "questions": "Who was consulted?", "response_working_days": "15"},
    )
    callin.refresh_from_db()
    assert callin.questions == "Who was consulted?" and callin.response_working_days == 15
    assert "Discard the draft call-in?" in _text(client.get(_url(callin, "discard/")))
    response = client.post(_url(callin, "discard/"), follow=True)
    assert "is discarded" in _text(response) and not CallIn.objects.exists()


def test_the_commissioner_issues_after_a_fresh_code_and_sees_the_due_date_first(
    decision, grounds, pcc, pcc_officer, police_officer
):
    callin = _draft(decision, pcc_officer, grounds)
    assert signed_in(pcc_officer).get(_url(callin, "issue/")).status_code == 403
    asked = signed_in(pcc, stepped_up=False).get(_url(callin, "issue/"))
    assert asked["Location"].startswith("/sign-in/confirm/")
    client = signed_in(pcc)
    due = add_working_days(timezone.localdate(), 10)
    assert f"response will be due by <strong>{gov_date(due)}</strong>" in _text(client.get(_url(callin, "issue/")))
    response = client.post(_url(callin, "issue/"), follow=True)
    assert f"Call-in {callin.reference} is issued" in _text(response)
    assert CallIn.objects.get().status == C.ISSUED
    assert PartnerDecision.objects.get(pk=decision.pk).status == D.CALLED_IN
    page = _text(signed_in(police_officer).get(_url(callin)))
    assert "Write the response" in page and f"response is due by {gov_date(due)}" in page


# --- The response, submitting it, determining ---------------------------------------------------------------
def test_the_partner_writes_the_response_adds_a_document_and_another_partner_cannot_read_it(
    decision, grounds, pcc, pcc_officer, police_officer, probation_officer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    callin = _issued(decision, pcc, pcc_officer, grounds)
    client = signed_in(police_officer)
    assert "Why Perry Barr?" in _text(client.get(_url(callin, "respond/")))
    empty = _text(client.post(_url(callin, "respond/"), {"response_text": ""}))
    assert "Enter the response" in empty
    saved = client.post(_url(callin, "respond/"), {"response_text": "Perry Barr is newer."}, follow=True)
    assert "is saved. It is not submitted yet" in _text(saved)
    no_title = _text(client.post(_url(callin, "respond/"), {"document-title": "", "document-file": pdf_file()}))
    assert "<title>Error: " in no_title and "Enter the document&#39;s title" in no_title
    client.post(_url(callin, "respond/"), {"document-title": "Estates survey", "document-file": pdf_file()})
    attachment = callin.attachments.get()
    download = f"/call-ins/{callin.pk}/documents/{attachment.pk}/"
    assert download in _text(client.get(_url(callin)))
    assert client.get(download).status_code == 200
    assert signed_in(pcc_officer).get(download).status_code == 200
    assert signed_in(probation_officer).get(download).status_code == 404
    assert signed_in(probation_officer).get(_url(callin, "respond/")).status_code == 404
    assert signed_in(pcc_officer).get(_url(callin, "respond/")).status_code == 403


def test_the_signatory_submits_the_response_after_a_fresh_code(
    decision, grounds, pcc, pcc_officer, police_officer, police_signatory
):
    callin = _issued(decision, pcc, pcc_officer, grounds)
    services.callin_response_save(callin=callin, by=police_officer, response_text="Perry Barr is newer.")
    assert signed_in(police_officer).get(_url(callin, "submit/")).status_code == 403
    assert (
        signed_in(police_signatory, stepped_up=False)
        .get(_url(callin, "submit/"))["Location"]
        .startswith("/sign-in/confirm/")
    )
    client = signed_in(police_signatory)
    assert "Perry Barr is newer." in _text(client.get(_url(callin, "submit/")))
    missing = _text(client.post(_url(callin, "submit/"), {}))
    assert "Confirm that you have read the response and may submit it" in missing
    response = client.post(_url(callin, "submit/"), {"confirm": "on"}, follow=True)
    callin.refresh_from_db()
    assert callin.status == C.RESPONDED
    assert f"determination is due by {gov_date(callin.determination_due)}" in _text(response)


def test_the_commissioner_refers_a_decision_back_and_the_partner_records_the_outcome(
    decision, grounds, pcc, pcc_officer, police_officer, police_signatory
):
    callin = _responded(_issued(decision, pcc, pcc_officer, grounds), police_officer, police_signatory)
    assert signed_in(pcc_officer).get(_url(callin, "determine/")).status_code == 403
    assert signed_in(pcc, stepped_up=False).get(_url(callin, "determine/"))["Location"].startswith("/sign-in/confirm/")
    client = signed_in(pcc)
    assert "Perry Barr is newer." in _text(client.get(_url(callin, "determine/")))
    missing = _text(client.post(_url(callin, "determine/"), {"outcome": "referred_back", "reasons": "Too far."}))
    assert "Enter your recommendations for the partner to reconsider" in missing
    response = client.post(
        _url(callin, "determine/"),
        {
            "outcome": "referred_back",
            "reasons": "Too far.",
            "recommendations": "Keep a city centre cell block.",
            "reconsider_working_days": "15",
        },
        follow=True,
    )
    callin.refresh_from_db()
    record = callin.pcc_decision
    assert callin.status == C.REFERRED_BACK and record.status == PccDecision.Status.SIGNED
    assert f"It is recorded as PCC decision {record.reference} and published" in _text(response)
    partner = signed_in(police_officer)
    decision_page = _text(partner.get(_url(decision)))
    assert "Record the final outcome" in decision_page
    assert "Keep a city centre cell block." in _text(partner.get(_url(decision, "outcome/")))
    assert "Select what was decided in the end" in _text(partner.post(_url(decision, "outcome/"), {}))
    done = partner.post(
        _url(decision, "outcome/"), {"outcome": "changed", "outcome_text": "A cell block stays."}, follow=True
    )
    assert "the call-in is closed" in _text(done)
    assert CallIn.objects.get().status == C.CLOSED
    assert PartnerDecision.objects.get(pk=decision.pk).status == D.RECONSIDERED


def test_the_decision_stands_and_the_record_is_linked(
    decision, grounds, pcc, pcc_officer, police_officer, police_signatory
):
    callin = _responded(_issued(decision, pcc, pcc_officer, grounds), police_officer, police_signatory)
    signed_in(pcc).post(_url(callin, "determine/"), {"outcome": "stands", "reasons": "Sound."})
    callin.refresh_from_db()
    assert callin.status == C.STANDS
    page = _text(signed_in(police_officer).get(_url(callin)))
    assert f'href="{callin.pcc_decision.get_absolute_url()}"' in page and "The decision stands" in page
    assert PartnerDecision.objects.get(pk=decision.pk).status == D.LOGGED


def test_the_commissioner_withdraws_a_call_in(decision, grounds, pcc, pcc_officer):
    callin = _issued(decision, pcc, pcc_officer, grounds)
    client = signed_in(pcc)
    assert "Enter the reasons for withdrawing the call-in" in _text(client.post(_url(callin, "withdraw/"), {}))
    response = client.post(_url(callin, "withdraw/"), {"reasons": "Answered at the board."}, follow=True)
    assert f"Call-in {callin.reference} is withdrawn" in _text(response)
    assert CallIn.objects.get().status == C.WITHDRAWN
    # a step taken already sends the person back, saying why
    again = client.get(_url(callin, "withdraw/"), follow=True)
    assert "Only an open call-in can be withdrawn: this one is withdrawn." in _text(again)


def test_the_call_ins_list_shows_each_person_exactly_their_call_ins(
    decision, grounds, pcc, pcc_officer, police_officer, probation_officer, board_member
):
    callin = _issued(decision, pcc, pcc_officer, grounds)
    assert _refs(signed_in(police_officer).get("/call-ins/")) == {callin.reference}
    assert _refs(signed_in(pcc_officer).get("/call-ins/")) == {callin.reference}
    assert _refs(signed_in(probation_officer).get("/call-ins/")) == set()
    assert _refs(signed_in(board_member).get("/call-ins/")) == set()
    assert _refs(signed_in(pcc).get("/call-ins/", {"status": "withdrawn"})) == set()


def test_the_office_keeps_the_list_of_grounds(grounds, pcc_officer, police_officer):
    assert signed_in(police_officer).get("/call-ins/grounds/").status_code == 403
    client = signed_in(pcc_officer)
    assert "Enter the ground" in _text(client.post("/call-ins/grounds/", {"name": ""}))
    added = client.post("/call-ins/grounds/", {"name": "Risk to public safety", "description": ""}, follow=True)
    assert "is added to the grounds" in _text(added)
    retired = client.post("/call-ins/grounds/", {"ground": str(grounds[0].pk), "active": "no"}, follow=True)
    assert "is retired" in _text(retired)
    assert not CallInGround.objects.get(pk=grounds[0].pk).active
    assert CallInGround.objects.filter(name="Risk to public safety", active=True).exists()


# --- The PCC's decisions --------------------------------------------------------------------------------------
def test_the_office_prepares_a_decision_and_the_commissioner_signs_it(opcc, police, pcc, pcc_officer, police_officer):
    client = signed_in(pcc_officer)
    missing = _text(client.post("/pcc-decisions/new/", {}))
    assert "Enter the decision&#39;s title" in missing and "Select yes if the decision is confidential" in missing
    client.post(
        "/pcc-decisions/new/",
        {
            "title": "Fund a custody nurse",
            "summary": "S",
            "reasons": "R",
            "confidential": "no",
            "partner": str(police.pk),
        },
    )
    draft = PccDecision.objects.get()
    assert draft.status == PccDecision.Status.DRAFT and draft.partner == police
    assert draft.title not in _text(signed_in(police_officer).get("/pcc-decisions/"))
    assert signed_in(police_officer).get(_url(draft)).status_code == 404
    assert signed_in(pcc_officer).get(_url(draft, "sign/")).status_code == 403
    assert signed_in(pcc, stepped_up=False).get(_url(draft, "sign/"))["Location"].startswith("/sign-in/confirm/")
    response = signed_in(pcc).post(_url(draft, "sign/"), {"confirm": "on"}, follow=True)
    draft.refresh_from_db()
    assert draft.status == PccDecision.Status.SIGNED and f"You signed PCC decision {draft.reference}" in _text(response)
    assert draft.reference in _refs(signed_in(police_officer).get("/pcc-decisions/"))


def test_a_confidential_signed_decision_is_the_offices_alone_here(opcc, pcc, pcc_officer, police_officer):
    made = services.pcc_decision_draft(by=pcc_officer, title="Secret", summary="S", reasons="R", confidential=True)
    services.pcc_decision_sign(decision=made, by=pcc, confirmed_at=just_now())
    assert signed_in(police_officer).get(_url(made)).status_code == 404
    assert signed_in(pcc_officer).get(_url(made)).status_code == 200


# --- Senior appointments ------------------------------------------------------------------------------------
def test_an_appointment_goes_from_vacancy_to_appointed_after_the_pccs_view(
    police, opcc, police_officer, police_signatory, pcc_officer
):
    client = signed_in(police_officer)
    assert "Enter the post" in _text(client.post("/appointments/new/", {"partner": str(police.pk)}))
    client.post("/appointments/new/", {"partner": str(police.pk), "post": "Deputy Chief Constable"})
    appointment = Appointment.objects.get()
    assert signed_in(police_signatory).get("/appointments/new/").status_code == 403
    client.post(_url(appointment, "shortlist/"), {"candidate": "Sam Patel"})
    response = client.post(
        _url(appointment, "consult/"), {"candidate": "Sam Patel", "view_working_days": "10"}, follow=True
    )
    due = add_working_days(timezone.localdate(), 10)
    assert f"The PCC's view is due by {gov_date(due)}" in _text(response)
    early = client.get(_url(appointment, "appoint/"), follow=True)
    assert "confirm the appointment once it is recorded, or after that day" in _text(early)
    assert signed_in(police_officer).get(_url(appointment, "view/")).status_code == 403
    office = signed_in(pcc_officer)
    assert "Enter the PCC&#39;s concerns" in _text(office.post(_url(appointment, "view/"), {"view": "concerns"}))
    office.post(_url(appointment, "view/"), {"view": "support", "reasons": ""})
    confirmed = client.post(_url(appointment, "appoint/"), follow=True)
    assert "Sam Patel is recorded as appointed Deputy Chief Constable." in _text(confirmed)
    appointment.refresh_from_db()
    assert appointment.stage == A.APPOINTED and not appointment.appointed_without_view


def test_an_appointment_past_the_deadline_says_it_is_confirmed_without_the_view(police, opcc, police_officer):
    opened = services.appointment_open(partner=police, by=police_officer, post="Chief Finance Officer")
    appointment = services.appointment_consult(
        appointment=opened, by=police_officer, candidate="Jo Hughes", today=timezone.localdate() - timedelta(days=40)
    )
    client = signed_in(police_officer)
    assert "confirmed without the PCC&#39;s view" in _text(client.get(_url(appointment, "appoint/")))
    done = client.post(_url(appointment, "appoint/"), follow=True)
    assert "without the PCC&#39;s view: its deadline passed" in _text(done)
    assert Appointment.objects.get().appointed_without_view


def test_another_partner_never_sees_an_appointment(police, opcc, police_officer, probation_officer, board_member):
    appointment = services.appointment_open(partner=police, by=police_officer, post="Director")
    assert signed_in(probation_officer).get(_url(appointment)).status_code == 404
    assert 'data-appointment="' not in _text(signed_in(probation_officer).get("/appointments/"))
    assert signed_in(board_member).get("/appointments/").status_code == 403


# --- The menu and the partner page ------------------------------------------------------------------------------
def test_decisions_and_call_ins_are_in_the_menu_for_those_who_may_see_them(
    db, police_officer, pcc_officer, board_member
):
    for user in (police_officer, pcc_officer):
        page = _text(signed_in(user).get("/"))
        assert re.search(r'href="/decisions/"[^>]*>\s*Decisions', page), user
        assert re.search(r'href="/call-ins/"[^>]*>\s*Call-ins', page), user
    assert 'href="/decisions/"' not in _text(signed_in(board_member).get("/"))


def test_the_partner_page_lists_its_decisions_and_call_ins_to_those_who_may_see_them(
    decision, grounds, police, pcc, pcc_officer, probation_officer
):
    callin = _issued(decision, pcc, pcc_officer, grounds)
    page = _text(signed_in(pcc_officer).get(f"/partners/{police.slug}/"))
    assert "Decisions and call-ins" in page and f'data-decision="{decision.pk}"' in page
    assert f'data-callin="{callin.pk}"' in page
    assert "Decisions and call-ins" not in _text(signed_in(probation_officer).get(f"/partners/{police.slug}/"))


# --- Query counts ---------------------------------------------------------------------------------------
def test_the_lists_and_pages_cost_a_bounded_number_of_queries(
    decision, grounds, police, pcc, pcc_officer, police_officer, django_assert_max_num_queries
):
    callin = _issued(decision, pcc, pcc_officer, grounds)
    for n in range(12):
        more = _log(police, police_officer, f"WMP-2026-1{n:02d}", title=f"Decision {n}")
        _issued(more, pcc, pcc_officer, grounds)
    client = signed_in(pcc_officer)
    client.get("/")  # (the session's first request warms it)
    for path in ("/decisions/", "/call-ins/", _url(decision), _url(callin), "/pcc-decisions/", "/appointments/"):
        with django_assert_max_num_queries(25):
            assert client.get(path).status_code == 200, path
