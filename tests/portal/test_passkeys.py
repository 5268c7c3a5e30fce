"""Passkeys (django-otp-webauthn) as an alternative second factor.

The WebAuthn ceremony itself needs an authenticator: tests/browser/test_passkeys.py runs it
in Chromium with a virtual one. Here the package's verification step is replaced by a stub
so that what the portal adds around it (session, step-up clock, logs, audit) is tested.
"""

import json
import re
import time

import pytest
from django.test import Client, RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential
from webauthn.helpers import bytes_to_base64url

from portal.models import AuditEvent, SecurityEvent
from portal.security import STEP_UP_AT_KEY, VERIFIED_AT_KEY, passkeys_available
from tests.conftest import signed_in
from tests.factories import PASSWORD

BEGIN_AUTH = "/sign-in/passkeys/authentication/begin/"
COMPLETE_AUTH = "/sign-in/passkeys/authentication/complete/"
BEGIN_REGISTER = "/sign-in/passkeys/registration/begin/"
COMPLETE_REGISTER = "/sign-in/passkeys/registration/complete/"
PAGE = "/account/passkeys/"


@pytest.fixture(autouse=True)
def webauthn_at_testserver(settings):
    """The test client's host is "testserver": make it the relying party, as localhost is in development."""
    settings.OTP_WEBAUTHN_RP_ID = "testserver"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = ["http://testserver"]


def make_passkey(user, name="Passkey 1", **kwargs) -> WebAuthnCredential:
    credential_id = f"{user.pk}-{name}-{time.time_ns()}".encode()
    return WebAuthnCredential.objects.create(
        user=user,
        name=name,
        confirmed=True,
        credential_id=credential_id,
        public_key=b"not-a-real-key",
        aaguid="00000000-0000-0000-0000-000000000000",
        **kwargs,
    )


def password_only(user) -> Client:
    """A session that has passed the password, as after /sign-in/, but not the second factor."""
    client = Client()
    response = client.post("/sign-in/", {"username": user.get_username(), "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/two-factor/")
    return client


def post_json(client, path, data=None, **extra):
    return client.post(
        path, json.dumps(data or {}), content_type="application/json", HTTP_ACCEPT="application/json", **extra
    )


def script_tags(body: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", body)


# --- The Passkeys page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_passkeys_page_lists_only_your_own_passkeys_and_offers_to_add_one(police_officer, probation_officer):
    make_passkey(police_officer, "Passkey 1")
    make_passkey(probation_officer, "Someone else's key")
    response = signed_in(police_officer).get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<h1 class="govuk-heading-l">Passkeys</h1>' in body
    assert "Passkey 1" in body and "Someone else" not in body
    assert 'aria-label="Remove Passkey 1"' in body and "Never" in body
    # The elements and configuration django-otp-webauthn's register script looks for.
    for element_id in (
        "passkey-registration-placeholder",
        "passkey-registration-available-template",
        "passkey-registration-unavailable-template",
        "passkey-register-button",
        "passkey-register-status-message",
    ):
        assert f'id="{element_id}"' in body, element_id
    config = json.loads(
        re.search(r'<script type="application/json" id="otp_webauthn_config">(.*?)</script>', body).group(1)
    )
    assert config["beginRegistrationUrl"] == BEGIN_REGISTER
    assert config["completeRegistrationUrl"] == COMPLETE_REGISTER
    assert config["autocompleteLoginFieldSelector"] is None  # never passwordless
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    tags = script_tags(body)
    assert any("otp_webauthn_register.js" in tag for tag in tags)
    assert any("/sign-in/passkeys/jsi18n/" in tag for tag in tags)
    for tag in tags:
        assert f'nonce="{nonce}"' in tag or 'type="application/json"' in tag, tag


@pytest.mark.django_db
def test_with_no_passkeys_the_page_says_so(police_officer):
    body = signed_in(police_officer).get(PAGE).content.decode()
    assert "You have not added a passkey." in body


@pytest.mark.django_db
def test_at_an_address_passkeys_cannot_work_the_page_says_where_they_do(police_officer, settings):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = ["http://localhost:8000"]
    body = signed_in(police_officer).get(PAGE).content.decode()
    assert "Passkeys work only at the portal&#39;s own address, http://localhost:8000" in body
    assert "otp_webauthn_config" not in body and "passkey-register-button" not in body


@pytest.mark.django_db
def test_the_passkeys_page_needs_the_second_factor_and_a_recent_one(police_officer, anonymous):
    assert anonymous.get(PAGE)["Location"].startswith("/sign-in/?next=")
    assert signed_in(police_officer, verified=False).get(PAGE)["Location"].startswith("/sign-in/two-factor/")
    client = signed_in(police_officer)
    session = client.session
    session[STEP_UP_AT_KEY] = time.time() - 3600
    session.save()
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/confirm/?next=/account/passkeys/")


@pytest.mark.django_db
def test_the_start_page_and_app_set_up_link_to_the_passkeys_page(police_officer):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert 'href="/account/passkeys/"' in signed_in(police_officer).get("/").content.decode()
    TOTPDevice.objects.filter(user=police_officer).delete()
    client = signed_in(police_officer, verified=False)
    body = client.get("/sign-in/set-up-two-factor/").content.decode()
    assert 'href="/account/passkeys/"' in body


# --- Removing a passkey ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_removing_a_passkey_is_audited(police_officer):
    passkey = make_passkey(police_officer, "Passkey 1")
    client = signed_in(police_officer)
    response = client.post(f"/account/passkeys/{passkey.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == PAGE
    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    event = AuditEvent.objects.get(action="passkey.remove")
    assert event.actor == police_officer and event.object_id == str(passkey.pk)
    assert "Passkey 1 removed." in client.get(PAGE).content.decode()


@pytest.mark.django_db
def test_someone_elses_passkey_cannot_be_removed(police_officer, probation_officer):
    theirs = make_passkey(probation_officer)
    response = signed_in(police_officer).post(f"/account/passkeys/{theirs.pk}/remove/")
    assert response.status_code == 404
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()
    assert not AuditEvent.objects.filter(action="passkey.remove").exists()


@pytest.mark.django_db
def test_removal_is_a_post_and_needs_a_recent_second_factor(police_officer):
    passkey = make_passkey(police_officer)
    client = signed_in(police_officer)
    assert client.get(f"/account/passkeys/{passkey.pk}/remove/").status_code == 405
    session = client.session
    session[STEP_UP_AT_KEY] = time.time() - 3600
    session.save()
    response = client.post(f"/account/passkeys/{passkey.pk}/remove/")
    assert response["Location"].startswith("/sign-in/confirm/?next=/account/passkeys/")
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()


@pytest.mark.django_db
def test_removing_the_passkey_you_signed_in_with_asks_for_the_app_code(police_officer):
    passkey = make_passkey(police_officer)
    client = signed_in(police_officer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = passkey.persistent_id
    session.save()
    client.post(f"/account/passkeys/{passkey.pk}/remove/")
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/two-factor/")


@pytest.mark.django_db
def test_a_device_reset_removes_passkeys_too(pcc_officer, police_officer):
    make_passkey(police_officer)
    signed_in(pcc_officer).post(f"/security/people/{police_officer.pk}/reset-devices/")
    assert not WebAuthnCredential.objects.filter(user=police_officer).exists()


# --- Registration endpoints ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", [BEGIN_REGISTER, COMPLETE_REGISTER])
def test_registration_refuses_a_session_without_the_second_factor(path, police_officer, anonymous):
    response = post_json(password_only(police_officer), path)
    assert response.status_code == 403 and response.json()["code"] == "user_not_verified"
    response = post_json(anonymous, path)
    assert response.status_code == 401
    assert not WebAuthnCredential.objects.exists()


@pytest.mark.django_db
def test_registration_refuses_someone_who_has_not_set_up_the_app(police):
    """The package lets a person with no device register a passkey as their first; the portal does not."""
    from tests.factories import make_person

    newcomer = make_person(police, username="newcomer", with_device=False)
    client = Client()
    client.post("/sign-in/", {"username": "newcomer", "password": PASSWORD})
    response = post_json(client, BEGIN_REGISTER)
    assert response.status_code == 403
    assert not WebAuthnCredential.objects.filter(user=newcomer).exists()


@pytest.mark.django_db
def test_registration_needs_a_recent_second_factor(police_officer):
    client = signed_in(police_officer)
    session = client.session
    session[STEP_UP_AT_KEY] = time.time() - 3600
    session.save()
    response = post_json(client, BEGIN_REGISTER)
    assert response.status_code == 403 and response.json()["code"] == "step_up_required"


@pytest.mark.django_db
def test_registration_begins_for_a_verified_session(police_officer):
    make_passkey(police_officer)
    response = post_json(signed_in(police_officer), BEGIN_REGISTER)
    assert response.status_code == 200
    options = response.json()
    assert options["rp"] == {"name": "Criminal Justice Partnership Portal", "id": "testserver"}
    assert options["user"]["name"] == "police.officer"
    assert len(options["excludeCredentials"]) == 1  # the authenticator will not add the same one twice


@pytest.mark.django_db
def test_a_completed_registration_is_named_and_audited(police_officer, monkeypatch):
    make_passkey(police_officer, "Passkey 1")

    def register_complete(self, user, state, data):
        return make_passkey(user, name="")

    monkeypatch.setattr(WebAuthnHelper, "register_complete", register_complete)
    client = signed_in(police_officer)
    assert post_json(client, BEGIN_REGISTER).status_code == 200
    response = post_json(client, COMPLETE_REGISTER, {"id": "x"})
    assert response.status_code == 200
    device = WebAuthnCredential.objects.get(pk=response.json()["id"])
    assert device.name == "Passkey 2" and device.user == police_officer
    event = AuditEvent.objects.get(action="passkey.register")
    assert event.actor == police_officer and event.object_id == str(device.pk)
    assert "Passkey 2 added." in client.get(PAGE).content.decode()
    # The challenge was single-use.
    assert post_json(client, COMPLETE_REGISTER, {"id": "x"}).json()["code"] == "invalid_state"


@pytest.mark.django_db
def test_a_failed_audit_leaves_no_passkey_behind(police_officer, monkeypatch):
    from portal import services

    monkeypatch.setattr(
        WebAuthnHelper, "register_complete", lambda self, user, state, data: make_passkey(user, name="")
    )

    def broken(**kwargs):
        raise RuntimeError("audit chain unavailable")

    monkeypatch.setattr(services, "passkey_registered_record", broken)
    client = signed_in(police_officer)
    post_json(client, BEGIN_REGISTER)
    with pytest.raises(RuntimeError):
        post_json(client, COMPLETE_REGISTER, {"id": "x"})
    assert not WebAuthnCredential.objects.filter(user=police_officer).exists()


# --- Authentication endpoints ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", [BEGIN_AUTH, COMPLETE_AUTH])
def test_authentication_refuses_anonymous_people(path, anonymous):
    response = post_json(anonymous, path)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_authentication_is_reachable_after_the_password(police_officer):
    passkey = make_passkey(police_officer)
    client = password_only(police_officer)
    response = post_json(client, BEGIN_AUTH)
    assert response.status_code == 200
    options = response.json()
    assert options["rpId"] == "testserver"
    assert [c["id"] for c in options["allowCredentials"]] == [bytes_to_base64url(bytes(passkey.credential_id))]
    # Reached (not redirected): the package refuses a made-up answer itself.
    response = post_json(client, COMPLETE_AUTH, {"id": "x"})
    assert response.status_code in (400, 404, 422) and "detail" in response.json()
    assert not client.session.get(DEVICE_ID_SESSION_KEY)
    assert SecurityEvent.objects.get(kind=SecurityEvent.Kind.SECOND_FACTOR_FAILED).detail.startswith("passkey (")


@pytest.mark.django_db
def test_authentication_is_refused_to_someone_with_no_passkey(police_officer):
    response = post_json(password_only(police_officer), BEGIN_AUTH)
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_passkey_completes_sign_in_like_the_app_code(police_officer, monkeypatch):
    passkey = make_passkey(police_officer)
    monkeypatch.setattr(WebAuthnHelper, "authenticate_complete", lambda self, user, state, data: passkey)
    client = password_only(police_officer)
    first_session = client.session.session_key
    post_json(client, BEGIN_AUTH)
    response = post_json(client, COMPLETE_AUTH + "?next=/partners/", {"id": "x"})
    assert response.status_code == 200
    assert response.json() == {"id": passkey.pk, "redirect_url": "/partners/"}
    assert client.session.session_key != first_session  # a new session id once fully signed in
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    assert time.time() - client.session[VERIFIED_AT_KEY] < 5
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.SIGN_IN, user=police_officer, detail="second factor (passkey)"
    ).exists()
    assert client.get("/partners/").status_code == 200


@pytest.mark.django_db
def test_a_passkey_confirms_it_is_you_for_step_up(police_officer, monkeypatch):
    passkey = make_passkey(police_officer)
    monkeypatch.setattr(WebAuthnHelper, "authenticate_complete", lambda self, user, state, data: passkey)
    client = signed_in(police_officer)
    session = client.session
    session[STEP_UP_AT_KEY] = time.time() - 3600
    session.save()
    post_json(client, BEGIN_AUTH)
    response = post_json(client, COMPLETE_AUTH, {"id": "x"})
    assert response.status_code == 200
    assert time.time() - client.session[STEP_UP_AT_KEY] < 5
    assert not SecurityEvent.objects.filter(detail="second factor (passkey)").exists()  # not a new sign-in


# --- The two-factor and confirm pages ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_two_factor_page_offers_a_passkey_to_someone_who_has_one(police_officer, probation_officer):
    make_passkey(police_officer)
    response = password_only(police_officer).get("/sign-in/two-factor/?next=/partners/")
    body = response.content.decode()
    for element_id in (
        "passkey-verification-placeholder",
        "passkey-verification-available-template",
        "passkey-verification-button",
        "passkey-verification-status-message",
    ):
        assert f'id="{element_id}"' in body, element_id
    assert ">Use a passkey instead</button>" in body
    # The button is inside a <template>: without scripts only the code form shows.
    assert body.index("<template") < body.index('id="passkey-verification-button"')
    assert any("otp_webauthn_auth.js" in tag for tag in script_tags(body))
    config = json.loads(re.search(r'id="otp_webauthn_config">(.*?)</script>', body).group(1))
    assert config["beginAuthenticationUrl"] == BEGIN_AUTH and config["nextFieldSelector"] == "input[name='next']"
    assert '<input type="hidden" name="next" value="/partners/">' in body

    other = password_only(probation_officer).get("/sign-in/two-factor/").content.decode()
    assert "passkey-verification" not in other and "otp_webauthn" not in other


@pytest.mark.django_db
def test_the_confirm_page_offers_a_passkey_too(police_officer):
    make_passkey(police_officer)
    body = signed_in(police_officer).get("/sign-in/confirm/?next=/partners/").content.decode()
    assert "passkey-verification-button" in body and "or your passkey" in body


# --- Settings and helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host,rp_id,origins,expected",
    [
        ("localhost:8000", "localhost", ["http://localhost:8000"], True),
        ("127.0.0.1:8000", "localhost", ["http://localhost:8000", "http://127.0.0.1:8000"], False),  # never an IP
        ("localhost:8123", "localhost", ["http://localhost:8000"], False),  # origin not allowed
        ("portal.example.org", "portal.example.org", ["https://portal.example.org"], True),
        ("portal.example.org", "example.org", ["https://portal.example.org"], True),
        ("evil-example.org", "example.org", ["https://evil-example.org"], False),
        ("localhost", "", [], False),
    ],
)
def test_passkeys_are_offered_only_where_the_browser_and_server_accept_them(host, rp_id, origins, expected, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.OTP_WEBAUTHN_RP_ID = rp_id
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = origins
    request = RequestFactory().get("/", HTTP_HOST=host, secure=host.startswith("portal"))
    assert passkeys_available(request) is expected


def test_production_defaults_come_from_the_host_name(monkeypatch):
    import importlib

    import portal.settings as portal_settings

    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("SECRET_KEY", "test-only-secret-" + "x" * 50)
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    for name in ("AUDIT_CHECKPOINT_KEY", "EMAIL_HOST_PASSWORD", "EMAIL_ADAPTER", "GOVUK_NOTIFY_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://portal:portal@db.invalid:5432/portal")
    monkeypatch.setenv("REDIS_URL", "redis://redis.invalid:6379/0")
    monkeypatch.setenv("ALLOWED_HOSTS", "portal.example.org,localhost")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example.org")
    monkeypatch.delenv("WEBAUTHN_RP_ID", raising=False)
    monkeypatch.delenv("WEBAUTHN_ORIGINS", raising=False)
    try:
        production = importlib.reload(portal_settings)
        assert production.OTP_WEBAUTHN_RP_ID == "portal.example.org"
        assert production.OTP_WEBAUTHN_ALLOWED_ORIGINS == ["https://portal.example.org"]
        assert production.OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is False
        monkeypatch.setenv("WEBAUTHN_RP_ID", "example.org")
        monkeypatch.setenv("WEBAUTHN_ORIGINS", "https://portal.example.org, https://cjb.example.org")
        production = importlib.reload(portal_settings)
        assert production.OTP_WEBAUTHN_RP_ID == "example.org"
        assert production.OTP_WEBAUTHN_ALLOWED_ORIGINS == ["https://portal.example.org", "https://cjb.example.org"]
    finally:
        monkeypatch.undo()
        importlib.reload(portal_settings)


def test_passkey_config_matches_the_package_and_refuses_unknown_purposes(rf):
    from portal.jinja2 import passkey_config

    request = rf.get("/")
    config = passkey_config(request, "auth")
    assert config["completeAuthenticationUrl"] == COMPLETE_AUTH and config["csrfToken"]
    with pytest.raises(ValueError):
        passkey_config(request, "passwordless")
