"""The load test (`make loadtest`): the demo grown to benchmark scale, under people's journeys, with no errors.

    .venv/bin/python scripts/ops/loadtest.py                                     # 50 people, 300 s, scale 1
    .venv/bin/python scripts/ops/loadtest.py --scale 0.02 --users 10 --seconds 30  # a short try
    .venv/bin/python scripts/ops/loadtest.py --keep-db      # then, with the data built once: --reuse-db

It makes a new PostgreSQL database, migrates it, fills it with `manage.py bench_data --scale S`, seeds the demo
on top (scripts/ops/loadtest_setup.py says why in that order and how), and adds the people of the journeys. Then
it starts, with the production settings on loopback, gunicorn (3 workers, as docker-compose.yml), the Celery
worker and beat (with docker-compose.yml's commands), and runs locust headless with the journeys of
scripts/ops/locust_journeys.py: partner officers, the PCC office, board members and anonymous visitors.

It prints each page's requests, failures, median and 95th percentile, the totals and the run's parameters, and
exits non-zero if any request failed (any status but the one expected, or a return not checked in time).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import harness  # noqa: E402
from harness import ROOT, say  # noqa: E402

HERE = Path(__file__).resolve().parent
# Only on the load test's own database: every account the demo and the benchmark make has a known password.
LOAD_DEMO_PASSWORD = "load-test only password, never a real account"


def options(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("LOADTEST_SCALE") or 1))
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOADTEST_USERS") or 50))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOADTEST_SECONDS") or 300))
    parser.add_argument("--spawn-rate", type=float, default=5, help="people starting a second")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (docker-compose.yml runs 3)")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--postgres", default=os.environ.get("LOADTEST_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="portal_loadtest")
    parser.add_argument("--redis", default=os.environ.get("LOADTEST_REDIS", "redis://127.0.0.1:6379/12"))
    parser.add_argument("--reuse-db", action="store_true", help="use the database left by --keep-db as it is")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for another run or a look")
    return parser.parse_args(argv)


def build(opts, env) -> float:
    """The database at the scale asked for, the demo on it; seconds taken (0 when --reuse-db found one)."""

    def demo():
        say("seeding the demo on top")
        setup(env, "demo")

    return harness.bench_database(
        postgres=opts.postgres, database=opts.database, env=env, scale=opts.scale, reuse=opts.reuse_db, on_top=demo
    )


def setup(env, *args: str) -> None:
    subprocess.run([harness.PYTHON, str(HERE / "loadtest_setup.py"), *args], cwd=ROOT, env=env, check=True)


def table(rows: list[dict]) -> str:
    lines = ["| Page | Requests | Failures | p50 ms | p95 ms |", "| --- | ---: | ---: | ---: | ---: |"]
    for row in rows:
        name = "**Total**" if row["Name"] == "Aggregated" else row["Name"]
        figures = harness.locust_figures(row)
        lines.append(
            f"| {name} | {figures['requests']:,} | {figures['errors']} | {figures['p50']:.0f} | {figures['p95']:.0f} |"
        )
    return "\n".join(lines)


def failures(prefix: Path) -> str:
    try:
        return Path(f"{prefix}_failures.csv").read_text()
    except OSError:
        return ""


def main(argv=None) -> int:
    opts = options(argv)
    harness.TAG[0] = "loadtest"
    begun = time.perf_counter()
    if not (ROOT / "static" / "build" / "portal.css").exists():
        raise SystemExit("static/build is missing: run `make assets` first (make loadtest does).")
    port = opts.port or harness.free_port()
    base = f"http://127.0.0.1:{port}"
    scratch = Path(tempfile.mkdtemp(prefix="portal-loadtest-"))
    env = harness.environment(
        postgres=opts.postgres, database=opts.database, redis=opts.redis, port=port, scratch=scratch
    )
    # Loopback is the server's proxy: each client says its own address (X-Forwarded-For), as people do from theirs.
    env.update(DEMO_PASSWORD=LOAD_DEMO_PASSWORD, TRUSTED_PROXIES="127.0.0.1")
    processes: list[subprocess.Popen] = []
    ok = False
    try:
        built = build(opts, env)
        fixtures = scratch / "people.json"
        setup(env, "people", str(opts.users), str(fixtures))
        made = harness.counts(env)
        # Rate limits and the broker live in this Redis database, which is the load test's own.
        redis.Redis.from_url(opts.redis).flushdb()
        harness.static_collect(env)
        processes.append(harness.celery_start(env, service="worker", scratch=scratch))
        processes.append(harness.celery_start(env, service="beat", scratch=scratch))
        processes.append(harness.gunicorn_start(env, port=port, workers=opts.workers, log=scratch / "gunicorn.log"))
        say(f"gunicorn on {base}, a worker and beat; {opts.users} people for {opts.seconds} s")
        prefix = scratch / "locust"
        load_before = os.getloadavg()
        rows = harness.locust_run(
            locustfile=HERE / "locust_journeys.py",
            base=base,
            users=opts.users,
            spawn_rate=opts.spawn_rate,
            seconds=opts.seconds,
            prefix=prefix,
            env={"LOADTEST_FIXTURES": str(fixtures)},
        )
        load_after = os.getloadavg()
        stopped = [p.args[0] for p in processes if p.poll() is not None]
        total = harness.locust_figures(rows[-1])
        print("\n" + table(rows) + "\n")
        print(
            f"Scale {opts.scale} ({', '.join(f'{n:,} {k}' for k, n in made.items())}); {opts.users} people for "
            f"{opts.seconds} s (spawn rate {opts.spawn_rate}/s); gunicorn {opts.workers} workers, a Celery worker "
            f"and beat; {total['rps']:.1f} requests a second; build {built:.0f} s"
            f"{' (reused)' if not built else ''}; whole run {time.perf_counter() - begun:.0f} s; {harness.machine()}; "
            f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after."
        )
        if stopped:
            say(f"stopped during the run: {', '.join(stopped)} (logs in {scratch})")
        if total["errors"] or not total["requests"] or stopped:
            say(f"FAILED: {total['errors']} errors of {total['requests']} requests\n{failures(prefix)}")
            return 1
        say("no errors")
        ok = True
        return 0
    finally:
        for process in reversed(processes):
            harness.stop(process, grace=60)
        if not (opts.keep_db or opts.reuse_db):
            harness.database_drop(postgres=opts.postgres, database=opts.database)
        if ok:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            say(f"logs kept in {scratch}")


if __name__ == "__main__":
    sys.exit(main())
