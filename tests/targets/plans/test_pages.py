"""The plan pages: who gets what, writing together, comments, actions, documents and history."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook

from portal.models import AuditEvent
from targets.plans import services
from targets.plans.models import Plan, PlanAction, PlanAttachment, PlanComment, PlanVersion
from tests.conftest import signed_in
from tests.factories import PLAN_PERIOD_WORDS, SYSTEM, docx_file, latest_version, make_plan, pdf_file

from .conftest import section_of, version_url

pytestmark = pytest.mark.django_db
V = PlanVersion.Status


def _text(response) -> str:
    return response.content.decode()


def _xlsx(name="figures.xlsx"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    book = Workbook()
    book.active.append(["ward", "patrols"])
    book.active.append(["Aston", 12])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


# --- The list and the plan page ---------------------------------------------------------------------
def test_the_list_shows_drafts_to_their_partners_and_agreed_plans_to_everyone(
    plan, police, probation, police_officer, probation_officer, pcc, outsider
):
    agreed = make_plan(police, [probation], title="Agreed policing plan", status="agreed")
    for user, wanted in (
        (police_officer, {plan.pk, agreed.pk}),
        (probation_officer, {plan.pk, agreed.pk}),
        (pcc, {plan.pk, agreed.pk}),
        (outsider, {agreed.pk}),
    ):
        page = _text(signed_in(user).get("/plans/"))
        assert {int(pk) for pk in re.findall(r'data-plan="(\d+)"', page)} == wanted, user


def test_the_list_searches_and_filters_by_kind_and_says_when_nothing_matches(plan, police, police_officer):
    make_plan(police, [], title="Strategic plan for the force", kind=Plan.Kind.STRATEGIC)
    client = signed_in(police_officer)
    strategic = _text(client.get("/plans/", {"kind": "strategic"}))
    assert "Strategic plan for the force" in strategic and "Violence delivery plan" not in strategic
    found = _text(client.get("/plans/", {"q": "violence"}))
    assert "Violence delivery plan" in found and "Strategic plan for the force" not in found
    assert "No plans you can see match these filters" in _text(client.get("/plans/", {"q": "nothing like it"}))


def test_the_list_offers_start_a_plan_only_to_those_who_may(db, police_officer, police_signatory, outsider):
    assert "Start a plan" in _text(signed_in(police_officer).get("/plans/"))
    signatory_page = _text(signed_in(police_signatory).get("/plans/"))
    assert "Start a plan" not in signatory_page
    assert "There are no plans you can see yet" in signatory_page


def test_plans_is_in_the_menu_for_every_role(police_officer, police_signatory, pcc, board_member):
    for user in (police_officer, police_signatory, pcc, board_member):
        assert re.search(r'href="/plans/"[^>]*>\s*Plans', _text(signed_in(user).get("/"))), user


def test_an_officer_starts_a_plan_and_lands_on_its_first_draft(police, probation, police_officer):
    client = signed_in(police_officer)
    page = client.get("/plans/new/")
    assert page.status_code == 200 and "Start a plan" in _text(page)
    response = client.post(
        "/plans/new/",
        {
            "kind": "delivery",
            "owner": str(police.pk),
            "title": "Neighbourhood crime plan",
            "summary": "Fewer burglaries.",
            "period_start-day": "1",
            "period_start-month": "4",
            "period_start-year": "2026",
            "period_end-day": "31",
            "period_end-month": "3",
            "period_end-year": "2027",
            "contributors": [str(probation.pk)],
        },
    )
    created = Plan.objects.get(title="Neighbourhood crime plan")
    assert response.status_code == 302 and response["Location"] == version_url(created)
    assert list(created.contributors.all()) == [probation]
    assert created.versions.get().status == V.DRAFT


def test_starting_a_plan_without_a_title_says_what_to_fix(police, police_officer):
    response = signed_in(police_officer).post("/plans/new/", {"kind": "delivery", "owner": str(police.pk)})
    assert response.status_code == 200
    assert "Enter the plan&#39;s title" in _text(response) or "Enter the plan's title" in _text(response)
    assert "<title>Error: " in _text(response)
    assert not Plan.objects.exists()


def test_a_signatory_may_not_start_a_plan(db, police_signatory):
    assert signed_in(police_signatory).get("/plans/new/").status_code == 403


def test_the_plan_page_shows_its_details_versions_and_links(plan, police_officer):
    page = _text(signed_in(police_officer).get(f"/plans/{plan.pk}/"))
    for words in (
        "Violence delivery plan",
        "West Midlands Police",
        "Probation Service West Midlands",
        PLAN_PERIOD_WORDS,
        'data-version="1"',
        "Draft",
        "See the plan's history of changes",
        "Change the plan&#39;s details",
    ):
        assert words in page, words
    assert "Start a new version" not in page  # a draft is open
    assert "Compare two versions" not in page  # one version only


def test_a_draft_is_not_found_by_an_outsider_but_an_agreed_plan_is_read_by_everyone(plan, police, probation, outsider):
    client = signed_in(outsider)
    for path in (
        f"/plans/{plan.pk}/",
        version_url(plan),
        f"/plans/{plan.pk}/history/",
        f"/plans/{plan.pk}/compare/",
        version_url(plan, rest="print/"),
    ):
        assert client.get(path).status_code == 404, path
    agreed = make_plan(police, [probation], title="Agreed plan", status="agreed")
    assert client.get(f"/plans/{agreed.pk}/").status_code == 200
    assert client.get(version_url(agreed)).status_code == 200
    assert client.get(f"/plans/{agreed.pk}/history/").status_code == 404  # the drafts' history is for writers
    assert "See the plan's history" not in _text(client.get(f"/plans/{agreed.pk}/"))


def test_the_owner_changes_the_plans_details_and_a_contributor_may_not(plan, police_officer, probation_officer):
    response = signed_in(police_officer).post(
        f"/plans/{plan.pk}/edit/",
        {
            "title": "Violence delivery plan, revised",
            "summary": "",
            "period_start-day": "1",
            "period_start-month": "4",
            "period_start-year": "2026",
            "period_end-day": "31",
            "period_end-month": "3",
            "period_end-year": "2027",
            "contributors": [str(pk) for pk in plan.contributors.values_list("pk", flat=True)],
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "Violence delivery plan, revised"
    assert signed_in(probation_officer).get(f"/plans/{plan.pk}/edit/").status_code == 403


# --- Writing together: sections -----------------------------------------------------------------------
def test_a_police_officer_edits_the_police_section(plan, police_officer):
    section = section_of(plan, "Policing")
    client = signed_in(police_officer)
    url = version_url(plan, rest=f"sections/{section.key}/edit/")
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Policing", "body": "Stop and search, *better targeted*."})
    assert response.status_code == 302 and response["Location"].endswith(f"#section-{section.key}")
    section.refresh_from_db()
    assert section.body == "Stop and search, *better targeted*."
    assert AuditEvent.objects.filter(action="plan.section_update", object_id=str(plan.pk)).count() == 1
    page = _text(client.get(version_url(plan)))
    assert "<em>better targeted</em>" in page


def test_probation_cannot_edit_the_police_section_but_edits_its_own(plan, probation_officer):
    police_section, own = section_of(plan, "Policing"), section_of(plan, "Offender management")
    client = signed_in(probation_officer)
    page = _text(client.get(version_url(plan)))
    # the "Change this section" link appears for probation's own section only
    assert f"sections/{own.key}/edit/" in page and f"sections/{police_section.key}/edit/" not in page
    url = version_url(plan, rest=f"sections/{police_section.key}/edit/")
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Policing", "body": "Probation's words"}).status_code == 403
    police_section.refresh_from_db()
    assert police_section.body == "The police target **stop and search** at the hotspots."
    response = client.post(
        version_url(plan, rest=f"sections/{own.key}/edit/"),
        {"title": "Offender management", "body": "Joint supervision."},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.body == "Joint supervision."


def test_a_section_never_renders_script(plan, police_officer):
    section = section_of(plan, "Policing")
    client = signed_in(police_officer)
    client.post(
        version_url(plan, rest=f"sections/{section.key}/edit/"),
        {"title": "Policing", "body": "<script>alert(1)</script> [x](javascript:alert(1))"},
    )
    page = _text(client.get(version_url(plan)))
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page


def test_the_owner_adds_a_section_for_a_contributor_and_a_contributor_may_not(
    plan, probation, police_officer, probation_officer
):
    url = version_url(plan, rest="sections/new/")
    assert signed_in(probation_officer).get(url).status_code == 403
    response = signed_in(police_officer).post(url, {"title": "Victims", "body": "", "assigned_to": str(probation.pk)})
    assert response.status_code == 302
    added = section_of(plan, "Victims")
    assert added.assigned_to == probation
    assert f"sections/{added.key}/edit/" in _text(signed_in(probation_officer).get(version_url(plan)))


# --- Comments and replies ----------------------------------------------------------------------------
def test_comments_and_replies_appear_under_their_section(plan, police_officer, probation_officer):
    section = section_of(plan, "Policing")
    url = version_url(plan, rest=f"sections/{section.key}/comments/")
    response = signed_in(probation_officer).post(url, {"body": "Which hotspots?"})
    assert response.status_code == 302 and response["Location"].endswith(f"#section-{section.key}")
    comment = PlanComment.objects.get()
    signed_in(police_officer).post(url, {"body": "Aston, Lozells and Handsworth.", "parent": comment.pk})
    reply = PlanComment.objects.exclude(pk=comment.pk).get()
    assert reply.parent == comment
    page = _text(signed_in(police_officer).get(version_url(plan)))
    thread = page[page.index(f'id="comment-{comment.pk}"') :]
    assert (
        thread.index("Which hotspots?")
        < thread.index(f'id="comment-{reply.pk}"')
        < thread.index("Aston, Lozells and Handsworth.")
    )
    assert "Reply to " in page and "Comment on this section" in page


def test_an_empty_comment_is_refused_with_a_message(plan, police_officer):
    section = section_of(plan, "Policing")
    response = signed_in(police_officer).post(
        version_url(plan, rest=f"sections/{section.key}/comments/"), {"body": "  "}, follow=True
    )
    assert "Enter your comment" in _text(response)
    assert not PlanComment.objects.exists()


def test_an_outsider_cannot_comment_on_a_draft(plan, outsider):
    section = section_of(plan, "Policing")
    url = version_url(plan, rest=f"sections/{section.key}/comments/")
    assert signed_in(outsider).post(url, {"body": "Hello"}).status_code == 404
    assert not PlanComment.objects.exists()


# --- Delivery actions -------------------------------------------------------------------------------
def test_actions_past_their_due_date_and_not_done_show_as_late(plan, police_officer):
    page = _text(signed_in(police_officer).get(version_url(plan)))
    row = page[page.index("Patrol the three hotspot wards") :]
    row = row[: row.index("</tr>")]
    assert "Late" in row and "govuk-tag--red" in row
    other = page[page.index("Joint supervision of the top 50") :]
    assert "Not started" in other[: other.index("</tr>")]


def test_the_owner_adds_an_action(plan, probation, police_officer):
    due = timezone.localdate() + timedelta(days=30)
    response = signed_in(police_officer).post(
        version_url(plan, rest="actions/new/"),
        {
            "what": "Knife amnesty",
            "owner": str(probation.pk),
            "due_date-day": str(due.day),
            "due_date-month": str(due.month),
            "due_date-year": str(due.year),
            "target": "",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#actions")
    assert PlanAction.objects.get(what="Knife amnesty").owner == probation


def test_a_partner_updates_its_own_action_but_not_anothers(plan, probation_officer):
    version = latest_version(plan)
    own = version.actions.get(owner__slug="probation-west-midlands")
    police = version.actions.get(owner__slug="west-midlands-police")
    client = signed_in(probation_officer)
    data = {
        "what": own.what,
        "due_date-day": str(own.due_date.day),
        "due_date-month": str(own.due_date.month),
        "due_date-year": str(own.due_date.year),
        "target": "",
        "status": "done",
    }
    assert client.post(version_url(plan, rest=f"actions/{own.key}/edit/"), data).status_code == 302
    own.refresh_from_db()
    assert own.status == PlanAction.Status.DONE
    assert client.get(version_url(plan, rest=f"actions/{police.key}/edit/")).status_code == 403
    assert client.post(version_url(plan, rest=f"actions/{police.key}/edit/"), data).status_code == 403
    police.refresh_from_db()
    assert police.status == PlanAction.Status.NOT_STARTED


# --- Documents -------------------------------------------------------------------------------------
@pytest.mark.parametrize("make_file,kind", [(pdf_file, "pdf"), (docx_file, "docx"), (_xlsx, "xlsx")])
def test_pdf_docx_and_xlsx_documents_are_attached_and_downloaded(
    plan, police_officer, probation_officer, outsider, settings, tmp_path, make_file, kind
):
    settings.MEDIA_ROOT = tmp_path
    uploaded = make_file()
    response = signed_in(police_officer).post(
        version_url(plan, rest="documents/new/"), {"title": "Evidence pack", "file": uploaded}
    )
    assert response.status_code == 302 and response["Location"].endswith("#documents")
    document = PlanAttachment.objects.get()
    assert document.kind == kind
    download = signed_in(probation_officer).get(version_url(plan, rest=f"documents/{document.pk}/"))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    uploaded.seek(0)
    assert b"".join(download.streaming_content) == uploaded.read()
    assert signed_in(outsider).get(version_url(plan, rest=f"documents/{document.pk}/")).status_code == 404


@pytest.mark.parametrize(
    "uploaded,message",
    [
        (pdf_file(extra=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "contains scripts"),
        (docx_file(macros=True), "contains macros"),
    ],
    ids=["pdf-with-javascript", "macro-enabled-docx"],
)
def test_active_documents_are_refused_with_the_message_on_the_field(
    plan, police_officer, settings, tmp_path, uploaded, message
):
    settings.MEDIA_ROOT = tmp_path
    response = signed_in(police_officer).post(
        version_url(plan, rest="documents/new/"), {"title": "Evidence pack", "file": uploaded}
    )
    assert response.status_code == 200
    page = _text(response)
    assert 'id="id_file-error"' in page and message in page.lower()
    assert not PlanAttachment.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_only_the_owner_attaches_documents(plan, probation_officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = signed_in(probation_officer).post(
        version_url(plan, rest="documents/new/"), {"title": "Evidence", "file": pdf_file()}
    )
    assert response.status_code == 403 and not PlanAttachment.objects.exists()


# --- History --------------------------------------------------------------------------------------------
def test_the_history_lists_every_change_newest_first_a_page_at_a_time(plan, police_officer):
    section = section_of(plan, "Policing")
    client = signed_in(police_officer)
    for n in range(50):  # more than a person may add in 10 minutes (portal/ratelimit.py): the system adds them
        services.plan_comment_add(section=section, body=f"Comment {n}", by=SYSTEM)
    page = _text(client.get(f"/plans/{plan.pk}/history/"))
    events = AuditEvent.objects.filter(object_type="targets.plan", object_id=str(plan.pk)).count()
    assert events > 50
    assert f"{events} events, newest first" in page
    assert page.count('data-action="plan.comment"') == 50  # the first page: the 50 newest
    second = _text(client.get(f"/plans/{plan.pk}/history/", {"page": 2}))
    assert 'data-action="plan.create"' in second
