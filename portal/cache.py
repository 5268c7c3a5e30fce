"""A Redis cache that degrades to a miss when Redis is down or hangs, instead of failing the request.

Nothing the portal keeps in the cache is the only copy of anything (sessions are in the
database; throttle counters and cached values can be rebuilt), so a cache outage must cost speed,
never a page. Each call has short socket timeouts; after a failure the cache is skipped for
`down_for` seconds (a breaker), so a hung Redis does not cost every request its timeout.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)
# NOTE: Django makes one cache object per thread; the breaker is shared by every thread of a process.
_DOWN_UNTIL: dict[str, float] = {}
_LOCK = threading.Lock()

# method -> what it answers when Redis cannot be reached (callables get the call's arguments)
_FALLBACKS = {
    "get": lambda key, default=None, version=None: default,
    "get_many": lambda keys, version=None: {},
    "has_key": lambda key, version=None: False,
    "add": lambda *a, **k: False,
    "set": lambda *a, **k: None,
    "set_many": lambda data, timeout=None, version=None: list(data),
    "touch": lambda *a, **k: False,
    "delete": lambda *a, **k: False,
    "delete_many": lambda *a, **k: None,
    "clear": lambda *a, **k: None,
    "incr": None,  # counters have no sensible fallback: the caller hears ValueError (a miss)
    "decr": None,
}


class ResilientRedisCache(RedisCache):
    """django's RedisCache, failing open. `is_degraded()` tells whether the last call found Redis down."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.down_for = float(options.pop("DOWN_FOR_SECONDS", 15))
        # NOTE: at most 2 s to connect and to read: a hung Redis must not hang a request.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        options.setdefault("retry_on_timeout", False)
        super().__init__(server, {**params, "OPTIONS": options})
        self._breaker_key = str(server)

    def is_degraded(self) -> bool:
        return time.monotonic() < _DOWN_UNTIL.get(self._breaker_key, 0.0)

    def _failed(self, name: str, exc: Exception) -> None:
        with _LOCK:
            first = not self.is_degraded()
            _DOWN_UNTIL[self._breaker_key] = time.monotonic() + self.down_for
        if first:
            log.warning(
                "cache unavailable (%s in %s): serving without it for %ss", type(exc).__name__, name, self.down_for
            )


def _wrap(name: str, fallback):
    original = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        import redis

        if self.is_degraded():
            if fallback is None:
                raise ValueError("the cache is unavailable")
            return fallback(*args, **kwargs)
        try:
            return original(self, *args, **kwargs)
        except (redis.exceptions.RedisError, OSError) as exc:
            self._failed(name, exc)
            if fallback is None:
                raise ValueError("the cache is unavailable") from exc
            return fallback(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = original.__doc__
    return method


for _name, _fallback in _FALLBACKS.items():
    setattr(ResilientRedisCache, _name, _wrap(_name, _fallback))
