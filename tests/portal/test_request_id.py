"""Every request has an id a person can quote and an operator can search for: in the response's X-Request-ID
header, on the error pages, and on every log record made while it is handled (plain or JSON); a task's log
records carry the task's id."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from celery.signals import task_postrun, task_prerun
from django.http import HttpResponse
from django.test import Client, RequestFactory

import portal.celery  # noqa: F401 (connects the task signals, as the worker does)
from portal.request_id import ContextFilter, JsonFormatter, RequestIdMiddleware
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def _captured(formatter: logging.Formatter) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("tests.request_id")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_each_response_carries_its_own_id_and_a_plain_token_from_the_proxy_is_kept():
    client = Client()
    first, second = client.get("/sign-in/"), client.get("/sign-in/")
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get("/sign-in/", HTTP_X_REQUEST_ID="lb-7f3a9c21e0").get("X-Request-ID") == "lb-7f3a9c21e0"
    # anything else from outside is never echoed (nor written into a log line)
    for given in ("short", "x" * 65, "abc def ghi", "abcdefgh\nforged: line", "<script>alert(1)</script>"):
        answered = client.get("/sign-in/", HTTP_X_REQUEST_ID=given)["X-Request-ID"]
        assert answered != given and re.fullmatch(r"[0-9a-f]{32}", answered)


def test_the_error_pages_show_the_reference_to_quote(police_officer):
    response = signed_in(police_officer).get("/no-such-page/")
    assert response.status_code == 404
    assert f'Reference: <span class="app-nowrap">{response["X-Request-ID"]}</span>' in response.content.decode()


def test_log_records_made_during_a_request_carry_its_id_in_json():
    logger, stream = _captured(JsonFormatter())

    def view(request):
        logger.info("the return was checked")
        try:
            raise ValueError("bad row")
        except ValueError:
            logger.exception("checking failed")
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/"))
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in lines] == ["the return was checked", "checking failed"]
    assert {line["request_id"] for line in lines} == {response["X-Request-ID"]}
    assert lines[0]["level"] == "INFO" and lines[0]["logger"] == "tests.request_id" and lines[0]["task_id"] == "-"
    assert "ValueError: bad row" in lines[1]["exception"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", lines[0]["time"])
    # after the request, records carry no id
    logger.info("between requests")
    assert json.loads(stream.getvalue().splitlines()[-1])["request_id"] == "-"


def test_a_tasks_log_records_carry_its_task_id():
    logger, stream = _captured(logging.Formatter("%(task_id)s %(request_id)s %(message)s"))
    task_prerun.send(sender=None, task_id="8d1c7e2a-task")
    logger.info("sending the email")
    task_postrun.send(sender=None, task_id="8d1c7e2a-task")
    logger.info("idle")
    assert stream.getvalue().splitlines() == ["8d1c7e2a-task - sending the email", "- - idle"]
