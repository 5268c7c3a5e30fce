"""A database that cannot be reached (down, restarting): every page answers at once with the "service
unavailable" page (503, Retry-After), the API with JSON, and /healthz names the database. The database is
made unreachable for real: the connection is pointed at a port where nothing listens. PostgreSQL only (the
suite's second pass, .ci/run): the SQLite test database lives in memory and its connection never closes."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from django.db import connection

from tests.conftest import signed_in
from tests.processes import free_port

pytestmark = pytest.mark.postgres


@contextmanager
def database_unreachable():
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def production_errors(settings):
    settings.DEBUG = False  # the production handlers, not Django's technical pages


@pytest.mark.django_db(transaction=True)
def test_a_page_answers_service_unavailable_when_the_database_is_down(police_officer, production_errors):
    client = signed_in(police_officer)
    client.raise_request_exception = False
    with database_unreachable():
        started = time.monotonic()
        response = client.get("/data-returns/")
        took = time.monotonic() - started
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Sorry, the service is unavailable" in body
    assert "govuk-template" in body  # the styled page, rendered without the database
    assert took < 2


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_503_in_json_when_the_database_is_down(police_officer, production_errors):
    client = signed_in(police_officer)
    client.raise_request_exception = False
    with database_unreachable():
        response = client.get("/api/v1/partners/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "unavailable" in response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_healthz_names_the_database_as_down(client, production_errors):
    with database_unreachable():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["database"].startswith("unreachable")


@pytest.mark.django_db
def test_a_query_that_fails_on_a_reachable_database_is_not_called_unavailable():
    from portal.views.pages import database_unavailable

    with pytest.raises(Exception) as failed:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_anywhere")
    assert not database_unavailable(failed.value)
