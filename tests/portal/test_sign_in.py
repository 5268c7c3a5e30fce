"""Two factors, lockout, sessions, step-up, headers."""

import time

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AuditEvent, SecurityEvent
from portal.security import STEP_UP_AT_KEY
from tests.conftest import signed_in
from tests.factories import PASSWORD, SYSTEM, UserFactory

PUBLIC = {
    "portal:login",
    "portal:accessibility",
    "portal:privacy",
    "portal:cookies",
    "portal:healthz",
    "portal:metrics",
    "portal:signed-out",
    "portal:favicon",
    # the grants awarded, as a page under the public register and as 360Giving data (funding/public_views.py)
    "grants:index",
    "grants:json",
    "grants:csv",
    "api:grants-360giving",
}
PRE_OTP = {
    "portal:otp-verify",
    "portal:otp-setup",
    "portal:logout",
    "portal:session-extend",
    # a passkey in place of the code (its registration endpoints need the second factor)
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}
# Endpoints called by scripts: refused with a JSON 401/403 rather than a redirect.
JSON_PREFIXES = ("/api/", "/sign-in/passkeys/")


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _walk(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (entry.namespace or namespace)
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            yield prefix + str(entry.pattern), name


def _concrete(route: str) -> str:
    import re

    path = re.sub(r"\(\?P<[^>]+>[^)]*\)", "x", route)
    path = re.sub(r"<int:[^>]+>", "1", path)
    path = re.sub(r"<[^>]+>", "x", path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "").replace("/?", "/")
    path = re.sub(r"[()?*+\[\]]", "", path)
    return "/" + path.lstrip("/")


def all_routes():
    return sorted(set(_walk()))


@pytest.mark.django_db
@pytest.mark.parametrize("route,name", all_routes())
def test_a_session_without_the_second_factor_gets_no_partner_data(route, name, police_officer):
    """Walks the URL configuration, so a new route is covered automatically."""
    client = signed_in(police_officer, verified=False)
    path = _concrete(route)
    response = client.get(path)
    if name in PUBLIC or name in PRE_OTP or name.startswith("register:"):
        assert response.status_code in (200, 302, 404, 405)
        return
    if path.startswith(JSON_PREFIXES):
        assert response.status_code in (401, 403, 404), path  # never data
        return
    assert response.status_code == 302, path
    assert response["Location"].startswith("/sign-in/two-factor/"), path


@pytest.mark.django_db
@pytest.mark.parametrize("route,name", all_routes())
def test_anonymous_people_are_sent_to_sign_in(route, name, anonymous):
    path = _concrete(route)
    response = anonymous.get(path)
    if (
        name in PUBLIC
        or name.startswith("register:")
        or name in {"portal:otp-verify", "portal:otp-setup", "portal:session-extend", "portal:logout"}
    ):
        assert response.status_code != 500
        return
    if path.startswith(JSON_PREFIXES):
        assert response.status_code in (401, 403, 404), path  # never data
        return
    assert response.status_code == 302, path
    assert response["Location"].startswith("/sign-in/"), path


@pytest.mark.django_db
def test_full_sign_in_with_password_then_code(police_officer):
    client = Client()
    response = client.post("/sign-in/", {"username": "police.officer", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/two-factor/")
    first_session = client.session.session_key
    device = TOTPDevice.objects.get(user=police_officer)
    response = client.post("/sign-in/two-factor/", {"code": current_code(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session.session_key != first_session  # a new session id once fully signed in
    assert client.get("/").status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SIGN_IN, username="police.officer").exists()


@pytest.mark.django_db
def test_a_wrong_code_is_refused_with_a_clear_message(police_officer):
    client = Client()
    client.post("/sign-in/", {"username": "police.officer", "password": PASSWORD})
    response = client.post("/sign-in/two-factor/", {"code": "000000"})
    assert response.status_code == 200
    assert "The code is not right or has expired" in response.content.decode()
    assert client.get("/partners/").status_code == 302


@pytest.mark.django_db
def test_first_sign_in_sets_up_an_app_and_gives_single_use_recovery_codes(police):
    from partners.services import membership_add

    user = UserFactory(username="newcomer", with_device=False)
    membership_add(user=user, partner=police, role="officer", by=SYSTEM)
    client = Client()
    response = client.post("/sign-in/", {"username": "newcomer", "password": PASSWORD})
    assert response["Location"].startswith("/sign-in/set-up-two-factor/")
    page = client.get("/sign-in/set-up-two-factor/").content.decode()
    assert "data:image/svg+xml;base64," in page and "manual-key" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/sign-in/set-up-two-factor/", {"code": current_code(device)})
    assert response["Location"] == "/sign-in/recovery-codes/"
    codes_page = client.get("/sign-in/recovery-codes/").content.decode()
    token = StaticToken.objects.filter(device__user=user).first().token
    assert token in codes_page
    assert client.get("/sign-in/recovery-codes/").status_code == 302  # shown once
    # A recovery code works once.
    for expected in (302, 200):
        other = Client()
        other.post("/sign-in/", {"username": "newcomer", "password": PASSWORD})
        response = other.post("/sign-in/two-factor/", {"code": token})
        assert response.status_code == expected


@pytest.mark.django_db
def test_lockout_after_repeated_failures_then_unlock_by_the_pcc_office(police_officer, pcc_officer, settings):
    client = Client()
    for _ in range(settings.LOCKOUT_USERNAME_FAILURES):
        client.post("/sign-in/", {"username": "police.officer", "password": "wrong"})
    response = client.post("/sign-in/", {"username": "police.officer", "password": PASSWORD})
    assert response.status_code == 403
    assert "This account is locked" in response.content.decode()
    assert AuditEvent.objects.filter(action="account.locked").count() == 1
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKED_OUT).exists()
    admin_client = signed_in(pcc_officer)
    page = admin_client.get("/security/").content.decode()
    assert "police.officer" in page and "Unlock" in page
    admin_client.post("/security/unlock/", {"username": "police.officer"})
    assert AuditEvent.objects.filter(action="account.unlock").exists()
    from axes.utils import reset_request  # noqa: F401  (imported to prove axes is the mechanism)

    fresh = Client(REMOTE_ADDR="10.0.0.9")
    response = fresh.post("/sign-in/", {"username": "police.officer", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_unlock_is_refused_to_partner_officers(police_officer):
    assert signed_in(police_officer).post("/security/unlock/", {"username": "x"}).status_code == 403


@pytest.mark.django_db
@override_settings(SESSION_IDLE_SECONDS=60)
def test_idle_sessions_end(police_officer):
    client = signed_in(police_officer)
    assert client.get("/").status_code == 200
    session = client.session
    session["cjp_last_seen"] = time.time() - 120
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SESSION_EXPIRED, detail__startswith="idle").exists()


@pytest.mark.django_db
def test_sessions_end_after_twelve_hours_whatever_the_activity(police_officer):
    client = signed_in(police_officer)
    client.get("/")
    session = client.session
    session["cjp_started_at"] = time.time() - 12 * 3600 - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert SecurityEvent.objects.filter(detail__startswith="absolute").exists()


@pytest.mark.django_db
def test_sign_out_ends_the_session_on_the_server(police_officer):
    from django.contrib.sessions.models import Session

    client = signed_in(police_officer)
    key = client.session.session_key
    response = client.post("/sign-out/")
    assert response["Location"] == "/signed-out/"
    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.django_db
def test_the_idle_limit_is_announced_on_every_signed_in_page(police_officer):
    body = signed_in(police_officer).get("/").content.decode()
    assert 'id="session-timeout"' in body and 'data-idle-seconds="1800"' in body


@pytest.mark.django_db
def test_step_up_is_required_after_fifteen_minutes(police_officer):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from portal.security import StepUpRequired, require_step_up, step_up_check, step_up_confirmed_at

    calls = []

    @require_step_up
    def sensitive(request):
        step_up_check(step_up_confirmed_at(request))
        calls.append(1)
        return HttpResponse("done")

    client = signed_in(police_officer)
    request = RequestFactory().post("/sensitive/")
    request.user = police_officer
    request.session = client.session
    request.session[STEP_UP_AT_KEY] = time.time() - 16 * 60
    response = sensitive(request)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/confirm/")
    assert calls == []
    request.session[STEP_UP_AT_KEY] = time.time() - 60
    assert sensitive(request).status_code == 200
    with pytest.raises(StepUpRequired):
        step_up_check(None)  # a service called without a fresh code refuses


@pytest.mark.django_db
def test_step_up_page_accepts_a_fresh_code(police_officer):
    client = signed_in(police_officer)
    session = client.session
    session[STEP_UP_AT_KEY] = time.time() - 3600
    session.save()
    device = TOTPDevice.objects.get(user=police_officer)
    response = client.post("/sign-in/confirm/?next=/partners/", {"code": current_code(device), "next": "/partners/"})
    assert response["Location"] == "/partners/"
    assert time.time() - client.session[STEP_UP_AT_KEY] < 5


@pytest.mark.django_db
def test_the_code_used_to_sign_in_is_refused_for_step_up_saying_to_wait_for_the_next(police_officer):
    """Someone who signs in and clicks Sign off within the same 30 seconds types the same code again: it
    works once, so say so and what to do, never that it is wrong."""
    client = Client()
    client.post("/sign-in/", {"username": "police.officer", "password": PASSWORD})
    device = TOTPDevice.objects.get(user=police_officer)
    code = current_code(device)
    assert client.post("/sign-in/two-factor/", {"code": code})["Location"] == "/"
    again = client.post("/sign-in/confirm/?next=/partners/", {"code": code, "next": "/partners/"})
    page = again.content.decode()
    assert again.status_code == 200 and "You have used this code already" in page and "not right" not in page
    assert STEP_UP_AT_KEY not in client.session
    wrong = client.post("/sign-in/confirm/?next=/partners/", {"code": "000000", "next": "/partners/"})
    assert "The code is not right or has expired" in wrong.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/partners/", "/account/"])
def test_security_headers_on_signed_in_pages(path, police_officer):
    response = signed_in(police_officer).get(path, secure=True)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    nonce = csp.split("'nonce-")[1].split("'")[0]
    body = response.content.decode()
    import re

    for tag in re.findall(r"<script\b[^>]*>", body):
        assert f'nonce="{nonce}"' in tag or 'type="application/json"' in tag, tag


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_hsts_is_sent_over_https(anonymous):
    response = anonymous.get("/sign-in/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_pcc_office_can_reset_a_persons_devices(pcc_officer, police_officer):
    client = signed_in(pcc_officer)
    officer_client = signed_in(police_officer)
    assert officer_client.post(f"/security/people/{pcc_officer.pk}/reset-devices/").status_code == 403
    assert client.get(f"/security/people/{police_officer.pk}/reset-devices/").status_code == 200
    client.post(f"/security/people/{police_officer.pk}/reset-devices/")
    assert not TOTPDevice.objects.filter(user=police_officer).exists()
    assert AuditEvent.objects.filter(action="otp.devices_reset", object_id=str(police_officer.pk)).exists()


@pytest.mark.django_db
def test_denied_access_is_recorded_in_the_security_log(police_officer):
    signed_in(police_officer).get("/audit/")
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ACCESS_DENIED)
    assert event.path == "/audit/" and event.username == "police.officer"


@pytest.mark.django_db
def test_no_password_or_code_reaches_the_security_log(police_officer):
    client = Client()
    client.post("/sign-in/", {"username": "police.officer", "password": "s3cret-Password!"})
    client.post("/sign-in/", {"username": "police.officer", "password": PASSWORD})
    client.post("/sign-in/two-factor/", {"code": "123456"})
    text = " ".join(f"{e.detail} {e.path} {e.username}" for e in SecurityEvent.objects.all())
    assert "s3cret" not in text and PASSWORD not in text and "123456" not in text
