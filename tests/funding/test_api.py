"""/api/v1/funds/, /api/v1/rounds/, /api/v1/applications/ and /api/v1/awards/: each list holds exactly the rows the
caller may see (an applicant its own, the PCC office every one, board members the funds' positions and the grants
awarded); the writes go through the same services, whose refusals speak (400, 403); awarding, declining and
cancelling refuse API tokens; money is a string with two decimals, and a JSON number is refused naming the field.

The API's services take today's date from the clock, so the rounds here are dated from today (the suite also runs
on another clock); the services called directly are given `today=`."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from funding import services
from funding.models import Application, Award, Fund, Round
from partners.models import Area
from partners.services import api_token_create
from tests.conftest import signed_in
from tests.factories import SYSTEM, just_now
from tests.portal.test_api_schema import conforms

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


def today():
    return timezone.localdate()


CRITERIA = [("Need", 50), ("Deliverability", 30), ("Value for money", 20)]


def new_round(fund, by, title, *, opens_on, closes_on, open_on=None):
    made = services.round_create(
        fund=fund,
        by=by,
        title=title,
        eligibility="Registered charities supporting victims in the West Midlands.",
        opens_on=opens_on,
        closes_on=closes_on,
        max_award="50000.00",
        criteria=CRITERIA,
    )
    return made if open_on is None else services.round_open(round_=made, by=by, today=open_on)


def apply_to(round_, organisation, by, *, title="ISVA service", submit=True, on=None):
    on = on or today()
    made = services.application_draft(
        round_=round_,
        organisation=organisation,
        by=by,
        project_title=title,
        summary="Two advisers for survivors referred by the police.",
        amount_asked="40000.00",
        budget_lines=[("Advisers' salaries", "35000.00"), ("Training", "5000.00")],
        today=on,
    )
    if submit:
        made = services.application_submit(application=made, by=by, meets_eligibility=True, today=on)
    return made


@pytest.fixture
def live_round(fund, pcc_officer) -> Round:
    """Open for applications from ten days ago until a month from today."""
    return new_round(
        fund,
        pcc_officer,
        "ISVAs",
        opens_on=today() - timedelta(days=10),
        closes_on=today() + timedelta(days=30),
        open_on=today(),
    )


@pytest.fixture
def police_organisation(police, police_officer):
    return services.organisation_register(by=SYSTEM, name="West Midlands Police", org_id="GB-GOR-WMP1", partner=police)


@pytest.fixture
def world(fund, live_round, organisation, victims_officer, police_organisation, police_officer, pcc_officer, pcc):
    """The victims' charity's draft and its submitted application to the open round; the police's submitted one;
    a draft round; an older round in assessment with an award to the charity (made 200 days ago, so its first
    quarters have ended) and one to the police."""
    draft = apply_to(live_round, organisation, victims_officer, title="Outreach", submit=False)
    submitted = apply_to(live_round, organisation, victims_officer, title="ISVA service")
    police_app = apply_to(live_round, police_organisation, police_officer, title="Police ISVA")
    unopened = new_round(
        fund, pcc_officer, "Next year", opens_on=today() + timedelta(days=60), closes_on=today() + timedelta(days=90)
    )
    then = today() - timedelta(days=250)
    older = new_round(
        fund, pcc_officer, "Last year", opens_on=then, closes_on=today() + timedelta(days=5), open_on=then
    )
    granted = apply_to(older, organisation, victims_officer, title="Helpline", on=then)
    police_granted = apply_to(older, police_organisation, police_officer, title="Police helpline", on=then)
    services.round_close_for_applications(round_=older, by=pcc_officer)
    awarded_on = today() - timedelta(days=200)
    awards = {
        "victims": services.award_make(
            application=granted,
            by=pcc,
            amount="40000.00",
            instalments=[(awarded_on, "15000.00"), (awarded_on + timedelta(days=100), "25000.00")],
            reasons="Strong need.",
            confirmed_at=just_now(),
            today=awarded_on,
        ),
        "police": services.award_make(
            application=police_granted,
            by=pcc,
            amount="10000.00",
            instalments=[(awarded_on, "10000.00")],
            reasons="Good value.",
            confirmed_at=just_now(),
            today=awarded_on,
        ),
    }
    return {
        "draft": draft,
        "submitted": submitted,
        "police": police_app,
        "granted": granted,
        "police_granted": police_granted,
        "unopened": unopened,
        "older": older,
        "awards": awards,
    }


# --- Who sees what ----------------------------------------------------------------------------------------------
def test_each_list_holds_exactly_the_rows_each_person_may_see(
    world, fund, live_round, victims_officer, police_officer, board_member, pcc_officer, pcc, schema
):
    w = world
    applications = {w[k].pk for k in ("draft", "submitted", "police", "granted", "police_granted")}
    rounds = {live_round.pk, w["older"].pk}
    awards = {a.pk for a in w["awards"].values()}
    expected = {
        # funds' positions: the PCC office and board members; nobody else (an empty list)
        "funds": {victims_officer: set(), police_officer: set(), board_member: {fund.pk}, pcc_officer: {fund.pk}},
        # rounds that have opened, for everyone; drafts for the PCC office too
        "rounds": {
            victims_officer: rounds,
            board_member: rounds,
            pcc_officer: rounds | {w["unopened"].pk},
            pcc: rounds | {w["unopened"].pk},
        },
        # an applicant's own (drafts too); none for the board; every one for the PCC office
        "applications": {
            victims_officer: {w["draft"].pk, w["submitted"].pk, w["granted"].pk},
            police_officer: {w["police"].pk, w["police_granted"].pk},
            board_member: set(),
            pcc_officer: applications,
        },
        # a grantee's own; every published one for the board; every one for the PCC office
        "awards": {
            victims_officer: {w["awards"]["victims"].pk},
            police_officer: {w["awards"]["police"].pk},
            board_member: awards,
            pcc_officer: awards,
        },
    }
    components = {
        "funds": "PaginatedFundList",
        "rounds": "PaginatedRoundList",
        "applications": "PaginatedApplicationList",
        "awards": "PaginatedAwardList",
    }
    for endpoint, by_person in expected.items():
        for person, wanted in by_person.items():
            response = signed_in(person).get(f"/api/v1/{endpoint}/")
            assert ids(response) == wanted, (endpoint, person.username)
            assert not conforms(schema, components[endpoint], response.json()), endpoint
    assert Client().get("/api/v1/funds/").status_code == 401


def test_a_row_you_may_not_see_is_404_and_a_funds_position_403(world, fund, police_officer, victims_officer):
    client = signed_in(police_officer)
    for path in (
        f"/api/v1/applications/{world['submitted'].pk}/",
        f"/api/v1/applications/{world['draft'].pk}/submit/",
        f"/api/v1/awards/{world['awards']['victims'].pk}/",
        f"/api/v1/rounds/{world['unopened'].pk}/",
        "/api/v1/applications/x/",
        "/api/v1/applications/0/",
        f"/api/v1/awards/{2**64}/",
    ):
        response = client.post(path, {}, content_type="application/json") if "submit" in path else client.get(path)
        assert response.status_code == 404 and "detail" in response.json(), path
    refused = client.get(f"/api/v1/funds/{fund.pk}/")
    assert refused.status_code == 403 and "funds' positions" in refused.json()["detail"]
    # an instalment or spend return of another award is 404 even on your own award
    own, other = world["awards"]["victims"], world["awards"]["police"]
    wrong = post(
        signed_in(victims_officer),
        f"/api/v1/awards/{own.pk}/spend-returns/{other.spend_returns.first().pk}/submit/",
        {"spend": "1.00", "outcomes": "None"},
    )
    assert wrong.status_code == 404


def test_a_fund_shows_its_position_to_the_penny_as_strings(world, fund, board_member, pcc_officer, schema):
    services.income_record(
        fund=fund, by=pcc_officer, source="Ministry of Justice", received_on=today(), amount="2500.50", today=today()
    )
    body = signed_in(board_member).get(f"/api/v1/funds/{fund.pk}/").json()
    assert not conforms(schema, "FundDetail", body)
    assert (body["budget"], body["income"], body["means"], body["committed"], body["paid"], body["available"]) == (
        "100000.00",
        "2500.50",
        "102500.50",
        "50000.00",
        "0.00",
        "52500.50",
    )
    assert [r["amount"] for r in body["receipts"]] == ["2500.50"]


def test_a_detail_says_what_the_caller_may_do_now_and_scores_are_the_offices(
    world, victims_officer, pcc_officer, pcc, schema
):
    body = signed_in(victims_officer).get(f"/api/v1/applications/{world['draft'].pk}/").json()
    assert not conforms(schema, "ApplicationDetail", body)
    assert body["actions_open_to_you"] == ["edit", "submit", "withdraw"]
    assert body["scores"] is None and body["conflicts"] is None
    assert [line["amount"] for line in body["budget_lines"]] == ["35000.00", "5000.00"]
    office = signed_in(pcc_officer).get(f"/api/v1/applications/{world['submitted'].pk}/").json()
    assert office["scores"] == [] and office["conflicts"] == [] and office["actions_open_to_you"] == []
    commissioner = signed_in(pcc).get(f"/api/v1/applications/{world['granted'].pk}/").json()
    assert commissioner["award"] == world["awards"]["victims"].pk and commissioner["status"] == "awarded"
    draft_round = signed_in(pcc_officer).get(f"/api/v1/rounds/{world['unopened'].pk}/").json()
    assert not conforms(schema, "RoundDetail", draft_round) and draft_round["actions_open_to_you"] == ["open"]
    assert [c["name"] for c in draft_round["criteria"]] == ["Need", "Deliverability", "Value for money"]
    award = signed_in(pcc).get(f"/api/v1/awards/{world['awards']['victims'].pk}/").json()
    assert not conforms(schema, "AwardDetail", award) and award["actions_open_to_you"] == ["pay", "cancel"]


def test_filters_narrow_and_a_wrong_one_is_refused_by_name(world, fund, live_round, organisation, pcc_officer):
    client = signed_in(pcc_officer)
    assert ids(client.get("/api/v1/applications/", {"round": live_round.pk, "status": "submitted"})) == {
        world["submitted"].pk,
        world["police"].pk,
    }
    assert ids(client.get("/api/v1/applications/", {"organisation": organisation.org_id, "status": "draft"})) == {
        world["draft"].pk
    }
    assert ids(client.get("/api/v1/rounds/", {"status": "draft", "fund": fund.pk})) == {world["unopened"].pk}
    assert ids(client.get("/api/v1/awards/", {"organisation": "GB-GOR-WMP1"})) == {world["awards"]["police"].pk}
    assert ids(client.get("/api/v1/funds/", {"financial_year": fund.financial_year, "kind": fund.kind})) == {fund.pk}
    for params, name in (
        ({"organisation": "GB-CHC-0000000"}, "organisation"),
        ({"round": "999999"}, "round"),
        ({"round": "1.5"}, "round"),
        ({"status": "paid"}, "status"),
        ({"status": ""}, "status"),
    ):
        bad = client.get("/api/v1/applications/", params)
        assert bad.status_code == 400 and name in bad.json(), params
    misspelt = client.get("/api/v1/awards/", {"state": "paying"})
    assert misspelt.status_code == 400 and misspelt.json()["unknown_parameters"] == ["state"]


def test_a_round_another_cannot_see_is_not_a_filter_for_it(world, victims_officer):
    refused = signed_in(victims_officer).get("/api/v1/applications/", {"round": world["unopened"].pk})
    assert refused.status_code == 400 and "round" in refused.json()


def test_cancelled_awards_are_listed_only_when_asked_for(world, pcc, pcc_officer):
    cancelled = world["awards"]["police"]
    response = post(signed_in(pcc), f"/api/v1/awards/{cancelled.pk}/cancel/", {"reasons": "The service closed."})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert response.json()["actions_open_to_you"] == []
    client = signed_in(pcc_officer)
    assert ids(client.get("/api/v1/awards/")) == {world["awards"]["victims"].pk}
    assert ids(client.get("/api/v1/awards/", {"status": "cancelled"})) == {cancelled.pk}
    assert Fund.objects.get().committed == Decimal("40000.00")  # the police's 10,000 went back


def test_the_lists_cost_no_more_queries_however_many_rows(
    world, live_round, organisation, victims_officer, pcc_officer, pcc, django_assert_max_num_queries
):
    client = signed_in(pcc_officer)
    endpoints = ("funds", "rounds", "applications", "awards")
    for endpoint in endpoints:
        client.get(f"/api/v1/{endpoint}/")  # warm the session and the content types
    few = {}
    for endpoint in endpoints:
        with CaptureQueriesContext(connection) as counted:
            client.get(f"/api/v1/{endpoint}/")
        few[endpoint] = len(counted)
    for n in range(4):
        apply_to(live_round, organisation, victims_officer, title=f"More {n}")
    services.round_close_for_applications(round_=live_round, by=pcc_officer)
    for application in Application.objects.filter(round=live_round, status=Application.Status.IN_ASSESSMENT)[:3]:
        services.award_make(
            application=application,
            by=pcc,
            amount="1000.00",
            instalments=[(today(), "400.00"), (today() + timedelta(days=30), "600.00")],
            reasons="Good value.",
            confirmed_at=just_now(),
            today=today(),
        )
    for endpoint in endpoints:
        with django_assert_max_num_queries(few[endpoint], info=endpoint):
            assert client.get(f"/api/v1/{endpoint}/").status_code == 200
        assert few[endpoint] <= 12, endpoint


# --- Writes, through the services ---------------------------------------------------------------------------------
APPLICATION = {
    "project_title": "Court companions",
    "summary": "Volunteers who go to court with survivors.",
    "amount_asked": "12500.00",
    "budget_lines": [{"item": "Coordinator", "amount": "10000.00"}, {"item": "Expenses", "amount": "2000.00"}],
}


def test_an_application_from_draft_to_award_and_payment(
    live_round, organisation, victims_officer, pcc_officer, pcc, fund, schema
):
    area = Area.objects.create(code="E08000025", name="Birmingham", kind=Area.Kind.LOCAL_AUTHORITY)
    applicant = signed_in(victims_officer)
    made = post(applicant, "/api/v1/applications/", {**APPLICATION, "round": live_round.pk, "areas": [area.code]})
    assert made.status_code == 201, made.content
    body = made.json()
    assert not conforms(schema, "ApplicationDetail", body)
    assert body["organisation"]["org_id"] == organisation.org_id and body["status"] == "draft"
    assert body["amount_asked"] == "12500.00" and body["areas"] == ["E08000025"]
    url = f"/api/v1/applications/{body['id']}/"
    # the budget lines do not add up to the amount asked for yet
    refused = post(applicant, url + "submit/", {"meets_eligibility": True})
    assert refused.status_code == 400 and "budget_lines" in refused.json()
    changed = patch(applicant, url, {"amount_asked": "12000.00"})
    assert changed.status_code == 200 and changed.json()["amount_asked"] == "12000.00"
    assert changed.json()["project_title"] == "Court companions"  # left as it was
    assert post(applicant, url + "submit/", {"meets_eligibility": False}).status_code == 400
    submitted = post(applicant, url + "submit/", {"meets_eligibility": True})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert patch(applicant, url, {"summary": "Again"}).status_code == 400  # submitted: no more changes
    office, commissioner = signed_in(pcc_officer), signed_in(pcc)
    scored = post(office, url + "scores/", {"criterion": "need", "score": 4, "rationale": "Clear gap in support."})
    assert scored.status_code == 200, scored.content
    assert [(s["criterion"], s["score"]) for s in scored.json()["scores"]] == [("Need", 4)]
    assert post(office, url + "scores/", {"criterion": "Luck", "score": 4, "rationale": "R"}).status_code == 400
    assert post(applicant, url + "scores/", {"criterion": "Need", "score": 5, "rationale": "R"}).status_code == 403
    assessed = post(office, f"/api/v1/rounds/{live_round.pk}/assess/")
    assert assessed.status_code == 200 and assessed.json()["status"] == "assessment"
    award_body = {
        "amount": "12000.00",
        "instalments": [
            {"due_on": today().isoformat(), "amount": "5000.00"},
            {"due_on": (today() + timedelta(days=90)).isoformat(), "amount": "7000.00"},
        ],
        "reasons": "Strong need, low cost.",
    }
    assert post(office, url + "award/", award_body).status_code == 403  # the Commissioner awards
    awarded = post(commissioner, url + "award/", award_body)
    assert awarded.status_code == 201, awarded.content
    award = awarded.json()
    assert not conforms(schema, "AwardDetail", award)
    assert (award["amount"], award["outstanding"], award["status"]) == ("12000.00", "12000.00", "awarded")
    assert signed_in(pcc_officer).get(f"/api/v1/funds/{fund.pk}/").json()["committed"] == "12000.00"
    first = award["instalments"][0]["id"]
    award_url = f"/api/v1/awards/{award['id']}/"
    assert post(applicant, award_url + f"instalments/{first}/pay/").status_code == 403  # the PCC office pays
    paid = post(office, award_url + f"instalments/{first}/pay/", {"paid_amount": "4500.00"})
    assert paid.status_code == 200 and paid.json()["status"] == "paying"
    assert paid.json()["instalments"][0]["paid_amount"] == "4500.00" and paid.json()["paid"] == "4500.00"
    again = post(office, award_url + f"instalments/{first}/pay/")
    assert again.status_code == 400  # paid already
    # the quarter has not ended: no return yet
    quarter = award["spend_returns"][0]["id"]
    early = post(applicant, award_url + f"spend-returns/{quarter}/submit/", {"spend": "100.00", "outcomes": "Some"})
    assert early.status_code == 400


def test_the_grantee_returns_a_quarters_spend_and_others_may_not(world, victims_officer, pcc_officer):
    award = world["awards"]["victims"]
    quarter = award.spend_returns.order_by("period_start").first()
    url = f"/api/v1/awards/{award.pk}/spend-returns/{quarter.pk}/submit/"
    body = {"spend": "0.00", "outcomes": "Recruited the advisers."}
    assert post(signed_in(pcc_officer), url, body).status_code == 403
    returned = post(signed_in(victims_officer), url, body)
    assert returned.status_code == 200, returned.content
    row = next(r for r in returned.json()["spend_returns"] if r["id"] == quarter.pk)
    assert row["spend"] == "0.00" and row["submitted_at"] is not None
    assert post(signed_in(victims_officer), url, body).status_code == 400  # submitted already


def test_the_commissioner_declines_with_reasons(world, pcc, pcc_officer, victims_officer):
    url = f"/api/v1/applications/{world['submitted'].pk}/decline/"
    assert post(signed_in(pcc_officer), url, {"reasons": "Out of scope."}).status_code == 403
    assert post(signed_in(pcc), url).status_code == 400  # reasons, please
    declined = post(signed_in(pcc), url, {"reasons": "Out of scope."})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert (
        signed_in(victims_officer).get(f"/api/v1/applications/{world['submitted'].pk}/").json()["decline_reasons"]
        == "Out of scope."
    )


def test_an_applicant_withdraws_and_an_assessor_declares_a_conflict(world, victims_officer, pcc_officer):
    withdrawn = post(signed_in(victims_officer), f"/api/v1/applications/{world['draft'].pk}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    url = f"/api/v1/applications/{world['police'].pk}/"
    office = signed_in(pcc_officer)
    assert post(office, url + "scores/", {"criterion": "Need", "score": 3, "rationale": "R"}).status_code == 200
    declared = post(office, url + "conflict/", {"reason": "My partner works there."})
    assert declared.status_code == 200 and declared.json()["scores"] == []
    assert len(declared.json()["conflicts"]) == 1
    refused = post(office, url + "scores/", {"criterion": "Need", "score": 3, "rationale": "R"})
    assert refused.status_code == 400 and "conflict" in refused.json()["detail"]


def test_a_round_is_opened_assessed_and_closed_by_the_pcc_office(world, victims_officer, pcc_officer):
    url = f"/api/v1/rounds/{world['unopened'].pk}/"
    office = signed_in(pcc_officer)
    assert post(signed_in(victims_officer), url + "open/").status_code == 404  # a draft, not theirs to see
    assert post(office, url + "close/").status_code == 400  # a draft is opened first
    assert post(office, url + "open/").json()["status"] == "open"
    assert post(signed_in(victims_officer), url + "assess/").status_code == 403
    assert post(office, url + "assess/").json()["status"] == "assessment"
    closed = post(office, url + "close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    # a round with undecided applications stays in assessment
    live = f"/api/v1/rounds/{world['submitted'].round_id}/"
    assert post(office, live + "assess/").status_code == 200
    undecided = post(office, live + "close/")
    assert undecided.status_code == 400 and "Decide every application" in undecided.json()["detail"]


def test_another_partner_cannot_apply_for_the_charity(live_round, organisation, police_officer, board_member):
    body = {**APPLICATION, "round": live_round.pk, "organisation": organisation.org_id}
    assert post(signed_in(police_officer), "/api/v1/applications/", body).status_code == 403
    unknown = post(signed_in(police_officer), "/api/v1/applications/", {**body, "organisation": "GB-CHC-999"})
    assert unknown.status_code == 400 and "GB-CHC-999" in unknown.json()["organisation"][0]
    nobody = post(signed_in(board_member), "/api/v1/applications/", {**APPLICATION, "round": live_round.pk})
    assert nobody.status_code == 400 and "organisation" in nobody.json()
    assert not Application.objects.exists()


# --- Money: a string of pounds and pence, never a float ----------------------------------------------------------
def test_money_is_a_string_and_a_number_is_refused_naming_the_field(live_round, victims_officer, world, pcc):
    client = signed_in(victims_officer)
    body = {**APPLICATION, "round": live_round.pk}
    for field, wrong in (
        ("amount_asked", 12500.5),
        ("amount_asked", 12500),
        ("amount_asked", "12.345"),
        ("amount_asked", "-1.00"),
        ("amount_asked", "1e4"),
    ):
        refused = post(client, "/api/v1/applications/", {**body, field: wrong})
        assert refused.status_code == 400 and field in refused.json(), wrong
    line = post(client, "/api/v1/applications/", {**body, "budget_lines": [{"item": "Staff", "amount": 100.25}]})
    assert line.status_code == 400 and "budget_lines" in line.json()
    refused = post(
        signed_in(pcc),
        f"/api/v1/applications/{world['submitted'].pk}/award/",
        {"amount": 40000.0, "instalments": [{"due_on": today().isoformat(), "amount": "40000.00"}], "reasons": "R"},
    )
    assert refused.status_code == 400 and "amount" in refused.json()
    assert not Award.objects.filter(application=world["submitted"]).exists()


# --- Step-up: never a token --------------------------------------------------------------------------------------
def test_step_up_actions_refuse_api_tokens(world, pcc, pcc_officer, victims, live_round):
    # (a token's system holds an officer seat at its partner: the charity's sees its own application and award)
    charity_token = token_client(victims, pcc_officer)
    application = f"/api/v1/applications/{world['submitted'].pk}/"
    award = f"/api/v1/awards/{world['awards']['victims'].pk}/"
    body = {"amount": "1.00", "instalments": [{"due_on": today().isoformat(), "amount": "1.00"}], "reasons": "R"}
    refused = {
        "award": post(charity_token, application + "award/", body),
        "decline": post(charity_token, application + "decline/", {"reasons": "R"}),
        "cancel": post(charity_token, award + "cancel/", {"reasons": "R"}),
    }
    for what, response in refused.items():
        assert response.status_code == 403 and STEP_UP_REFUSED in response.json()["detail"], what
    # a token may do what needs no step-up: the charity's system drafts an application
    drafted = post(charity_token, "/api/v1/applications/", {**APPLICATION, "round": live_round.pk})
    assert drafted.status_code == 201, drafted.content
    # a session whose second factor is not fresh is refused the step-up too
    stale = post(signed_in(pcc, stepped_up=False), application + "decline/", {"reasons": "R"})
    assert stale.status_code == 403 and "second factor" in stale.json()["detail"]
    assert Application.objects.get(pk=world["submitted"].pk).status == Application.Status.SUBMITTED


def test_each_status_filter_is_an_enum_of_the_statuses(schema):
    """Each status filter is an enum of the model's statuses, so a client can tell a typing mistake."""
    for path, choices in (
        ("/api/v1/rounds/", Round.Status.values),
        ("/api/v1/applications/", Application.Status.values),
        ("/api/v1/awards/", Award.Status.values),
    ):
        status = next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "status")
        assert sorted(status["schema"]["enum"]) == sorted(choices), path
