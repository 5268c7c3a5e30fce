"""What the load runs share (scripts/bench/run.py, scripts/ops/loadtest.py): the production settings on loopback,
a PostgreSQL database of their own, collected static files, gunicorn, the Celery worker and beat as
docker-compose.yml starts them, signing in as a person does (password, then a TOTP code), and locust run headless
with its figures read back from its CSV files.

Nothing here asserts anything: each script says what it measures and what counts as a failure.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import platform
import re
import secrets
import socket
import struct
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
TAG = ["bench"]  # what say() prints in front of each line (each script sets its own)


def say(message: str) -> None:
    print(f"[{TAG[0]} {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The environment: production settings on loopback ------------------------------------------------
def environment(*, postgres: str, database: str, redis: str, port: int, scratch: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "EMAIL_"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        AUDIT_CHECKPOINT_KEY=secrets.token_urlsafe(48),
        AUDIT_CHECKPOINT_FILE=str(scratch / "audit-checkpoints.jsonl"),
        DATABASE_URL=f"{postgres.rstrip('/')}/{database}",
        REDIS_URL=redis,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
        # Nothing listens there: email that a worker sends fails and stays in the outbox to be retried.
        EMAIL_HOST="127.0.0.1",
        # Plain http on loopback: no redirect to https (the cookies stay Secure; the clients send them by hand).
        SECURE_SSL_REDIRECT="0",
        WEBAUTHN_RP_ID="localhost",
        WEBAUTHN_ORIGINS=f"http://localhost:{port}",
        VAR_DIR=str(scratch / "var"),
        MEDIA_ROOT=str(scratch / "media"),
        PROMETHEUS_MULTIPROC_DIR=str(scratch / "prometheus"),
        LOG_LEVEL="WARNING",
    )
    (scratch / "prometheus").mkdir(parents=True, exist_ok=True)
    return env


def manage(env, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _admin(postgres: str):
    admin = psycopg2.connect(f"{postgres.rstrip('/')}/postgres")
    admin.autocommit = True
    return admin


def database_exists(*, postgres: str, database: str) -> bool:
    admin = _admin(postgres)
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        found = cursor.fetchone() is not None
    admin.close()
    return found


def database_create(*, postgres: str, database: str, env) -> None:
    """A new, migrated database (an old one of that name is dropped first)."""
    database_drop(postgres=postgres, database=database)
    admin = _admin(postgres)
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{database}"')
    admin.close()
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v", "0")
    say(f"migrated in {time.perf_counter() - started:.0f} s")


def database_vacuum(env) -> None:
    db = psycopg2.connect(env["DATABASE_URL"])
    db.autocommit = True  # (VACUUM runs outside a transaction)
    with db.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum would have done by the time anyone looks
    db.close()


def database_drop(*, postgres: str, database: str) -> None:
    admin = _admin(postgres)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin.close()


def bench_database(*, postgres: str, database: str, env, scale: float, reuse: bool, on_top=None) -> float:
    """A new database with the benchmark data at `scale` (then on_top(), if given), vacuumed; the seconds it
    took, or 0.0 when `reuse` finds the database a --keep-db run left."""
    if reuse and database_exists(postgres=postgres, database=database):
        say(f"using the database {database} as it is (--reuse-db)")
        return 0.0
    started = time.perf_counter()
    database_create(postgres=postgres, database=database, env=env)
    say(f"generating at scale {scale}")
    manage(env, "bench_data", "--scale", str(scale))
    if on_top:
        on_top()
    database_vacuum(env)
    took = time.perf_counter() - started
    say(f"built in {took:.0f} s")
    return took


def static_collect(env) -> None:
    """The hashed static files the production settings serve (skipped when none has changed since)."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        say("collecting static files (manage.py collectstatic)")
        manage(env, "collectstatic", "--noinput", "-v", "0")


COUNTED = {
    "partners": "partners_partner",
    "users": "portal_user",
    "indicators": "targets_indicator",
    "targets": "targets_target",
    "observations": "targets_observation",
    "agreements": "partners_datasharingagreement",
}


def counts(env) -> dict[str, int]:
    with psycopg2.connect(env["DATABASE_URL"]) as db, db.cursor() as cursor:
        out = {}
        for name, table in COUNTED.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            out[name] = cursor.fetchone()[0]
    return out


def pg_version(postgres: str) -> str:
    with psycopg2.connect(f"{postgres.rstrip('/')}/postgres") as db, db.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def memory_gib() -> int:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    except (ValueError, OSError):
        return 0


def machine() -> str:
    return f"{os.cpu_count()} CPUs, {memory_gib()} GiB, {platform.python_implementation()} {platform.python_version()}"


# --- Signing in as a person does: password, then a TOTP code ----------------------------------------------
def totp(key_hex: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 with SHA-1, as django-otp's TOTPDevice makes its codes (t0 0, no drift)."""
    counter = struct.pack(">Q", int((at or time.time()) // step))
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def cookies_from(headers: list[str], jar: dict[str, str]) -> None:
    """Keep the cookies of Set-Cookie headers, Secure or not (the runs speak plain http on loopback)."""
    for header in headers:
        for name, morsel in SimpleCookie(header).items():
            jar[name] = morsel.value


def cookie_header(jar: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _post_form(base: str, path: str, jar: dict[str, str], fields: dict[str, str]):
    page = requests.get(base + path, headers=cookie_header(jar), allow_redirects=False, timeout=30)
    cookies_from(page.raw.headers.getlist("Set-Cookie"), jar)
    token = CSRF_FIELD.search(page.text)
    if page.status_code != 200 or not token:
        raise SystemExit(f"{path} answered {page.status_code} without a form to sign in with")
    answer = requests.post(
        base + path,
        data={"csrfmiddlewaretoken": token.group(1), **fields},
        headers=cookie_header(jar),
        allow_redirects=False,
        timeout=30,
    )
    cookies_from(answer.raw.headers.getlist("Set-Cookie"), jar)
    if answer.status_code != 302:
        raise SystemExit(f"signing in at {path} was refused ({answer.status_code})")
    return answer


def sign_in(base: str, username: str, key_hex: str, *, password: str) -> str:
    """The session key of a person signed in with their password and a code from their authenticator."""
    jar: dict[str, str] = {}
    _post_form(base, "/sign-in/", jar, {"username": username, "password": password})
    _post_form(base, "/sign-in/two-factor/", jar, {"code": totp(key_hex)})
    return jar["sessionid"]


def totp_keys(env, usernames: list[str] | None = None, *, like: str | None = None) -> list[tuple[str, str]]:
    """(username, key) of each confirmed authenticator app: of the usernames given, or of those LIKE a pattern."""
    with psycopg2.connect(env["DATABASE_URL"]) as db, db.cursor() as cursor:
        query = "SELECT u.username, d.key FROM portal_user u JOIN otp_totp_totpdevice d ON d.user_id = u.id WHERE d.confirmed"
        if like is not None:
            cursor.execute(query + " AND u.username LIKE %s ORDER BY u.username", [like])
        else:
            cursor.execute(query + " AND u.username = ANY(%s) ORDER BY u.username", [list(usernames or [])])
        return cursor.fetchall()


# --- gunicorn, and the Celery worker and beat ------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_start(env, *, port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "portal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--error-logfile",
        str(log),
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start (exit {server.returncode}); see {log}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code in (200, 503):
                return server
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer within a minute; see {log}")


def celery_start(env, *, service: str, scratch: Path) -> subprocess.Popen:
    """The worker or beat, with the command docker-compose.yml gives the service (tests/processes.py reads it);
    celery from this virtualenv, and beat's schedule file (scratch state) in this run's own folder."""
    sys.path.insert(0, str(ROOT))
    from tests.processes import compose_command

    command = compose_command(service)
    if command[0] == "celery":
        command[0] = str(BIN / "celery")
    if "--schedule" in command:
        command[command.index("--schedule") + 1] = str(scratch / "celerybeat-schedule")
    log = scratch / f"{service}.log"
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen | None, *, grace: int = 30) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


gunicorn_stop = stop


# --- locust ----------------------------------------------------------------------------------------------
def locust_run(
    *, locustfile: Path, base: str, users: int, spawn_rate: float, seconds: int, prefix: Path, env: dict[str, str]
) -> list[dict]:
    """locust headless against base; each row of its stats CSV (the last one is "Aggregated")."""
    command = [
        str(BIN / "locust"),
        "-f",
        str(locustfile),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{seconds}s",
        "--host",
        base,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "ERROR",
    ]
    with open(f"{prefix}.log", "w") as log:
        subprocess.run(command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, check=False)
    try:
        with open(f"{prefix}_stats.csv", newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError:
        rows = []
    if not rows or rows[-1]["Name"] != "Aggregated":
        raise SystemExit("locust gave no figures:\n" + Path(f"{prefix}.log").read_text()[-2000:])
    return rows


def locust_figures(row: dict) -> dict:
    return {
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"] or 0),
        "p95": float(row["95%"] or 0),
        "requests": int(row["Request Count"]),
        "errors": int(row["Failure Count"]),
    }
