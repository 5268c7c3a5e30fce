import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from portal.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_the_database_and_broker(anonymous):
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and "broker" in body


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(anonymous, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise connection.OperationalError("gone") if hasattr(connection, "OperationalError") else RuntimeError("gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = anonymous.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("unreachable")


def _manage(*args, env_extra=None):
    drop = {
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "PORTAL_BASE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "PORTAL_TESTING",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_name_what_is_missing():
    result = _manage("check", env_extra={"DEBUG": "0", "SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "DATABASE_URL, REDIS_URL, ALLOWED_HOSTS, PORTAL_BASE_URL" in result.stderr


def test_with_nothing_set_manage_py_works_on_the_embedded_default_with_debug_off():
    shown = "from django.conf import settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.ALLOWED_HOSTS)"
    result = _manage("shell", "-c", shown, env_extra={"DEBUG": ""})
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip().splitlines()[-1]
        == "False django.db.backends.sqlite3 ['127.0.0.1', 'localhost', 'testserver']"
    )
    assert _manage("makemigrations", "--check", "--dry-run", env_extra={"DEBUG": ""}).returncode == 0


def test_check_deploy_passes_with_a_production_environment():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DEBUG": "0",
            "SECRET_KEY": "k" * 30 + "Z9!x" * 10,
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/none",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "ALLOWED_HOSTS": "portal.example.org",
            "PORTAL_BASE_URL": "https://portal.example.org",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing_and_the_chain_verifies(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo")
    count = AuditEvent.objects.count()
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.count()
    call_command("seed_demo")
    assert AuditEvent.objects.count() == count
    assert get_user_model().objects.count() == users
    call_command("verify_audit")
    assert "Audit chain intact" in capsys.readouterr().out
    for username in [
        "pcc",
        "pcc.officer",
        "board.chair",
        "police.officer",
        "police.signatory",
        "probation.officer",
        "probation.signatory",
        "cps.officer",
        "cps.signatory",
        "courts.officer",
        "yjs.birmingham.officer",
        "yjs.coventry.officer",
        "health.officer",
        "victims.officer",
        "vrp.officer",
        "admin",
    ]:
        user = get_user_model().objects.get(username=username)
        assert user.check_password("demo-password-123")
        assert user.totpdevice_set.filter(confirmed=True).exists()


@pytest.mark.django_db
def test_the_demo_board_has_the_west_midlands_partners(monkeypatch):
    from partners.models import Partner

    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo")
    kinds = Partner.objects.values_list("kind", flat=True)
    assert list(kinds).count("local_authority") == 7 and list(kinds).count("youth_justice") == 7
    assert list(kinds).count("health") == 2
    assert Partner.objects.filter(slug="opcc", kind="pcc_office").exists()


def test_demo_otp_code_is_refused_in_production():
    result = _manage(
        "demo_otp_code",
        "police.officer",
        env_extra={
            "DEBUG": "0",
            "SECRET_KEY": "k" * 60,
            "DATABASE_URL": "postgres://u@127.0.0.1:1/none",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "ALLOWED_HOSTS": "x",
            "PORTAL_BASE_URL": "https://x",
        },
    )
    assert result.returncode != 0 and "only in development" in result.stderr
