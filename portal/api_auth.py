"""API authentication in the core: second-factor-verified sessions, and the rate limit on partner-system
tokens (which the partners app issues and authenticates: partners/api_auth.py)."""

from __future__ import annotations

from rest_framework import authentication
from rest_framework.throttling import SimpleRateThrottle

from .models import SecurityEvent
from .security import security_log


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """A browser session counts only once it has passed the second factor."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, auth = result
        if not getattr(request._request.user, "is_verified", lambda: False)():
            return None
        return user, auth


class TokenRateThrottle(SimpleRateThrottle):
    """Rate-limit partner-system tokens (per token); people in browsers are not throttled here.

    Fails open: when the cache (Redis) is down the request is let through and the security log
    says that rate limits were not enforced (at most once a minute per process).
    """

    scope = "partner_system"
    _last_logged = 0.0

    def allow_request(self, request, view):
        try:
            allowed = super().allow_request(request, view)
        except Exception as exc:  # a cache that raises instead of degrading: never a 500 for this
            self._record_unenforced(request, f"{type(exc).__name__}")
            return True
        if getattr(self.cache, "is_degraded", lambda: False)() and getattr(self, "key", None) is not None:
            self._record_unenforced(request, "cache unavailable")
        return allowed

    def _record_unenforced(self, request, reason: str) -> None:
        import time

        now = time.monotonic()
        if now - TokenRateThrottle._last_logged < 60:
            return
        TokenRateThrottle._last_logged = now
        try:
            security_log(
                SecurityEvent.Kind.THROTTLE_OFF,
                request=request._request,
                detail=f"API token rate limit not enforced: {reason}",
            )
        except Exception:  # noqa: BLE001 — the log itself must not turn a fail-open into a failure
            pass

    def get_cache_key(self, request, view):
        if getattr(request.auth, "is_partner_system_token", False):
            return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}
        return None


try:
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class VerifiedSessionScheme(OpenApiAuthenticationExtension):
        target_class = "portal.api_auth.VerifiedSessionAuthentication"
        name = "cookieAuth"

        def get_security_definition(self, auto_schema):
            return {
                "type": "apiKey",
                "in": "cookie",
                "name": "sessionid",
                "description": "A browser session that has passed the second factor.",
            }
except ImportError:  # pragma: no cover
    pass
