"""The API refuses what it does not understand: an unknown query parameter gets 400 naming it and
the parameters the endpoint understands, never the unfiltered list. Tokens work as `Token` and
as `Bearer`."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

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


# --- Filters: each list's FilterSet is the one source of what it understands --------------------------
LISTS = {
    "/api/v1/partners/": {"kind", "search"},
    "/api/v1/sharing-agreements/": {"partner", "status", "indicator"},
    "/api/v1/indicators/": {"provider", "frequency", "search"},
    "/api/v1/targets/": {"priority", "owner", "indicator", "status"},
    "/api/v1/observations/": {"indicator", "area", "period_from", "period_to", "breakdown", "history"},
    "/api/v1/data-returns/": {"status"},
    "/api/v1/priorities/": set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(LISTS))
def test_a_list_understands_its_filtersets_filters_and_page_and_nothing_else(path, police_officer):
    view = resolve(path).func.cls
    filters = set(view.filterset_class.base_filters) if getattr(view, "filterset_class", None) else set()
    assert filters == LISTS[path]
    body = signed_in(police_officer).get(path, {"indicator_code": "HOM"}).json()
    assert body["allowed_parameters"] == sorted(filters | {"page", "format"})


BAD_FILTERS = [
    ("/api/v1/partners/", "kind", "castle"),
    ("/api/v1/sharing-agreements/", "partner", "west-midlands-polce"),
    ("/api/v1/sharing-agreements/", "status", "lost"),
    ("/api/v1/sharing-agreements/", "indicator", "NOPE"),
    ("/api/v1/indicators/", "provider", "nobody"),
    ("/api/v1/indicators/", "frequency", "weekly"),
    ("/api/v1/targets/", "priority", "nothing"),
    ("/api/v1/targets/", "owner", "nobody"),
    ("/api/v1/targets/", "indicator", "NOPE"),
    ("/api/v1/targets/", "status", "excellent"),
    ("/api/v1/observations/", "indicator", "NOPE"),
    ("/api/v1/observations/", "area", "E99999999"),
    ("/api/v1/observations/", "period_from", "April"),
    ("/api/v1/observations/", "period_to", "2026-13-01"),
    ("/api/v1/observations/", "period_to", "01/04/2026"),  # YYYY-MM-DD only: this one is ambiguous
    ("/api/v1/observations/", "breakdown", "colour=Blue"),
    ("/api/v1/observations/", "breakdown", "sex=Purple"),
    ("/api/v1/observations/", "history", "maybe"),
    ("/api/v1/data-returns/", "status", "lost"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("path,name,value", BAD_FILTERS)
def test_a_bad_filter_value_is_refused_with_400_naming_the_filter(path, name, value, police, police_officer):
    response = signed_in(police_officer).get(path, {name: value})
    assert response.status_code == 400, (path, name, value, response.status_code)
    body = response.json()
    assert list(body) == [name] and body[name] and all(isinstance(m, str) for m in body[name])


@pytest.mark.django_db
def test_a_name_that_names_nothing_says_which_value(police, police_officer):
    body = signed_in(police_officer).get("/api/v1/sharing-agreements/", {"partner": "west-midlands-polce"}).json()
    assert body == {"partner": ["No partner has the slug “west-midlands-polce”."]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,name", [(path, name) for path, names in sorted(LISTS.items()) for name in sorted(names) if name != "search"]
)
def test_a_filter_sent_empty_is_refused_not_ignored(path, name, police_officer):
    response = signed_in(police_officer).get(f"{path}?{name}=")
    assert response.status_code == 400 and list(response.json()) == [name], (path, name)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/partners/", "/api/v1/indicators/"])
def test_an_empty_search_narrows_nothing(path, police, probation, police_officer):
    client = signed_in(police_officer)
    assert client.get(f"{path}?search=").json() == client.get(path).json()


@pytest.mark.django_db
def test_a_parameter_given_twice_is_refused_naming_it(police_officer):
    response = signed_in(police_officer).get("/api/v1/data-returns/?status=valid&status=applied&page=1")
    assert response.status_code == 400
    assert response.json() == {"status": ["Give this parameter once, not 2 times."]}


@pytest.mark.django_db
def test_a_method_a_view_does_not_take_is_405_whatever_its_parameters(police_officer):
    assert signed_in(police_officer).delete("/api/v1/priorities/?page=0").status_code == 405


@pytest.mark.django_db
def test_an_empty_page_is_refused_not_taken_for_the_first(police_officer):
    response = signed_in(police_officer).get("/api/v1/priorities/?page=")
    assert response.status_code == 400 and response.json() == {"page": ["Enter a value, or leave the parameter out."]}
