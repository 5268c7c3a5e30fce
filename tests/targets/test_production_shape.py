"""The production shape as it runs: beat and worker started with docker-compose.yml's commands under
production settings, on a Redis the test starts on its own port (so it can stop it).

Run by .ci/run on PostgreSQL (marker `broker`)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.services import api_token_create
from portal.models import OutboxTask, SecurityEvent
from targets import services
from targets.models import DataReturn
from tests.conftest import wait_for
from tests.factories import PASSWORD, SYSTEM, csv_file
from tests.processes import AppProcess, RedisProcess, production_env

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis():
    redis = RedisProcess().start()
    yield redis
    redis.stop()


@pytest.fixture
def started(tmp_path):
    """start(service, redis_url) -> AppProcess; every process is stopped at the end."""
    running: list[AppProcess] = []

    def start(service: str, redis_url: str) -> AppProcess:
        process = AppProcess(service, env=production_env(redis_url=redis_url, tmp=tmp_path), tmp=tmp_path)
        running.append(process.start())
        return process

    yield start
    for process in running:
        process.stop()


def _valid(pk: int) -> bool:
    return DataReturn.objects.get(pk=pk).status == DataReturn.Status.VALID


def test_beat_and_worker_as_compose_runs_them_relay_and_validate_an_upload(
    own_redis, started, police, police_officer, homicides, media
):
    with transaction.atomic():
        data_return = services.data_return_upload(
            partner=police, by=police_officer, uploaded_file=csv_file("HOM,E23000014,2026-09-01,2026-09-30,4,,,,,")
        )
    assert OutboxTask.objects.get(task_name="targets.validate_data_return").status == OutboxTask.Status.PENDING
    beat = started("beat", own_redis.url)
    worker = started("worker", own_redis.url)
    assert wait_for(lambda: _valid(data_return.pk), seconds=60), beat.output()[-3000:] + worker.output()[-3000:]
    assert OutboxTask.objects.get(task_name="targets.validate_data_return").status == OutboxTask.Status.SENT
    assert "SchedulingError" not in beat.output() and "soft_time_limit" not in beat.output()


def _sign_in(client: Client, user) -> None:
    response = client.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = client.post("/sign-in/two-factor/", {"code": code})
    assert response.status_code == 302 and "two-factor" not in response["Location"]


def test_with_redis_stopped_people_sign_in_browse_and_upload_and_the_return_is_checked_once_it_is_back(
    own_redis, started, settings, police, police_officer, pcc_officer, homicides, media
):
    settings.REDIS_URL = own_redis.url
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    _, raw = api_token_create(name="Police feed", partner=police, days=30, by=pcc_officer)
    own_redis.stop()

    client = Client()
    _sign_in(client, police_officer)
    for path in ("/", "/indicators/", "/data-returns/", "/sharing-agreements/", "/account/"):
        assert client.get(path).status_code == 200, path
    response = client.post("/data-returns/upload/", {"file": csv_file("HOM,E23000014,2026-09-01,2026-09-30,4,,,,,")})
    assert response.status_code == 302
    data_return = DataReturn.objects.get()
    assert data_return.status == DataReturn.Status.UPLOADED  # waiting in the outbox, nothing lost

    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/indicators/").status_code == 200  # the throttle fails open...
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.THROTTLE_OFF).exists()  # ...and says so

    health = Client().get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "degraded"

    own_redis.start()  # Redis is back (same port): beat relays, the worker checks the return
    started("beat", own_redis.url)
    started("worker", own_redis.url)
    assert wait_for(lambda: _valid(data_return.pk), seconds=60)
    # the outbox drained and a worker's heartbeat (every 15 s) came in: all is well again
    assert wait_for(lambda: Client().get("/healthz").json()["status"] == "ok", seconds=45), (
        Client().get("/healthz").json()
    )
    assert client.get(f"/data-returns/{data_return.pk}/").status_code == 200


def _big_return(months: int = 1500):
    """A large, valid return (SV-1000 for three areas, every breakdown, month after month from 1900), slow
    enough to kill mid-check."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import HEADER

    from .conftest import BIRMINGHAM, COVENTRY, FORCE

    splits = (
        [("", "")]
        + [(sex, "") for sex in ("Female", "Male")]
        + [(sex, eth) for sex in ("", "Female", "Male") for eth in ("Asian", "Black", "Mixed", "White", "Other")]
    )
    lines = [HEADER]
    for i in range(months):
        year, month = 1900 + i // 12, i % 12 + 1
        end = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).isoformat()
        for area in (FORCE, BIRMINGHAM, COVENTRY):
            for n, (sex, eth) in enumerate(splits):
                lines.append(f"SV-1000,{area},{year}-{month:02d}-01,{end},{(i + n) % 7}.5,,,,{sex},{eth}")
    return SimpleUploadedFile("big.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def test_a_worker_killed_mid_check_leaves_nothing_stuck(own_redis, started, police, police_officer, sv, media):
    from django.utils import timezone

    with transaction.atomic():
        data_return = services.data_return_upload(partner=police, by=police_officer, uploaded_file=_big_return())
    beat = started("beat", own_redis.url)
    worker = started("worker", own_redis.url)
    checking = lambda: DataReturn.objects.get(pk=data_return.pk).status == DataReturn.Status.VALIDATING  # noqa: E731
    assert wait_for(checking, seconds=60), worker.output()[-3000:]
    worker.kill()  # SIGKILL to the main process and its pool children, as a container kill does
    beat.stop()
    stuck = DataReturn.objects.get(pk=data_return.pk)
    assert stuck.status == DataReturn.Status.VALIDATING and stuck.validation_attempts == 1

    # Later, the beat sweeper finds it: queued again, and a new worker finishes the checks.
    result = services.data_returns_sweep_stuck(
        now=timezone.now() + services.STUCK_AFTER + timedelta(minutes=1), by=SYSTEM
    )
    assert result == {"retried": 1, "failed": 0}
    started("beat", own_redis.url)
    started("worker", own_redis.url)
    finished = lambda: DataReturn.objects.get(pk=data_return.pk).is_finished  # noqa: E731
    assert wait_for(finished, seconds=120), DataReturn.objects.get(pk=data_return.pk).status
    assert DataReturn.objects.get(pk=data_return.pk).status == DataReturn.Status.VALID, DataReturn.objects.get(
        pk=data_return.pk
    ).errors[:3]
    assert DataReturn.objects.get(pk=data_return.pk).validation_attempts >= 2
