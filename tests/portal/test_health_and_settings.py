import json
import os
import re
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


@pytest.fixture
def heartbeat_expected(monkeypatch):
    """As where a broker and workers run (the embedded default runs tasks in the web process: no heartbeat)."""
    from portal import schedule

    monkeypatch.setitem(
        schedule.EXPECTED,
        schedule.HEARTBEAT,
        schedule.Expected(schedule.HEARTBEAT, "heartbeat", schedule.HEARTBEAT_EVERY),
    )


@pytest.mark.django_db
def test_healthz_is_degraded_when_no_worker_has_beaten_for_a_minute(anonymous, heartbeat_expected):
    from datetime import timedelta

    from django.utils import timezone

    from portal.actors import system
    from portal.models import ScheduledRun
    from portal.schedule import HEARTBEAT, scheduled_run_done

    scheduled_run_done(name=HEARTBEAT, by=system("test"))
    assert anonymous.get("/healthz").json()["status"] == "ok"
    ScheduledRun.objects.filter(name=HEARTBEAT).update(last_finished_at=timezone.now() - timedelta(seconds=70))
    body = anonymous.get("/healthz").json()
    assert body["status"] == "degraded" and [j["job"] for j in body["scheduled_jobs_late"]] == [HEARTBEAT]
    # it says when a worker last answered, and when each scheduled job last finished
    beaten = ScheduledRun.objects.get(name=HEARTBEAT).last_finished_at.isoformat()
    assert body["worker_heartbeat"] == beaten and body["scheduled_runs"][HEARTBEAT] == beaten


@pytest.mark.django_db
def test_healthz_says_no_heartbeat_is_expected_where_tasks_run_in_the_web_process(anonymous, monkeypatch):
    from portal import schedule

    monkeypatch.delitem(schedule.EXPECTED, schedule.HEARTBEAT, raising=False)  # as in the embedded default
    body = anonymous.get("/healthz").json()
    assert body["worker_heartbeat"] == "not expected: tasks run in the web process"
    assert isinstance(body["scheduled_runs"], dict)


@pytest.mark.django_db
def test_healthz_is_degraded_when_a_task_has_waited_in_the_outbox_for_over_a_minute(anonymous):
    from datetime import timedelta

    from django.utils import timezone

    from portal.models import OutboxTask

    task = OutboxTask.objects.create(task_name="portal.record_probe", kwargs={"label": "x"})
    body = anonymous.get("/healthz").json()
    assert body["status"] == "ok" and body["outbox_oldest_waiting_seconds"] < 60
    OutboxTask.objects.filter(pk=task.pk).update(created_at=timezone.now() - timedelta(seconds=90))
    body = anonymous.get("/healthz").json()
    assert body["status"] == "degraded" and body["outbox_oldest_waiting_seconds"] >= 90


def test_the_heartbeat_is_scheduled_often_enough_to_be_seen_late_within_a_minute():
    from datetime import timedelta

    from django.conf import settings

    from portal.schedule import HEARTBEAT_EVERY

    every = timedelta(seconds=settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]["schedule"])
    assert every * 3 <= HEARTBEAT_EVERY == timedelta(minutes=1)


# Everything a deployment or a developer's shell might set that decides the settings: each test starts clean.
SETTINGS_VARIABLES = {
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "PORTAL_BASE_URL",
    "AUDIT_CHECKPOINT_KEY",
    "EMAIL_HOST",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_ADAPTER",
    "GOVUK_NOTIFY_API_KEY",
    "GOVUK_NOTIFY_TEMPLATE_ID",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
GOOD_KEY = "k" * 30 + "Z9!x" * 10
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": GOOD_KEY,
    "DATABASE_URL": "postgres://u@127.0.0.1:5432/none",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "portal.example.org",
    "PORTAL_BASE_URL": "https://portal.example.org",
    "EMAIL_HOST": "smtp.example.org",
}


def _env(env_extra=None) -> dict[str, str]:
    """This process's environment without anything that decides the settings, plus env_extra: the portal's own
    settings (manage.py's default), never the test settings this process runs under."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(env_extra or {})
    return env


def _manage(*args, env_extra=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=_env(env_extra), capture_output=True, text=True, timeout=120
    )


def _settings(env_extra):
    """Build portal.settings in a process of its own with this environment (quicker than a manage.py command)."""
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings"],
        cwd=ROOT,
        env=_env(env_extra),
        capture_output=True,
        text=True,
        timeout=60,
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
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


# --- A production start that cannot be unsafe -----------------------------------------------------------
@pytest.mark.parametrize("variable", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "PORTAL_BASE_URL"])
def test_debug_is_refused_with_any_production_variable(variable):
    result = _settings({"DEBUG": "1", variable: PRODUCTION[variable]})
    assert result.returncode != 0
    assert f"DEBUG is on, and this environment sets {variable}, which only a deployment sets" in result.stderr
    assert "In a deployment, set DEBUG=0 or remove DEBUG" in result.stderr


def test_debug_with_the_whole_production_environment_is_refused_too():
    result = _manage("demo_otp_code", "police.officer", env_extra={**PRODUCTION, "DEBUG": "1"})
    assert result.returncode != 0 and "DEBUG is on" in result.stderr


def test_debug_off_said_outright_is_the_production_shape_and_needs_its_variables():
    result = _settings({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY, DATABASE_URL, REDIS_URL, ALLOWED_HOSTS, PORTAL_BASE_URL" in result.stderr


def test_a_production_start_needs_a_way_to_send_email():
    without = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_HOST"}
    result = _settings(without)
    assert result.returncode != 0 and "The portal has no way to send email. Set EMAIL_HOST" in result.stderr
    notify = {"EMAIL_ADAPTER": "govuk_notify", "GOVUK_NOTIFY_API_KEY": "key-" + "0" * 70}
    result = _settings({**without, **notify})
    assert result.returncode != 0 and "GOVUK_NOTIFY_TEMPLATE_ID" in result.stderr
    result = _settings({**without, **notify, "GOVUK_NOTIFY_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a"})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "variable, value, refusal",
    [
        ("SECRET_KEY", "CHANGE-ME-to-a-long-random-string", "SECRET_KEY is a placeholder"),
        ("SECRET_KEY", "CHANGE-ME-" + "x" * 60, "SECRET_KEY is a placeholder"),
        ("SECRET_KEY", "x" * 30 + "ChangeMe" + "y" * 30, "SECRET_KEY is a placeholder"),
        ("SECRET_KEY", "PLACEHOLDER-" + "x" * 60, "SECRET_KEY is a placeholder"),
        ("SECRET_KEY", "x" * 49, "SECRET_KEY is 49 characters long. It must be at least 50 characters"),
        ("AUDIT_CHECKPOINT_KEY", "CHANGE-ME-to-another-long-random-string", "AUDIT_CHECKPOINT_KEY is a placeholder"),
        ("AUDIT_CHECKPOINT_KEY", "a" * 31, "AUDIT_CHECKPOINT_KEY is 31 characters long. It must be at least 32"),
        ("EMAIL_HOST_PASSWORD", "CHANGE-ME", "EMAIL_HOST_PASSWORD is a placeholder"),
    ],
)
def test_placeholder_and_short_keys_are_refused(variable, value, refusal):
    result = _settings({**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert refusal in result.stderr
    assert "See .env.example and docs/production.md." in result.stderr


def test_keys_long_enough_and_chosen_are_accepted():
    assert _settings({**PRODUCTION, "SECRET_KEY": "x" * 50, "AUDIT_CHECKPOINT_KEY": "a" * 32}).returncode == 0


def test_the_old_test_switch_turns_nothing_on():
    shown = "import portal.settings as s; print(s.DEBUG, getattr(s, 'PASSWORD_HASHERS', 'default'))"
    result = subprocess.run(
        [sys.executable, "-c", shown],
        cwd=ROOT,
        env=_env({"PORTAL_TESTING": "1"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "default"]
    assert _settings({**PRODUCTION, "PORTAL_TESTING": "1", "DEBUG": "1"}).returncode != 0


def test_the_suite_runs_under_the_test_settings_that_pytest_chooses():
    from django.conf import settings

    # NOTE: not settings.SETTINGS_MODULE: every test runs under an override (tests/conftest.py), which hides it.
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "portal.settings_test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert settings.AUDIT_LOG_TRUNCATE_FOR_TESTS is True
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'DJANGO_SETTINGS_MODULE = "portal.settings_test"' in pyproject
    for path in ("Makefile", ".ci/run", "tests/conftest.py", "tests/processes.py", "portal/settings.py"):
        assert "PORTAL_TESTING" not in (ROOT / path).read_text(), path


def test_the_image_starts_in_production_mode_and_refuses_to_run_without_its_variables():
    dockerfile = (ROOT / "Dockerfile").read_text()
    image_env = dict(re.findall(r"^\s+(DJANGO_SETTINGS_MODULE|DEBUG|MEDIA_ROOT|VAR_DIR)=(\S+)", dockerfile, re.M))
    assert image_env["DEBUG"] == "0"
    assert "python manage.py check --deploy && exec gunicorn" in dockerfile
    result = _manage("check", "--deploy", env_extra={**image_env, "VAR_DIR": "/tmp/portal-image-var"})
    assert result.returncode != 0
    assert "SECRET_KEY, DATABASE_URL, REDIS_URL, ALLOWED_HOSTS, PORTAL_BASE_URL" in result.stderr


# --- /healthz on a database that was never migrated ---------------------------------------------------
def test_healthz_answers_json_on_an_empty_database(tmp_path):
    asked = (
        "from django.test import Client; r = Client().get('/healthz'); "
        "print(r.status_code, r['Content-Type']); print(r.content.decode())"
    )
    result = _manage("shell", "-c", asked, env_extra={"VAR_DIR": str(tmp_path)})  # a new SQLite file there
    assert result.returncode == 0, result.stderr
    status_line, body = result.stdout.strip().splitlines()[-2:]
    assert status_line == "503 application/json"
    answer = json.loads(body)
    assert answer["status"] == "down"
    assert answer["database"].startswith("tables unreadable: OperationalError")
    assert answer["outbox_pending"] is None and answer["scheduled_jobs_late"] == []


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
        env_extra={**PRODUCTION, "DATABASE_URL": "postgres://u@127.0.0.1:1/none", "REDIS_URL": "redis://127.0.0.1:1/0"},
    )
    assert result.returncode != 0 and "demo_otp_code works only in development" in result.stderr


# --- The demo and development commands: development only, on a database of demo accounts only ----------
DEMO_COMMANDS = [
    ("seed_demo",),
    ("demo_logins",),
    ("demo_otp_code", "police.officer"),
    ("api_session", "police.officer"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("command", DEMO_COMMANDS, ids=lambda command: command[0])
def test_the_demo_commands_are_refused_with_the_production_settings(command, settings):
    from django.core.management.base import CommandError

    settings.LOCAL = False  # what DEBUG off with the production variables set gives
    with pytest.raises(CommandError, match=f"{command[0]} works only in development"):
        call_command(*command)
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("command", DEMO_COMMANDS, ids=lambda command: command[0])
def test_the_demo_commands_are_refused_on_a_database_with_accounts_not_the_demos(command, monkeypatch, capsys):
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo")
    get_user_model().objects.create_user("alice.jones", "alice.jones@police.example", "a-real-person's-password")
    capsys.readouterr()
    with pytest.raises(CommandError, match="this database holds 1 account that is not the demo's"):
        call_command(*command)
    assert "demo-password-123" not in capsys.readouterr().out


@pytest.mark.django_db
def test_the_service_users_of_api_tokens_do_not_stop_the_demo_commands(monkeypatch, capsys):
    from django.contrib.auth import get_user_model

    from partners.models import Partner
    from partners.services import api_token_create

    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo")
    office = get_user_model().objects.get(username="pcc.officer")
    police = Partner.objects.get(slug="west-midlands-police")
    api_token_create(name="Police feed", partner=police, days=30, by=office)
    assert get_user_model().objects.filter(is_service_account=True).exists()
    call_command("demo_logins")
    assert "police.officer" in capsys.readouterr().out
