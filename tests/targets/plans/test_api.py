"""/api/v1/plans/: who sees which plans and versions (exactly as on the pages), and the writes, through the
same services: sections and actions by their partners, sending, signing off and returning (step-up:
never a token), comments, starting plans and versions. Bodies conform to the OpenAPI schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from partners.models import Role
from partners.services import api_token_create
from portal.models import AuditEvent
from targets.plans.models import Plan, PlanAction, PlanComment, PlanSignOff, PlanVersion
from tests.conftest import signed_in
from tests.factories import latest_version, make_person, make_plan, plan_send, plan_sign
from tests.portal.test_api_schema import conforms

from .conftest import section_of

pytestmark = pytest.mark.django_db
V = PlanVersion.Status
S = PlanSignOff.Status


def api(plan, rest: str = "") -> str:
    return f"/api/v1/plans/{plan.pk}/{rest}"


def version_api(plan, number: int = 1, rest: str = "") -> str:
    return api(plan, f"versions/{number}/{rest}")


def token_client(partner, by) -> Client:
    _, raw = api_token_create(name=f"{partner.slug} system", partner=partner, days=30, by=by)
    return Client(HTTP_AUTHORIZATION=f"Token {raw}")


def patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def other_plan(council):
    """The council's own draft: nothing to do with the police or probation."""
    return make_plan(council, [], title="Council community safety plan")


# --- Who sees what ------------------------------------------------------------------------------------
def test_the_list_holds_the_plans_each_person_may_see_and_nothing_else(
    plan, other_plan, police_officer, probation_officer, outsider, pcc_officer, schema
):
    def titles(user):
        body = signed_in(user).get("/api/v1/plans/").json()
        assert not conforms(schema, "PaginatedPlanList", body)
        return {p["title"] for p in body["results"]}

    assert titles(police_officer) == {"Violence delivery plan"}
    assert titles(probation_officer) == {"Violence delivery plan"}  # a contributor
    assert titles(outsider) == {"Council community safety plan"}  # its own draft, not the police's
    assert titles(pcc_officer) == {"Violence delivery plan", "Council community safety plan"}


def test_an_agreed_plan_is_open_to_everyone_but_its_new_draft_is_not(plan, police, probation, outsider):
    plan_send(plan)
    plan_sign(plan, police)
    plan_sign(plan, probation)
    police_officer_client = signed_in(make_person(police, Role.OFFICER))
    assert post(police_officer_client, api(plan, "versions/"), {"change_note": "Next year"}).status_code == 201
    client = signed_in(outsider)
    body = client.get(api(plan)).json()
    assert [v["number"] for v in body["versions"]] == [1] and body["agreed_version"] == 1
    assert client.get(version_api(plan, 1)).status_code == 200
    assert client.get(version_api(plan, 2)).status_code == 404  # the draft: its owner and contributors only


def test_a_draft_is_404_to_a_partner_outside_it_on_every_route(plan, outsider):
    client = signed_in(outsider)
    key = section_of(plan, "Policing").key
    action_key = latest_version(plan).actions.first().key
    for response in (
        client.get(api(plan)),
        client.get(version_api(plan)),
        client.get(version_api(plan, rest=f"sections/{key}/")),
        patch(client, version_api(plan, rest=f"sections/{key}/"), {"body": "Ours now"}),
        post(client, version_api(plan, rest=f"sections/{key}/comments/"), {"body": "Hello"}),
        patch(client, version_api(plan, rest=f"actions/{action_key}/"), {"status": "done"}),
        post(client, version_api(plan, rest="send/")),
    ):
        assert response.status_code == 404, response.request["PATH_INFO"]
    assert section_of(plan, "Policing").body.startswith("The police target")
    assert not PlanComment.objects.exists()


@pytest.mark.parametrize("path", ["versions/x/", "versions/1.5/", "versions/99/", "versions/1/sections/nope/"])
def test_a_malformed_or_unknown_version_or_section_is_a_json_404(plan, police_officer, path):
    response = signed_in(police_officer).get(api(plan, path))
    assert response.status_code == 404 and "detail" in response.json()


def test_filters_narrow_and_a_wrong_one_is_refused_by_name(plan, other_plan, pcc_officer, police):
    client = signed_in(pcc_officer)
    owned = client.get("/api/v1/plans/", {"owner": police.slug}).json()["results"]
    assert [p["title"] for p in owned] == ["Violence delivery plan"]
    assert client.get("/api/v1/plans/", {"search": "community"}).json()["results"][0]["owner"] == "birmingham-council"
    assert client.get("/api/v1/plans/", {"kind": "strategic"}).json()["results"] == []
    bad = client.get("/api/v1/plans/", {"owner": "west-midlands-polce"})
    assert bad.status_code == 400 and "west-midlands-polce" in bad.json()["owner"][0]
    misspelt = client.get("/api/v1/plans/", {"owners": police.slug})
    assert misspelt.status_code == 400 and misspelt.json()["unknown_parameters"] == ["owners"]


def test_the_version_says_what_each_person_may_do(plan, police_officer, probation_officer, schema):
    body = signed_in(police_officer).get(version_api(plan)).json()
    assert not conforms(schema, "PlanVersion", body)
    editable = {s["title"]: s["editable"] for s in body["sections"]}
    assert editable == {"Policing": True, "Offender management": False, "Overview": True}  # the owner's too
    editable = {
        s["title"]: s["editable"] for s in signed_in(probation_officer).get(version_api(plan)).json()["sections"]
    }
    assert editable == {"Policing": False, "Offender management": True, "Overview": False}
    policing = next(s for s in body["sections"] if s["title"] == "Policing")
    assert "<strong>stop and search</strong>" in policing["html"] and policing["assigned_to"] == "west-midlands-police"
    late = {a["what"]: (a["late"], a["status_label"]) for a in body["actions"]}
    assert late == {
        "Patrol the three hotspot wards": (True, "Late"),
        "Joint supervision of the top 50": (False, "Not started"),
    }


def test_the_list_costs_the_same_queries_however_many_plans(police, probation, pcc_officer, opcc):
    client = signed_in(pcc_officer)
    make_plan(police, [probation])
    client.get("/api/v1/plans/")  # warm the session and the content types
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/plans/").status_code == 200
    for _ in range(5):
        plan_send(make_plan(police, [probation]))
    with CaptureQueriesContext(connection) as six:
        assert len(client.get("/api/v1/plans/").json()["results"]) == 6
    assert len(six) == len(one)


# --- Writing together -------------------------------------------------------------------------------
def test_a_partner_writes_its_own_section_and_not_another_one(plan, police_officer, probation_officer, schema):
    key = section_of(plan, "Policing").key
    url = version_api(plan, rest=f"sections/{key}/")
    refused = patch(signed_in(probation_officer), url, {"body": "Probation rewrote this"})
    assert refused.status_code == 403 and "assigned to" in refused.json()["detail"]
    response = patch(signed_in(police_officer), url, {"body": "Patrols at the *three* hotspots."})
    assert response.status_code == 200 and not conforms(schema, "PlanSection", response.json())
    assert response.json()["html"] == '<p class="govuk-body">Patrols at the <em>three</em> hotspots.</p>\n'
    assert section_of(plan, "Policing").body == "Patrols at the *three* hotspots."
    event = AuditEvent.objects.filter(action="plan.section_update").get()
    assert event.actor_id == police_officer.pk and event.before["body"].startswith("The police target")


def test_a_section_change_needs_something_to_change_and_a_title_that_is_not_blank(plan, police_officer):
    url = version_api(plan, rest=f"sections/{section_of(plan, 'Policing').key}/")
    client = signed_in(police_officer)
    assert patch(client, url, {}).status_code == 400
    blank = patch(client, url, {"title": "  "})
    assert blank.status_code == 400 and "title" in blank.json()
    wrong_type = patch(client, url, {"body": 5})
    assert wrong_type.status_code == 400 and wrong_type.json()["body"] == ["Not a valid string."]
    assert section_of(plan, "Policing").title == "Policing"


def test_markup_in_a_section_is_sanitised(plan, police_officer):
    url = version_api(plan, rest=f"sections/{section_of(plan, 'Policing').key}/")
    body = patch(
        signed_in(police_officer), url, {"body": "Hi <script>alert(1)</script> [link](javascript:alert(2)) <b>x</b>"}
    )
    html = body.json()["html"]
    assert "&lt;script&gt;" in html and "<script" not in html and "<b>" not in html
    assert "href=" not in html  # no link to a script: it stays as words


def test_an_action_is_changed_by_its_partner_and_a_target_must_be_linked(
    plan, probation_officer, police_officer, probation
):
    version = latest_version(plan)
    ours = version.actions.get(owner=probation)
    url = version_api(plan, rest=f"actions/{ours.key}/")
    response = patch(signed_in(probation_officer), url, {"status": "in_progress"})
    assert response.status_code == 200 and response.json()["status_label"] == "In progress"
    police_action = version.actions.exclude(owner=probation).get()
    refused = patch(
        signed_in(probation_officer), version_api(plan, rest=f"actions/{police_action.key}/"), {"status": "done"}
    )
    assert refused.status_code == 403
    bad = patch(signed_in(probation_officer), url, {"status": "finished", "due_date": "31/03/2027"})
    assert bad.status_code == 400 and set(bad.json()) == {"status", "due_date"}
    missing = patch(signed_in(probation_officer), url, {"target": 987654})
    assert missing.status_code == 400 and "987654" in missing.json()["target"][0]
    assert PlanAction.objects.get(pk=ours.pk).status == "in_progress"
    assert PlanAction.objects.get(pk=police_action.pk).status == "not_started"


def test_the_owner_adds_sections_and_actions_and_a_contributor_may_not(
    plan, police_officer, probation_officer, probation, council
):
    client = signed_in(police_officer)
    added = post(
        client,
        version_api(plan, rest="sections/"),
        {"title": "Funding", "body": "Who pays", "assigned_to": probation.slug},
    )
    assert added.status_code == 201 and added.json()["assigned_to"] == probation.slug
    outsider_partner = post(
        client, version_api(plan, rest="sections/"), {"title": "Council", "assigned_to": council.slug}
    )
    assert outsider_partner.status_code == 400 and "does not contribute" in outsider_partner.json()["assigned_to"][0]
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    action = post(
        client, version_api(plan, rest="actions/"), {"what": "Fund it", "owner": probation.slug, "due_date": due}
    )
    assert action.status_code == 201 and action.json()["owner"] == probation.slug
    assert post(signed_in(probation_officer), version_api(plan, rest="sections/"), {"title": "Ours"}).status_code == 403
    assert [s.title for s in latest_version(plan).sections.order_by("order")][-1] == "Funding"


def test_comments_and_replies_stay_on_their_section(plan, police_officer, probation_officer):
    policing, overview = section_of(plan, "Policing"), section_of(plan, "Overview")
    url = version_api(plan, rest=f"sections/{policing.key}/comments/")
    first = post(signed_in(probation_officer), url, {"body": "Which wards?"})
    assert first.status_code == 201
    comment_id = first.json()["comments"][0]["id"]
    reply = post(signed_in(police_officer), url, {"body": "Aston, Lozells, Nechells", "parent": comment_id})
    assert [(c["author"], c["parent"]) for c in reply.json()["comments"]][1][1] == comment_id
    elsewhere = post(
        signed_in(police_officer),
        version_api(plan, rest=f"sections/{overview.key}/comments/"),
        {"body": "x", "parent": comment_id},
    )
    assert elsewhere.status_code == 400 and "parent" in elsewhere.json()
    assert post(signed_in(police_officer), url, {"body": " "}).status_code == 400
    assert PlanComment.objects.count() == 2


# --- Sending, signing off, returning ------------------------------------------------------------------
def test_the_owner_sends_and_a_contributor_may_not(plan, police_officer, probation_officer, police, probation):
    assert post(signed_in(probation_officer), version_api(plan, rest="send/")).status_code == 403
    bad = post(signed_in(police_officer), version_api(plan, rest="send/"), {"working_days": 0})
    assert bad.status_code == 400 and "working_days" in bad.json()
    response = post(signed_in(police_officer), version_api(plan, rest="send/"), {"working_days": 5})
    body = response.json()
    assert response.status_code == 200 and body["status"] == "in_signoff"
    assert {s["partner"]: s["status"] for s in body["sign_offs"]} == {police.slug: "pending", probation.slug: "pending"}
    again = post(signed_in(police_officer), version_api(plan, rest="send/"))
    assert again.status_code == 400 and "Only a draft" in again.json()["detail"]


def test_a_token_may_write_its_section_but_never_sign(plan, police, pcc_officer, police_signatory):
    client = token_client(police, pcc_officer)
    key = section_of(plan, "Policing").key
    assert patch(client, version_api(plan, rest=f"sections/{key}/"), {"body": "From our system"}).status_code == 200
    plan_send(plan)
    response = post(client, version_api(plan, rest=f"sign-offs/{police.slug}/sign/"))
    assert response.status_code == 403 and "API tokens cannot" in response.json()["detail"]
    assert latest_version(plan).signoffs.get(partner=police).status == S.PENDING


def test_signing_needs_a_recent_second_factor_and_the_partners_own_signatory(
    plan, police, probation, police_signatory, probation_signatory, schema
):
    plan_send(plan)
    url = version_api(plan, rest=f"sign-offs/{police.slug}/sign/")
    stale = post(signed_in(police_signatory, stepped_up=False), url)
    assert stale.status_code == 403 and "second factor" in stale.json()["detail"]
    assert post(signed_in(probation_signatory), url).status_code == 403  # not probation's sign-off
    response = post(signed_in(police_signatory), url, {"statement": "Agreed for the force."})
    assert response.status_code == 200 and not conforms(schema, "PlanVersion", response.json())
    signed = next(s for s in response.json()["sign_offs"] if s["partner"] == police.slug)
    assert (signed["status"], signed["statement"], signed["timeliness"]) == (
        "signed",
        "Agreed for the force.",
        "On time",
    )
    again = post(signed_in(make_person(police, Role.SIGNATORY, "police.deputy")), url)
    assert again.status_code == 400 and "already signed off" in again.json()["detail"]
    assert police_signatory.get_full_name() in again.json()["detail"]


def test_a_return_closes_the_round_and_answers_with_the_new_draft(plan, probation, probation_signatory):
    plan_send(plan)
    url = version_api(plan, rest=f"sign-offs/{probation.slug}/return/")
    missing = post(signed_in(probation_signatory), url, {"reasons": ""})
    assert missing.status_code == 400 and "reasons" in missing.json()
    response = post(signed_in(probation_signatory), url, {"reasons": "Say who pays for the patrols."})
    assert response.status_code == 201
    assert (response.json()["number"], response.json()["status"], response.json()["based_on"]) == (2, "draft", 1)
    assert plan.versions.get(number=1).status == V.RETURNED


def test_a_round_completed_through_the_api_is_agreed_and_locked(
    plan, police, probation, police_signatory, probation_signatory, police_officer
):
    plan_send(plan)
    post(signed_in(police_signatory), version_api(plan, rest=f"sign-offs/{police.slug}/sign/"))
    last = post(signed_in(probation_signatory), version_api(plan, rest=f"sign-offs/{probation.slug}/sign/"))
    assert last.status_code == 200 and last.json()["status"] == "agreed"
    key = section_of(plan, "Policing").key
    locked = patch(signed_in(police_officer), version_api(plan, rest=f"sections/{key}/"), {"body": "Changed"})
    assert locked.status_code == 400
    assert section_of(plan, "Policing").body.startswith("The police target")
    assert all(not s["editable"] for s in signed_in(police_officer).get(version_api(plan)).json()["sections"])


# --- Starting plans and versions -----------------------------------------------------------------------
def _new_plan(owner: str, **extra) -> dict:
    return {
        "kind": "delivery",
        "title": "Night-time economy plan",
        "period_start": "2027-04-01",
        "period_end": "2028-03-31",
        "owner": owner,
        **extra,
    }


def test_an_officer_starts_a_plan_for_their_own_partner_only(police, probation, police_officer, pcc_officer, opcc):
    client = signed_in(police_officer)
    made = post(client, "/api/v1/plans/", _new_plan(police.slug, contributors=[probation.slug]))
    assert made.status_code == 201
    assert (made.json()["owner"], made.json()["contributors"], made.json()["versions"][0]["status"]) == (
        police.slug,
        [probation.slug],
        "draft",
    )
    assert post(client, "/api/v1/plans/", _new_plan(probation.slug)).status_code == 403
    assert post(client, "/api/v1/plans/", _new_plan("board")).status_code == 403
    board = post(signed_in(pcc_officer), "/api/v1/plans/", _new_plan("board", kind="strategic"))
    assert board.status_code == 201 and board.json()["owner"] is None
    assert Plan.objects.count() == 2


def test_a_new_plan_with_wrong_fields_is_refused_naming_each(police, police_officer):
    response = post(
        signed_in(police_officer),
        "/api/v1/plans/",
        _new_plan(police.slug, period_end="2026-01-01", contributors=["nobody"], priorities=["nothing"]),
    )
    assert response.status_code == 400 and "contributors" in response.json()
    backwards = post(signed_in(police_officer), "/api/v1/plans/", _new_plan(police.slug, period_end="2026-01-01"))
    assert backwards.status_code == 400
    assert not Plan.objects.exists()


def test_a_version_is_started_only_when_none_is_open(plan, police, probation, police_officer):
    client = signed_in(police_officer)
    open_one = post(client, api(plan, "versions/"))
    assert open_one.status_code == 400 and "already being written" in open_one.json()["detail"]
    plan_send(plan)
    plan_sign(plan, police)
    plan_sign(plan, probation)
    started = post(client, api(plan, "versions/"), {"change_note": "Next year"})
    assert started.status_code == 201 and (started.json()["number"], started.json()["change_note"]) == (2, "Next year")
