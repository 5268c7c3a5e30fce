"""Sign-in required everywhere but the public pages; second factor; session limits; headers."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404

from .models import SecurityEvent
from .security import security_log

# URL names open to anyone (sign-in, public information, the health check and the public register).
PUBLIC_URL_NAMES = {
    "portal:login",
    "portal:accessibility",
    "portal:privacy",
    "portal:cookies",
    "portal:healthz",
    "portal:metrics",  # its own bearer token (portal/metrics.py)
    "portal:signed-out",
    "portal:favicon",
}
# The public register (callins/public_urls.py): its views are wrapped by portal.public, which renders them as for
# an anonymous visitor, so letting everyone through shows nobody anything of anyone's. An address under it that
# names no page is the site's 404, not a sign-in page.
PUBLIC_PREFIXES = ("/register/",)
# Open to a signed-in person who has not yet passed the second factor.
PRE_OTP_URL_NAMES = {
    "portal:otp-verify",
    "portal:otp-setup",
    "portal:logout",
    "portal:session-extend",
    # Passkey in place of the code (django-otp-webauthn). Its registration endpoints are NOT
    # here: adding a passkey needs a session that has passed the second factor.
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}
# JSON endpoints called by scripts: refused with JSON (the scripts show its "detail"), not a redirect.
JSON_NAMESPACES = {"otp_webauthn"}

SESSION_STARTED_KEY = "cjp_started_at"
SESSION_SEEN_KEY = "cjp_last_seen"


def _url_name(request) -> tuple[str, str]:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return "", ""
    return match.view_name, match.namespace


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class RefuseNulBytesMiddleware:
    """A NUL character in the path or the query string is never real input (PostgreSQL refuses it in
    text, which would be a 500): answer 400 before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw_query = request.META.get("QUERY_STRING", "")
        if (
            "\x00" in request.path_info
            or "%00" in raw_query
            or any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())
        ):
            message = "The address contains a NUL character (%00), which is never valid. Remove it and try again."
            if _is_api(request):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class SessionLimitsMiddleware:
    """Sessions end after SESSION_IDLE_SECONDS idle and SESSION_ABSOLUTE_SECONDS in all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        user_id = session.get("_auth_user_id")
        if user_id is not None:
            now = time.time()
            started = session.get(SESSION_STARTED_KEY, now)
            seen = session.get(SESSION_SEEN_KEY, now)
            if now - seen > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_ABSOLUTE_SECONDS:
                reason = "idle" if now - seen > settings.SESSION_IDLE_SECONDS else "absolute"
                session.flush()
                security_log(
                    SecurityEvent.Kind.SESSION_EXPIRED, request=request, detail=f"{reason} limit; user id {user_id}"
                )
                request._cjp_session_expired = True
            else:
                session.setdefault(SESSION_STARTED_KEY, now)
                if now - seen >= 30 or SESSION_SEEN_KEY not in session:
                    session[SESSION_SEEN_KEY] = now
        return self.get_response(request)


class LoginRequiredMiddleware:
    """Everything needs sign-in and the second factor, except the public pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        name, namespace = _url_name(request)
        if name in PUBLIC_URL_NAMES or path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        user = request.user
        if _is_api(request):
            # DRF authenticates tokens and verified sessions itself; an unverified session
            # is treated as no session at all by VerifiedSessionAuthentication.
            return self.get_response(request)
        if not user.is_authenticated and namespace in JSON_NAMESPACES:
            return JsonResponse(
                {"detail": "You have been signed out. Reload the page and sign in again.", "code": "not_authenticated"},
                status=401,
            )
        if not user.is_authenticated:
            if getattr(request, "_cjp_session_expired", False):
                messages.info(
                    request,
                    "You were signed out because you had not used the portal for a while. Sign in again to continue.",
                )
            return redirect_to_login(request.get_full_path(), reverse(settings.LOGIN_URL))
        if not user.is_verified() and name not in PRE_OTP_URL_NAMES:
            if namespace in JSON_NAMESPACES:
                return JsonResponse(
                    {"detail": "Enter the code from your authenticator app first.", "code": "user_not_verified"},
                    status=403,
                )
            return redirect_to_login(request.get_full_path(), reverse("portal:otp-verify"))
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """No caching of signed-in pages; log refusals of partner data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path_info.startswith(settings.STATIC_URL) and request.path_info != "/favicon.ico":
            response["Cache-Control"] = "no-store"
            response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
            response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        user = getattr(request, "user", None)
        if response.status_code in (403, 404) and user is not None and user.is_authenticated:
            security_log(SecurityEvent.Kind.ACCESS_DENIED, request=request, detail=f"HTTP {response.status_code}")
        return response
