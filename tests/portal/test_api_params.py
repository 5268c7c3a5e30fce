"""The API refuses what it does not understand: an unknown query parameter gets 400 naming it and
the parameters the endpoint understands, never the unfiltered list. Tokens work as `Token` and
as `Bearer`."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partners.services import api_token_create
from tests.conftest import signed_in


def _api_names() -> list[str]:
    """Every named route in the api namespace that answers GET without an object id."""
    names = []

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif (
                isinstance(p, URLPattern)
                and p.name
                and namespace == "api:"
                and "<" not in str(p.pattern)
                and "(?P<" not in str(p.pattern)
            ):
                names.append(namespace + p.name)

    walk(get_resolver().url_patterns)
    return sorted(set(names))


API_GETS = _api_names()


def test_the_walk_finds_every_list():
    assert {
        "api:partner-list",
        "api:sharing-agreement-list",
        "api:indicator-list",
        "api:target-list",
        "api:observation-list",
        "api:datareturn-list",
        "api:priority-list",
        "api:me",
        "api:schema",
        "api:api-root",
    } <= set(API_GETS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", API_GETS)
def test_an_unknown_query_parameter_is_refused_with_400_naming_it(name, police_officer):
    client = signed_in(police_officer)
    path = reverse(name)
    response = client.get(path, {"indicator_code": "HOM"})
    assert response.status_code == 400, (path, response.status_code)
    body = response.json()
    assert body["unknown_parameters"] == ["indicator_code"]
    assert "indicator_code" in body["detail"] and "format" in body["allowed_parameters"]


@pytest.mark.django_db
def test_a_known_filter_still_filters(police, probation, police_officer):
    client = signed_in(police_officer)
    response = client.get("/api/v1/partners/", {"kind": "probation", "page": "1"})
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["results"]] == ["probation-west-midlands"]


@pytest.mark.django_db
def test_the_refusal_lists_what_the_endpoint_understands(police_officer):
    body = signed_in(police_officer).get("/api/v1/observations/", {"indicator_code": "HOM"}).json()
    assert {"indicator", "area", "period_from", "period_to", "breakdown", "history", "page"} <= set(
        body["allowed_parameters"]
    )


@pytest.mark.django_db
def test_a_stranger_is_told_to_sign_in_before_anything_about_parameters():
    assert Client().get("/api/v1/partners/", {"nonsense": "1"}).status_code == 401


@pytest.mark.django_db
def test_filters_of_a_list_are_not_understood_on_one_row(police, police_officer):
    response = signed_in(police_officer).get(f"/api/v1/partners/{police.slug}/", {"kind": "police"})
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("keyword", ["Token", "Bearer", "bearer"])
def test_a_partner_system_token_is_accepted_as_token_or_bearer(keyword, police, pcc_officer):
    _, raw = api_token_create(name="Police feed", partner=police, days=30, by=pcc_officer)
    response = Client(HTTP_AUTHORIZATION=f"{keyword} {raw}").get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["memberships"][0]["partner"] == "west-midlands-police"


@pytest.mark.django_db
def test_a_wrong_bearer_token_is_refused(police):
    response = Client(HTTP_AUTHORIZATION="Bearer cjp_not-a-real-token").get("/api/v1/me/")
    assert response.status_code == 401
