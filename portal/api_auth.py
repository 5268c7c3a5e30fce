"""API authentication: partner-system tokens and second-factor-verified sessions."""
from __future__ import annotations

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken, SecurityEvent, hash_token
from .security import security_log

REFUSED = "Invalid or expired token."  # NOTE: one message for every refusal: it says nothing about what exists


class PartnerSystemTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token cjp_…` or `Authorization: Bearer cjp_…` — the token's service user holds one
    officer seat at its partner."""

    keyword = "Token"
    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(REFUSED)
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(REFUSED)
        token = ApiToken.objects.select_related("user", "partner").filter(key_hash=hash_token(raw)).first()
        if token is None or not token.is_usable or not token.user.is_active or not token.partner.active:
            security_log(SecurityEvent.Kind.TOKEN_REFUSED, request=request._request,
                         detail=f"prefix {raw[:8]}" if raw.startswith(ApiToken.PREFIX) else "malformed")
            raise exceptions.AuthenticationFailed(REFUSED)
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            security_log(SecurityEvent.Kind.TOKEN_USED, request=request._request, user=token.user,
                         detail=f"token {token.pk} ({token.name[:60]})")
        token.user.is_verified = lambda: True  # machines have no second factor; the token is the credential
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


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
            security_log(SecurityEvent.Kind.THROTTLE_OFF, request=request._request,
                         detail=f"API token rate limit not enforced: {reason}")
        except Exception:  # noqa: BLE001 — the log itself must not turn a fail-open into a failure
            pass

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}
        return None


try:
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class PartnerSystemTokenScheme(OpenApiAuthenticationExtension):
        target_class = "portal.api_auth.PartnerSystemTokenAuthentication"
        name = "partnerSystemToken"

        def get_security_definition(self, auto_schema):
            return {"type": "apiKey", "in": "header", "name": "Authorization",
                    "description": "`Token cjp_…` (or `Bearer cjp_…`) — a token issued to a named partner system "
                                   "by the PCC office."}

    class VerifiedSessionScheme(OpenApiAuthenticationExtension):
        target_class = "portal.api_auth.VerifiedSessionAuthentication"
        name = "cookieAuth"

        def get_security_definition(self, auto_schema):
            return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                    "description": "A browser session that has passed the second factor."}
except ImportError:  # pragma: no cover
    pass
