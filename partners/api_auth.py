"""Partner-system API tokens: `Authorization: Token cjp_…` (or `Bearer cjp_…`)."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import authentication, exceptions

from portal.models import SecurityEvent
from portal.security import security_log

from .models import ApiToken, hash_token

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
            security_log(
                SecurityEvent.Kind.TOKEN_REFUSED,
                request=request._request,
                detail=f"prefix {raw[:8]}" if raw.startswith(ApiToken.PREFIX) else "malformed",
            )
            raise exceptions.AuthenticationFailed(REFUSED)
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            security_log(
                SecurityEvent.Kind.TOKEN_USED,
                request=request._request,
                user=token.user,
                detail=f"token {token.pk} ({token.name[:60]})",
            )
        token.user.is_verified = lambda: True  # machines have no second factor; the token is the credential
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


try:
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class PartnerSystemTokenScheme(OpenApiAuthenticationExtension):
        target_class = "partners.api_auth.PartnerSystemTokenAuthentication"
        name = "partnerSystemToken"

        def get_security_definition(self, auto_schema):
            return {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "`Token cjp_…` (or `Bearer cjp_…`) — a token issued to a named partner system "
                "by the PCC office.",
            }
except ImportError:  # pragma: no cover
    pass
