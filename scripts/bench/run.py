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
import itertools
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import PYTHON, ROOT, say  # noqa: E402

HERE = Path(__file__).resolve().parent
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


def environment(opts, port: int, scratch: Path) -> dict[str, str]:
    return harness.environment(
        postgres=opts.postgres, database=opts.database, redis=opts.redis, port=port, scratch=scratch
    )


def database_prepare(opts, env) -> None:
    harness.bench_database(
        postgres=opts.postgres, database=opts.database, env=env, scale=opts.scale, reuse=opts.reuse_db
    )


def sign_in(base: str, username: str, key_hex: str) -> str:
    return harness.sign_in(base, username, key_hex, password=BENCH_PASSWORD)


def viewers(env) -> list[tuple[str, str]]:
    return harness.totp_keys(env, like="bench-viewer-%")


# --- locust ----------------------------------------------------------------------------------------------
_runs = itertools.count(1)


def load(opts, base: str, path: str, sessions: list[str], scratch: Path, seconds: int) -> dict:
    """One page under opts.clients clients for some seconds: requests a second, p50, p95, errors."""
    prefix = scratch / f"locust-{next(_runs)}-{re.sub(r'[^a-z0-9]+', '-', path.lower()).strip('-') or 'start'}"
    rows = harness.locust_run(
        locustfile=HERE / "locustfile.py",
        base=base,
        users=opts.clients,
        spawn_rate=opts.clients,
        seconds=seconds,
        prefix=prefix,
        env={"BENCH_PATH": path, "BENCH_SESSIONS": ",".join(sessions)},
    )
    return {"load": os.getloadavg()[0], **harness.locust_figures(rows[-1])}


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
settings) and PostgreSQL {harness.pg_version(opts.postgres)} on one machine ({os.cpu_count()} cores, {harness.memory_gib()} GiB,
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


def main() -> None:
    opts = options()
    if not (ROOT / "static" / "build" / "portal.css").exists():
        raise SystemExit("static/build is missing: run `make assets` first (make bench does).")
    port = opts.port or harness.free_port()
    base = f"http://127.0.0.1:{port}"
    scratch = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    env = environment(opts, port, scratch)
    server = None
    try:
        database_prepare(opts, env)
        harness.static_collect(env)
        made = harness.counts(env)
        say("counting each page's queries")
        measured = subprocess.run(
            [PYTHON, str(HERE / "measure.py")], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        pages = json.loads(measured.stdout)["pages"]
        server = harness.gunicorn_start(env, port=port, workers=opts.workers, log=scratch / "gunicorn.log")
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
            harness.stop(server)
        if not opts.keep_db:
            harness.database_drop(postgres=opts.postgres, database=opts.database)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
