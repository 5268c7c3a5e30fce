"""Sign-in with two factors, set-up of the authenticator app, step-up, sign-out, lockout."""

from __future__ import annotations

import base64
import io
import math

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import lockout, ratelimit, services
from ..forms import CodeForm, SetupCodeForm, SignInForm
from ..models import SecurityEvent
from ..security import (
    client_ip,
    code_already_used,
    mark_second_factor,
    mark_step_up,
    passkeys_available,
    security_log,
    user_has_passkey,
)

SETUP_DEVICE_KEY = "cjp_setup_device"
RECOVERY_CODES_KEY = "cjp_recovery_codes"


def _next_url(request, default: str = "/") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def login_view(request):
    if request.user.is_authenticated and request.user.is_verified():
        return redirect(_next_url(request))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        ip_address = client_ip(request)
        # NOTE: a throttled address is refused before the password is tried, even a correct one
        # (NCSC: throttle a spraying address). Letting a correct password in would tell the sprayer
        # which guess was right; trying it at all would count a failure against that person, or
        # reset their count. People there can sign in elsewhere, or when the throttle ends.
        throttle = lockout.address_throttle(ip_address)
        if throttle is not None:
            security_log(
                SecurityEvent.Kind.LOCKED_OUT,
                request=request,
                username=username,
                detail=f"refused: address throttled until {lockout.when_words(throttle.until)}",
            )
            return network_throttled(request, throttle)
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            throttle = services.address_failure_record(ip_address=ip_address, request=request)
            if getattr(request, "axes_locked_out", False):
                return locked_out(request)
            security_log(SecurityEvent.Kind.SIGN_IN_FAILED, request=request, username=username)
            if throttle is not None:
                return network_throttled(request, throttle)
            form.add_error(None, _sign_in_refused(username))
        else:
            login(request, user)  # NOTE: login() gives the session a new id
            security_log(SecurityEvent.Kind.SIGN_IN, request=request, user=user, detail="password accepted")
            target = "portal:otp-verify" if user_has_device(user) else "portal:otp-setup"
            response = redirect(target)
            nxt = _next_url(request, "")
            if nxt:
                response["Location"] += f"?next={nxt}"
            return response
    return render(
        request,
        "portal/login.html",
        {
            "form": form,
            "next": _next_url(request, ""),
            "failure_limit": settings.LOCKOUT_USERNAME_FAILURES,
            "first_lockout": lockout.duration_words(settings.LOCKOUT_USERNAME_FIRST),
            "contact": pcc_office_contact(),
        },
    )


SIGN_IN_WRONG = "The username or password is not right. Check them and try again."


def _sign_in_refused(username: str) -> str:
    """The sign-in error; before the try that would lock the account, it says so, and for how long.

    NOTE: the same for a username nobody has: axes counts and locks unknown usernames alike (so the
    locked page tells nobody which exist), and this warning follows the same count.
    """
    length = lockout.next_failure_locks_for(username)
    if length is None:
        return SIGN_IN_WRONG
    return (
        "The username or password is not right. If the next attempt is wrong too, this account will be "
        f"locked for {lockout.duration_words(length)}."
    )


def pcc_office_contact() -> dict[str, str]:
    """How to reach the PCC office about signing in (either may be empty: the office is then named alone)."""
    return {"email": settings.PCC_OFFICE_CONTACT_EMAIL, "phone": settings.PCC_OFFICE_CONTACT_PHONE}


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: the username is locked (403). Says until when, and who can unlock it sooner."""
    lock = lockout.username_lock_for_request(request, credentials)
    context = {"kind": "account", "contact": pcc_office_contact()}
    if lock is not None:
        context.update(until=lockout.when_words(lock.until, today_short=True), wait=lockout.wait_words(lock.until))
    return render(request, "portal/locked_out.html", context, status=403)


def network_throttled(request, throttle: lockout.AddressThrottle):
    """Too many failed sign-ins from this address, over any accounts (429, with Retry-After)."""
    response = render(
        request,
        "portal/locked_out.html",
        {
            "kind": "network",
            "until": lockout.when_words(throttle.until, today_short=True),
            "wait": lockout.wait_words(throttle.until),
            "contact": pcc_office_contact(),
        },
        status=429,
    )
    response["Retry-After"] = str(max(1, math.ceil((throttle.until - timezone.now()).total_seconds())))
    return response


def _offer_passkey(request) -> bool:
    """Offer "Use a passkey instead" to someone who has one, at an address where it can work."""
    return user_has_passkey(request.user) and passkeys_available(request)


CODE_WRONG = "The code is not right or has expired. Enter the latest code from your app."
CODE_USED = (
    "You have used this code already. Each code works once: wait for your app to show a new code "
    "(it changes every 30 seconds), then enter that one."
)


def _code_refused(user, code: str) -> str:
    return CODE_USED if code_already_used(user, code) else CODE_WRONG


def _too_many_codes(form, user) -> bool:
    """Count a code entered against the person's limit (portal/ratelimit.py); over it, say so on the form."""
    try:
        ratelimit.hit(ratelimit.SIGN_IN_CODES, by=user)
    except ratelimit.RateLimited as exc:
        form.add_error("code", exc.messages[0])
        return True
    return False


def otp_verify(request):
    user = request.user
    if not user.is_authenticated:
        return redirect("portal:login")
    if not user_has_device(user):
        return redirect("portal:otp-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not _too_many_codes(form, user):
        device = match_token(user, form.cleaned_data["code"])
        if device is None:
            security_log(SecurityEvent.Kind.SECOND_FACTOR_FAILED, request=request, user=user)
            form.add_error("code", _code_refused(user, form.cleaned_data["code"]))
        else:
            otp_login(request, device)
            request.session.cycle_key()
            mark_second_factor(request)
            security_log(
                SecurityEvent.Kind.SIGN_IN,
                request=request,
                user=user,
                detail=f"second factor ({device.__class__.__name__})",
            )
            return redirect(_next_url(request, "/"))
    return render(
        request,
        "portal/otp_verify.html",
        {"form": form, "next": _next_url(request, ""), "offer_passkey": _offer_passkey(request)},
    )


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def otp_setup(request):
    user = request.user
    if not user.is_authenticated:
        return redirect("portal:login")
    if user_has_device(user):
        return redirect("portal:otp-verify")
    device = TOTPDevice.objects.filter(pk=request.session.get(SETUP_DEVICE_KEY), user=user, confirmed=False).first()
    if device is None:
        device = services.totp_device_start(user=user)
        request.session[SETUP_DEVICE_KEY] = device.pk
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not _too_many_codes(form, user):
        if device.verify_token(form.cleaned_data["code"]):
            codes = services.totp_device_confirm(user=user, device=device)
            request.session.pop(SETUP_DEVICE_KEY, None)
            otp_login(request, device)
            request.session.cycle_key()
            mark_second_factor(request)
            request.session[RECOVERY_CODES_KEY] = codes
            return redirect("portal:recovery-codes")
        form.add_error("code", "The code is not right. Check the key in your app and enter the latest code.")
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "portal/otp_setup.html",
        {
            "form": form,
            "manual_key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
            "qr_data_uri": _qr_svg(device.config_url),
        },
    )


def recovery_codes(request):
    codes = request.session.pop(RECOVERY_CODES_KEY, None)
    if not codes:
        return redirect("portal:home")
    return render(request, "portal/recovery_codes.html", {"codes": codes})


def step_up(request):
    """Confirm the second factor again before a sensitive action."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not _too_many_codes(form, request.user):
        device = match_token(request.user, form.cleaned_data["code"])
        if device is None:
            security_log(SecurityEvent.Kind.SECOND_FACTOR_FAILED, request=request, detail="step-up")
            form.add_error("code", _code_refused(request.user, form.cleaned_data["code"]))
        else:
            mark_second_factor(request)
            mark_step_up(request)
            return redirect(_next_url(request, "/"))
    return render(
        request,
        "portal/step_up.html",
        {"form": form, "next": _next_url(request, ""), "offer_passkey": _offer_passkey(request)},
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        security_log(SecurityEvent.Kind.SIGN_OUT, request=request)
    logout(request)  # NOTE: flushes the session on the server, not just the cookie
    return redirect("portal:signed-out")


def signed_out(request):
    return render(request, "portal/signed_out.html")


@require_POST
def session_extend(request):
    """Called by the timeout warning's 'Stay signed in': the request itself refreshes the idle clock."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    return JsonResponse({"signed_in": True})
