"""The security log, the step-up (recent second factor) guard, and where passkeys can be offered."""

from __future__ import annotations

import functools
import ipaddress
import re
import time
from datetime import UTC

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http.request import split_domain_port
from django.urls import reverse

from .models import SecurityEvent

VERIFIED_AT_KEY = "cjp_otp_verified_at"
# NOTE: set only by a step-up (a fresh code or passkey asked for a sensitive action), never by the
# sign-in itself: signing in and then signing an agreement must still ask for a fresh code.
STEP_UP_AT_KEY = "cjp_step_up_at"


class StepUpRequired(PermissionDenied):
    """The action needs the second factor confirmed within the last 15 minutes."""


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as proxies write it ("203.0.113.7", "203.0.113.7:5123", "[2001:db8::1]:443"), or None."""
    text = text.strip()
    match = re.fullmatch(r"\[([0-9a-fA-F:.]+)\](?::\d+)?|(\d{1,3}(?:\.\d{1,3}){3}):\d+", text)
    if match:
        text = match.group(1) or match.group(2)
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:  # ::ffff:10.0.0.1 from a dual-stack socket is 10.0.0.1
        return address.ipv4_mapped
    return address


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def client_ip(request) -> str | None:
    """The address of the person's device: the one function for the security log and django-axes.

    REMOTE_ADDR, unless it is one of TRUSTED_PROXIES: then X-Forwarded-For is read from the right,
    past the trusted proxies' own entries, and the first other address is the client's. Entries
    left of it are not believed: the client can write anything there. Without TRUSTED_PROXIES the
    header is ignored, so nobody can choose the address their failed sign-ins count against.
    """
    if request is None:
        return None
    address = _address(request.META.get("REMOTE_ADDR") or "")
    if address is None:
        return None
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    if any(address in network for network in trusted):
        for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            hop_address = _address(hop)
            if hop_address is None:
                break  # NOTE: a malformed entry: nothing left of it can be believed either
            address = hop_address
            if not any(address in network for network in trusted):
                break
    return str(address)


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


def mark_step_up(request) -> None:
    """Remember that this session gave a fresh second factor for a step-up action just now."""
    request.session[STEP_UP_AT_KEY] = time.time()


def has_recent_step_up(request) -> bool:
    """A fresh code or passkey was given for a step-up action in the last STEP_UP_SECONDS (not the sign-in)."""
    stepped_up_at = request.session.get(STEP_UP_AT_KEY)
    return stepped_up_at is not None and time.time() - stepped_up_at <= settings.STEP_UP_SECONDS


def step_up_confirmed_at(request):
    """When this session last gave a fresh second factor for a step-up action (an aware datetime), or
    None. Views pass it to services as `confirmed_at`; the services decide whether it is recent."""
    from datetime import datetime

    stepped_up_at = request.session.get(STEP_UP_AT_KEY) if hasattr(request, "session") else None
    return datetime.fromtimestamp(stepped_up_at, tz=UTC) if stepped_up_at else None


def step_up_check(confirmed_at) -> None:
    """Service guard: refuse unless a fresh second factor was given for a step-up within
    STEP_UP_SECONDS (`confirmed_at`, an aware datetime, from step_up_confirmed_at)."""
    from django.utils import timezone as dj_timezone

    if confirmed_at is None or (dj_timezone.now() - confirmed_at).total_seconds() > settings.STEP_UP_SECONDS:
        raise StepUpRequired("Confirm it is you with a fresh code from your authenticator app to do this")


def require_step_up(view):
    """Decorator for pages that take a step-up action: send the person to confirm a fresh code unless
    they did, for a step-up, within STEP_UP_SECONDS. (The services check again, from `confirmed_at`.)"""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_recent_step_up(request):
            return redirect_to_login(request.get_full_path(), reverse("portal:step-up"), "next")
        return view(request, *args, **kwargs)

    return wrapper


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


# What needs step-up, in words, registered by the apps that have such actions (the step-up page
# lists only what exists).
STEP_UP_ACTIONS: list[str] = []


def step_up_action(words: str) -> None:
    """Register an action that needs a fresh second factor, e.g. 'signing data-sharing agreements'."""
    if words not in STEP_UP_ACTIONS:
        STEP_UP_ACTIONS.append(words)


def code_already_used(user, code: str) -> bool:
    """Whether a refused code is one the person's app showed and that was used already (app codes are good
    once: django-otp refuses a time step at or before the last one used). Someone who signs in and
    confirms a step-up within the same 30 seconds types the same code twice; they should be told to wait
    for the next one, not that the code is wrong."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    try:
        token = int(code)
    except (TypeError, ValueError):
        return False
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        now = totp.t()
        for step in range(now - device.tolerance, min(now + device.tolerance, device.last_t) + 1):
            totp.time = device.t0 + step * device.step
            if totp.token() == token:
                return True
    return False
