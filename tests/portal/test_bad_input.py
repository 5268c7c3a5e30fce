"""Bad input gets 400, never 500: NUL characters in addresses (PostgreSQL refuses them in text) and
JSON nested too deeply for Python's parser."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import signed_in
from tests.portal.test_api_params import API_GETS
from tests.portal.test_sign_in import _concrete, all_routes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", API_GETS)
@pytest.mark.parametrize("param", ["search", "provider", "indicator", "status", "kind"])
def test_a_nul_in_any_api_query_string_is_400(name, param, police_officer):
    from django.urls import reverse

    response = signed_in(police_officer).get(f"{reverse(name)}?{param}=%00")
    assert response.status_code == 400, (name, param, response.status_code)
    assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/indicators/?search=%00",
        "/api/v1/indicators/?provider=%00",
        "/api/v1/targets/?indicator=%00",
        "/api/v1/sharing-agreements/?indicator=%00",
        "/api/v1/data-returns/?status=%00",
        "/api/v1/partners/?kind=%00",
        "/api/v1/indicators/%00/",
        "/api/v1/partners/a%00b/",
    ],
)
def test_the_reported_addresses_are_400(path, police_officer):
    assert signed_in(police_officer).get(path).status_code == 400


def test_every_page_refuses_a_nul_in_its_query_string(police_officer):
    client = signed_in(police_officer)
    for route, name in all_routes():
        path = _concrete(route)
        response = client.get(f"{path}?q=%00&page=%00")
        assert response.status_code == 400, (name, path, response.status_code)


def test_a_nul_in_a_page_address_is_400_for_anyone():
    assert Client().get("/indicators/HOM%00/").status_code == 400
    assert Client().get("/sign-in/?next=%00").status_code == 400


def test_json_nested_too_deeply_is_400(police_officer):
    body = "[" * 100_000 + "]" * 100_000
    response = signed_in(police_officer).post("/api/v1/observations/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
