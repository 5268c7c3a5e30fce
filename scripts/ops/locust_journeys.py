"""The load test's journeys (scripts/ops/loadtest.py runs them headless, `make loadtest`), weighted like real use.

- A partner officer (weight 5) signs in with password and an authenticator code, opens the start page and a
  target, uploads a one-row data return for an indicator their partner provides, waits for the worker to check
  it, applies it, and writes their partner's section of the draft plan.
- Someone in the PCC office (1): the audit log, the data-sharing agreements, the call-ins and a determination.
- A board member (2): the dashboard with a filter, a target, the dashboard's export with the same filter.
- An anonymous visitor (2): the public register, an entry of it and its feed.

Each person signs in once with their own account (loadtest_setup.py makes them; LOADTEST_FIXTURES names the
JSON file) and then repeats their journey, pausing as people do between pages. Requests are named by page; any
status but the one the page should answer is a failure, and so is a return that is not checked within
RETURN_WAIT seconds or does not pass its checks.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from datetime import date
from pathlib import Path

import gevent
from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from harness import cookies_from, totp  # noqa: E402

FIXTURES = json.loads(open(os.environ["LOADTEST_FIXTURES"]).read()) if os.environ.get("LOADTEST_FIXTURES") else {}
RETURN_WAIT = 120  # seconds a return may take to be checked (beat relays the outbox every 5 s, then the worker)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RETURN_HEADER = "indicator_code,area_code,period_start,period_end,value\n"
LATEST_PERIOD = date(
    2015, 10, 1
)  # (the first day of a month and of a quarter) returns go back from here: periods no other return of the run has (see below)
# The journeys' fixed pages (the other paths, a target's or a plan section's, come from LOADTEST_FIXTURES).
PATHS = {
    "sign in": "/sign-in/",
    "sign in code": "/sign-in/two-factor/",
    "start page": "/",
    "upload": "/data-returns/upload/",
    "progress": "/data-returns/{pk}/progress/",
    "report": "/data-returns/{pk}/",
    "apply": "/data-returns/{pk}/apply/",
    "applied": "/data-returns/{pk}/applied/",
    "audit log": "/audit/",
    "agreements": "/sharing-agreements/",
    "call-ins": "/call-ins/",
    "dashboard": "/dashboard/",
    "dashboard export": "/dashboard/export.csv",
    "public register": "/register/",
    "public register feed": "/register/feed/",
}
_clients = itertools.count(1)
_accounts = {name: itertools.count() for name in ("officer", "pcc", "board")}
_returns: dict[str, itertools.count] = {}


def month_back(start: date, months: int) -> date:
    index = start.year * 12 + start.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def period(frequency: str, back: int) -> tuple[date, date]:
    """A whole month or calendar quarter, `back` periods before LATEST_PERIOD."""
    months = 3 if frequency == "quarterly" else 1
    first = month_back(LATEST_PERIOD, back * months)
    after = month_back(first, -months)
    return first, date.fromordinal(after.toordinal() - 1)


def return_csv(row: dict) -> str:
    """A one-row return no other return of this run revises or is revised by: each upload of an indicator takes
    the next (area, period) pair, going back in time from LATEST_PERIOD."""
    n = next(_returns.setdefault(row["indicator"], itertools.count()))
    area = row["areas"][n % len(row["areas"])]
    start, end = period(row["frequency"], n // len(row["areas"]))
    value = random.randint(10, 90)  # (whole: good for counts, rates and days alike)
    return RETURN_HEADER + f"{row['indicator']},{area},{start.isoformat()},{end.isoformat()},{value}\n"


class Person(HttpUser):
    """A client of its own address (the server trusts loopback as its proxy, so each client counts apart in the
    per-address limits, as people on their own networks do), keeping its cookies by hand."""

    abstract = True
    wait_time = between(2, 5)  # between journeys
    persona = ""

    def on_start(self):
        n = next(_clients)
        self.address = f"10.{n // 62500 % 256}.{n // 250 % 250}.{n % 250 + 1}"
        self.jar: dict[str, str] = {}
        if self.persona:
            self.account = FIXTURES[self.persona][next(_accounts[self.persona]) % len(FIXTURES[self.persona])]
            self.sign_in()

    def think(self):
        gevent.sleep(random.uniform(1, 3))

    def headers(self, extra: dict | None = None) -> dict:
        # NOTE: the portal's cookies are Secure (production settings) and the run speaks plain http on loopback,
        # so the session and CSRF cookies are kept and sent by hand rather than by the client's cookie jar.
        out = {"X-Forwarded-For": self.address, **(extra or {})}
        if self.jar:
            out["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        return out

    def visit(self, method: str, path: str, name: str, expect: int = 200, **kwargs):
        """One request; a failure unless it answers `expect`. The response (None when it failed)."""
        with self.client.request(
            method,
            path,
            name=name,
            headers=self.headers(kwargs.pop("headers", None)),
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as response:
            if response.raw is not None:
                cookies_from(response.raw.headers.getlist("Set-Cookie"), self.jar)
            if response.status_code != expect:
                response.failure(f"{name}: answered {response.status_code}, not {expect}")
                return None
            response.success()
            return response

    def form(self, path: str, name: str, fields: dict, *, files=None, expect: int = 302, page_name: str = ""):
        """Open a form's page, then send it with its CSRF token: the answer, or None."""
        page = self.visit("GET", path, page_name or f"{name} (form)")
        token = page is not None and CSRF_FIELD.search(page.text)
        if not token:
            return None
        self.think()
        data = {"csrfmiddlewaretoken": token.group(1), **fields}
        return self.visit("POST", path, name, expect=expect, data=data, files=files)

    def fail(self, name: str, message: str) -> None:
        """Count a failure that is no single request's answer (a step that did not happen in time or at all)."""
        self.environment.events.request.fire(
            request_type="STEP",
            name=name,
            response_time=0,
            response_length=0,
            exception=AssertionError(message),
            context={},
        )

    def sign_in(self):
        if self.form(
            PATHS["sign in"],
            "sign in: password",
            {"username": self.account["username"], "password": FIXTURES["password"]},
        ):
            self.form(PATHS["sign in code"], "sign in: code", {"code": totp(self.account["key"])})


class PartnerOfficer(Person):
    weight = 5
    persona = "officer"

    @task
    def journey(self):
        self.visit("GET", PATHS["start page"], "start page")
        self.think()
        self.visit("GET", random.choice(FIXTURES["targets"]), "target")
        self.think()
        self.data_return()
        self.think()
        self.write_section()

    def data_return(self):
        upload = self.form(
            PATHS["upload"],
            "data return: upload",
            {},
            files={"file": ("return.csv", return_csv(self.account).encode(), "text/csv")},
        )
        found = upload is not None and re.search(r"/data-returns/(\d+)/", upload.headers.get("Location", ""))
        if not found:
            return
        pk = found.group(1)
        if not self.checked(pk):
            return
        report = self.visit("GET", PATHS["report"].format(pk=pk), "data return: report")
        if report is None:
            return
        if PATHS["apply"].format(pk=pk) not in report.text:
            self.fail("data return: passes its checks", "the return did not pass its checks")
            return
        self.think()
        apply_page = PATHS["apply"].format(pk=pk)
        page = self.visit("GET", apply_page, "data return: apply (form)")
        if page is None:
            return
        fields = {"confirm_revisions": "on"} if 'name="confirm_revisions"' in page.text else {}
        token = CSRF_FIELD.search(page.text)
        if not token:
            self.fail("data return: apply", "the apply page has no form")
            return
        applied = self.visit(
            "POST", apply_page, "data return: apply", expect=302, data={"csrfmiddlewaretoken": token.group(1), **fields}
        )
        if applied is None:
            return
        if not applied.headers.get("Location", "").endswith(PATHS["applied"].format(pk=pk)):
            self.fail("data return: applied", f"applying led to {applied.headers.get('Location')}, not /applied/")
            return
        self.visit("GET", PATHS["applied"].format(pk=pk), "data return: applied")

    def checked(self, pk: str) -> bool:
        """Wait for the worker to check the return: its progress page answers 200 until then, then redirects."""
        started = time.monotonic()
        while True:
            with self.client.get(
                PATHS["progress"].format(pk=pk),
                name="data return: progress",
                headers=self.headers(),
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code == 302:
                    response.success()
                    return True
                if response.status_code != 200:
                    response.failure(f"data return: progress answered {response.status_code}")
                    return False
                response.success()
            if time.monotonic() - started > RETURN_WAIT:
                self.fail("data return: checked in time", f"not checked within {RETURN_WAIT} s")
                return False
            gevent.sleep(1)

    def write_section(self):
        words = " ".join(random.choice(["more", "joint", "cases", "victims", "courts", "data"]) for _ in range(40))
        saved = self.form(
            self.account["section"],
            "plan section: save",
            {"title": f"What we will do ({self.account['partner']})", "body": f"## Our part\n\n{words}.\n"},
            page_name="plan section: edit",
        )
        if saved is not None:
            self.visit("GET", saved.headers["Location"].split("#")[0], "plan version")


class PccOffice(Person):
    weight = 1
    persona = "pcc"

    @task
    def journey(self):
        for path, name in (
            (PATHS["audit log"], "audit log"),
            (PATHS["agreements"], "agreements"),
            (PATHS["call-ins"], "call-ins"),
            (FIXTURES["determination"], "determination"),
        ):
            self.visit("GET", path, name)
            self.think()


class BoardMember(Person):
    weight = 2
    persona = "board"

    @task
    def journey(self):
        filters = random.choice(FIXTURES["dashboard_filters"])
        self.visit("GET", PATHS["dashboard"], "dashboard (filtered)", params=filters)
        self.think()
        self.visit("GET", random.choice(FIXTURES["targets"]), "target")
        self.think()
        self.visit("GET", PATHS["dashboard export"], "dashboard export", params=filters)


class Visitor(Person):
    weight = 2

    @task
    def journey(self):
        self.visit("GET", PATHS["public register"], "public register")
        self.think()
        self.visit("GET", FIXTURES["register_entry"], "public register: entry")
        self.think()
        self.visit("GET", PATHS["public register feed"], "public register: feed")
