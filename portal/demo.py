"""The demo for the West Midlands board: every app's seed steps, run in order (wiring).

Each step is idempotent; the apps register theirs (portal.seeding.seed_step) in their demo modules.
"""

from __future__ import annotations

import importlib

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.demo import ADMIN_USERNAME, PEOPLE
from partners.models import Role
from portal.seeding import SEED_STEPS, demo_password  # noqa: F401 (demo_password: for the commands)

DEMO_APPS = ("partners", "targets", "callins", "funding")


def seed_all() -> None:
    for app in DEMO_APPS:
        try:
            importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
    for step in sorted(SEED_STEPS, key=lambda s: s.order):
        step.func()


def demo_accounts() -> list[dict]:
    """Each demo account with its role and authenticator secret (for the newcomer's first sign-in)."""
    import base64

    User = get_user_model()
    rows = []
    for username, _first, _last, slug, role, _title in PEOPLE + [(ADMIN_USERNAME, "", "", "", None, "Superuser")]:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        secret = base64.b32encode(device.bin_key).decode().rstrip("=") if device else ""
        rows.append(
            {
                "username": username,
                "role": Role(role).label if role else "Superuser",
                "partner": slug,
                "totp_secret": secret,
            }
        )
    return rows
