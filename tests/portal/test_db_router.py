"""With a read replica configured (DATABASE_REPLICA_URL), only the target snapshots are read from it: every
other read and every write stays on the primary, and nothing is migrated on the replica. Without one, all
queries go to the primary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from partners.models import Partner
from portal.db_router import ReplicaRouter
from portal.models import AuditEvent
from targets.models import Target, TargetSnapshot

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def replica(monkeypatch):
    monkeypatch.setitem(settings.DATABASES, "replica", dict(settings.DATABASES["default"]))


def test_without_a_replica_everything_is_on_the_primary():
    assert TargetSnapshot.objects.all().db == "default"
    assert ReplicaRouter().db_for_read(TargetSnapshot) is None


def test_with_a_replica_only_the_snapshots_are_read_from_it(replica):
    assert TargetSnapshot.objects.all().db == "replica"
    for model in (Target, Partner, AuditEvent):
        assert model.objects.all().db == "default", model
    router = ReplicaRouter()
    assert router.db_for_write(TargetSnapshot) is None  # writes: the primary
    assert router.allow_migrate("replica", "targets") is False
    assert router.allow_migrate("default", "targets") is True


def test_the_replica_is_configured_from_its_url_and_mirrors_the_primary_in_tests():
    env = {
        **os.environ,
        # as the CI drills make a development database on PostgreSQL: the test settings
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "PORTAL_TESTING": "1",
        "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
        "DATABASE_REPLICA_URL": "postgres://portal@replica.internal:5432/portal",
        "REDIS_URL": "",
        "DEBUG": "1",
    }
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "r = s.DATABASES['replica']; print(r['HOST'], r['TEST']['MIRROR'], s.DATABASES['default']['HOST'])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["replica.internal", "default", "db.internal"]
