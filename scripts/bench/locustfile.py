"""Load on one page at a time, by signed-in benchmark viewers (scripts/bench/run.py runs it headless).

BENCH_PATH is the page; BENCH_SESSIONS the viewers' session keys, comma-separated (each client takes the next).
Every client asks again as soon as it has its answer; anything but a 200 is an error (a redirect to the sign-in
page would mean the session was lost).
"""

from __future__ import annotations

import itertools
import os

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

PATH = os.environ.get("BENCH_PATH", "/accessibility/")
SESSIONS = [key for key in os.environ.get("BENCH_SESSIONS", "").split(",") if key]
_next = itertools.count()


class SignedInViewer(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        # NOTE: the portal's cookies are Secure (production settings) and the benchmark speaks plain http on
        # loopback, so the session cookie is sent by hand rather than kept in a cookie jar.
        self.cookie = f"sessionid={SESSIONS[next(_next) % len(SESSIONS)]}" if SESSIONS else ""

    @task
    def page(self):
        with self.client.get(
            PATH, headers={"Cookie": self.cookie}, allow_redirects=False, catch_response=True, name=PATH
        ) as response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")
