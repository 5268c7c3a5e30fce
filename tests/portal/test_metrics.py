"""/metrics: only with the scraper's bearer token (none configured: it does not exist); request timings by route
name; the outbox, the background tasks it carried, notification emails, lockouts and scheduled jobs read from
the database at each scrape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from portal.models import Notification, OutboxTask, ScheduledRun, SecurityEvent

pytestmark = pytest.mark.django_db

TOKEN = "scrape-3b9e1f0c7a2d4e6f"


def _scrape(client: Client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_without_a_token_configured_there_is_no_metrics_endpoint(settings):
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


def test_only_the_scrapers_token_is_let_in(settings):
    settings.METRICS_TOKEN = TOKEN
    client = Client()
    for header in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": TOKEN}):
        refused = client.get("/metrics", **header)
        assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")
        assert b"portal_" not in refused.content


def test_the_scrape_counts_what_waits_and_what_failed(settings):
    settings.METRICS_TOKEN = TOKEN
    now = timezone.now()
    OutboxTask.objects.create(
        task_name="portal.x", status=OutboxTask.Status.PENDING, created_at=now - timedelta(seconds=90)
    )
    OutboxTask.objects.create(task_name="portal.x", status=OutboxTask.Status.SENT)
    OutboxTask.objects.create(task_name="portal.x", status=OutboxTask.Status.FAILED)
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.LOCKED_OUT, username="someone")
    ScheduledRun.objects.update_or_create(
        name="portal.test_job",
        defaults={
            "label": "A job",
            "expected_every": timedelta(hours=1),
            "last_finished_at": now - timedelta(minutes=5),
        },
    )
    client = Client()
    client.get("/sign-in/")  # a page timed before the scrape
    seen = _scrape(client)
    assert seen[("portal_database_up", ())] == 1
    assert seen[("portal_outbox_tasks", (("status", "pending"),))] == 1
    assert seen[("portal_tasks_total", (("outcome", "failed"),))] == 1
    assert seen[("portal_tasks_total", (("outcome", "sent"),))] == 1
    assert 89 <= seen[("portal_outbox_oldest_pending_seconds", ())] < 200
    assert seen[("portal_lockouts_total", ())] == 1
    assert 299 <= seen[("portal_scheduled_job_age_seconds", (("job", "portal.test_job"),))] < 400
    assert seen[("portal_notification_emails", (("state", Notification.EmailState.QUEUED.value),))] == 0
    timed = [
        value
        for (name, labels), value in seen.items()
        if name == "portal_request_seconds_count" and ("view", "portal:login") in labels and ("status", "2xx") in labels
    ]
    assert timed and timed[0] >= 1


def test_an_address_that_names_no_route_is_counted_as_unmatched(settings, police_officer):
    from tests.conftest import signed_in

    settings.METRICS_TOKEN = TOKEN
    signed_in(police_officer).get("/no-such-page/")
    seen = _scrape(Client())
    assert any(
        name == "portal_request_seconds_count" and ("view", "unmatched") in labels and ("status", "4xx") in labels
        for (name, labels) in seen
    )
