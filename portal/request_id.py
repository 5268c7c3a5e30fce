"""A request id for every request and task, so that a person can quote it and an operator find every log line
of it: taken from the proxy's X-Request-ID when it is a plain token, otherwise made here; returned in the
response's X-Request-ID header, shown on the error pages, and put on every log record (`request_id`) made while
the request is handled. A Celery task's log records carry its task id (`task_id`) the same way.

The JSON formatter writes one object per line (time, level, logger, message, request_id, task_id and the
exception's traceback), for a log shipper; `LOG_FORMAT=json` chooses it (the plain one is the default)."""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

HEADER = "X-Request-ID"
# A proxy's id is kept only when it is a plain token: never a way to write into the logs.
ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_request: ContextVar[str] = ContextVar("request_id", default="-")
_task: ContextVar[str] = ContextVar("task_id", default="-")


def current() -> str:
    """The id of the request being handled ("-" outside one)."""
    return _request.get()


class RequestIdMiddleware:
    """First in the chain: every response, error pages included, carries the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = given if ACCEPTED.match(given) else uuid.uuid4().hex
        request.request_id = rid
        token = _request.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        response[HEADER] = rid
        return response


class ContextFilter(logging.Filter):
    """Puts the request id and the task id on every record (a dash outside a request or a task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(record, "request_id", None) or _request.get()
        record.task_id = getattr(record, "task_id", None) or _task.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        body = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "task_id": getattr(record, "task_id", "-"),
        }
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False, default=str)


def connect_celery_signals() -> None:
    """A task's log records carry its id (called from portal.celery)."""
    from celery.signals import task_postrun, task_prerun

    tokens: dict[str, object] = {}

    @task_prerun.connect(weak=False)
    def _started(task_id=None, **_):
        tokens[task_id] = _task.set(task_id or "-")

    @task_postrun.connect(weak=False)
    def _finished(task_id=None, **_):
        token = tokens.pop(task_id, None)
        if token is not None:
            _task.reset(token)
