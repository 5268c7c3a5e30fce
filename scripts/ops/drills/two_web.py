"""Drill: two web replicas on one database, Redis and uploads folder (what the compose profile `scaled` runs
behind its proxy), one of them killed.

Expected: a person signed in on one replica is signed in on the other (sessions are in the database); a
return uploaded through one is checked by the worker and applied through the other (uploads in the shared
storage); when one replica is killed (SIGKILL), the person goes on on the other without signing in again and
loses nothing, as the proxy's retry on another replica would have them.

    .venv/bin/python scripts/ops/drills/two_web.py
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BIN, ROOT, Client, Report, Stack, free_port, say, wait_for  # noqa: E402
from load import small_return  # noqa: E402

OFFICER = "police.officer"


class On:
    """A view of the stack that sends a client's requests to one replica (a Client asks its stack for `base`)."""

    def __init__(self, stack: Stack, base: str):
        self._stack, self.base = stack, base

    def __getattr__(self, name):
        return getattr(self._stack, name)


def start_replica(stack: Stack, port: int) -> subprocess.Popen:
    """A second gunicorn with the same settings (its own metrics folder), as a second web container."""
    env = stack.env()
    env["PROMETHEUS_MULTIPROC_DIR"] = str(stack.scratch / f"prometheus-{port}")
    Path(env["PROMETHEUS_MULTIPROC_DIR"]).mkdir(exist_ok=True)
    command = [str(BIN / "gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    log = (stack.scratch / f"web-{port}.log").open("ab")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    if not wait_for("the second replica", lambda: requests.get(base + "/healthz", timeout=5).status_code, timeout=60):
        raise SystemExit(f"the second replica did not start; see {stack.scratch}")
    return process


def main() -> int:
    report = Report("two_web")
    stack = Stack("two_web", workers=2)
    second = None
    try:
        stack.prepare()
        stack.start_all()
        port_b = free_port()
        second = start_replica(stack, port_b)
        a, b = stack.base, f"http://127.0.0.1:{port_b}"
        say(f"replica A on {a}, replica B on {b}")

        officer = Client(On(stack, a), OFFICER).sign_in()
        on_b = Client(On(stack, b), OFFICER)
        on_b.jar = officer.jar  # the same browser, its next request sent to the other replica
        start_b = on_b.get("/")
        report.check(
            "Signed in on A, the next page from B",
            "200, still signed in",
            f"{start_b.status_code}{' (signed in)' if 'Sign out' in start_b.text else ''}",
            start_b.status_code == 200 and "Sign out" in start_b.text,
        )

        template = on_b.get("/data-returns/template.csv").text
        upload = on_b.form(
            "/data-returns/upload/", {}, files={"file": ("drill.csv", small_return(template, 1), "text/csv")}
        )
        found = re.search(r"/data-returns/(\d+)/", upload.headers.get("Location", ""))
        number = int(found.group(1)) if found else 0
        checked = wait_for(
            "the return's checks",
            lambda: stack.value("SELECT status FROM targets_datareturn WHERE id = %s", [number]) == "valid",
            timeout=60,
        )
        officer.jar = on_b.jar
        applied = officer.form(f"/data-returns/{number}/apply/", {"confirm_revisions": "on"}) if checked else None
        status = stack.value("SELECT status FROM targets_datareturn WHERE id = %s", [number]) if number else None
        report.check(
            "Uploaded through B, checked by the worker, applied through A",
            "302, valid, then applied",
            f"upload {upload.status_code}; {'checked' if checked else 'not checked'}; apply "
            f"{getattr(applied, 'status_code', '-')}; {status}",
            upload.status_code == 302 and bool(checked) and status == "applied",
        )
        report_page = officer.get(f"/data-returns/{number}/")
        report.check("The return's page from A", "200", report_page.status_code, report_page.status_code == 200)

        say("replica A killed (SIGKILL to gunicorn and its workers, as a container is killed)")
        children = subprocess.run(["pgrep", "-P", str(stack.web.pid)], capture_output=True, text=True).stdout.split()
        for pid in [stack.web.pid, *map(int, children)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        stack.web.wait(10)
        time.sleep(1)
        try:
            requests.get(a + "/healthz", timeout=2)
            a_down = False
        except requests.RequestException:
            a_down = True
        on_b.jar = officer.jar
        pages = {path: on_b.get(path).status_code for path in ("/", "/data-returns/", f"/data-returns/{number}/")}
        report.check(
            "With A killed, the same person on B",
            "A refuses connections; every page 200 from B without signing in again",
            f"A {'down' if a_down else 'still answering'}; {pages}",
            a_down and all(code == 200 for code in pages.values()),
        )
    finally:
        if second is not None and second.poll() is None:
            second.terminate()
            try:
                second.wait(20)
            except subprocess.TimeoutExpired:
                second.kill()
        stack.close()
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
