"""The load test's journeys (scripts/ops/locust_journeys.py, `make loadtest`): weighted as documented, asking for
pages the portal has, with returns that never collide, and authenticator codes the portal accepts."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.urls import resolve

from scripts.bench import harness

ROOT = Path(__file__).resolve().parents[2]
# NOTE: importing locust monkey-patches the process with gevent, so the locustfile is imported in a process of its
# own, which reports what the tests check.
REPORT = """
import json, sys
sys.path.insert(0, "scripts/ops")
import locust_journeys as j
row = {"indicator": "SV-1000", "frequency": "monthly", "areas": ["E08000025", "E08000026", "E08000027"]}
print(json.dumps({
    "classes": {c.__name__: [c.weight, c.persona] for c in j.Person.__subclasses__()},
    "paths": j.PATHS,
    "periods": {f: [[str(d) for d in j.period(f, n)] for n in range(12)] for f in ("monthly", "quarterly")},
    "header": j.RETURN_HEADER,
    "returns": [j.return_csv(row) for _ in range(40)],
    "totp_is_harness": j.totp.__module__ == "harness",
}))
"""


@pytest.fixture(scope="module")
def journeys() -> dict:
    done = subprocess.run([sys.executable, "-c", REPORT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_the_journeys_are_weighted_like_real_use(journeys):
    assert journeys["classes"] == {
        "PartnerOfficer": [5, "officer"],
        "PccOffice": [1, "pcc"],
        "BoardMember": [2, "board"],
        "Visitor": [2, ""],
    }


def test_every_fixed_path_is_a_page_of_the_portal(journeys):
    expected = {
        "sign in": "portal:login",
        "sign in code": "portal:otp-verify",
        "start page": "portal:home",
        "upload": "targets:data-return-upload",
        "progress": "targets:data-return-progress",
        "report": "targets:data-return",
        "apply": "targets:data-return-apply",
        "applied": "targets:data-return-applied",
        "audit log": "portal:audit-log",
        "agreements": "partners:dsa-list",
        "call-ins": "callins:callins",
        "dashboard": "targets:dashboard",
        "dashboard export": "targets:dashboard-export",
        "public register": "register:index",
        "public register feed": "register:feed",
    }
    resolved = {name: resolve(path.format(pk=7)).view_name for name, path in journeys["paths"].items()}
    assert resolved == expected


def test_periods_are_whole_months_and_calendar_quarters_going_back(journeys):
    monthly, quarterly = journeys["periods"]["monthly"], journeys["periods"]["quarterly"]
    assert monthly[0] == ["2015-10-01", "2015-10-31"] and monthly[10] == ["2014-12-01", "2014-12-31"]
    assert quarterly[0] == ["2015-10-01", "2015-12-31"] and quarterly[3] == ["2015-01-01", "2015-03-31"]
    for start, end in monthly + quarterly:
        start, end = date.fromisoformat(start), date.fromisoformat(end)
        assert start.day == 1 and date.fromordinal(end.toordinal() + 1).day == 1 and start < end
    assert len({tuple(p) for p in monthly}) == 12 and len({tuple(p) for p in quarterly}) == 12


def test_no_two_returns_of_a_run_hold_the_same_figure(journeys):
    header, returns = journeys["header"], journeys["returns"]
    assert header == "indicator_code,area_code,period_start,period_end,value\n"
    assert all(r.startswith(header) and r.count("\n") == 2 for r in returns)
    cells = [r.removeprefix(header).strip().split(",") for r in returns]
    assert all(len(c) == 5 and c[0] == "SV-1000" and c[4].isdigit() for c in cells)
    assert len({(c[1], c[2]) for c in cells}) == 40
    assert {c[1] for c in cells} == {"E08000025", "E08000026", "E08000027"}


def test_the_code_the_journeys_enter_is_the_one_django_otp_expects(journeys):
    from django_otp.oath import TOTP

    key = "3132333435363738393031323334353637383930"
    # RFC 6238's SHA-1 test vectors (8 digits; the portal's apps show 6).
    assert harness.totp(key, at=59, digits=8) == "94287082"
    assert harness.totp(key, at=1111111109, digits=8) == "07081804"
    assert harness.totp(key, at=2000000000, digits=8) == "69279037"
    for at in (59, 1111111109, 2000000000):
        device = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6, drift=0)
        device.time = at
        assert harness.totp(key, at=at) == f"{device.token():06d}"
    assert journeys["totp_is_harness"]
