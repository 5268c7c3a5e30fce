"""The load benchmark (`make bench`): the portal under 8 concurrent signed-in clients, page by page.

    .venv/bin/python scripts/bench/run.py --scale 0.05      # a short run (make bench)
    .venv/bin/python scripts/bench/run.py --scale 1         # full scale (make bench BENCH_SCALE=1)

It makes a new PostgreSQL database, migrates it, fills it with `manage.py bench_data --scale S`, vacuums it,
starts gunicorn on loopback with the production settings (DEBUG off, hashed static files, a Redis cache), signs
the benchmark viewers in with their password and a TOTP code as a person would, then runs locust headless
against one page at a time. The viewers are officers of a partner that may see a tenth of the figures.

For each page: requests a second, that as a share of the minimal signed-in page's, median and 95th percentile
latency, errors, and the queries one answer costs (counted apart by scripts/bench/measure.py with Django's test
Client). The table is printed and written to docs/benchmark.md. Nothing is asserted: the targets of issue 18
(pages at least a fifth of the minimal page's throughput, API lists a tenth, no errors) are shown beside each row.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import itertools
import json
import os
import platform
import re
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
BENCH_PASSWORD = "bench-only password, never a real account"  # targets/bench/shape.py


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE") or 0.05))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS") or 20), help="per page")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (docker-compose.yml runs 3)")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="portal_loadbench")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmark.md")
    parser.add_argument("--reuse-db", action="store_true", help="use the database left by --keep-db as it is")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for another run or a look")
    return parser.parse_args()


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The environment: production settings on loopback ------------------------------------------------
def environment(opts, port: int, scratch: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "EMAIL_"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        AUDIT_CHECKPOINT_KEY=secrets.token_urlsafe(48),
        AUDIT_CHECKPOINT_FILE=str(scratch / "audit-checkpoints.jsonl"),
        DATABASE_URL=f"{opts.postgres.rstrip('/')}/{opts.database}",
        REDIS_URL=opts.redis,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
        # Never used: no worker runs, so nothing leaves the outbox.
        EMAIL_HOST="127.0.0.1",
        # Plain http on loopback: no redirect to https (the cookies stay Secure; the clients send them by hand).
        SECURE_SSL_REDIRECT="0",
        WEBAUTHN_RP_ID="localhost",
        WEBAUTHN_ORIGINS=f"http://localhost:{port}",
        VAR_DIR=str(scratch / "var"),
        MEDIA_ROOT=str(scratch / "media"),
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def database_prepare(opts, env) -> None:
    admin = psycopg2.connect(f"{opts.postgres.rstrip('/')}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [opts.database])
        exists = cursor.fetchone() is not None
        if opts.reuse_db and exists:
            say(f"using the database {opts.database} as it is (--reuse-db)")
            admin.close()
            return
        cursor.execute(f'DROP DATABASE IF EXISTS "{opts.database}"')
        cursor.execute(f'CREATE DATABASE "{opts.database}"')
    admin.close()
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v", "0")
    say(f"migrated in {time.perf_counter() - started:.0f} s; generating at scale {opts.scale}")
    started = time.perf_counter()
    manage(env, "bench_data", "--scale", str(opts.scale))
    db = psycopg2.connect(env["DATABASE_URL"])
    db.autocommit = True  # (VACUUM runs outside a transaction)
    with db.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum would have done by the time anyone looks
    db.close()
    say(f"generated and vacuumed in {time.perf_counter() - started:.0f} s")


def database_drop(opts) -> None:
    admin = psycopg2.connect(f"{opts.postgres.rstrip('/')}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{opts.database}" WITH (FORCE)')
    admin.close()


def static_collect(env) -> None:
    """The hashed static files the production settings serve (skipped when none has changed since)."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        say("collecting static files (manage.py collectstatic)")
        manage(env, "collectstatic", "--noinput", "-v", "0")


def counts(env) -> dict[str, int]:
    tables = {
        "partners": "partners_partner",
        "users": "portal_user",
        "indicators": "targets_indicator",
        "targets": "targets_target",
        "observations": "targets_observation",
        "agreements": "partners_datasharingagreement",
    }
    with psycopg2.connect(env["DATABASE_URL"]) as db, db.cursor() as cursor:
        out = {}
        for name, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            out[name] = cursor.fetchone()[0]
    return out


# --- Signing in as a person does: password, then a TOTP code ----------------------------------------------
def totp(key_hex: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 with SHA-1, as django-otp's TOTPDevice makes its codes (t0 0, no drift)."""
    counter = struct.pack(">Q", int((at or time.time()) // step))
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def _cookies(response, jar: dict[str, str]) -> None:
    for header in response.raw.headers.getlist("Set-Cookie"):
        for name, morsel in SimpleCookie(header).items():
            jar[name] = morsel.value


def _post_form(base: str, path: str, jar: dict[str, str], fields: dict[str, str]):
    page = requests.get(base + path, headers=_cookie_header(jar), allow_redirects=False, timeout=30)
    _cookies(page, jar)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if page.status_code != 200 or not token:
        raise SystemExit(f"{path} answered {page.status_code} without a form to sign in with")
    answer = requests.post(
        base + path,
        data={"csrfmiddlewaretoken": token.group(1), **fields},
        headers=_cookie_header(jar),
        allow_redirects=False,
        timeout=30,
    )
    _cookies(answer, jar)
    if answer.status_code != 302:
        raise SystemExit(f"signing in at {path} was refused ({answer.status_code})")
    return answer


def _cookie_header(jar: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}


def sign_in(base: str, username: str, key_hex: str) -> str:
    """The session key of a person signed in with their password and a code from their authenticator."""
    jar: dict[str, str] = {}
    _post_form(base, "/sign-in/", jar, {"username": username, "password": BENCH_PASSWORD})
    _post_form(base, "/sign-in/two-factor/", jar, {"code": totp(key_hex)})
    return jar["sessionid"]


def viewers(env) -> list[tuple[str, str]]:
    with psycopg2.connect(env["DATABASE_URL"]) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT u.username, d.key FROM portal_user u JOIN otp_totp_totpdevice d ON d.user_id = u.id "
            "WHERE u.username LIKE 'bench-viewer-%%' AND d.confirmed ORDER BY u.username"
        )
        return cursor.fetchall()


# --- gunicorn ------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_start(opts, env, port: int, log: Path) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "portal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(opts.workers),
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


def gunicorn_stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- locust ----------------------------------------------------------------------------------------------
_runs = itertools.count(1)


def load(opts, base: str, path: str, sessions: list[str], scratch: Path, seconds: int) -> dict:
    """One page under opts.clients clients for some seconds: requests a second, p50, p95, errors."""
    prefix = scratch / f"locust-{next(_runs)}-{re.sub(r'[^a-z0-9]+', '-', path.lower()).strip('-') or 'start'}"
    env = {**os.environ, "BENCH_PATH": path, "BENCH_SESSIONS": ",".join(sessions)}
    command = [
        str(BIN / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--users",
        str(opts.clients),
        "--spawn-rate",
        str(opts.clients),
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
        subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    try:
        with open(f"{prefix}_stats.csv", newline="") as f:
            row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    except (OSError, StopIteration):
        raise SystemExit(f"locust gave no figures for {path}:\n" + Path(f"{prefix}.log").read_text()[-2000:])
    return {
        "load": os.getloadavg()[0],
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"] or 0),
        "p95": float(row["95%"] or 0),
        "requests": int(row["Request Count"]),
        "errors": int(row["Failure Count"]),
    }


# --- The report -----------------------------------------------------------------------------------------
def table(rows: list[dict]) -> str:
    lines = [
        "| Page | Path | Requests/s | Minimal page's, just before | × minimal | p50 ms | p95 ms | Errors | Queries "
        "| Target | Meets it | Load |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |",
    ]
    for row in rows:
        if row.get("not_built"):
            lines.append(
                f"| {row['name']} | `{row['path']}` | not built (answered {row['status']}) | | | | | | | | | |"
            )
            continue
        share = row["rps"] / (row["beside"] or 1)
        target = row["target"]
        meets = "" if target is None else ("yes" if share >= target and row["errors"] == 0 else "**no**")
        lines.append(
            f"| {row['name']} | `{row['path']}` | {row['rps']:.1f} | {row['beside']:.1f} | {share:.2f} | {row['p50']:.0f} | "
            f"{row['p95']:.0f} | {row['errors']} | {row['queries']} | "
            f"{'' if target is None else f'≥ {target:.2f}'} | {meets} | {row['load']:.1f} |"
        )
    return "\n".join(lines)


def report(opts, made: dict[str, int], rows: list[dict], load_before: tuple) -> str:
    now = datetime.now()
    when = f"{now.day} {now:%B %Y %H:%M}"
    made_words = ", ".join(f"{n:,} {k}" for k, n in made.items())
    return f"""# Load benchmark

`scripts/bench/run.py --scale {opts.scale}`{" (full scale)" if opts.scale == 1 else ""} on {when}: {made_words}.
{opts.clients} concurrent clients for {opts.seconds} s a page; gunicorn with {opts.workers} sync workers (production
settings) and PostgreSQL {pg_version(opts)} on one machine ({os.cpu_count()} cores, {memory_gib()} GiB,
{platform.python_implementation()} {platform.python_version()}); load average before the run
{load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}.

Every page is asked for by benchmark viewers (officers of a partner that may see a tenth of the figures), signed
in with password and code. "× minimal" is the page's requests a second over those of the minimal signed-in page
(`/accessibility/`), measured for half as long just before it (so that both ran under the same conditions); the
target is issue 18's at full scale. Queries are those of one answer (Django's test
Client against the same database). locust runs on the same cores as the server, and takes most from the
fastest page, so the shares understate the gaps a little. "Load" is the machine's 1-minute load average at the
end of the page's run: the benchmark itself (server, database, locust) keeps it near 4 on 2 cores; above that,
other work shared the machine, the figures are lower and the shares less sure.

{table(rows)}
"""


def pg_version(opts) -> str:
    with psycopg2.connect(f"{opts.postgres.rstrip('/')}/postgres") as db, db.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def memory_gib() -> int:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    except (ValueError, OSError):
        return 0


def main() -> None:
    opts = options()
    if not (ROOT / "static" / "build" / "portal.css").exists():
        raise SystemExit("static/build is missing: run `make assets` first (make bench does).")
    port = opts.port or free_port()
    base = f"http://127.0.0.1:{port}"
    scratch = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    env = environment(opts, port, scratch)
    server = None
    try:
        database_prepare(opts, env)
        static_collect(env)
        made = counts(env)
        say("counting each page's queries")
        measured = subprocess.run(
            [PYTHON, str(HERE / "measure.py")], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        pages = json.loads(measured.stdout)["pages"]
        server = gunicorn_start(opts, env, port, scratch / "gunicorn.log")
        sessions = [sign_in(base, username, key) for username, key in viewers(env)]
        say(f"gunicorn on {base}; {len(sessions)} viewers signed in")
        load_before = os.getloadavg()
        rows = []
        for n, page in enumerate(pages):
            if page["status"] != 200:
                rows.append({**page, "not_built": True})
                continue
            for session in sessions:  # each worker and session warm
                requests.get(base + page["path"], headers={"Cookie": f"sessionid={session}"}, timeout=60)
            beside = None
            if n:  # the minimal page (pages[0]) again, just before: the share compares runs under the same load
                beside = load(opts, base, pages[0]["path"], sessions, scratch, max(5, opts.seconds // 2))["rps"]
            result = load(opts, base, page["path"], sessions, scratch, opts.seconds)
            say(f"{page['name']:<24} {result['rps']:8.1f} req/s  p50 {result['p50']:.0f} ms  errors {result['errors']}")
            rows.append({**page, **result, "beside": beside or result["rps"]})
        text = report(opts, made, rows, load_before)
        print("\n" + table(rows))
        opts.output.write_text(text)
        say(f"written to {opts.output.relative_to(ROOT) if opts.output.is_relative_to(ROOT) else opts.output}")
    finally:
        if server is not None:
            gunicorn_stop(server)
        if not opts.keep_db:
            database_drop(opts)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
