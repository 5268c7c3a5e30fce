"""Drill: Redis hung (SIGSTOP: it accepts connections and never answers) while people use the portal.

Expected: no web request waits on Redis longer than 2 s (pages, uploads, a plan sign-off, /healthz, signing
in), /healthz says "degraded", and once Redis answers again (SIGCONT) nothing is lost: the outbox publishes
everything, every return is checked and applied, every notification's email is sent exactly once.

    .venv/bin/python scripts/ops/drills/redis_hang.py [--hang 40]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Report, Stack, say  # noqa: E402
from load import Load, check_nothing_lost, first_notification, notify_many, sign_off_pending_plan, slowest, worker_ready  # noqa: E402

LIMIT = 2.0  # seconds a web request may wait on a hung Redis


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hang", type=int, default=40, help="seconds Redis stays hung")
    opts = parser.parse_args()
    report = Report("redis_hang")
    stack = Stack("redis_hang")
    try:
        stack.prepare()
        stack.start_all()
        worker_ready(stack)
        first_note = first_notification(stack)
        load = Load(stack)
        load.start()
        time.sleep(10)

        say(f"Redis hung (SIGSTOP) for {opts.hang} s")
        stack.phase = "hung"
        os.kill(stack.redis.proc.pid, signal.SIGSTOP)
        started = time.monotonic()
        health_times, health = [], None
        signed = sign_off_pending_plan(stack)  # signs in (a rate-limit count in the cache) and signs off
        notify_many(stack, 20)
        while time.monotonic() - started < opts.hang:
            began = time.perf_counter()
            try:
                health = requests.get(stack.base + "/healthz", timeout=30).json()
            except requests.RequestException as exc:
                health = {"status": type(exc).__name__, "broker": "?"}
            health_times.append(time.perf_counter() - began)
            time.sleep(3)
        load.stop()
        os.kill(stack.redis.proc.pid, signal.SIGCONT)
        back = time.monotonic()
        stack.phase = "after"
        say("Redis answers again (SIGCONT)")

        seconds, which = slowest(stack, "hung")
        usual = max((row[3] for row in stack.requests if row[0] == "before" and row[1] == which), default=0)
        hung = [row for row in stack.requests if row[0] == "hung"]
        statuses = sorted({row[2] for row in hung})
        report.check(
            "Slowest web request while Redis hung",
            f"≤ {LIMIT:.0f} s",
            f"{seconds:.2f} s ({which}, {usual:.2f} s at most before the hang); {len(hung)} requests, "
            f"answers {statuses}",
            seconds <= LIMIT and all(0 < status < 500 for status in statuses),
        )
        report.check(
            "Slowest /healthz while Redis hung",
            f"≤ {LIMIT:.0f} s",
            f"{max(health_times):.2f} s over {len(health_times)} calls",
            max(health_times) <= LIMIT,
        )
        report.check(
            "/healthz while Redis hung",
            '"degraded", broker unreachable',
            f"{health['status']}; broker: {health['broker']}",
            health["status"] == "degraded" and str(health["broker"]).startswith("unreachable"),
        )
        report.check("Plan sign-off while Redis hung", "302: signed", signed, signed == 302)
        check_nothing_lost(stack, load, report, first_note=first_note, since=back)
    finally:
        if stack.redis.proc is not None and stack.redis.proc.poll() is None:
            os.kill(stack.redis.proc.pid, signal.SIGCONT)
        stack.close()
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
