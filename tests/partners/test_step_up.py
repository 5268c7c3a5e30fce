"""Step-up means a fresh code: the code typed at sign-in does not count; one given for a step-up
action covers the next 15 minutes."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import DataSharingAgreement
from portal.security import STEP_UP_AT_KEY
from tests.factories import PASSWORD, make_dsa, refreshed

DSA = DataSharingAgreement
pytestmark = pytest.mark.django_db


def _code(user, *, steps_ahead: int = 0) -> str:
    """The app's code now, or the one it shows `steps_ahead` × 30 s later (a code is used only once)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return (
        f"{totp(device.bin_key, device.step, device.t0 - steps_ahead * device.step, device.digits, device.drift):06d}"
    )


def _sign_in(user) -> Client:
    client = Client()
    assert client.post("/sign-in/", {"username": user.username, "password": PASSWORD}).status_code == 302
    response = client.post("/sign-in/two-factor/", {"code": _code(user)})
    assert response.status_code == 302 and "two-factor" not in response["Location"]
    return client


def test_signing_right_after_sign_in_still_asks_for_a_fresh_code(
    police, probation, police_signatory, probation_signatory, violence
):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    client = _sign_in(police_signatory)
    sign = f"/sharing-agreements/{agreement.pk}/sign/"
    response = client.get(sign)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/confirm/")
    assert client.post(sign, {"confirm": "on"}).status_code == 302
    assert not refreshed(agreement).signatures.exists()
    # the app's next code (the one typed at sign-in can be used only once)
    response = client.post(
        f"/sign-in/confirm/?next={sign}", {"code": _code(police_signatory, steps_ahead=1), "next": sign}
    )
    assert response["Location"] == sign
    assert client.get(sign).status_code == 200
    assert client.post(sign, {"confirm": "on"}).status_code == 302
    assert refreshed(agreement).signatures.filter(partner=police).exists()


def test_a_step_up_covers_the_next_fifteen_minutes_then_expires(police, probation, police_signatory, violence):
    agreement = make_dsa(police, [probation], [violence])
    client = _sign_in(police_signatory)
    suspend = f"/sharing-agreements/{agreement.pk}/suspend/"
    client.post(f"/sign-in/confirm/?next={suspend}", {"code": _code(police_signatory, steps_ahead=1), "next": suspend})
    assert client.get(suspend).status_code == 200
    assert client.get(f"/sharing-agreements/{agreement.pk}/revoke/").status_code == 200  # still covered
    session = client.session
    session[STEP_UP_AT_KEY] = time.time() - 16 * 60
    session.save()
    assert client.get(suspend)["Location"].startswith("/sign-in/confirm/")


def test_the_api_refuses_a_step_up_action_from_a_session_that_only_signed_in(
    police, probation, police_signatory, violence
):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    client = _sign_in(police_signatory)
    response = client.post(f"/api/v1/sharing-agreements/{agreement.pk}/sign/")
    assert response.status_code == 403
    assert not refreshed(agreement).signatures.exists()
