"""Sending a version for sign-off, each partner's decision (with step-up), the agreed and locked plan,
comparing versions, the print page and its PDF, and the partner's duty record."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib

import pytest
from django.utils import timezone

from portal.models import AuditEvent
from portal.working_days import add_working_days
from targets.plans.models import PlanAttachment, PlanComment, PlanSection, PlanSignOff, PlanVersion
from tests.conftest import signed_in
from tests.factories import PLAN_PERIOD_WORDS, latest_version, pdf_file, plan_return, plan_send, plan_sign

from .conftest import section_of, version_url

pytestmark = pytest.mark.django_db
V = PlanVersion.Status
S = PlanSignOff.Status


def _text(response) -> str:
    return response.content.decode()


def _sign_url(plan, partner, number: int = 1, what: str = "sign") -> str:
    return version_url(plan, number, f"sign-offs/{partner.slug}/{what}/")


# --- Sending ------------------------------------------------------------------------------------------
def test_the_owner_sends_a_draft_due_in_working_days(plan, police_officer, police, probation):
    client = signed_in(police_officer)
    page = _text(client.get(version_url(plan)))
    assert f'href="{version_url(plan, rest="send/")}"' in page and 'data-transition="send"' in page
    form = _text(client.get(version_url(plan, rest="send/")))
    assert "West Midlands Police" in form and "Probation Service West Midlands" in form
    assert "Weekends and England and Wales bank holidays are not counted" in form
    response = client.post(version_url(plan, rest="send/"), {"working_days": "10"}, follow=True)
    due = add_working_days(timezone.localdate(), 10)
    version = latest_version(plan)
    assert version.status == V.IN_SIGNOFF and version.signoff_due == due
    assert {s.partner for s in version.signoffs.all()} == {police, probation}
    assert f"by {due.day} {due:%B %Y}" in _text(response)


def test_sending_needs_a_number_of_working_days(plan, police_officer):
    response = signed_in(police_officer).post(version_url(plan, rest="send/"), {"working_days": "0"})
    assert response.status_code == 200 and "Give at least 1 working day" in _text(response)
    assert latest_version(plan).status == V.DRAFT


def test_a_contributor_may_not_send_the_plan(plan, probation_officer):
    client = signed_in(probation_officer)
    assert 'data-transition="send"' not in _text(client.get(version_url(plan)))
    assert client.post(version_url(plan, rest="send/"), {"working_days": "10"}).status_code == 403
    assert latest_version(plan).status == V.DRAFT


# --- Signing, with step-up ----------------------------------------------------------------------------
def test_a_session_that_only_signed_in_is_asked_for_a_fresh_code(plan, police, police_signatory):
    plan_send(plan)
    client = signed_in(police_signatory, stepped_up=False)
    for what in ("sign", "return"):
        response = client.get(_sign_url(plan, police, what=what))
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/confirm/"), what
    response = client.post(_sign_url(plan, police), {"confirm": "on"})
    assert response["Location"].startswith("/sign-in/confirm/")
    assert latest_version(plan).signoffs.get(partner=police).status == S.PENDING


def test_the_police_signatory_signs_off_with_a_statement(plan, police, police_signatory):
    plan_send(plan)
    client = signed_in(police_signatory)
    page = _text(client.get(version_url(plan)))
    assert f'href="{_sign_url(plan, police)}"' in page and f'href="{_sign_url(plan, police, what="return")}"' in page
    form = client.get(_sign_url(plan, police))
    assert form.status_code == 200 and "Violence delivery plan" in _text(form)
    missing = client.post(_sign_url(plan, police), {"statement": ""})
    assert "Confirm that you have read the plan and may sign it off" in _text(missing)
    response = client.post(_sign_url(plan, police), {"statement": "Agreed for the force.", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == version_url(plan)
    signoff = latest_version(plan).signoffs.get(partner=police)
    assert signoff.status == S.SIGNED and signoff.decided_by == police_signatory
    assert signoff.statement == "Agreed for the force."
    record = _text(client.get(version_url(plan)))
    assert "“Agreed for the force.”" in record
    # decided once: asking again goes back to the version, with who decided
    again = client.post(_sign_url(plan, police), {"confirm": "on"}, follow=True)
    assert "already made" in _text(again)
    assert f"{signoff.decided_by_label} decided on {timezone.localtime(signoff.decided_at).day} " in _text(again)
    assert PlanSignOff.objects.filter(partner=police, status=S.SIGNED).count() == 1


def test_a_signatory_acts_only_for_their_own_partner(plan, police, probation_signatory, police_officer):
    plan_send(plan)
    assert signed_in(probation_signatory).get(_sign_url(plan, police)).status_code == 403
    assert signed_in(probation_signatory).post(_sign_url(plan, police), {"confirm": "on"}).status_code == 403
    assert signed_in(police_officer).get(_sign_url(plan, police)).status_code == 403  # officers never sign
    assert latest_version(plan).signoffs.get(partner=police).status == S.PENDING


def test_returning_with_reasons_makes_a_new_draft(plan, police, probation, probation_signatory):
    plan_send(plan)
    plan_sign(plan, police)
    client = signed_in(probation_signatory)
    empty = client.post(_sign_url(plan, probation, what="return"), {"reasons": ""})
    assert empty.status_code == 200 and "Enter the reasons for returning the plan" in _text(empty)
    response = client.post(_sign_url(plan, probation, what="return"), {"reasons": "Say who pays for the officers."})
    assert response.status_code == 302 and response["Location"] == version_url(plan, 2)
    first, second = plan.versions.get(number=1), plan.versions.get(number=2)
    assert first.status == V.RETURNED and second.status == V.DRAFT
    assert first.signoffs.get(partner=probation).reasons == "Say who pays for the officers."
    assert [s.title for s in second.sections.order_by("order")] == ["Policing", "Offender management", "Overview"]
    page = _text(client.get(version_url(plan, 1)))
    assert "Say who pays for the officers." in page and "This version was returned" in page


# --- All signed: agreed and locked ----------------------------------------------------------------------
@pytest.fixture
def agreed(plan, police, probation, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan_send(plan)
    plan_sign(plan, police, statement="For the force.")
    plan_sign(plan, probation)
    return plan


def test_when_every_partner_has_signed_the_version_is_agreed_and_locked(agreed, police_signatory):
    version = latest_version(agreed)
    assert version.status == V.AGREED and version.agreed_at
    page = _text(signed_in(police_signatory).get(version_url(agreed)))
    assert f"Agreed on {version.agreed_at.day} {version.agreed_at:%B %Y} and locked" in page
    assert version_url(agreed, rest="print/") in page and version_url(agreed, rest="plan.pdf") in page
    assert "Change this section" not in page and "Comment on this section" not in page


def test_every_change_to_an_agreed_version_is_refused_and_changes_nothing(agreed, police, police_officer, pcc_officer):
    version = latest_version(agreed)
    section = section_of(agreed, "Policing")
    action = version.actions.get(owner=police)
    before = (AuditEvent.objects.count(), section.body, version.sections.count(), version.actions.count())
    attempts = [
        (f"sections/{section.key}/edit/", {"title": "Policing", "body": "Changed after it was agreed"}),
        ("sections/new/", {"title": "Another", "body": "", "assigned_to": ""}),
        (
            "actions/new/",
            {
                "what": "More",
                "owner": str(police.pk),
                "due_date-day": "1",
                "due_date-month": "1",
                "due_date-year": "2027",
            },
        ),
        (
            f"actions/{action.key}/edit/",
            {"what": "Changed", "due_date-day": "1", "due_date-month": "1", "due_date-year": "2027", "status": "done"},
        ),
        ("documents/new/", {"title": "Late evidence", "file": pdf_file()}),
    ]
    for user in (police_officer,):  # (the PCC office does not run a partner's plan at all)
        client = signed_in(user)
        for rest, data in attempts:
            response = client.post(version_url(agreed, rest=rest), data, follow=True)
            assert "this version is locked" in _text(response), (user, rest)
        send = client.post(version_url(agreed, rest="send/"), {"working_days": "10"}, follow=True)
        assert "only a draft can be sent" in _text(send)
        comment = client.post(
            version_url(agreed, rest=f"sections/{section.key}/comments/"), {"body": "Late"}, follow=True
        )
        assert "Comments are closed" in _text(comment)
    section.refresh_from_db()
    after = (AuditEvent.objects.count(), section.body, version.sections.count(), version.actions.count())
    assert after == before
    assert not PlanComment.objects.exists() and not PlanAttachment.objects.exists()
    assert latest_version(agreed).status == V.AGREED


def test_a_new_version_of_an_agreed_plan_is_a_draft_and_the_agreed_one_stays_in_force(agreed, police_officer):
    client = signed_in(police_officer)
    assert "Start a new version" in _text(client.get(f"/plans/{agreed.pk}/"))
    response = client.post(f"/plans/{agreed.pk}/new-version/")
    assert response.status_code == 302 and response["Location"] == version_url(agreed, 2)
    assert [v.status for v in agreed.versions.order_by("number")] == [V.AGREED, V.DRAFT]
    page = _text(client.get(f"/plans/{agreed.pk}/"))
    assert "The plan in force is" in page


def test_a_signatory_may_not_start_a_new_version(agreed, police_signatory):
    assert signed_in(police_signatory).post(f"/plans/{agreed.pk}/new-version/").status_code == 403
    assert agreed.versions.count() == 1


# --- Comparing versions ------------------------------------------------------------------------------
def test_compare_says_what_changed_in_each_section_in_words(plan, police, probation, police_officer):
    plan_send(plan)
    second = plan_return(plan, probation)
    policing = second.sections.get(title="Policing")
    policing.body = "The police target stop and search at the three hotspots, with body-worn video."
    policing.save()
    second.sections.filter(title="Overview").delete()
    PlanSection.objects.create(version=second, order=9, title="Victims", body="Victim Support calls every victim.")
    page = _text(signed_in(police_officer).get(f"/plans/{plan.pk}/compare/", {"from": "1", "to": "2"}))
    assert "Version 1 compared with version 2" in page
    changes = {title: change for change, title in re.findall(r'data-change="(\w+)">\s*<h3[^>]*>([^<]+)</h3>', page)}
    assert changes == {
        "Policing": "changed",
        "Offender management": "unchanged",
        "Victims": "added",
        "Overview": "removed",
    }
    assert re.search(r"Changed: \d+ words? added, \d+ removed", page)
    assert '<ins class="app-diff-ins"><span class="govuk-visually-hidden">Added: </span>[+]' in page
    assert '<del class="app-diff-del"><span class="govuk-visually-hidden">Removed: </span>[−]' in page


def test_compare_refuses_a_version_one_cannot_read(plan, police_officer):
    page = _text(signed_in(police_officer).get(f"/plans/{plan.pk}/compare/", {"from": "1", "to": "7"}))
    assert "Choose two versions of this plan that you can read" in page and "<title>Error: " in page


# --- Print and PDF ---------------------------------------------------------------------------------------
def test_the_print_page_has_the_plan_and_its_sign_off_record(agreed, probation_officer):
    page = _text(signed_in(probation_officer).get(version_url(agreed, rest="print/")))
    for words in (
        "Violence delivery plan",
        "West Midlands Police",
        PLAN_PERIOD_WORDS,
        "Sign-off record",
        "Signatory, West Midlands Police",
        "“For the force.”",
        "Patrol the three hotspot wards",
        'media="print"',
        "css/plan-print.css",
    ):
        assert words in page, words
    assert "agreed on" in page


def _pdf_text(pdf: bytes, tmp_path) -> str:
    """The PDF's words through pdftotext (poppler) where it is installed; else the text of its
    compressed streams, where WeasyPrint writes the bookmarks it makes from the page's headings."""
    if shutil.which("pdftotext"):
        source = tmp_path / "plan.pdf"
        source.write_bytes(pdf)
        return subprocess.run(["pdftotext", str(source), "-"], capture_output=True, check=True, text=True).stdout
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(streams).decode("latin-1")


def test_the_pdf_is_a_real_pdf_of_the_print_page(agreed, pcc, tmp_path):
    response = signed_in(pcc).get(version_url(agreed, rest="plan.pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="plan-{agreed.pk}-version-1.pdf"'
    assert response.content.startswith(b"%PDF")
    text = " ".join(_pdf_text(response.content, tmp_path).split())
    assert "Violence delivery plan" in text
    assert "Sign-off record" in text
    if shutil.which("pdftotext"):
        assert "Page 1 of" in text and "Signatory, West Midlands Police" in text and "For the force." in text


def test_an_outsider_gets_no_pdf_of_a_draft(plan, outsider):
    assert signed_in(outsider).get(version_url(plan, rest="plan.pdf")).status_code == 404


# --- Query counts -------------------------------------------------------------------------------------
def test_the_version_page_costs_a_bounded_number_of_queries(
    plan, police, probation, police_officer, django_assert_max_num_queries
):
    client = signed_in(police_officer)
    client.get(version_url(plan))  # (the session's first request warms it)
    with django_assert_max_num_queries(30):
        assert client.get(version_url(plan)).status_code == 200
    # more comments, replies, actions and sign-offs cost nothing more
    version = latest_version(plan)
    for section in version.sections.all():
        for n in range(5):
            parent = PlanComment.objects.create(section=section, author_label="Someone", partner=police, body=f"C{n}")
            PlanComment.objects.create(section=section, parent=parent, author_label="Else", body="Reply")
    from targets.plans.models import PlanAction

    for n in range(10):
        PlanAction.objects.create(
            version=version, what=f"Action {n}", owner=probation, due_date=timezone.localdate(), order=10 + n
        )
    plan_send(plan)
    with django_assert_max_num_queries(30):
        assert client.get(version_url(plan)).status_code == 200


# --- The duty record ------------------------------------------------------------------------------------
def test_the_partner_page_shows_each_sign_off_on_time_or_overdue(plan, police, probation, pcc):
    plan_send(plan, today=timezone.localdate() - timezone.timedelta(days=40), working_days=5)
    plan_sign(plan, police)
    page = _text(signed_in(pcc).get(f"/partners/{probation.slug}/"))
    assert "Plan sign-offs" in page and "Overdue" in page
    police_page = _text(signed_in(pcc).get(f"/partners/{police.slug}/"))
    assert "Violence delivery plan, version 1" in police_page and ("On time" in police_page or "Late" in police_page)
