"""Named people of the test board (STYLE.md) and a signed-in client helper."""
from __future__ import annotations

import pytest
from django.test import Client

from partners.models import Partner, Role

from .factories import make_partner, make_person


@pytest.fixture
def police(db) -> Partner:
    return make_partner("west-midlands-police", Partner.Kind.POLICE, "West Midlands Police")


@pytest.fixture
def probation(db) -> Partner:
    return make_partner("probation-west-midlands", Partner.Kind.PROBATION, "Probation Service West Midlands")


@pytest.fixture
def opcc(db) -> Partner:
    return make_partner("opcc", Partner.Kind.PCC_OFFICE, "Office of the PCC")


@pytest.fixture
def police_officer(police):
    return make_person(police, Role.OFFICER, "police.officer")


@pytest.fixture
def police_signatory(police):
    return make_person(police, Role.SIGNATORY, "police.signatory")


@pytest.fixture
def probation_officer(probation):
    return make_person(probation, Role.OFFICER, "probation.officer")


@pytest.fixture
def pcc_officer(opcc):
    return make_person(opcc, Role.PCC_OFFICER, "pcc.officer")


@pytest.fixture
def pcc(opcc):
    return make_person(opcc, Role.PCC, "pcc")


@pytest.fixture
def board_member(opcc):
    return make_person(opcc, Role.BOARD_MEMBER, "board.chair")


@pytest.fixture
def anonymous() -> Client:
    return Client()


def signed_in(user, *, verified: bool = True) -> Client:
    """A client whose session has passed the password and (unless told) the second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.security import VERIFIED_AT_KEY
    import time

    client = Client()
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[VERIFIED_AT_KEY] = time.time()
        session.save()
    return client


@pytest.fixture
def client_for():
    return signed_in
