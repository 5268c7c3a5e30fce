"""The main pages answer on an upgraded database (.ci/upgrade-drill): each demo role opens its start page,
the lists and every plan version it may read; anything but 200 fails, naming the page."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from portal.security import VERIFIED_AT_KEY  # noqa: E402
from targets.plans.models import PlanVersion  # noqa: E402

PEOPLE = ["police.officer", "yjs.birmingham.signatory", "pcc.officer", "board.chair"]
PAGES = ["/", "/partners/", "/priorities/", "/indicators/", "/plans/", "/sharing-agreements/", "/data-returns/"]


def signed_in(user) -> Client:
    client = Client(HTTP_HOST="portal.example.org")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.filter(user=user, confirmed=True).first().persistent_id
    session[VERIFIED_AT_KEY] = time.time()
    session.save()
    return client


def main() -> int:
    wrong = []
    opened = 0
    versions = [v.get_absolute_url() for v in PlanVersion.objects.order_by("plan_id", "number")]
    for username in PEOPLE:
        client = signed_in(get_user_model().objects.get(username=username))
        for path in [*PAGES, *versions]:
            status = client.get(path, secure=True).status_code
            opened += 1
            if status not in (200, 404) or (status == 404 and path in PAGES):
                wrong.append(f"{username} {path}: {status}")
    if wrong:
        print("upgrade drill: pages that did not answer:\n  " + "\n  ".join(wrong), file=sys.stderr)
        return 1
    print(f"upgrade drill: {opened} page requests answered as expected")
    return 0


if __name__ == "__main__":
    # Static files are served from the manifest in production; the drill does not build it.
    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": staticfiles}
    ):
        sys.exit(main())
