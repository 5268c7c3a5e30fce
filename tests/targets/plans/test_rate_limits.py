"""Comments and documents are limited per person (targets/plans/limits.py, portal/ratelimit.py): the page
says so, the API answers 429 with the same words, and the system (the demo, the tasks) is never limited."""

from __future__ import annotations

import pytest

from portal import ratelimit
from targets.plans import limits, services
from targets.plans.models import PlanAttachment, PlanComment
from tests.conftest import signed_in
from tests.factories import SYSTEM, pdf_file

from .conftest import section_of, version_url

pytestmark = pytest.mark.django_db
TOO_MANY_COMMENTS = "You have added 30 comments in the last 10 minutes. Wait a few minutes and try again."


def test_a_person_adds_30_comments_in_10_minutes_and_the_31st_is_refused(plan, police_officer, probation_officer):
    section = section_of(plan, "Policing")
    for n in range(limits.COMMENTS.count):
        services.plan_comment_add(section=section, body=f"Comment {n}", by=police_officer)
    with pytest.raises(ratelimit.RateLimited) as refused:
        services.plan_comment_add(section=section, body="One more", by=police_officer)
    assert refused.value.messages == [TOO_MANY_COMMENTS]
    services.plan_comment_add(section=section, body="Another person's", by=probation_officer)
    for n in range(40):
        services.plan_comment_add(section=section, body=f"Seeded {n}", by=SYSTEM)


def test_the_page_says_why_the_comment_was_not_added(plan, police_officer):
    section = section_of(plan, "Policing")
    for _ in range(limits.COMMENTS.count):
        ratelimit.hit(limits.COMMENTS, by=police_officer)
    client = signed_in(police_officer)
    response = client.post(
        version_url(plan, rest=f"sections/{section.key}/comments/"), {"body": "One more"}, follow=True
    )
    assert TOO_MANY_COMMENTS in response.content.decode()
    assert not PlanComment.objects.filter(body="One more").exists()


def test_the_api_answers_429_with_the_same_words(plan, police_officer):
    section = section_of(plan, "Policing")
    for _ in range(limits.COMMENTS.count):
        ratelimit.hit(limits.COMMENTS, by=police_officer)
    response = signed_in(police_officer).post(
        f"/api/v1/plans/{plan.pk}/versions/1/sections/{section.key}/comments/",
        {"body": "One more"},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json() == {"detail": TOO_MANY_COMMENTS}
    assert 0 < int(response["Retry-After"]) <= limits.COMMENTS.seconds


def test_the_31st_document_in_an_hour_is_refused_on_the_page(plan, police_officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for _ in range(ratelimit.UPLOADS.count):
        ratelimit.hit(ratelimit.UPLOADS, by=police_officer)
    response = signed_in(police_officer).post(
        version_url(plan, rest="documents/new/"), {"title": "Evidence pack", "file": pdf_file()}
    )
    assert response.status_code == 200
    assert "You have uploaded 30 files in the last hour. Wait a few minutes and try again." in (
        response.content.decode()
    )
    assert not PlanAttachment.objects.exists() and not list(tmp_path.rglob("*.pdf"))
