"""The OpenAPI schema tells the truth: it validates without a warning; every operation documents the
refusals it can give, with their bodies (400 always, 401 for a stranger, 403 where it changes something,
404 where it names a row or pages a list); each list's filters are exactly its FilterSet's; and what
the API sends matches it (a partner without a website sends "", which the schema allows).

.ci/run (section 6) fuzzes the running API against the same schema with schemathesis."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft7Validator, FormatChecker

from tests.conftest import signed_in
from tests.factories import make_partner

METHODS = {"get", "post", "put", "patch", "delete"}
REFUSALS = {"400", "401", "403", "404", "415", "429"}  # with an error body; a 409 is the row as it is now


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def is_list(schema: dict, path: str, method: str) -> bool:
    ok = schema["paths"][path][method]["responses"].get("200", {})
    ref = ok.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    return method == "get" and "{" not in path and ref.split("/")[-1].startswith("Paginated")


def is_open(operation: dict) -> bool:
    """Anyone may call it without signing in (the 360Giving data): no scheme is needed, so no 401."""
    return {} in operation.get("security", [])


def json_schema(node):
    """OpenAPI 3.0's `nullable: true` in JSON Schema's words (the rest is the same)."""
    if isinstance(node, list):
        return [json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def conforms(schema: dict, component: str, body) -> list[str]:
    """What is wrong with a body against a component of the schema (formats checked, uri included)."""
    checker = FormatChecker()

    @checker.checks("uri")
    def is_uri(value) -> bool:
        parts = urlsplit(value)
        return bool(parts.scheme and parts.netloc)

    validator = Draft7Validator(
        {"$ref": f"#/components/schemas/{component}", "components": json_schema(schema["components"])},
        format_checker=checker,
    )
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_the_schema_validates_without_a_warning(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_the_walk_finds_every_operation(schema):
    found = {(path, method) for path, method, _ in operations(schema)}
    assert {
        ("/api/v1/partners/", "get"),
        ("/api/v1/sharing-agreements/", "post"),
        ("/api/v1/sharing-agreements/{id}/sign/", "post"),
        ("/api/v1/observations/", "post"),
        ("/api/v1/data-returns/{id}/apply/", "post"),
        ("/api/v1/me/", "get"),
    } <= found


def test_every_operation_documents_the_refusals_it_can_give(schema):
    missing = []
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        expected = {"400"} if is_open(operation) else {"400", "401"}
        if method != "get":
            expected.add("403")  # not allowed, or a browser session without its CSRF token
        if "{" in path or is_list(schema, path, method):
            expected.add("404")  # no such row (or one you may not know exists), or no such page
        missing += [f"{method.upper()} {path}: {code}" for code in sorted(expected - codes)]
    assert not missing


def test_every_refusal_has_a_json_body_that_says_why(schema):
    undocumented = []
    for path, method, operation in operations(schema):
        for code, response in operation["responses"].items():
            if code not in REFUSALS:
                continue
            body = response.get("content", {}).get("application/json", {}).get("schema", {})
            refs = [body.get("$ref", "")] + [alt.get("$ref", "") for alt in body.get("oneOf", [])]
            if not any(ref.split("/")[-1] in {"Error", "ValidationError", "BatchRefused"} for ref in refs):
                component = schema["components"]["schemas"].get(body.get("$ref", "").split("/")[-1], {})
                refs += [alt.get("$ref", "") for alt in component.get("oneOf", [])]
            if not any(ref.split("/")[-1] in {"Error", "ValidationError", "BatchRefused"} for ref in refs):
                undocumented.append(f"{method.upper()} {path} {code}")
    assert not undocumented
    errors = schema["components"]["schemas"]
    assert errors["Error"]["required"] == ["detail"]
    assert {"detail", "unknown_parameters", "allowed_parameters"} <= set(errors["ValidationError"]["properties"])
    assert "additionalProperties" in errors["ValidationError"]  # field errors, named by the field


@pytest.mark.django_db
def test_every_operation_tells_a_stranger_to_sign_in_as_documented(schema):
    """What schemathesis's ignored_auth check would do, which .ci/run leaves out (its cookie is a header)."""
    stranger = Client()
    for path, method, operation in operations(schema):
        response = getattr(stranger, method)(concrete(path), content_type="application/json")
        if is_open(operation):
            assert response.status_code == 200, (method, path, response.status_code)
            continue
        assert response.status_code == 401, (method, path, response.status_code)
        assert not conforms(schema, "Error", response.json()), (method, path)


def test_each_list_documents_exactly_its_filterset(schema):
    for path, method, operation in operations(schema):
        if not is_list(schema, path, method):
            continue
        view = resolve(path).func.cls
        documented = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        filters = set(view.filterset_class.base_filters) if getattr(view, "filterset_class", None) else set()
        assert documented == filters | {"page"}, path


@pytest.mark.django_db
def test_a_refused_filter_and_a_refused_parameter_match_the_schema(schema, police_officer):
    client = signed_in(police_officer)
    bad_filter = client.get("/api/v1/sharing-agreements/", {"status": "lost"})
    unknown = client.get("/api/v1/sharing-agreements/", {"state": "active"})
    missing = client.get("/api/v1/sharing-agreements/12345/")
    assert (bad_filter.status_code, unknown.status_code, missing.status_code) == (400, 400, 404)
    assert not conforms(schema, "ValidationError", bad_filter.json())
    assert not conforms(schema, "ValidationError", unknown.json())
    assert not conforms(schema, "Error", missing.json())


@pytest.mark.django_db
def test_a_partner_without_a_website_sends_an_empty_one_and_the_schema_allows_it(schema, police, police_officer):
    with_site = make_partner("probation-west-midlands")
    with_site.website = "https://www.gov.uk/government/organisations/probation-service"
    with_site.save(update_fields=["website"])
    body = signed_in(police_officer).get("/api/v1/partners/").json()
    assert {p["slug"]: p["website"] for p in body["results"]} == {
        "west-midlands-police": "",
        "probation-west-midlands": "https://www.gov.uk/government/organisations/probation-service",
    }
    assert not conforms(schema, "PaginatedPartnerList", body)
    website = schema["components"]["schemas"]["Partner"]["properties"]["website"]
    assert {"type": "string", "maxLength": 0} in website["oneOf"]
    assert conforms(schema, "Partner", {**body["results"][0], "website": "not a link"})  # uri or "", nothing else
