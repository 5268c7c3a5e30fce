"""Writes a person can repeat, limited per person: far above what anyone does by hand (30 comments in 10
minutes), so only a script or a stuck key meets the limit, and the message says what happened and what to do.

Counted in Django's cache (Redis in production), over a sliding window: this window's count plus the last
window's, weighted by how much of it still falls within the period. A refused write is not counted. Nothing
here is the only copy of anything: with the cache down the write goes through (fails open, as the cache
does: portal/cache.py) and the log says that limits were not enforced.

Apps declare their limits beside what they limit (`targets/plans/limits.py`); services or views call
`hit(limit, by=person)` just before the write. Pages anyone may read without signing in are counted per client
address instead (`hit_address`: portal/public.py). The pages show `RateLimited` as any refusal (it is a
ValidationError); the API answers 429 with its message (portal/api_actions.py).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError

from .lockout import duration_words

log = logging.getLogger(__name__)
_last_warned = 0.0


@dataclass(frozen=True)
class Limit:
    """At most `count` writes called `name` per person in any `seconds`. `message` may say {count} and
    {period}: "You have added {count} comments in the last {period}"."""

    name: str
    count: int
    seconds: int
    message: str

    @property
    def period(self) -> str:
        """The period in words, as "in the last …" ends: "10 minutes", "hour"."""
        words = duration_words(timedelta(seconds=self.seconds))
        return words.removeprefix("1 ") if words in ("1 hour", "1 minute") else words

    def refusal(self) -> str:
        return self.message.format(count=self.count, period=self.period) + ". Wait a few minutes and try again."


class RateLimited(ValidationError):
    """A write over its limit. `retry_after`: seconds until one more would be taken."""

    def __init__(self, limit: Limit, *, retry_after: int):
        super().__init__(limit.refusal(), code="rate_limited")
        self.limit, self.retry_after = limit, retry_after


# NOTE: the tests give each test its own namespace, so counts never carry over from one test to the next.
NAMESPACE = "ratelimit"


def _key(limit: Limit, who: int | str, window: int) -> str:
    return f"{NAMESPACE}:{limit.name}:{who}:{window}"


def hit(limit: Limit, *, by, now: float | None = None) -> None:
    """Count one write by `by`; raise RateLimited if it would be over the limit. The system actor (and
    anyone not signed in, whom other checks refuse) is not counted."""
    if not getattr(by, "is_authenticated", False):
        return
    _count(limit, by.pk, now)


def hit_address(limit: Limit, *, address: str | None, now: float | None = None) -> None:
    """Count one request from a client address (portal.security.client_ip), for pages anyone may ask for
    without signing in (portal/public.py); raise RateLimited if it would be over the limit. Everyone behind
    one address (an office's proxy) shares its count, so such a limit is set far above one person's use."""
    _count(limit, f"address-{address or 'unknown'}", now)


def _count(limit: Limit, who: int | str, now: float | None) -> None:
    now = time.time() if now is None else now
    window, into = divmod(now, limit.seconds)
    current, previous = _key(limit, who, int(window)), _key(limit, who, int(window) - 1)
    try:
        cache.add(current, 0, timeout=limit.seconds * 2)
        made = cache.incr(current)
        before = cache.get(previous) or 0
    except Exception as exc:  # noqa: BLE001 — a cache that is down or raises: the write goes through
        _warn_unenforced(limit, exc)
        return
    used = made + before * (1 - into / limit.seconds)
    if used <= limit.count:
        return
    try:
        cache.decr(current)  # a refused write does not count against the next one
    except Exception:  # noqa: BLE001
        pass
    raise RateLimited(limit, retry_after=max(1, math.ceil(limit.seconds - into)))


def _warn_unenforced(limit: Limit, exc: Exception) -> None:
    global _last_warned
    if time.monotonic() - _last_warned < 60:
        return
    _last_warned = time.monotonic()
    log.warning("rate limit %s not enforced: the cache is unavailable (%s)", limit.name, type(exc).__name__)


# The core's own limits: files uploaded (data returns, plan documents: one count for both) and second-factor
# codes entered (on top of django-axes, which locks a username after failed passwords).
UPLOADS = Limit("upload", 30, 3600, "You have uploaded {count} files in the last {period}")
SIGN_IN_CODES = Limit("sign-in-code", 10, 300, "You have entered {count} codes in the last {period}")
# Pages anyone may read without signing in (the public register), per client address: a person reading the
# register asks for a few pages a minute, a script copying it for hundreds.
PUBLIC_PAGES = Limit(
    "public-page", 300, 300, "Your network has asked for {count} pages of the public register in the last {period}"
)
