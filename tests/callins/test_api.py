"""/api/v1/decisions/, /api/v1/callins/, /api/v1/pcc-decisions/ and /api/v1/appointments/: each list holds exactly
the rows the caller may see (a partner its own, the PCC office every one; signed PCC decisions for everyone, never a
confidential one or a draft beyond the PCC office); the writes go through the same services, whose refusals speak
(400, 403); step-up actions refuse API tokens; money is a string with two decimals; bodies match the schema."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from callins import services
from callins.models import Appointment, CallIn, PartnerDecision, PccDecision
from partners.services import api_token_create
from tests.conftest import signed_in
from tests.factories import just_now
from tests.portal.test_api_schema import conforms

from .conftest import LOGGED_ON, draft

pytestmark = pytest.mark.django_db
STEP_UP_REFUSED = "API tokens cannot"


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def token_client(partner, by) -> Client:
    _, raw = api_token_create(name=f"{partner.slug} system", partner=partner, days=30, by=by)
    return Client(HTTP_AUTHORIZATION=f"Token {raw}")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


DECISION = {
    "reference": "WMP-2026-050",
    "title": "Close the Digbeth custody suite",
    "summary": "Custody moves to Perry Barr and Oldbury.",
    "reasons": "The building is at the end of its life.",
    "decision_maker_name": "Claire Bennett",
    "decision_maker_post": "Assistant Chief Constable",
    "made_on": "2026-12-01",
    "takes_effect_on": "2027-02-01",
    "category": "estates",
    "financial_value": "1250000.00",
}


@pytest.fixture
def world(decision, police, probation, police_officer, probation_officer_person, pcc, pcc_officer, grounds):
    """The police decision called in (issued); a confidential police decision with a draft call-in; probation's
    decision; a signed PCC decision, a signed confidential one and a draft; an appointment at each partner."""
    probation_person = services.decision_log(
        partner=probation,
        by=probation_officer_person,
        reference="PS-1",
        title="Move the approved premises",
        summary="S",
        reasons="R",
        decision_maker_name="N",
        decision_maker_post="P",
        made_on=LOGGED_ON,
        takes_effect_on=LOGGED_ON,
        category="estates",
        today=LOGGED_ON,
    )
    secret = services.decision_log(
        partner=police,
        by=police_officer,
        reference="WMP-SECRET",
        title="Move the firearms unit",
        summary="Secret summary",
        reasons="Secret reasons",
        decision_maker_name="N",
        decision_maker_post="P",
        made_on=LOGGED_ON,
        takes_effect_on=LOGGED_ON,
        category="estates",
        confidential=True,
        today=LOGGED_ON,
    )
    issued = services.callin_issue(
        callin=draft(decision, pcc_officer, grounds), by=pcc, confirmed_at=just_now(), today=LOGGED_ON
    )
    drafted = draft(secret, pcc_officer, grounds)
    signed = services.pcc_decision_sign(
        decision=services.pcc_decision_draft(by=pcc_officer, title="Fund diversion", summary="S", reasons="R"),
        by=pcc,
        confirmed_at=just_now(),
    )
    confidential = services.pcc_decision_sign(
        decision=services.pcc_decision_draft(
            by=pcc_officer, title="Secret title", summary="S", reasons="R", confidential=True
        ),
        by=pcc,
        confirmed_at=just_now(),
    )
    unsigned = services.pcc_decision_draft(by=pcc_officer, title="Draft", summary="S", reasons="R")
    appointments = {
        partner.slug: services.appointment_open(
            partner=partner,
            by=police_officer if partner == police else probation_officer_person,
            post="Director of Operations",
        )
        for partner in (police, probation)
    }
    return {
        "decision": decision,
        "secret": secret,
        "probation": probation_person,
        "issued": issued,
        "drafted": drafted,
        "signed": signed,
        "confidential": confidential,
        "unsigned": unsigned,
        "appointments": appointments,
    }


# --- Who sees what ----------------------------------------------------------------------------------------
def test_each_list_holds_exactly_the_rows_each_person_may_see(
    world, police_officer, police_signatory, probation_officer_person, board_member, pcc_officer, pcc, schema
):
    w = world
    every_decision = {w["decision"].pk, w["secret"].pk, w["probation"].pk}
    police_decisions = {w["decision"].pk, w["secret"].pk}
    expected = {
        # decisions: a partner's own (confidential ones too: they are its own); none for the OPCC's board member
        "decisions": {
            police_officer: police_decisions,
            police_signatory: police_decisions,
            probation_officer_person: {w["probation"].pk},
            board_member: set(),
            pcc_officer: every_decision,
            pcc: every_decision,
        },
        # call-ins: the partner's once issued, never a draft; every one for the PCC office
        "callins": {
            police_officer: {w["issued"].pk},
            police_signatory: {w["issued"].pk},
            probation_officer_person: set(),
            board_member: set(),
            pcc_officer: {w["issued"].pk, w["drafted"].pk},
            pcc: {w["issued"].pk, w["drafted"].pk},
        },
        # the PCC's decisions: signed and not confidential for everyone; all of them for the PCC office
        "pcc-decisions": {
            police_officer: {w["signed"].pk},
            probation_officer_person: {w["signed"].pk},
            board_member: {w["signed"].pk},
            pcc_officer: {w["signed"].pk, w["confidential"].pk, w["unsigned"].pk},
            pcc: {w["signed"].pk, w["confidential"].pk, w["unsigned"].pk},
        },
        "appointments": {
            police_officer: {w["appointments"]["west-midlands-police"].pk},
            probation_officer_person: {w["appointments"]["probation-west-midlands"].pk},
            board_member: set(),
            pcc_officer: {a.pk for a in w["appointments"].values()},
        },
    }
    components = {
        "decisions": "PaginatedDecisionList",
        "callins": "PaginatedCallInList",
        "pcc-decisions": "PaginatedPccDecisionList",
        "appointments": "PaginatedAppointmentList",
    }
    for endpoint, by_person in expected.items():
        for person, wanted in by_person.items():
            response = signed_in(person).get(f"/api/v1/{endpoint}/")
            assert ids(response) == wanted, (endpoint, person.username)
            assert not conforms(schema, components[endpoint], response.json()), endpoint


def test_a_row_you_may_not_see_is_404_and_its_text_appears_nowhere(world, probation_officer_person, police_officer):
    client = signed_in(probation_officer_person)
    for path in (
        f"/api/v1/decisions/{world['secret'].pk}/",
        f"/api/v1/callins/{world['issued'].pk}/",
        f"/api/v1/pcc-decisions/{world['confidential'].pk}/",
        f"/api/v1/pcc-decisions/{world['unsigned'].pk}/",
        f"/api/v1/appointments/{world['appointments']['west-midlands-police'].pk}/",
        "/api/v1/decisions/x/",
    ):
        response = client.get(path)
        assert response.status_code == 404 and "detail" in response.json(), path
    seen = b"".join(
        signed_in(person).get(f"/api/v1/{endpoint}/").content
        for person in (probation_officer_person, police_officer)
        for endpoint in ("decisions", "callins", "pcc-decisions", "appointments")
    )
    assert b"Secret title" not in seen
    assert b"Move the firearms unit" not in signed_in(probation_officer_person).get("/api/v1/decisions/").content
    # the partner does not see the PCC office's draft call-in of its confidential decision
    body = signed_in(police_officer).get(f"/api/v1/decisions/{world['secret'].pk}/").json()
    assert body["callin"] is None and body["confidential"] is True


def test_a_detail_says_what_the_caller_may_do_now(world, pcc, police_officer, schema):
    body = signed_in(pcc).get(f"/api/v1/callins/{world['drafted'].pk}/").json()
    assert not conforms(schema, "CallInDetail", body)
    assert body["actions_open_to_you"] == ["edit", "issue", "discard"]
    body = signed_in(police_officer).get(f"/api/v1/callins/{world['issued'].pk}/").json()
    assert body["actions_open_to_you"] == ["respond"]
    body = signed_in(police_officer).get(f"/api/v1/decisions/{world['decision'].pk}/").json()
    assert not conforms(schema, "DecisionDetail", body)
    assert body["callin"] == world["issued"].reference and body["status"] == "called_in"
    assert body["why_not_in_effect"] == "It is paused: called in"


def test_money_is_a_string_with_two_decimals_and_a_number_is_refused(police, police_officer):
    client = signed_in(police_officer)
    response = post(client, "/api/v1/decisions/", DECISION)
    assert response.status_code == 201, response.content
    assert response.json()["financial_value"] == "1250000.00"
    assert PartnerDecision.objects.get(reference="WMP-2026-050").financial_value == Decimal("1250000.00")
    for wrong in (1250000.5, 1250000, "12.345", "-1.00", "1e6"):
        refused = post(client, "/api/v1/decisions/", {**DECISION, "reference": "X-1", "financial_value": wrong})
        assert refused.status_code == 400 and "financial_value" in refused.json(), wrong


def test_filters_narrow_and_a_wrong_one_is_refused_by_name(world, pcc_officer, police):
    client = signed_in(pcc_officer)
    assert ids(client.get("/api/v1/decisions/", {"partner": police.slug})) == {world["decision"].pk, world["secret"].pk}
    assert ids(client.get("/api/v1/decisions/", {"status": "called_in"})) == {world["decision"].pk}
    assert ids(client.get("/api/v1/decisions/", {"search": "approved premises"})) == {world["probation"].pk}
    assert ids(client.get("/api/v1/callins/", {"status": "draft"})) == {world["drafted"].pk}
    assert ids(client.get("/api/v1/pcc-decisions/", {"status": "draft"})) == {world["unsigned"].pk}
    assert ids(client.get("/api/v1/appointments/", {"stage": "vacancy", "partner": police.slug})) == {
        world["appointments"][police.slug].pk
    }
    bad = client.get("/api/v1/decisions/", {"partner": "west-midlands-polce"})
    assert bad.status_code == 400 and "west-midlands-polce" in bad.json()["partner"][0]
    assert client.get("/api/v1/pcc-decisions/", {"year": "2026.5"}).status_code == 400
    misspelt = client.get("/api/v1/callins/", {"state": "draft"})
    assert misspelt.status_code == 400 and misspelt.json()["unknown_parameters"] == ["state"]


def test_the_list_costs_the_same_queries_however_many_decisions(world, pcc_officer, police, police_officer):
    client = signed_in(pcc_officer)
    client.get("/api/v1/decisions/")  # warm the session and the content types
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/decisions/")
    for n in range(3):
        post(signed_in(police_officer), "/api/v1/decisions/", {**DECISION, "reference": f"MORE-{n}"})
    with CaptureQueriesContext(connection) as more:
        client.get("/api/v1/decisions/")
    assert len(more) == len(few)


# --- Writes, through the services -----------------------------------------------------------------------------
def test_a_call_in_from_draft_to_final_outcome(
    police, police_officer, police_signatory, pcc, pcc_officer, grounds, schema
):
    decision = post(signed_in(police_officer), "/api/v1/decisions/", DECISION).json()
    office, commissioner = signed_in(pcc_officer), signed_in(pcc)
    response = post(
        office,
        "/api/v1/callins/",
        {"decision": decision["id"], "grounds": ["value for money"], "questions": "Who pays for transport?"},
    )
    assert response.status_code == 201, response.content
    callin = response.json()
    assert callin["grounds"] == ["Value for money"] and callin["status"] == "draft"
    url = f"/api/v1/callins/{callin['id']}/"
    changed = patch(office, url, {"grounds": ["Value for money", "Equality impact"], "response_working_days": 15})
    assert changed.status_code == 200 and changed.json()["response_working_days"] == 15
    assert post(office, url + "issue/").status_code == 403  # the Commissioner issues
    issued = post(commissioner, url + "issue/")
    assert issued.status_code == 200 and issued.json()["status"] == "issued"
    assert not conforms(schema, "CallInDetail", issued.json())
    assert post(signed_in(police_officer), url + "response/", {"response_text": "By van."}).status_code == 200
    assert post(signed_in(police_officer), url + "submit/").status_code == 403  # its signatory submits
    submitted = post(signed_in(police_signatory), url + "submit/")
    assert submitted.status_code == 200 and submitted.json()["response_text"] == "By van."
    refused = post(commissioner, url + "determine/", {"outcome": "referred_back", "reasons": "Not costed."})
    assert refused.status_code == 400 and "recommendations" in refused.json()  # the service says what is missing
    determined = post(
        commissioner,
        url + "determine/",
        {"outcome": "referred_back", "reasons": "Not costed.", "recommendations": "Cost it."},
    )
    assert determined.status_code == 200 and determined.json()["status"] == "referred_back"
    record = PccDecision.objects.get(callin__pk=callin["id"])
    assert determined.json()["pcc_decision"] == record.reference
    outcome = post(
        signed_in(police_officer),
        f"/api/v1/decisions/{decision['id']}/outcome/",
        {"outcome": "changed", "outcome_text": "Transport costed and added."},
    )
    assert outcome.status_code == 200 and outcome.json()["status"] == "reconsidered"
    assert CallIn.objects.get(pk=callin["id"]).status == CallIn.Status.CLOSED


def test_a_draft_is_discarded_and_an_issued_call_in_withdrawn(world, pcc, pcc_officer):
    discarded = post(signed_in(pcc_officer), f"/api/v1/callins/{world['drafted'].pk}/discard/")
    assert discarded.status_code == 204 and not CallIn.objects.filter(pk=world["drafted"].pk).exists()
    url = f"/api/v1/callins/{world['issued'].pk}/withdraw/"
    assert post(signed_in(pcc), url).status_code == 400  # reasons, please
    withdrawn = post(signed_in(pcc), url, {"reasons": "Assurances given."})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_the_commissioner_waives_a_call_in_and_the_decision_takes_effect(police, police_officer, pcc):
    decision = post(signed_in(police_officer), "/api/v1/decisions/", DECISION).json()
    url = f"/api/v1/decisions/{decision['id']}/"
    too_soon = post(signed_in(police_officer), url + "take-effect/")
    assert too_soon.status_code == 400 and "may be called in until" in too_soon.json()["detail"]
    waived = post(signed_in(pcc), url + "waive/", {"reasons": "Nothing to add."})
    assert waived.status_code == 200 and waived.json()["waiver_reasons"] == "Nothing to add."
    assert post(signed_in(police_officer), url + "take-effect/").json()["status"] == "in_effect"


def test_a_pcc_decision_is_drafted_changed_and_signed(pcc, pcc_officer, police, schema):
    office = signed_in(pcc_officer)
    made = post(office, "/api/v1/pcc-decisions/", {"title": "Fund", "summary": "S", "reasons": "R"})
    assert made.status_code == 201 and made.json()["reference"] == "Draft"
    url = f"/api/v1/pcc-decisions/{made.json()['id']}/"
    changed = patch(office, url, {"title": "Fund the scheme", "partner": police.slug})
    assert changed.status_code == 200 and changed.json()["partner"] == police.slug
    assert changed.json()["summary"] == "S"  # left as it was
    assert post(office, url + "sign/").status_code == 403
    signed = post(signed_in(pcc), url + "sign/")
    assert signed.status_code == 200 and signed.json()["status"] == "signed" and signed.json()["number"] == 1
    assert not conforms(schema, "PccDecisionDetail", signed.json())
    assert patch(office, url, {"title": "Again"}).status_code == 400  # signed: it cannot be changed


def test_an_appointment_from_vacancy_to_confirmed(police, police_officer, pcc_officer, opcc, schema):
    client = signed_in(police_officer)
    opened = post(client, "/api/v1/appointments/", {"post": "Chief Finance Officer"})
    assert opened.status_code == 201 and opened.json()["partner"] == police.slug
    url = f"/api/v1/appointments/{opened.json()['id']}/"
    assert post(client, url + "shortlist/", {"candidate": "Sam Patel"}).json()["stage"] == "shortlist"
    consulted = post(client, url + "consult/")
    assert consulted.json()["stage"] == "pcc_consulted" and consulted.json()["candidate"] == "Sam Patel"
    assert post(client, url + "confirm/").status_code == 400  # the PCC's view is not in and not yet due
    concerns = post(signed_in(pcc_officer), url + "view/", {"view": "concerns"})
    assert concerns.status_code == 400 and "view_reasons" in concerns.json()
    assert post(signed_in(pcc_officer), url + "view/", {"view": "support"}).json()["stage"] == "view_recorded"
    confirmed = post(client, url + "confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["appointed_without_view"] is False
    assert not conforms(schema, "AppointmentDetail", confirmed.json())
    assert Appointment.objects.get(pk=opened.json()["id"]).stage == Appointment.Stage.APPOINTED


def test_another_partner_cannot_log_for_the_police(police, probation_officer_person):
    refused = post(signed_in(probation_officer_person), "/api/v1/decisions/", {**DECISION, "partner": police.slug})
    assert refused.status_code == 403
    unknown = post(signed_in(probation_officer_person), "/api/v1/decisions/", {**DECISION, "partner": "nobody"})
    assert unknown.status_code == 400 and "nobody" in unknown.json()["partner"][0]


# --- Step-up: never a token ----------------------------------------------------------------------------------
def test_step_up_actions_refuse_api_tokens(world, police, opcc, pcc_officer, police_signatory):
    police_token, office_token = token_client(police, pcc_officer), token_client(opcc, pcc_officer)
    callin = f"/api/v1/callins/{world['issued'].pk}/"
    refused = {
        "submit": post(police_token, callin + "submit/"),
        "issue": post(police_token, callin + "issue/"),
        "determine": post(police_token, callin + "determine/", {"outcome": "stands", "reasons": "R"}),
        "withdraw": post(police_token, callin + "withdraw/", {"reasons": "R"}),
        "waive": post(police_token, f"/api/v1/decisions/{world['decision'].pk}/waive/", {"reasons": "R"}),
        "sign": post(office_token, f"/api/v1/pcc-decisions/{world['signed'].pk}/sign/"),
    }
    for what, response in refused.items():
        assert response.status_code == 403 and STEP_UP_REFUSED in response.json()["detail"], what
    # a token may do what needs no step-up: save the response
    saved = post(police_token, callin + "response/", {"response_text": "From our case system."})
    assert saved.status_code == 200 and saved.json()["response_text"] == "From our case system."
    # a session whose second factor is not fresh is refused the step-up too
    stale = post(signed_in(police_signatory, stepped_up=False), callin + "submit/")
    assert stale.status_code == 403 and "second factor" in stale.json()["detail"]
    assert CallIn.objects.get(pk=world["issued"].pk).status == CallIn.Status.ISSUED
