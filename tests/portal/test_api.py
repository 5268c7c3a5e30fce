from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from partners import rules as partner_rules
from partners.models import ApiToken
from partners.services import api_token_create, api_token_revoke
from portal.models import AuditEvent
from tests.conftest import signed_in


def token_client(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {raw}")


@pytest.mark.django_db
def test_partners_list_and_detail_for_a_verified_session(police, probation, police_officer):
    client = signed_in(police_officer)
    body = client.get("/api/v1/partners/").json()
    assert {p["slug"] for p in body["results"]} == {"west-midlands-police", "probation-west-midlands"}
    assert client.get("/api/v1/partners/probation-west-midlands/").json()["name"] == "Probation Service West Midlands"
    assert client.get("/api/v1/partners/nope/").status_code == 404


@pytest.mark.django_db
def test_partners_can_be_filtered(police, probation, police_officer):
    body = signed_in(police_officer).get("/api/v1/partners/?kind=probation").json()
    assert [p["slug"] for p in body["results"]] == ["probation-west-midlands"]


@pytest.mark.django_db
def test_me_lists_the_callers_roles(police_officer):
    body = signed_in(police_officer).get("/api/v1/me/").json()
    assert body["username"] == "police.officer"
    assert body["memberships"][0]["partner"] == "west-midlands-police" and body["memberships"][0]["role"] == "officer"


@pytest.mark.django_db
def test_an_unverified_session_gets_nothing_from_the_api(police_officer):
    response = signed_in(police_officer, verified=False).get("/api/v1/partners/")
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


@pytest.mark.django_db
def test_pcc_officer_creates_a_token_shown_once_and_stored_hashed(pcc_officer, police):
    client = signed_in(pcc_officer)
    response = client.post("/api-tokens/new/", {"name": "Police RMS feed", "partner": police.pk, "days": 30})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    import re

    raw = re.search(r'id="token">(cjp_[^<]+)<', response.content.decode()).group(1)
    assert raw.startswith("cjp_") and raw not in token.key_hash and token.key_prefix == raw[:12]
    assert raw not in client.get("/api-tokens/").content.decode()
    assert AuditEvent.objects.filter(action="api_token.create").exists()
    body = token_client(raw).get("/api/v1/me/").json()
    assert body["memberships"][0]["partner"] == "west-midlands-police"


@pytest.mark.django_db
def test_token_forms_give_clear_errors(pcc_officer):
    body = signed_in(pcc_officer).post("/api-tokens/new/", {"name": "", "days": "lots"}).content.decode()
    assert "Enter the name of the partner system" in body
    assert "Choose the partner the system belongs to" in body
    assert "Enter the number of days as a whole number" in body


@pytest.mark.django_db
def test_partner_officers_cannot_manage_tokens(police_officer, police):
    client = signed_in(police_officer)
    assert client.get("/api-tokens/").status_code == 403
    assert client.post("/api-tokens/new/", {"name": "x", "partner": police.pk, "days": 3}).status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_revoked_and_expired_tokens_are_refused_without_detail(pcc_officer, police):
    token, raw = api_token_create(name="Feed", partner=police, days=10, by=pcc_officer)
    assert token_client(raw).get("/api/v1/partners/").status_code == 200
    api_token_revoke(token=token, by=pcc_officer)
    revoked = token_client(raw).get("/api/v1/partners/")
    assert revoked.status_code == 401 and revoked.json() == {"detail": "Invalid or expired token."}
    token2, raw2 = api_token_create(name="Feed 2", partner=police, days=10, by=pcc_officer)
    ApiToken.objects.filter(pk=token2.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_client(raw2).get("/api/v1/partners/").json() == {"detail": "Invalid or expired token."}
    assert token_client("cjp_madeup").get("/api/v1/partners/").json() == {"detail": "Invalid or expired token."}


@pytest.mark.django_db
def test_a_token_acts_with_its_partners_permissions_only(pcc_officer, police, probation):
    from portal import permissions

    token, raw = api_token_create(name="Feed", partner=police, days=10, by=pcc_officer)
    assert permissions.can(token.user, partner_rules.PARTNER_ACT, police)
    assert not permissions.can(token.user, partner_rules.PARTNER_ACT, probation)
    assert not permissions.can(token.user, permissions.AUDIT_VIEW)


@pytest.mark.django_db
def test_tokens_are_rate_limited(pcc_officer, police, settings):
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    cache.clear()
    token, raw = api_token_create(name="Feed", partner=police, days=10, by=pcc_officer)
    old = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**old, "partner_system": "3/hour"}
    try:
        codes = [token_client(raw).get("/api/v1/me/").status_code for _ in range(4)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = old
        cache.clear()
    assert codes == [200, 200, 200, 429]


@pytest.mark.django_db
def test_openapi_schema_and_local_docs(police_officer):
    client = signed_in(police_officer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200 and "/api/v1/partners/" in schema.content.decode()
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower() and "unpkg" not in docs.lower()
