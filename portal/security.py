"""The security log, the step-up (recent second factor) guard, and where passkeys can be offered."""
from __future__ import annotations

import functools
import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http.request import split_domain_port
from django.urls import reverse

from .models import SecurityEvent

VERIFIED_AT_KEY = "cjp_otp_verified_at"


class StepUpRequired(PermissionDenied):
    """The action needs the second factor confirmed within the last 15 minutes."""


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def security_log(kind: str, *, request=None, user=None, username: str = "", detail: str = "") -> SecurityEvent:
    """Record a security event. Never pass passwords, tokens, codes or victim details."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip_address=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
        detail=detail[:300],
    )


def mark_second_factor(request) -> None:
    """Remember when this session last passed the second factor (for step-up)."""
    request.session[VERIFIED_AT_KEY] = time.time()


def has_recent_second_factor(request) -> bool:
    verified_at = request.session.get(VERIFIED_AT_KEY)
    return verified_at is not None and time.time() - verified_at <= settings.STEP_UP_SECONDS


def require_step_up(view):
    """Decorator: send the user to confirm their code unless they did within 15 minutes.

    It also tells the services (via `user._cjp_step_up_ok`) that the check passed, so that
    `step_up_check` in the service refuses a call that did not come through it.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_recent_second_factor(request):
            return redirect_to_login(request.get_full_path(), reverse("portal:step-up"), "next")
        request.user._cjp_step_up_ok = True
        return view(request, *args, **kwargs)

    return wrapper


def step_up_check(user) -> None:
    """Service guard: refuse unless the caller came through require_step_up."""
    if not getattr(user, "_cjp_step_up_ok", False):
        raise StepUpRequired("Confirm your code from your authenticator app to do this")


def passkeys_available(request) -> bool:
    """Whether a passkey ceremony can succeed on the address this page was served from.

    The browser refuses unless the page's host is the relying party ID or a subdomain of it
    (an IP address such as 127.0.0.1 never is), and the server refuses an origin that is not
    in OTP_WEBAUTHN_ALLOWED_ORIGINS. Pages offer passkeys only when both hold.
    """
    rp_id = (settings.OTP_WEBAUTHN_RP_ID or "").lower()
    domain, _port = split_domain_port(request.get_host())
    if not rp_id or not domain or not (domain == rp_id or domain.endswith("." + rp_id)):
        return False
    origin = f"{request.scheme}://{request.get_host()}".lower()
    return origin in {o.lower().rstrip("/") for o in settings.OTP_WEBAUTHN_ALLOWED_ORIGINS}


def user_has_passkey(user) -> bool:
    from django_otp_webauthn.models import WebAuthnCredential

    return user.is_authenticated and WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
