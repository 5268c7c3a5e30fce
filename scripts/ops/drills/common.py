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
import signal
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email import message_from_bytes
from email.header import decode_header, make_header
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

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


# --- A local SMTP sink that counts what it is given ------------------------------------------------------
class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink  # type: ignore[attr-defined]
        self.reply("220 drill-sink ESMTP")
        rcpts: list[str] = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                self.reply("250 drill-sink")
            elif verb.startswith("MAIL FROM"):
                rcpts = []
                self.reply("250 OK")
            elif verb.startswith("RCPT TO"):
                rcpts.append(re.sub(r"^RCPT TO:\s*<?([^>]*)>?.*$", r"\1", line.decode().strip(), flags=re.I))
                self.reply("250 OK")
            elif verb == "DATA":
                if sink.delay:  # a slow mail service: the client waits here, before it has handed the message over
                    time.sleep(sink.delay)
                self.reply("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                if chunk == b"":
                    return  # cut before the end of the message: not received
                sink.received(rcpts, data)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


class SmtpSink:
    """An SMTP server on loopback that accepts every message and remembers (recipient, subject)."""

    def __init__(self):
        self.messages: list[tuple[str, str]] = []
        self.delay = 0.0
        self._lock = threading.Lock()
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
        self.server.daemon_threads = True
        self.server.sink = self  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self, rcpts: list[str], data: bytes) -> None:
        subject = str(make_header(decode_header(message_from_bytes(data).get("Subject", ""))))
        with self._lock:
            self.messages.extend((rcpt.lower(), subject) for rcpt in rcpts)

    def counts(self) -> Counter:
        with self._lock:
            return Counter(self.messages)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- A private PostgreSQL cluster (for the drill that restarts it) ------------------------------------------
class PrivatePostgres:
    """initdb into a scratch folder, run as the postgres OS user (initdb refuses root), trust auth."""

    BIN = Path(os.environ.get("DRILL_PG_BIN", "/usr/lib/postgresql/15/bin"))

    def __init__(self, scratch: Path):
        self.dir = scratch / "pg"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def _ctl(self, action: str, *extra: str) -> None:
        self._run(
            "pg_ctl", action, "-D", str(self.dir / "data"), "-w", "-t", "60", "-l", str(self.dir / "server.log"),
            "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", *extra,
        )  # fmt: skip

    def start(self) -> PrivatePostgres:
        self.dir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            os.chmod(self.dir.parent, 0o755)
        self._run("initdb", "-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._ctl("start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._ctl("stop", "-m", mode)

    def resume(self) -> None:
        self._ctl("start")

    def restart(self, mode: str = "fast") -> None:
        self._ctl("restart", "-m", mode)

    def close(self) -> None:
        if (self.dir / "data" / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.dir / "data"), "-m", "immediate", check=False)


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


# --- The load: a few people viewing pages, uploading and applying returns, signing off a plan -------------
VIEWED_PAGES = ["/", "/data-returns/", "/plans/", "/notifications/", "/plans/1/"]
UPLOADERS = ["police.officer", "probation.officer"]
VIEWERS = ["pcc.officer", "board.chair", "cps.officer"]
DRILL_PEOPLE = [*UPLOADERS, *VIEWERS, "yjs.birmingham.signatory"]


def small_return(template: str, n: int) -> bytes:
    """A small valid return: the first row of the partner's own template, its figures scaled by 1, 2 or 3."""
    lines = template.strip().splitlines()
    header, row = lines[0].split(","), lines[1].split(",")
    fields = dict(zip(header, row))
    factor = 1 + n % 3
    for name in ("value", "numerator"):
        if fields.get(name):
            number = float(fields[name]) * factor
            fields[name] = str(int(number)) if number.is_integer() else f"{number:g}"
    keep = [name for name in header if name != "example"]
    return (",".join(keep) + "\n" + ",".join(fields[name] for name in keep) + "\n").encode()


class Load:
    """Threads doing what people do; each request's time, status and phase kept."""

    def __init__(self, stack: Stack, *, viewers=VIEWERS, uploaders=UPLOADERS, upload_every: float = 4.0):
        self.stack = stack
        self.viewers = [stack.client(name) for name in viewers]
        self.uploaders = [stack.client(name) for name in uploaders]
        self.upload_every = upload_every
        self.samples: list[tuple[str, str, int, float]] = []  # phase, what, status (0: no answer), seconds
        self.uploaded: list[int] = []
        self.templates: dict[str, str] = {}
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._n = 0

    def _timed(self, what: str, call) -> requests.Response | None:
        started = time.perf_counter()
        phase = self.stack.phase
        try:
            response = call()
            status = response.status_code
        except (requests.RequestException, RuntimeError) as exc:  # RuntimeError: a page without its form
            response, status = None, 0
            with self._lock:
                self.errors.append(f"{what}: {type(exc).__name__}")
        with self._lock:
            self.samples.append((phase, what, status, time.perf_counter() - started))
        return response

    def _view(self, client: Client) -> None:
        n = 0
        while not self._stop.is_set():
            path = VIEWED_PAGES[n % len(VIEWED_PAGES)]
            try:
                self._timed("page", lambda path=path: client.get(path))
            except requests.RequestException:
                pass  # counted by the client (status 0)
            n += 1
            time.sleep(0.05)

    def upload(self, client: Client) -> int | None:
        with self._lock:
            self._n += 1
            n = self._n
        if client.username not in self.templates:
            template = client.get("/data-returns/template.csv")
            if template.status_code != 200:
                with self._lock:
                    self.errors.append(f"the return template answered {template.status_code}")
                return None
            self.templates[client.username] = template.text
        content = small_return(self.templates[client.username], n)
        files = {"file": (f"drill-{n}.csv", content, "text/csv")}
        answer = self._timed("upload", lambda: client.form("/data-returns/upload/", {}, files=files))
        if answer is not None and answer.status_code == 302:
            found = re.search(r"/data-returns/(\d+)/", answer.headers.get("Location", ""))
            if found:
                with self._lock:
                    self.uploaded.append(int(found.group(1)))
                return int(found.group(1))
        with self._lock:
            self.errors.append(f"upload answered {getattr(answer, 'status_code', 'nothing')}")
        return None

    def _uploads(self, client: Client) -> None:
        while not self._stop.wait(self.upload_every):
            self.upload(client)

    def start(self, *, uploads: bool = True) -> None:
        workers = [(self._view, c) for c in self.viewers]
        if uploads:
            workers += [(self._uploads, c) for c in self.uploaders]
        for target, client in workers:
            thread = threading.Thread(target=target, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)
        self._threads, self._stop = [], threading.Event()

    def times(self, phase: str, what: str = "page") -> list[float]:
        return [s for p, w, status, s in self.samples if p == phase and w == what and status]

    def statuses(self, phase: str | None = None) -> Counter:
        return Counter(status for p, w, status, s in self.samples if phase in (None, p))

    def apply(self, client: Client, pk: int) -> str:
        """Apply a checked return as its uploader does; again (confirming) when figures changed since its
        checks (another return applied first), as the page asks. The return's status at the end."""
        for _ in range(3):
            client.form(f"/data-returns/{pk}/apply/", {"confirm_revisions": "on"})
            status = self.stack.value("SELECT status FROM targets_datareturn WHERE id = %s", [pk])
            if status != "valid":
                return status
        return status


def sign_off_pending_plan(stack: Stack) -> int:
    """The demo's one pending sign-off (Birmingham YJS on plan 2, version 2), signed through the pages with a
    fresh code; the plan is then agreed and everyone on it told. Returns the HTTP status of the sign-off."""
    signatory = stack.client("yjs.birmingham.signatory")
    signatory.step_up()
    answer = signatory.form(
        "/plans/2/versions/2/sign-offs/birmingham-yjs/sign/", {"statement": "Signed in a drill", "confirm": "on"}
    )
    return answer.status_code


def notify_many(stack: Stack, count: int) -> None:
    """`count` notifications (with their emails) in one transaction, as a service makes them: inside the portal,
    through portal.notifications.notify, to the demo's people in turn."""
    stack.shell(
        "from django.db import transaction\n"
        "from portal.actors import system\n"
        "from portal.notifications import notify\n"
        "from django.contrib.auth import get_user_model\n"
        "people = list(get_user_model().objects.exclude(email='').filter(is_active=True).values_list('pk', flat=True))\n"
        "with transaction.atomic():\n"
        f"    for n in range({count}):\n"
        "        notify(users=[people[n % len(people)]], kind='plan.comment', url='/plans/2/', by=system('fault drill'),\n"
        "               title=f'Fault drill message {n}', body='A message made by a fault drill.')\n"
    )


def notification_email_outcome(stack: Stack, after_id: int) -> dict:
    """The notifications made since after_id, by email state, and the emails each person should have had."""
    rows = stack.query(
        "SELECT n.email_state, lower(u.email) FROM portal_notification n JOIN portal_user u ON u.id = n.user_id "
        "WHERE n.id > %s",
        [after_id],
    )
    states = Counter(state for state, _ in rows)
    sent_to = Counter(email for state, email in rows if state == "sent")
    return {"states": states, "sent_to": sent_to, "total": len(rows)}


def sink_by_recipient(stack: Stack) -> Counter:
    out: Counter = Counter()
    for (rcpt, _subject), n in stack.smtp.counts().items():
        out[rcpt] += n
    return out


def slowest(stack: Stack, phase: str) -> tuple[float, str]:
    """The longest any single request of the phase took, and which it was."""
    rows = [(seconds, what) for p, what, status, seconds in stack.requests if p == phase]
    return max(rows) if rows else (0.0, "none")


def kill_group(process: subprocess.Popen, sig=signal.SIGKILL) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# --- After the fault: nothing lost ---------------------------------------------------------------------------
CHECKED = ("valid", "invalid", "applied", "failed")


def outbox_pending(stack: Stack) -> int:
    return stack.value("SELECT count(*) FROM portal_outboxtask WHERE status = 'pending'")


def check_nothing_lost(stack: Stack, load: Load, report: Report, *, first_note: int, since: float) -> None:
    """Once the fault is over: the outbox empties, every return is checked and (valid ones) applied by its
    uploader, and every notification made during the drill is emailed exactly once (the sink's count)."""
    pending = outbox_pending(stack)
    drained = wait_for("the outbox to drain", lambda: outbox_pending(stack) == 0, timeout=120)
    report.check(
        "Outbox after the fault",
        "empty: everything published",
        f"{pending} waiting when the fault ended; "
        + (f"empty {time.monotonic() - since:.0f} s after" if drained else "still not empty after 120 s"),
        bool(drained),
    )

    def all_checked():
        rows = stack.query("SELECT status FROM targets_datareturn")
        return rows and all(status in CHECKED for (status,) in rows)

    wait_for("every return to be checked", all_checked, timeout=150)
    checked = dict(stack.query("SELECT id, status FROM targets_datareturn"))
    uploader = dict(
        stack.query("SELECT r.id, u.username FROM targets_datareturn r JOIN portal_user u ON u.id = r.uploaded_by_id")
    )
    clients = {client.username: client for client in load.uploaders}
    for pk, status in sorted(checked.items()):
        if status == "valid" and uploader.get(pk) in clients:
            load.apply(clients[uploader[pk]], pk)
    final = dict(stack.query("SELECT id, status FROM targets_datareturn"))
    report.check(
        "Returns uploaded during the drill",
        "every one checked, and applied",
        f"{len(final)} returns; checks: {dict(Counter(checked.values()))}; in the end: {dict(Counter(final.values()))}",
        bool(final) and set(checked.values()) <= set(CHECKED) and set(final.values()) == {"applied"},
    )

    def emails_done():
        outcome = notification_email_outcome(stack, first_note)
        return outcome["states"]["queued"] + outcome["states"]["sending"] == 0 and outbox_pending(stack) == 0

    wait_for("every email to be sent", emails_done, timeout=120)
    time.sleep(2)  # a duplicate would arrive now
    outcome = notification_email_outcome(stack, first_note)
    sink = sink_by_recipient(stack)
    report.check(
        "Notifications made during the drill",
        "every email sent (none queued, sending or failed)",
        f"{outcome['total']} notifications: {dict(outcome['states'])}",
        outcome["total"] > 0 and set(outcome["states"]) <= {"sent", "not_emailed"},
    )
    differing = {
        key: (sink.get(key, 0), outcome["sent_to"].get(key, 0))
        for key in set(sink) | set(outcome["sent_to"])
        if sink.get(key, 0) != outcome["sent_to"].get(key, 0)
    }
    report.check(
        "Emails the SMTP sink received",
        "exactly one for each notification marked sent",
        f"{sum(sink.values())} received, {sum(outcome['sent_to'].values())} marked sent; "
        f"recipients differing (sink, marked): {differing or 'none'}",
        sink == outcome["sent_to"],
    )


def first_notification(stack: Stack) -> int:
    return stack.value("SELECT coalesce(max(id), 0) FROM portal_notification")


def worker_ready(stack: Stack) -> None:
    """Wait for the worker's first heartbeat (beat sends one every 15 s)."""
    wait_for("the worker's heartbeat", lambda: stack.value("SELECT count(*) FROM portal_scheduledrun"), timeout=60)
