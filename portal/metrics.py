"""Prometheus metrics at /metrics, for the operator's scraper only (a bearer token, METRICS_TOKEN; without one
the endpoint does not exist: 404).

- `portal_request_seconds{view,method,status}`: the time to answer each request, by route name (a bounded set:
  an address that names no route is "unmatched"), recorded by MetricsMiddleware in the web process. Under
  gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR (an empty folder per start) so the workers'
  figures are added up.
- Read from the database at each scrape, so the same whichever process answers and across web and worker
  machines: the outbox (`portal_outbox_tasks{status}`, `portal_outbox_oldest_pending_seconds`), the background
  tasks it carried (`portal_tasks_total{outcome}`: sent to the broker, failed), notification emails by state
  (`portal_notification_emails{state}`: queued and sending are pending), lockouts
  (`portal_lockouts_total`), and each scheduled job's age (`portal_scheduled_job_age_seconds{job}`).
"""

from __future__ import annotations

import hmac
import os
import time

from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # the folder must exist before the first metric is made
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

REQUEST_SECONDS = Histogram(
    "portal_request_seconds",
    "Time to answer a request, by route name, method and status class",
    ["view", "method", "status"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
)


class MetricsMiddleware:
    """Times each request (outermost but the request id, so error pages count too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None and match.view_name else "unmatched"
        REQUEST_SECONDS.labels(
            view, request.method if request.method in KNOWN_METHODS else "other", f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - started)
        return response


KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class DatabaseCollector:
    """What the database says now: one scrape, a handful of small counting queries."""

    def collect(self):
        from .models import Notification, OutboxTask, ScheduledRun, SecurityEvent

        up = GaugeMetricFamily("portal_database_up", "Whether the database answered this scrape")
        try:
            outbox = dict(OutboxTask.objects.values_list("status").annotate(n=Count("id")).order_by())
            first = OutboxTask.objects.filter(status=OutboxTask.Status.PENDING).order_by("created_at").first()
            emails = dict(Notification.objects.values_list("email_state").annotate(n=Count("id")).order_by())
            lockouts = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKED_OUT).count()
            runs = list(ScheduledRun.objects.order_by("name"))
        except Exception:  # the scrape says the database is down rather than failing
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        tasks = GaugeMetricFamily("portal_outbox_tasks", "Background tasks in the outbox, by status", labels=["status"])
        for status in OutboxTask.Status.values:
            tasks.add_metric([status], outbox.get(status, 0))
        yield tasks
        total = CounterMetricFamily(
            "portal_tasks", "Background tasks handed to the broker, and those that could not be", labels=["outcome"]
        )
        total.add_metric(["sent"], outbox.get(OutboxTask.Status.SENT, 0))
        total.add_metric(["failed"], outbox.get(OutboxTask.Status.FAILED, 0))
        yield total
        oldest = GaugeMetricFamily(
            "portal_outbox_oldest_pending_seconds", "How long the oldest task has waited for the relay (0: none)"
        )
        oldest.add_metric([], 0 if first is None else max(0.0, (timezone.now() - first.created_at).total_seconds()))
        yield oldest
        mail = GaugeMetricFamily("portal_notification_emails", "Notification emails, by state", labels=["state"])
        for state in Notification.EmailState.values:
            mail.add_metric([state], emails.get(state, 0))
        yield mail
        locked = CounterMetricFamily("portal_lockouts", "Accounts locked out after repeated failed sign-ins")
        locked.add_metric([], lockouts)
        yield locked
        age = GaugeMetricFamily(
            "portal_scheduled_job_age_seconds", "Seconds since each scheduled job last finished", labels=["job"]
        )
        now = timezone.now()
        for run in runs:
            if run.last_finished_at is not None:
                age.add_metric([run.name], (now - run.last_finished_at).total_seconds())
        yield age


def _process_registry():
    """The request timings: the workers' together under gunicorn (PROMETHEUS_MULTIPROC_DIR), else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def metrics(request):
    token = getattr(settings, "METRICS_TOKEN", "")
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = HttpResponse("A bearer token is needed.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector())
    body = generate_latest(_process_registry()) + generate_latest(database)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
