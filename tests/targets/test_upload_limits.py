"""Data returns share the per-person upload limit with plan documents (portal/ratelimit.py): the upload page
says so on the file question, and the API answers 429 with the same words; nothing is stored."""

from __future__ import annotations

import pytest

from portal import ratelimit
from targets.models import DataReturn
from tests.conftest import signed_in
from tests.factories import csv_file

pytestmark = pytest.mark.django_db
TOO_MANY = "You have uploaded 30 files in the last hour. Wait a few minutes and try again."


@pytest.fixture
def uploaded_30(police_officer):
    for _ in range(ratelimit.UPLOADS.count):
        ratelimit.hit(ratelimit.UPLOADS, by=police_officer)


def test_the_31st_upload_in_an_hour_is_refused_on_the_page(sv, media, police_officer, uploaded_30):
    response = signed_in(police_officer).post("/data-returns/upload/", {"file": csv_file()})
    assert response.status_code == 200 and TOO_MANY in response.content.decode()
    assert not DataReturn.objects.exists() and not list(media.rglob("*.csv"))


def test_the_31st_upload_in_an_hour_is_refused_by_the_api_with_429(sv, media, police_officer, uploaded_30):
    response = signed_in(police_officer).post("/api/v1/data-returns/", {"file": csv_file()})
    assert response.status_code == 429 and response.json() == {"detail": TOO_MANY}
    assert response["Retry-After"].isdigit()
    assert not DataReturn.objects.exists()


def test_uploads_below_the_limit_go_through(sv, media, police_officer):
    response = signed_in(police_officer).post("/data-returns/upload/", {"file": csv_file()})
    assert response.status_code == 302 and DataReturn.objects.count() == 1
