"""Home, the public information pages, error pages and the health check."""

from __future__ import annotations

import re
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from ..schedule import EXPECTED, HEARTBEAT, OUTBOX_WAITING_TOO_LONG


def favicon(request):
    """/favicon.ico, built by scripts/build-assets.sh (pages link the SVG; browsers and tools still ask)."""
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.http import Http404, HttpResponse

    path = finders.find("build/favicon.ico")
    try:
        data = open(path, "rb").read() if path else staticfiles_storage.open("build/favicon.ico").read()
    except OSError:
        raise Http404
    response = HttpResponse(data, content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def accessibility(request):
    return render(request, "portal/accessibility.html")


def privacy(request):
    return render(request, "portal/privacy.html")


def cookies(request):
    return render(request, "portal/cookies.html")


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def error_403(request, exception=None):
    if _is_api(request):  # a program calling the API reads JSON, as from every API view
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    # The refusal names the action (portal.permissions.refusal); Django's own 403s carry no words.
    refused = str(exception or "").strip()
    return render(request, "403.html", {"refused": refused}, status=403)


def error_404(request, exception=None):
    if _is_api(request):  # an address under /api/ that names no endpoint: JSON, like the API's own 404s
        return JsonResponse({"detail": "Not found. The API's endpoints are listed at /api/v1/."}, status=404)
    return render(request, "404.html", status=404)


FALLBACK_500 = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Sorry, there is a problem with the '
    "service</title></head><body><h1>Sorry, there is a problem with the service</h1><p>Try again later. Nothing you "
    "saved before this page appeared has been lost.</p><p>Reference: {reference}</p></body></html>"
)


def error_500(request):
    # NOTE: the styled page needs the database (navigation); when that is what failed, send plain HTML.
    from django.http import HttpResponse

    if database_unavailable(sys.exc_info()[1]):
        return error_503(request)
    if _is_api(request):
        return JsonResponse({"detail": "Sorry, there is a problem with the service. Try again later."}, status=500)
    try:
        return render(request, "500.html", status=500)
    except Exception:
        reference = re.sub(r"[^A-Za-z0-9._-]", "", getattr(request, "request_id", "-"))
        return HttpResponse(FALLBACK_500.format(reference=reference or "-"), status=500)


# SQLSTATE classes of a database that cannot be reached or is going away: 08 connection exception, 57 operator
# intervention (shutting down, starting up). Errors a connection makes before the server answers carry none.
UNAVAILABLE_SQLSTATE_CLASSES = ("08", "57")
QUERY_CANCELED = "57014"  # a statement timeout: the database answered
RETRY_AFTER_SECONDS = 30
FALLBACK_503 = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Sorry, the service is unavailable'
    "</title></head><body><h1>Sorry, the service is unavailable</h1><p>You will be able to use the service again "
    "soon. Try again in a few minutes.</p><p>Nothing you saved before this page appeared has been lost.</p>"
    "<p>Reference: {reference}</p></body></html>"
)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether an exception means the database cannot be reached (down, restarting), not that a query failed."""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__ or exc
    state = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    if state:
        return str(state)[:2] in UNAVAILABLE_SQLSTATE_CLASSES and str(state) != QUERY_CANCELED
    # no SQLSTATE: the connection itself failed (refused, closed, or a database file that cannot be opened)
    return isinstance(exc, OperationalError | InterfaceError)


def error_503(request):
    """The database is down: say so (503, with Retry-After) at once, without asking the database anything."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse

    if _is_api(request):
        response = JsonResponse(
            {"detail": "The service is unavailable for a short time. Try again in a few minutes."}, status=503
        )
    else:
        # NOTE: as for a visitor signed out: the person's account, navigation and messages live in the database.
        request.user = AnonymousUser()
        request._messages = CookieStorage(request)
        try:
            response = render(request, "503.html", status=503)
        except Exception:
            reference = re.sub(r"[^A-Za-z0-9._-]", "", getattr(request, "request_id", "-"))
            response = HttpResponse(FALLBACK_503.format(reference=reference or "-"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _broker_state() -> str:
    from django.conf import settings

    if not settings.REDIS_URL:
        return "eager (no broker configured)"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return "ok"
    except Exception as exc:
        return f"unreachable: {type(exc).__name__}"


def _ask(question):
    """(answer, None), or (None, what stopped it): each database question of the health check fails soft, so
    that an empty (never migrated) or broken database still gets a JSON answer saying what is down."""
    try:
        with transaction.atomic():
            return question(), None
    except Exception as exc:
        return None, type(exc).__name__


def _oldest_waiting_seconds() -> int | None:
    from ..models import OutboxTask

    first = OutboxTask.objects.filter(status=OutboxTask.Status.PENDING).order_by("created_at").first()
    return None if first is None else max(0, int((timezone.now() - first.created_at).total_seconds()))


def _last_runs() -> dict[str, str | None]:
    from ..models import ScheduledRun

    return {
        run.name: run.last_finished_at.isoformat() if run.last_finished_at else None
        for run in ScheduledRun.objects.order_by("name")
    }


def _late_jobs() -> list[dict]:
    from ..schedule import late_runs

    return [
        {
            "job": run.name,
            "label": run.label,
            "last_finished_at": run.last_finished_at.isoformat() if run.last_finished_at else None,
        }
        for run in late_runs()
    ]


def healthz(request):
    """ "ok"; "degraded" (200) when Redis is down and the portal serves without it (background work
    waits in the outbox), a task has waited in the outbox for over a minute, or a scheduled job has not
    run in time (the workers' heartbeat among them: no worker for a minute); "down" (503) when the database
    does not answer, or answers but its tables cannot be read (never migrated)."""
    from ..models import OutboxTask

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()

    _, error = _ask(select_one)
    database = "ok" if error is None else f"unreachable: {error}"
    pending, late, oldest, runs = None, None, None, None
    if error is None:
        pending, pending_error = _ask(OutboxTask.objects.filter(status=OutboxTask.Status.PENDING).count)
        oldest, oldest_error = _ask(_oldest_waiting_seconds)
        late, late_error = _ask(_late_jobs)
        runs, _ = _ask(_last_runs)
        if pending_error or late_error or oldest_error:
            database = f"tables unreadable: {pending_error or late_error or oldest_error} (has manage.py migrate run?)"
    broker = _broker_state()
    outbox_stuck = oldest is not None and oldest > OUTBOX_WAITING_TOO_LONG.total_seconds()
    if database != "ok":
        status = "down"
    elif broker.startswith("unreachable") or late or outbox_stuck:
        status = "degraded"
    else:
        status = "ok"
    body = {
        "status": status,
        "database": database,
        "broker": broker,
        "outbox_pending": pending,
        # how long the oldest task has waited for the relay: over a minute, background work is not moving
        "outbox_oldest_waiting_seconds": oldest,
        "scheduled_jobs_late": late if late is not None else [],
        # when each scheduled job last finished (the workers' heartbeat among them, where workers run)
        "scheduled_runs": runs if runs is not None else {},
        # the last time a worker answered beat's heartbeat (null: never)
        "worker_heartbeat": (runs or {}).get(HEARTBEAT)
        if HEARTBEAT in EXPECTED
        else "not expected: tasks run in the web process",
    }
    return JsonResponse(body, status=503 if status == "down" else 200)
