"""The load benchmark's pages and their queries: run by scripts/bench/run.py under the benchmark's environment
(production settings, the benchmark's database), it prints JSON on stdout.

    {"pages": [{"name", "path", "target", "status", "queries"}, ...]}

Each page is asked for twice by Django's test Client as the first benchmark viewer (signed in, second factor
verified, as the portal's own session stores it), and the queries of the second answer are counted.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from portal.security import VERIFIED_AT_KEY  # noqa: E402
from targets.bench.shape import VIEWER_USERNAMES  # noqa: E402
from targets.models import Target  # noqa: E402
from targets.selectors import observations_visible_to  # noqa: E402

# (name, target: the least share of the minimal page's requests a second, path or None to be worked out)
PAGES = [
    ("Minimal signed-in page", None, "/accessibility/"),
    ("Dashboard overview", 1 / 5, "/dashboard/"),
    ("Priorities", 1 / 5, "/priorities/"),
    ("Partner page", 1 / 5, None),
    ("Target", None, None),
    ("Start page", 1 / 5, "/"),
    ("API: observations", 1 / 10, "/api/v1/observations/"),
    ("API: targets", 1 / 10, "/api/v1/targets/"),
]


def signed_in(user) -> Client:
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
    session[VERIFIED_AT_KEY] = time.time()
    session.save()
    return client


def worked_out_paths(viewer) -> dict[str, str]:
    """The partner page of the partner that shares the most figures with the viewer, and a target of one
    of its indicators (so that the target's figures are shown)."""
    shared = observations_visible_to(user=viewer).order_by().values("provider__slug").annotate(n=Count("pk"))
    slug = max(shared, key=lambda row: row["n"])["provider__slug"]
    target = Target.objects.filter(indicator__provider__slug=slug).order_by("pk").first()
    return {"Partner page": f"/partners/{slug}/", "Target": f"/targets/{target.pk}/"}


def main() -> None:
    viewer = get_user_model().objects.get(username=VIEWER_USERNAMES[0])
    found = worked_out_paths(viewer)
    client = signed_in(viewer)
    pages = []
    for name, target, path in PAGES:
        path = path or found[name]
        client.get(path)  # (the session's first request warms it)
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        pages.append({"name": name, "path": path, "target": target, "status": status, "queries": len(captured)})
    json.dump({"pages": pages}, sys.stdout)


if __name__ == "__main__":
    main()
