"""Quiet, true logs: an expected refusal is one line without a traceback; /favicon.ico is served and
never recorded as access denied."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from portal.models import SecurityEvent
from tests.conftest import signed_in


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "officer"])
def test_the_favicon_is_served_to_anyone_and_never_logged_as_a_refusal(who, police_officer):
    client = Client() if who == "anonymous" else signed_in(police_officer)
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCESS_DENIED).exists()


@pytest.mark.django_db
def test_a_refusal_is_logged_in_one_line_without_a_traceback(police_officer, caplog):
    client = signed_in(police_officer)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/audit/").status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert refusals, "the refusal is still logged"
    for record in refusals:
        assert record.exc_info is None and not record.exc_text
        assert "\n" not in record.getMessage()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCESS_DENIED, path="/audit/").count() == 1


def test_a_server_error_keeps_its_traceback():
    from portal.log_filters import ExpectedRefusals

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), sys.exc_info()
        )
    record.status_code = 500
    assert ExpectedRefusals().filter(record) and record.exc_info is not None
