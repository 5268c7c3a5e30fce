"""The demo for the West Midlands board: every app's seed steps, run in order (wiring).

Each step is idempotent; the apps register theirs (portal.seeding.seed_step) in their demo modules.
The demo and development commands (seed_demo, demo_logins, demo_otp_code, api_session) create demo
accounts, print their sign-in secrets or sign people in without them: demo_command_refusal() keeps
them to development, on a database of demo accounts only.
"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.demo import ADMIN_USERNAME, PEOPLE
from partners.models import Role
from portal.seeding import SEED_STEPS, demo_password  # noqa: F401 (demo_password: for the commands)

DEMO_APPS = ("partners", "targets", "callins", "funding")
DEMO_USERNAMES = frozenset([person[0] for person in PEOPLE] + [ADMIN_USERNAME])


def demo_command_refusal(command: str) -> str | None:
    """Why this demo or development command must not run here, or None when it may.

    It may run only in development (the embedded default, or DEBUG on) and only on a database whose
    accounts are all the demo's. The service users of partner systems' API tokens are not counted: the
    portal makes them itself, and nobody signs in as one.
    """
    if not settings.LOCAL:
        return (
            f"{command} works only in development: on the embedded default (none of "
            f"{', '.join(settings.PRODUCTION_VARIABLES)} set) or with DEBUG=1. It is refused here because the "
            "production settings are in force."
        )
    others = get_user_model().objects.exclude(username__in=DEMO_USERNAMES).exclude(is_service_account=True).count()
    if others:
        accounts = "1 account that is" if others == 1 else f"{others} accounts that are"
        return (
            f"{command} is refused: this database holds {accounts} not the demo's. The demo commands make demo "
            "accounts, print their sign-in secrets or sign people in without them, so they run only on a "
            "database of demo accounts. Use a new database for the demo: for example, with nothing set, point "
            "VAR_DIR at an empty folder and run `make run`."
        )
    return None


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
