"""Drill: Redis stopped for 60 s while people upload returns, view pages and sign off a plan.

Expected: pages keep serving (no 5xx, p95 within 2x of the load before), /healthz says "degraded" with the
broker unreachable, and nothing is lost: once Redis is back the outbox publishes everything, every return
uploaded in the outage is checked (and applied), and every notification's email is sent exactly once.

    .venv/bin/python scripts/ops/drills/redis_stop.py [--outage 60]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RedisProcess, Report, Stack, p95, say  # noqa: E402
from load import (  # noqa: E402
    Load,
    check_nothing_lost,
    first_notification,
    notify_many,
    outbox_pending,
    sign_off_pending_plan,
    worker_ready,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage", type=int, default=60, help="seconds Redis stays stopped")
    parser.add_argument("--baseline", type=int, default=20, help="seconds of normal load measured first")
    opts = parser.parse_args()
    report = Report("redis_stop")
    stack = Stack("redis_stop")
    try:
        stack.prepare()
        stack.start_all()
        worker_ready(stack)
        first_note = first_notification(stack)
        load = Load(stack)
        load.start()
        say(f"normal load for {opts.baseline} s")
        time.sleep(opts.baseline)

        say(f"stopping Redis for {opts.outage} s")
        stack.phase = "outage"
        port = stack.redis.port
        stack.redis.stop()
        started = time.monotonic()
        time.sleep(3)
        health = requests.get(stack.base + "/healthz", timeout=10).json()
        signed = sign_off_pending_plan(stack)
        notify_many(stack, 20)  # more email to send once Redis is back
        time.sleep(max(0.0, opts.outage - (time.monotonic() - started)))
        waiting = outbox_pending(stack)
        load.stop()
        stack.redis = RedisProcess(port).start()
        back = time.monotonic()
        stack.phase = "after"
        say(f"Redis is back after {back - started:.0f} s")

        before, during = load.times("before"), load.times("outage")
        statuses = load.statuses("outage")
        report.check(
            "Pages during the outage",
            "all served: no 5xx, no timeouts",
            f"{len(during)} pages; answers {dict(statuses)}",
            bool(during) and all(0 < status < 500 for status in statuses),
        )
        report.check(
            "Page p95 during the outage",
            "≤ 2× the p95 before it",
            f"{p95(during) * 1000:.0f} ms (before: {p95(before) * 1000:.0f} ms, {len(before)} pages)",
            p95(during) <= 2 * max(p95(before), 0.05),
        )
        uploads = [s for p, w, s, _ in load.samples if p == "outage" and w == "upload"]
        report.check(
            "Uploads during the outage",
            "accepted (302 to the progress page)",
            f"{uploads.count(302)} of {len(uploads)} accepted; errors: {load.errors or 'none'}",
            bool(uploads) and set(uploads) == {302},
        )
        report.check("Plan sign-off during the outage", "302: signed, plan agreed", signed, signed == 302)
        report.check(
            "/healthz during the outage",
            '200 "degraded", broker unreachable',
            f"{health['status']}; broker: {health['broker']}",
            health["status"] == "degraded" and health["broker"].startswith("unreachable"),
        )
        report.check("Tasks waiting in the outbox at the end of the outage", "> 0 (kept, not lost)", waiting, waiting)
        check_nothing_lost(stack, load, report, first_note=first_note, since=back)
    finally:
        stack.close()
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
