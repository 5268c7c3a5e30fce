"""What every fault drill needs: the portal as production runs it, on loopback, with servers of its own.

A drill builds a `Stack`: a new database (on the shared PostgreSQL, or on a private cluster when the drill
restarts PostgreSQL), a private Redis, a local SMTP sink that counts what arrives, then gunicorn with the
production settings and the worker and beat started with docker-compose.yml's commands (tests/processes.py).
Signed-in clients (password, then a TOTP code) drive the pages. Each drill prints a `Report` and exits 1 when
an expectation fails. Everything it started is stopped and removed at the end, whatever happens.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from servers import PrivatePostgres, SmtpSink  # noqa: E402

from tests.processes import AppProcess, RedisProcess, compose_command, free_port  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
PASSWORD = "fault-drill-password-1"
SHARED_POSTGRES = os.environ.get("DRILL_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def say(message: str) -> None:
    print(f"[drill {time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_for(what: str, check, *, timeout: float, every: float = 0.5):
    """Poll check() until it answers something true; that answer, or None after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = check()
        except Exception:  # the thing polled may itself be down for a moment
            answer = None
        if answer:
            return answer
        if time.monotonic() > deadline:
            say(f"gave up waiting for {what} after {timeout:.0f} s")
            return None
        time.sleep(every)


def p95(values: list[float]) -> float:
    if not values:
        return 0.0
    if len(values) < 20:
        return max(values)
    return statistics.quantiles(values, n=20)[18]


# --- The report -----------------------------------------------------------------------------------------
class Report:
    """Rows of (what was checked, expected, measured, pass); printed as a Markdown table."""

    def __init__(self, name: str):
        self.name, self.rows, self.started = name, [], time.monotonic()

    def check(self, what: str, expected: str, measured, ok: bool) -> bool:
        self.rows.append((what, expected, str(measured), bool(ok)))
        say(f"{'PASS' if ok else 'FAIL'}: {what}: {measured}")
        return ok

    @property
    def passed(self) -> bool:
        return bool(self.rows) and all(row[3] for row in self.rows)

    def table(self) -> str:
        lines = ["| Checked | Expected | Measured | Result |", "| --- | --- | --- | --- |"]
        for what, expected, measured, ok in self.rows:
            cell = measured.replace("|", "/").replace("\n", " ")
            lines.append(f"| {what} | {expected} | {cell} | {'pass' if ok else '**FAIL**'} |")
        return "\n".join(lines)

    def finish(self) -> int:
        took = time.monotonic() - self.started
        print(f"\n### Drill {self.name}: {'passed' if self.passed else 'FAILED'} in {took:.0f} s\n", flush=True)
        print(self.table() + "\n", flush=True)
        return 0 if self.passed else 1


# The people the drills sign in as (the demo's).
VIEWED_PAGES = ["/", "/data-returns/", "/plans/", "/notifications/", "/plans/1/"]
UPLOADERS = ["police.officer", "probation.officer"]
VIEWERS = ["pcc.officer", "board.chair", "cps.officer"]
DRILL_PEOPLE = [*UPLOADERS, *VIEWERS, "yjs.birmingham.signatory"]


# --- The portal -------------------------------------------------------------------------------------------
class Stack:
    """A demo portal as production runs it: gunicorn (production settings), worker and beat, on loopback."""

    def __init__(self, name: str, *, postgres: str | None = None, private_postgres: bool = False, workers: int = 3):
        self.name = name
        self.scratch = Path(tempfile.mkdtemp(prefix=f"portal-drill-{name}-"))
        self.pg = PrivatePostgres(self.scratch) if private_postgres else None
        self.postgres = postgres or SHARED_POSTGRES
        self.database = f"portal_drill_{name}_{os.getpid()}"
        self.redis = RedisProcess()
        self.smtp = SmtpSink()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.web: subprocess.Popen | None = None
        self.apps: dict[str, AppProcess] = {}
        self.secret = secrets.token_urlsafe(64)
        # every request any client made: (phase, method and path, status or 0 for no answer, seconds)
        self.phase = "before"
        self.requests: list[tuple[str, str, int, float]] = []

    # the environment --------------------------------------------------------------------------------------
    @property
    def database_url(self) -> str:
        return f"{self.postgres.rstrip('/')}/{self.database}"

    def env(self) -> dict[str, str]:
        """Production settings (DEBUG off) on loopback: this stack's database, Redis and SMTP sink."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "DEMO_"))}
        env.update(
            DEBUG="0",
            SECRET_KEY=self.secret,
            AUDIT_CHECKPOINT_KEY="drill-" + self.secret[:48],
            AUDIT_CHECKPOINT_FILE=str(self.scratch / "audit-checkpoints.jsonl"),
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis.url,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            PORTAL_BASE_URL=self.base,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.smtp.port),
            EMAIL_USE_TLS="0",
            # plain http on loopback (the cookies stay Secure; the clients send them by hand)
            SECURE_SSL_REDIRECT="0",
            WEBAUTHN_RP_ID="localhost",
            WEBAUTHN_ORIGINS=f"http://localhost:{self.port}",
            VAR_DIR=str(self.scratch / "var"),
            MEDIA_ROOT=str(self.scratch / "media"),
            LOG_FORMAT="text",
            LOG_LEVEL="INFO",
            PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        return env

    def _seed_env(self) -> dict[str, str]:
        # as .ci/restore-drill seeds: the development shape (eager tasks, console email) on this database
        env = self.env()
        env.update(
            DEBUG="1",
            PORTAL_TESTING="1",
            DJANGO_SETTINGS_MODULE="portal.settings_test",
            DEMO_PASSWORD=PASSWORD,
            REDIS_URL="",
        )
        env.pop("EMAIL_HOST")
        return env

    # building ---------------------------------------------------------------------------------------------
    def prepare(self) -> Stack:
        if self.pg is not None:
            self.pg.start()
            self.postgres = self.pg.url
            say(f"private PostgreSQL on port {self.pg.port}")
        with self._admin() as cursor:
            cursor.execute(f'CREATE DATABASE "{self.database}"')
        say(f"database {self.database}: migrate and seed the demo")
        seed = self._seed_env()
        self.manage(seed, "migrate", "--noinput", "-v", "0")
        self.manage(seed, "seed_demo", quiet=True)
        self._collectstatic()
        # NOTE: the seed's test settings hash with MD5, which the production settings do not accept: the
        # drill's people get their password again under the production settings.
        people = ", ".join(repr(name) for name in DRILL_PEOPLE)
        self.shell(
            "from django.contrib.auth import get_user_model\n"
            f"for u in get_user_model().objects.filter(username__in=[{people}]):\n"
            f"    u.set_password({PASSWORD!r}); u.save(update_fields=['password'])"
        )
        self.redis.start()
        say(f"private Redis on port {self.redis.port}; SMTP sink on port {self.smtp.port}")
        return self

    def _admin(self):
        class Admin:
            def __enter__(inner):
                inner.db = psycopg2.connect(f"{self.postgres.rstrip('/')}/postgres", connect_timeout=5)
                inner.db.autocommit = True
                return inner.db.cursor()

            def __exit__(inner, *exc):
                inner.db.close()

        return Admin()

    def manage(self, env, *args: str, quiet: bool = False) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def shell(self, code: str) -> str:
        """Run Python inside the portal (production settings) and return what it printed."""
        return self.manage(self.env(), "shell", "-c", code)

    def _collectstatic(self) -> None:
        manifest = ROOT / "staticfiles" / "staticfiles.json"
        newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
        if not manifest.exists() or manifest.stat().st_mtime < newest:
            say("collecting static files")
            self.manage(self.env(), "collectstatic", "--noinput", "-v", "0")

    # processes --------------------------------------------------------------------------------------------
    def start_web(self) -> None:
        """gunicorn as compose's web service runs it (its own metrics folder), bound to loopback."""
        env = self.env()
        env["PROMETHEUS_MULTIPROC_DIR"] = str(self.scratch / "prometheus")
        Path(env["PROMETHEUS_MULTIPROC_DIR"]).mkdir(exist_ok=True)
        compose = " ".join(compose_command("web"))
        assert "gunicorn portal.wsgi:application" in compose, "docker-compose.yml's web command changed"
        command = [str(BIN / "gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(self.workers), "--access-logfile", "-"]
        log = (self.scratch / "web.log").open("ab")
        self.web = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        ok = wait_for("gunicorn", lambda: requests.get(self.base + "/healthz", timeout=5).status_code, timeout=60)
        if not ok:
            raise SystemExit(f"gunicorn did not start; see {self.scratch / 'web.log'}")

    def start(self, service: str) -> AppProcess:
        """The worker or beat, with docker-compose.yml's command (tests/processes.py)."""
        app = AppProcess(service, env=self.env(), tmp=self.scratch).start()
        self.apps[service] = app
        return app

    def start_all(self) -> None:
        self.start_web()
        self.start("worker")
        self.start("beat")
        say(f"gunicorn ({self.workers} workers) on {self.base}, worker and beat started")

    def close(self) -> None:
        for app in self.apps.values():
            try:
                app.stop()
            except Exception:
                app.kill()
        if self.web is not None and self.web.poll() is None:
            self.web.terminate()
            try:
                self.web.wait(30)
            except subprocess.TimeoutExpired:
                self.web.kill()
        self.redis.stop()
        self.smtp.close()
        try:
            with self._admin() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        except psycopg2.Error as exc:
            say(f"could not drop {self.database}: {exc}")
        if self.pg is not None:
            self.pg.close()
        if os.environ.get("DRILL_KEEP"):
            say(f"logs kept in {self.scratch}")
        else:
            shutil.rmtree(self.scratch, ignore_errors=True)

    # reading the database ---------------------------------------------------------------------------------
    def query(self, sql: str, params=()) -> list[tuple]:
        with psycopg2.connect(self.database_url, connect_timeout=3) as db, db.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        db.close()
        return rows

    def value(self, sql: str, params=()):
        return self.query(sql, params)[0][0]

    def totp_key(self, username: str) -> str:
        return self.value(
            "SELECT d.key FROM otp_totp_totpdevice d JOIN portal_user u ON u.id = d.user_id "
            "WHERE u.username = %s AND d.confirmed",
            [username],
        )

    def client(self, username: str) -> Client:
        return Client(self, username).sign_in()


def totp(key_hex: str, *, ahead: int = 0) -> str:
    """The code an authenticator shows now (or `ahead` steps later: django-otp accepts one step of drift)."""
    from django_otp.oath import totp as oath_totp

    return str(oath_totp(bytes.fromhex(key_hex), drift=ahead)).zfill(6)


# --- A signed-in person -------------------------------------------------------------------------------------
class Client:
    """A person at a browser: cookies kept by hand (they are Secure, the drill runs on http), CSRF from forms."""

    def __init__(self, stack: Stack, username: str, timeout: float = 30):
        self.stack, self.username, self.timeout = stack, username, timeout
        self.jar: dict[str, str] = {}
        self.http = requests.Session()

    def _keep(self, response) -> None:
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.jar[name] = morsel.value

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items()), **kwargs.pop("headers", {})}
        phase, started, status = self.stack.phase, time.perf_counter(), 0
        try:
            response = self.http.request(
                method, self.stack.base + path, headers=headers, allow_redirects=False, timeout=self.timeout, **kwargs
            )
            status = response.status_code
        finally:
            self.stack.requests.append((phase, f"{method} {path}", status, time.perf_counter() - started))
        self._keep(response)
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def form(self, path: str, fields: dict, files=None) -> requests.Response:
        """GET the page, then POST its form with these fields (and its CSRF token)."""
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if page.status_code != 200 or not token:
            raise RuntimeError(f"{path} answered {page.status_code} without a form")
        return self.request("POST", path, data={"csrfmiddlewaretoken": token.group(1), **fields}, files=files)

    def sign_in(self) -> Client:
        key = self.stack.totp_key(self.username)
        first = self.form("/sign-in/", {"username": self.username, "password": PASSWORD})
        second = self.form("/sign-in/two-factor/", {"code": totp(key)})
        if first.status_code != 302 or second.status_code != 302:
            raise SystemExit(f"{self.username} could not sign in ({first.status_code}, {second.status_code})")
        return self

    def step_up(self) -> None:
        """Confirm a fresh code before a sensitive action (the next step's: the sign-in used this one)."""
        answer = self.form("/sign-in/confirm/", {"code": totp(self.stack.totp_key(self.username), ahead=1)})
        if answer.status_code != 302:
            raise RuntimeError(f"step-up refused ({answer.status_code})")
