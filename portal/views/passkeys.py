"""Passkeys (WebAuthn, django-otp-webauthn) as an alternative second factor.

The package's JSON views run the ceremonies; the subclasses here add what the portal's own
sign-in does (a new session id, the step-up clock, the security log) and the audit trail.
Passwordless sign-in is off: the authentication views only serve a session that has passed
the password (LoginRequiredMiddleware lets them through before the second factor), and the
registration views only a session that has passed the second factor.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from .. import services
from ..models import SecurityEvent
from ..security import (
    has_recent_step_up,
    mark_second_factor,
    mark_step_up,
    passkeys_available,
    require_step_up,
    security_log,
    user_has_passkey,
)

# --- The package's JSON endpoints, adapted ---------------------------------------------------


class StepUpExpired(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "step_up_required"
    default_detail = (
        "For your security, confirm it is you again: reload this page and enter a code from your authenticator app."
    )


class VerifiedSessionMixin:
    """Registration needs a session that passed the second factor recently.

    LoginRequiredMiddleware already sends an unverified session elsewhere; this is the
    second lock, and it also refuses the package's own allowance for a person with no
    device at all (who must set up the authenticator app first).
    """

    def check_can_register(self):
        super().check_can_register()
        if not self.request.user.is_verified():
            raise exceptions.NotVerified(detail=self.messages["user_not_verified"])
        if not has_recent_step_up(self.request):
            raise StepUpExpired()


class PasskeyRegistrationBeginView(VerifiedSessionMixin, BeginCredentialRegistrationView):
    pass


class PasskeyRegistrationCompleteView(VerifiedSessionMixin, CompleteCredentialRegistrationView):
    """The package saves the credential; the portal names it and audits it in the same transaction."""

    def get_state(self):
        # NOTE: the single-use challenge is popped (and the session saved) once, before the
        # transaction opens, so that a rollback can never bring it back for a replay.
        if not hasattr(self, "_state"):
            self._state = super().get_state()
        return self._state

    def post(self, request, *args, **kwargs):
        self.get_state()
        with transaction.atomic():
            response = super().post(request, *args, **kwargs)
            device = WebAuthnCredential.objects.get(pk=json.loads(response.content)["id"], user=request.user)
            device = services.passkey_registered_record(user=request.user, device=device)
        messages.success(request, f"{device.name} added. You can use it instead of a code from your authenticator app.")
        return response


class PasskeyAuthenticationBeginView(BeginCredentialAuthenticationView):
    def check_can_authenticate(self):
        super().check_can_authenticate()
        if not user_has_passkey(self.request.user):
            raise exceptions.CredentialNotFound(
                detail="You have not added a passkey. Enter the code from your authenticator app."
            )


class PasskeyAuthenticationCompleteView(CompleteCredentialAuthenticationView):
    """A passkey in place of the authenticator code: at sign-in, or to confirm it is you (step-up)."""

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.OTPWebAuthnApiError) and self.request.user.is_authenticated:
            # Like a wrong code: recorded, without anything the browser sent.
            security_log(SecurityEvent.Kind.SECOND_FACTOR_FAILED, request=self.request, detail=f"passkey ({exc.code})")
        return super().handle_exception(exc)

    def complete_auth(self, device):
        request = self.request
        if not request.user.is_authenticated:
            # Never reached: the middleware sends anonymous people to sign in, and
            # passwordless sign-in is off. Refuse rather than let the package log them in.
            raise exceptions.NotAuthenticated()
        was_verified = request.user.is_verified()
        super().complete_auth(device)  # django_otp.login: the session is now verified by the passkey
        if was_verified:
            mark_second_factor(request)
            mark_step_up(request)  # a step-up
            return
        request.session.cycle_key()
        mark_second_factor(request)
        security_log(SecurityEvent.Kind.SIGN_IN, request=request, user=request.user, detail="second factor (passkey)")


# --- The "Passkeys" page ----------------------------------------------------------------------


@require_step_up
def passkeys(request):
    credentials = WebAuthnCredential.objects.filter(user=request.user).order_by("created_at", "pk")
    return render(
        request,
        "portal/passkeys.html",
        {
            "credentials": credentials,
            "passkeys_available": passkeys_available(request),
            "passkey_origin": next(iter(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS), ""),
        },
    )


@require_POST
def passkey_remove(request, credential_id: int):
    device = get_object_or_404(WebAuthnCredential, pk=credential_id, user=request.user)
    if not has_recent_step_up(request):
        # NOTE: not @require_step_up, which would come back here with a GET: confirm, then return to the list.
        return redirect_to_login(reverse("portal:passkeys"), reverse("portal:step-up"), "next")
    signed_in_with_it = getattr(request.user, "otp_device", None) == device
    services.passkey_remove(user=request.user, device=device)
    messages.success(request, f"{device.name} removed.")
    if signed_in_with_it:
        messages.info(
            request, "You signed in with that passkey, so enter a code from your authenticator app to continue."
        )
    return redirect("portal:passkeys")
