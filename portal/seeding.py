"""The demo's building blocks in the core: the registry of seed steps each app adds, the demo
password, and demo people (a user with an authenticator app). The wiring (portal/demo.py) runs
the steps in order; every step is idempotent.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from .actors import system
from .models import Notification

# The actor every seed step passes to the services: audited as "system: demo seed".
SEED = system("demo seed")


@dataclass(frozen=True)
class SeedStep:
    order: int
    func: Callable[[], None]


SEED_STEPS: list[SeedStep] = []


def seed_step(order: int) -> Callable:
    """Register an idempotent demo step; steps run by order (partners 10, targets 20–50, plans 60…)."""

    def register(func: Callable[[], None]) -> Callable[[], None]:
        if all(step.func is not func for step in SEED_STEPS):
            SEED_STEPS.append(SeedStep(order, func))
        return func

    return register


def demo_password() -> str:
    """DEMO_PASSWORD, else a password generated once for this checkout (kept in var/)."""
    env = os.environ.get("DEMO_PASSWORD")
    if env:
        return env
    path = settings.VAR_DIR / "demo-password"
    if not path.exists():
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
    return path.read_text().strip()


def demo_user(username: str, first: str = "", last: str = "", superuser: bool = False):
    """A demo person with the demo password and an authenticator app (made once)."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@cjpartnership.example",
            is_staff=superuser,
            is_superuser=superuser,
        )
        user.set_password(demo_password())
        user.save()
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
    return user


@contextmanager
def notifications_dated(when: datetime, *, read: bool = False) -> Iterator[None]:
    """Date the notifications a demo step sends at the time the step is meant to have happened (the
    services stamp the time they run), and mark them read if the demo's people have long seen them."""
    newest = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    yield
    Notification.objects.filter(pk__gt=newest).update(created_at=when, read_at=when if read else None)
