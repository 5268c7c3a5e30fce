"""Drill: PostgreSQL stopped under load and started again 20 s later (a private cluster of the drill's own).

Expected: while it is down every request fails fast (within 2 s) with the "service unavailable" page (503,
GOV.UK style; JSON for the API), /healthz answers 503 and names the database as what is down, and once it is
back the portal recovers by itself: pages, the worker and beat carry on with nobody restarting anything.

    .venv/bin/python scripts/ops/drills/postgres_restart.py [--down 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Report, Stack, say, wait_for  # noqa: E402
from load import Load, outbox_pending, slowest, worker_ready  # noqa: E402

LIMIT = 2.0
UNAVAILABLE = "Sorry, the service is unavailable"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--down", type=int, default=20, help="seconds PostgreSQL stays down")
    opts = parser.parse_args()
    report = Report("postgres_restart")
    stack = Stack("postgres_restart", private_postgres=True)
    try:
        stack.prepare()
        stack.start_all()
        worker_ready(stack)
        load = Load(stack)
        viewer = load.viewers[0]
        load.start()
        time.sleep(10)

        say(f"stopping PostgreSQL (fast) for {opts.down} s")
        stack.pg.stop("fast")
        stack.phase = "down"
        time.sleep(2)
        page = viewer.get("/data-returns/")
        api = viewer.get("/api/v1/partners/")
        health = requests.get(stack.base + "/healthz", timeout=10)
        time.sleep(max(0, opts.down - 4))
        stack.phase = "starting"
        stack.pg.resume()
        back = time.monotonic()
        say("PostgreSQL is back")

        recovered = wait_for(
            "pages to be served again", lambda: viewer.get("/data-returns/").status_code == 200, timeout=60
        )
        recovered_in = time.monotonic() - back
        time.sleep(5)
        stack.phase = "after"
        time.sleep(10)
        load.stop()

        down = [row for row in stack.requests if row[0] == "down"]
        statuses = sorted({row[2] for row in down})
        seconds, which = slowest(stack, "down")
        report.check(
            "Requests while PostgreSQL is down",
            f"every one 503, within {LIMIT:.0f} s",
            f"{len(down)} requests, answers {statuses}; slowest {seconds:.2f} s ({which})",
            bool(down) and statuses == [503] and seconds <= LIMIT,
        )
        report.check(
            "The page people see",
            f'503 "{UNAVAILABLE}"',
            f"{page.status_code}, Retry-After {page.headers.get('Retry-After')}; "
            + ("the styled page" if "govuk-template" in page.text else "the plain page")
            + ("" if UNAVAILABLE in page.text else "; does not say it: " + page.text[:80]),
            page.status_code == 503 and UNAVAILABLE in page.text,
        )
        report.check(
            "The API", "503, JSON with a detail", f"{api.status_code} {api.text[:90]}",
            api.status_code == 503 and api.headers.get("Content-Type", "").startswith("application/json"),
        )  # fmt: skip
        body = health.json() if health.headers.get("Content-Type", "").startswith("application/json") else {}
        report.check(
            "/healthz while down",
            '503, "down", database unreachable',
            f"{health.status_code}; status {body.get('status')}; database: {body.get('database')}; "
            f"broker: {body.get('broker')}",
            health.status_code == 503
            and body.get("status") == "down"
            and str(body.get("database")).startswith("unreachable"),
        )
        everything = Counter(row[2] for row in stack.requests)
        report.check(
            "Answers over the whole drill (stop, down, start, after)",
            "no 500 and no request left unanswered",
            dict(everything),
            500 not in everything and 0 not in everything,
        )
        after = [row for row in stack.requests if row[0] == "after"]
        report.check(
            "Recovery, with nobody acting",
            "pages served again within 10 s of PostgreSQL's return; then no errors",
            f"first page after {recovered_in:.1f} s; afterwards {len(after)} requests, answers "
            f"{sorted({row[2] for row in after})}",
            bool(recovered) and recovered_in <= 10 and after and all(0 < row[2] < 500 for row in after),
        )
        # the worker and beat: a return uploaded now is checked, and the heartbeat moves on
        mark = time.time()
        load.upload(load.uploaders[0])
        pk = load.uploaded[-1] if load.uploaded else None
        checked = pk and wait_for(
            "a new return to be checked",
            lambda: stack.value("SELECT status FROM targets_datareturn WHERE id = %s", [pk]) in ("valid", "invalid"),
            timeout=60,
        )
        beat = stack.value(
            "SELECT extract(epoch FROM max(last_finished_at)) FROM portal_scheduledrun WHERE name = "
            "'portal.worker_heartbeat'"
        )
        report.check(
            "Worker and beat after the restart",
            "a new return checked; a heartbeat after it; outbox empty",
            f"return {pk}: {'checked' if checked else 'not checked'}; heartbeat "
            f"{'after' if beat and beat > mark - 30 else 'not since'} the restart; outbox pending {outbox_pending(stack)}",
            bool(checked) and bool(beat and beat > mark - 30) and outbox_pending(stack) == 0,
        )
    finally:
        stack.close()
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
