"""Named people of the test board (STYLE.md) and a signed-in client helper."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from partners.models import Partner, Role

from .factories import make_partner, make_person

TEST_SETTINGS = "portal.settings_test"
# NOTE: an exported DJANGO_SETTINGS_MODULE wins over pyproject.toml's: without the test settings the suite
# would run with the slow password hasher and, on PostgreSQL, could not empty the audit log between tests.
if django_settings.SETTINGS_MODULE != TEST_SETTINGS:
    raise pytest.UsageError(
        f"The tests run under {TEST_SETTINGS}, not {django_settings.SETTINGS_MODULE}: "
        "unset DJANGO_SETTINGS_MODULE (pyproject.toml chooses the test settings)."
    )


@pytest.fixture
def police(db) -> Partner:
    return make_partner("west-midlands-police", Partner.Kind.POLICE, "West Midlands Police")


@pytest.fixture
def probation(db) -> Partner:
    return make_partner("probation-west-midlands", Partner.Kind.PROBATION, "Probation Service West Midlands")


@pytest.fixture
def opcc(db) -> Partner:
    return make_partner("opcc", Partner.Kind.PCC_OFFICE, "Office of the PCC")


@pytest.fixture
def police_officer(police):
    return make_person(police, Role.OFFICER, "police.officer")


@pytest.fixture
def police_signatory(police):
    return make_person(police, Role.SIGNATORY, "police.signatory")


@pytest.fixture
def probation_officer(probation):
    return make_person(probation, Role.OFFICER, "probation.officer")


@pytest.fixture
def pcc_officer(opcc):
    return make_person(opcc, Role.PCC_OFFICER, "pcc.officer")


@pytest.fixture
def pcc(opcc):
    return make_person(opcc, Role.PCC, "pcc")


@pytest.fixture
def board_member(opcc):
    return make_person(opcc, Role.BOARD_MEMBER, "board.chair")


@pytest.fixture
def anonymous() -> Client:
    return Client()


def signed_in(user, *, verified: bool = True, stepped_up: bool = True) -> Client:
    """A client whose session has passed the password and (unless told) the second factor, and (unless
    told) has confirmed a fresh code for step-up actions just now."""
    import time

    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.security import STEP_UP_AT_KEY, VERIFIED_AT_KEY

    client = Client()
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[VERIFIED_AT_KEY] = time.time()
        if stepped_up:
            session[STEP_UP_AT_KEY] = time.time()
        session.save()
    return client


@pytest.fixture
def client_for():
    return signed_in


@pytest.fixture(autouse=True)
def _background_tasks_run_in_process(request, settings):
    """Outside the `broker` tests, queued tasks run in-process when their transaction commits.

    The CI run on PostgreSQL and Redis sets REDIS_URL, which turns the relay over to beat; the
    tests that need a real broker and worker say so with the `broker` marker.
    """
    if request.node.get_closest_marker("broker"):
        yield
        return
    from portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.OUTBOX_RELAY_ON_COMMIT = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _rate_limits_count_afresh(monkeypatch):
    """Each test counts its own writes against the per-person limits (portal/ratelimit.py): the same user
    ids come back in the next test, and the cache outlives a test."""
    import uuid

    from portal import ratelimit

    monkeypatch.setattr(ratelimit, "NAMESPACE", f"ratelimit-{uuid.uuid4().hex}")


@pytest.fixture(autouse=True)
def _public_pages_cached_afresh(monkeypatch):
    """Each test starts with no public page in the cache (portal/public.py): a page kept in one test would
    otherwise be served in the next, whose data differ."""
    import uuid

    from portal import public

    monkeypatch.setattr(public, "NAMESPACE", f"public-page-{uuid.uuid4().hex}")


@pytest.fixture
def worker():
    """A real Celery worker process on the test database, taking tasks from Redis."""
    from django.conf import settings
    from django.db import connection

    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.fail("the worker tests need REDIS_URL and DATABASE_URL (PostgreSQL): run them through .ci/run")
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env["DJANGO_SETTINGS_MODULE"] = TEST_SETTINGS  # DEBUG on a real database, as in this process
    celery = Path(sys.executable).with_name("celery")
    proc = subprocess.Popen(
        [
            str(celery),
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "info",
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield proc
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_for(predicate, seconds: float = 40) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


@pytest.fixture(scope="session", autouse=True)
def _no_database_session_outlives_the_suite(django_db_setup, django_db_blocker):
    """On PostgreSQL, end any session still open on the test database before pytest-django drops it, and say
    which: a thread (of a race test, of the live server) that has not closed its connection yet makes the
    drop fail with "being accessed by other users" and leaves the database behind. Set up after the test
    database, so torn down before it."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid, state, left(query, 80), pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                left = cursor.fetchall()
        except Exception:  # the database is unreachable: nothing to end
            return
    for pid, state, query, _ in left:
        sys.stderr.write(f"\nA database session outlived the suite and was ended: pid {pid}, {state}, {query!r}\n")


UPLOADS_BUCKET = "portal-uploads-test"


@pytest.fixture
def uploads_bucket(settings, tmp_path):
    """Uploads in an S3 bucket (moto's S3, in this process), configured as UPLOADS_S3_BUCKET configures it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    import boto3
    from moto import mock_aws

    with mock_aws():
        boto3.client("s3", region_name="eu-west-2").create_bucket(
            Bucket=UPLOADS_BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "uploads": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": UPLOADS_BUCKET,
                    "location": "uploads",
                    "region_name": "eu-west-2",
                    "access_key": "testing",
                    "secret_key": "testing",
                    "file_overwrite": False,
                    "default_acl": None,
                },
            },
        }
        yield boto3.client("s3", region_name="eu-west-2")
