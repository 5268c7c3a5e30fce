"""/api/v1/sharing-agreements/ and what agreements open in /api/v1/observations/."""

import time

import pytest
from django.test import Client

from partners.models import DataSharingAgreement
from partners.services import api_token_create
from portal.security import STEP_UP_AT_KEY
from tests.conftest import signed_in
from tests.factories import make_dsa, refreshed, terms

DSA = DataSharingAgreement
pytestmark = pytest.mark.django_db


def token_client(partner, by) -> Client:
    _, raw = api_token_create(name=f"{partner.slug} system", partner=partner, days=30, by=by)
    return Client(HTTP_AUTHORIZATION=f"Token {raw}")


def observed(client, code="SV-1000") -> set[tuple[str, str]]:
    response = client.get(f"/api/v1/observations/?indicator={code}")
    assert response.status_code == 200
    return {(row["indicator"], row["breakdown_key"]) for row in response.json()["results"]}


def draft_body(recipients, indicators, **overrides) -> dict:
    body = {**terms(), "recipients": [p.slug for p in recipients], "indicators": [i.code for i in indicators]}
    for name in ("start_date", "end_date", "review_date"):
        body[name] = body[name].isoformat()
    body.update(overrides)
    return body


TOTAL = {("SV-1000", "")}
ALL = TOTAL | {("SV-1000", "sex=Female"), ("SV-1000", "sex=Male")}


def test_what_a_recipient_gets_from_the_api_follows_the_agreement_at_once(
    police, probation, police_officer, police_signatory, probation_signatory, probation_officer, violence
):
    recipient = signed_in(probation_officer)
    assert observed(recipient) == set()
    officer = signed_in(police_officer)
    response = officer.post(
        "/api/v1/sharing-agreements/",
        draft_body([probation], [violence], level="breakdowns"),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["provider"] == "west-midlands-police"
    pk = body["id"]
    assert officer.post(f"/api/v1/sharing-agreements/{pk}/send/").json()["status"] == "awaiting"
    assert signed_in(police_signatory).post(f"/api/v1/sharing-agreements/{pk}/sign/").status_code == 200
    assert observed(recipient) == set()
    response = signed_in(probation_signatory).post(f"/api/v1/sharing-agreements/{pk}/sign/")
    assert response.json()["status"] == "active"
    assert {s["partner"] for s in response.json()["signatures"]} == {"west-midlands-police", "probation-west-midlands"}
    assert observed(recipient) == ALL

    provider = signed_in(police_signatory)
    response = provider.post(f"/api/v1/sharing-agreements/{pk}/suspend/", {}, content_type="application/json")
    assert response.status_code == 400 and "Enter the reason for suspending the agreement" in str(response.json())
    assert (
        provider.post(
            f"/api/v1/sharing-agreements/{pk}/suspend/", {"reason": "Checking quality"}, content_type="application/json"
        ).json()["status"]
        == "suspended"
    )
    assert observed(recipient) == set()
    assert provider.post(f"/api/v1/sharing-agreements/{pk}/resume/").json()["status"] == "active"
    assert observed(recipient) == ALL
    assert (
        provider.post(
            f"/api/v1/sharing-agreements/{pk}/revoke/", {"reason": "Replaced"}, content_type="application/json"
        ).json()["status"]
        == "revoked"
    )
    assert observed(recipient) == set()


def test_an_aggregate_agreement_gives_totals_but_no_breakdowns_in_the_api(
    police, probation, probation_officer, police_officer, violence
):
    make_dsa(police, [probation], [violence])
    assert observed(signed_in(probation_officer)) == TOTAL
    assert observed(signed_in(police_officer)) == ALL  # the provider sees its own breakdowns


def test_a_token_cannot_sign_and_says_why(police, probation, pcc_officer, violence):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    from partners.models import Role
    from tests.factories import make_person

    make_person(police, Role.SIGNATORY)
    client = token_client(police, pcc_officer)
    response = client.post(f"/api/v1/sharing-agreements/{agreement.pk}/sign/")
    assert response.status_code == 403 and "API tokens cannot" in response.json()["detail"]
    response = client.post(
        f"/api/v1/sharing-agreements/{agreement.pk}/revoke/", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 403 and "API tokens cannot" in response.json()["detail"]
    assert refreshed(agreement).status == DSA.Status.AWAITING_SIGNATURES


def test_a_session_without_a_recent_second_factor_cannot_sign(police, probation, police_signatory, violence):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    client = signed_in(police_signatory)
    session = client.session
    session[STEP_UP_AT_KEY] = time.time() - 3600
    session.save()
    response = client.post(f"/api/v1/sharing-agreements/{agreement.pk}/sign/")
    assert response.status_code == 403 and "second factor" in response.json()["detail"]
    assert not agreement.signatures.exists()


def test_a_token_may_draft_and_send(police, probation, pcc_officer, violence):
    client = token_client(police, pcc_officer)
    response = client.post(
        "/api/v1/sharing-agreements/", draft_body([probation], [violence]), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert client.post(f"/api/v1/sharing-agreements/{response.json()['id']}/send/").json()["status"] == "awaiting"


def test_the_api_list_returns_exactly_the_agreements_of_the_callers_partner(
    police, probation, council, police_officer, probation_officer, council_officer, pcc_officer, violence, neighbourhood
):
    to_probation = make_dsa(police, [probation], [violence])
    to_council = make_dsa(police, [council], [neighbourhood], status=DSA.Status.ENDED)

    def refs(client, query=""):
        return {row["reference"] for row in client.get(f"/api/v1/sharing-agreements/{query}").json()["results"]}

    assert refs(signed_in(police_officer)) == {to_probation.reference, to_council.reference}
    assert refs(signed_in(pcc_officer)) == {to_probation.reference, to_council.reference}
    assert refs(signed_in(probation_officer)) == {to_probation.reference}
    assert refs(signed_in(council_officer)) == {to_council.reference}
    assert refs(signed_in(pcc_officer), "?status=ended") == {to_council.reference}
    assert refs(signed_in(pcc_officer), "?indicator=SV-1000") == {to_probation.reference}
    assert refs(signed_in(pcc_officer), "?partner=birmingham-council") == {to_council.reference}
    assert signed_in(council_officer).get(f"/api/v1/sharing-agreements/{to_probation.pk}/").status_code == 404
    assert (
        signed_in(council_officer)
        .post(f"/api/v1/sharing-agreements/{to_probation.pk}/suspend/", {"reason": "x"})
        .status_code
        == 404
    )


def test_a_recipient_may_not_suspend_through_the_api(police, probation, probation_officer, violence):
    agreement = make_dsa(police, [probation], [violence])
    response = signed_in(probation_officer).post(
        f"/api/v1/sharing-agreements/{agreement.pk}/suspend/", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert refreshed(agreement).status == DSA.Status.ACTIVE


def test_the_api_refuses_drafting_for_another_partner_and_unknown_indicators(
    police, probation, probation_officer, police_officer, violence
):
    response = signed_in(probation_officer).post(
        "/api/v1/sharing-agreements/",
        draft_body([police], [violence], provider="west-midlands-police"),
        content_type="application/json",
    )
    assert response.status_code == 403
    body = draft_body([probation], [violence])
    body["indicators"] = ["NOPE"]
    response = signed_in(police_officer).post("/api/v1/sharing-agreements/", body, content_type="application/json")
    assert response.status_code == 400 and "NOPE" in str(response.json())
    assert not DSA.objects.exists()


def test_the_register_costs_the_same_queries_however_many_agreements(
    police, probation, council, pcc_officer, violence, neighbourhood
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_dsa(police, [probation], [violence])
    client = signed_in(pcc_officer)
    client.get("/api/v1/sharing-agreements/")  # warm the caches

    def cost(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    few = (cost("/api/v1/sharing-agreements/"), cost("/sharing-agreements/"))
    for _ in range(5):
        make_dsa(police, [probation, council], [violence, neighbourhood], level="breakdowns")
    assert (cost("/api/v1/sharing-agreements/"), cost("/sharing-agreements/")) == few


# --- Filters narrow what the caller may see, never more ---------------------------------------------
@pytest.fixture
def agreements(police, probation, council, violence):
    """Police share with probation (active, and a draft); the council shares with probation, not with the
    police; so the police see two of the three."""
    from tests.factories import make_indicator

    council_indicator = make_indicator("CS-1000", council)
    return {
        "police_active": make_dsa(police, [probation], [violence]),
        "police_draft": make_dsa(police, [probation], [violence], status=DSA.Status.DRAFT),
        "council_active": make_dsa(council, [probation], [council_indicator]),
    }


def listed(client, **filters) -> set[int]:
    response = client.get("/api/v1/sharing-agreements/", filters)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_filters_narrow_the_agreements_the_caller_may_see_and_never_widen_them(agreements, police_officer):
    mine, draft, hidden = (agreements[k].pk for k in ("police_active", "police_draft", "council_active"))
    client = signed_in(police_officer)
    assert listed(client) == {mine, draft}
    assert listed(client, partner="probation-west-midlands") == {mine, draft}  # a party to the hidden one too
    assert listed(client, partner="birmingham-council") == set()
    assert listed(client, status="active") == {mine}
    assert listed(client, status="draft") == {draft}
    assert listed(client, indicator="CS-1000") == set()  # it exists; the agreement covering it is not theirs
    assert listed(client, indicator="SV-1000", status="active", partner="west-midlands-police") == {mine}


def test_the_pcc_office_filters_every_agreement(agreements, pcc_officer):
    client = signed_in(pcc_officer)
    assert listed(client, partner="birmingham-council") == {agreements["council_active"].pk}
    assert listed(client, partner="probation-west-midlands", status="active") == {
        agreements["police_active"].pk,
        agreements["council_active"].pk,
    }
    assert listed(client, indicator="CS-1000") == {agreements["council_active"].pk}


def test_an_agreement_filter_naming_nothing_is_a_400_not_an_empty_list(agreements, police_officer):
    client = signed_in(police_officer)
    for name, value in (("partner", "nobody"), ("indicator", "NOPE"), ("status", "lost")):
        response = client.get("/api/v1/sharing-agreements/", {name: value})
        assert response.status_code == 400 and list(response.json()) == [name], (name, response.content)
