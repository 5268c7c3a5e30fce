"""Lockouts that protect accounts without locking out everyone (NCSC password guidance).

A username is locked after repeated failures, for a time that doubles; an address that sprays
many usernames is throttled without locking anyone's account; people are told which it is.
Time passes by moving the recorded failures back (django-axes' rows), never by sleeping.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db.models import F, Sum
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from partners.models import Role
from partners.services import api_token_create
from portal import lockout, selectors
from portal.formats import gov_date, gov_time
from portal.models import AuditEvent, SecurityEvent
from portal.security import client_ip
from tests.conftest import signed_in
from tests.factories import PASSWORD, UserFactory, make_person

pytestmark = pytest.mark.django_db

OFFICE = "192.0.2.10"  # one address shared by a whole office (a police headquarters, a council)
SPRAYER = "198.51.100.66"
ELSEWHERE = "203.0.113.5"


def sign_in(username: str, password: str, *, address: str = OFFICE, **extra):
    return Client(REMOTE_ADDR=address, **extra).post("/sign-in/", {"username": username, "password": password})


def mistype(username: str, times: int, *, address: str = OFFICE):
    for _ in range(times):
        response = sign_in(username, "not-the-password", address=address)
    return response


def counted_failures(username: str) -> int:
    return AccessAttempt.objects.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0


def time_passes(delta: timedelta) -> None:
    """As if `delta` had passed: every failure django-axes recorded moves that far into the past."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - delta)


def people(police, count: int, prefix: str = "officer") -> list:
    return [make_person(police, Role.OFFICER, f"{prefix}.{n}") for n in range(1, count + 1)]


# --- The settings people rely on ---------------------------------------------------------------
def test_the_defaults_follow_ncsc_guidance(settings):
    assert settings.LOCKOUT_USERNAME_FAILURES == 10
    assert settings.LOCKOUT_USERNAME_FIRST == timedelta(minutes=15)
    assert settings.LOCKOUT_USERNAME_MAX == timedelta(hours=24)
    assert settings.LOCKOUT_ADDRESS_FAILURES == 100
    assert settings.LOCKOUT_ADDRESS_WINDOW == timedelta(hours=1)
    assert settings.LOCKOUT_ADDRESS_TIME == timedelta(hours=1)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]  # axes never locks an address
    lengths = [lockout.username_lockout_length(n) for n in range(1, 10)]
    assert lengths[:4] == [timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2)]
    assert lengths[-1] == timedelta(hours=24) and max(lengths) == timedelta(hours=24)


# --- Many people behind one address ------------------------------------------------------------
def test_five_people_mistyping_at_one_address_do_not_lock_out_a_sixth(police):
    five = people(police, 5)
    sixth = make_person(police, Role.OFFICER, "sixth.officer")
    for person in five:
        response = mistype(person.username, 4)
        assert response.status_code == 200
        assert "The username or password is not right" in response.content.decode()
    response = sign_in(sixth.username, PASSWORD)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/two-factor/")
    # Nobody was locked: each of the five signs in too, from the same address.
    assert lockout.username_locks() == [] and lockout.address_throttles() == []
    for person in five:
        assert sign_in(person.username, PASSWORD).status_code == 302


# --- A username -------------------------------------------------------------------------------
def test_a_username_is_locked_after_ten_failures_and_told_when_it_unlocks(police_officer):
    assert mistype("police.officer", 9).status_code == 200
    response = mistype("police.officer", 1)
    assert response.status_code == 403
    page = response.content.decode()
    assert "This account is locked" in page
    lock = lockout.username_lock("police.officer")
    assert lock.until - lock.started_at == timedelta(minutes=15)
    assert f"It will unlock by itself at {lockout.when_words(lock.until, today_short=True)}" in page
    assert (
        "in 15 minutes" in page
        and "contact the partnership team at the Office of the Police and Crime Commissioner" in page
    )
    assert "too many failed sign-ins from your network" not in page.lower()
    assert AuditEvent.objects.filter(action="account.locked", object_id="police.officer").count() == 1
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKED_OUT, username="police.officer").exists()


def test_a_correct_password_during_a_lockout_is_refused_and_neither_counts_nor_extends_it(police_officer):
    mistype("police.officer", 10)
    lock = lockout.username_lock("police.officer")
    for address in (OFFICE, ELSEWHERE):  # the username is locked wherever the person is
        response = sign_in("police.officer", PASSWORD, address=address)
        assert response.status_code == 403 and "This account is locked" in response.content.decode()
    assert counted_failures("police.officer") == 10
    assert lockout.username_lock("police.officer").until == lock.until
    assert AuditEvent.objects.filter(action="account.locked").count() == 1  # audited once, when it started


@override_settings(
    PCC_OFFICE_CONTACT_EMAIL="portal@opcc.example",
    PCC_OFFICE_CONTACT_PHONE="0121 000 0000",
    LOCKOUT_ADDRESS_FAILURES=20,
)
def test_the_locked_and_sign_in_pages_give_the_pcc_offices_contact_details(police_officer):
    details = [
        '<li>Email: <a class="govuk-link" href="mailto:portal@opcc.example">portal@opcc.example</a></li>',
        "<li>Telephone: 0121 000 0000</li>",
    ]
    page = mistype("police.officer", 10).content.decode()
    assert "If you need to sign in sooner, contact the partnership team at the Office" in page
    assert all(line in page for line in details)
    assert all(line in Client().get("/sign-in/").content.decode() for line in details)
    for n in range(20):
        sign_in(f"guess.{n}", "x", address=SPRAYER)
    throttled = sign_in("police.officer", "x", address=SPRAYER)
    assert throttled.status_code == 429 and all(line in throttled.content.decode() for line in details)


@override_settings(PCC_OFFICE_CONTACT_EMAIL="", PCC_OFFICE_CONTACT_PHONE="0121 000 0000")
def test_without_an_email_address_the_office_is_given_its_telephone_only(police_officer):
    page = mistype("police.officer", 10).content.decode()
    assert "<li>Telephone: 0121 000 0000</li>" in page and "mailto:" not in page


@override_settings(PCC_OFFICE_CONTACT_EMAIL="", PCC_OFFICE_CONTACT_PHONE="")
def test_without_contact_details_the_office_is_named_alone(police_officer):
    page = mistype("police.officer", 10).content.decode()
    assert "contact the partnership team at the Office of the Police and Crime Commissioner" in page
    assert "Telephone:" not in page and "Email:" not in page


def test_development_has_made_up_contact_details_and_the_old_single_setting_is_refused():
    from django.conf import settings

    assert settings.PCC_OFFICE_CONTACT_EMAIL.endswith(".example")  # a reserved name, nobody's mailbox
    assert settings.PCC_OFFICE_CONTACT_PHONE == "0121 496 0000"  # an Ofcom number kept for drama
    env = {**os.environ, "PCC_OFFICE_CONTACT": "0121 000 0000 or portal@opcc.example"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,  # the test settings, which refuse it through portal/settings.py as a deployment's would
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode != 0 and "PCC_OFFICE_CONTACT_EMAIL and PCC_OFFICE_CONTACT_PHONE" in result.stderr


# --- A warning before the try that would lock --------------------------------------------------------
LAST_TRY = "If the next attempt is wrong too, this account will be locked for"


def error_of(response) -> str:
    """The words of the page's error summary."""
    found = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', response.content.decode(), re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def test_the_sign_in_page_warns_before_the_try_that_would_lock_the_account(police_officer):
    assert LAST_TRY not in error_of(mistype("police.officer", 8))
    ninth = error_of(mistype("police.officer", 1))
    assert f"The username or password is not right. {LAST_TRY} 15 minutes." in ninth
    assert mistype("police.officer", 1).status_code == 403  # as it said


def test_the_warning_names_the_length_of_the_lockout_it_warns_of(police_officer):
    mistype("police.officer", 10)
    time_passes(timedelta(minutes=16))
    assert LAST_TRY not in error_of(mistype("police.officer", 8))
    assert f"{LAST_TRY} 30 minutes." in error_of(mistype("police.officer", 1))  # the second lockout is twice as long
    assert lockout.next_failure_locks_for("police.officer") == timedelta(minutes=30)
    mistype("police.officer", 1)
    assert lockout.next_failure_locks_for("police.officer") is None  # locked already


@override_settings(LOCKOUT_USERNAME_FAILURES=3, LOCKOUT_USERNAME_FIRST=timedelta(hours=1))
def test_the_warning_follows_the_settings(police_officer):
    assert LAST_TRY not in error_of(mistype("police.officer", 1))
    assert f"{LAST_TRY} 1 hour." in error_of(mistype("police.officer", 1))


def test_the_warning_says_no_more_about_a_username_nobody_has(police_officer):
    """Unknown usernames are counted and locked like real ones, so the warning tells nobody which exist."""
    known = error_of(mistype("police.officer", 9, address=ELSEWHERE))
    unknown = error_of(mistype("nobody.here", 9, address=ELSEWHERE))
    assert known == unknown == f"The username or password is not right. {LAST_TRY} 15 minutes."


def test_a_locked_username_unlocks_after_its_cool_off_and_the_second_lockout_lasts_twice_as_long(police_officer):
    mistype("police.officer", 10)
    time_passes(timedelta(minutes=14))
    assert sign_in("police.officer", PASSWORD).status_code == 403
    time_passes(timedelta(minutes=2))
    assert lockout.username_lock("police.officer") is None
    # The cool-off is over: nine more mistakes are allowed, the tenth locks it again, for 30 minutes.
    assert mistype("police.officer", 9).status_code == 200
    assert mistype("police.officer", 1).status_code == 403
    second = lockout.username_lock("police.officer")
    assert second.number == 2 and second.until - second.started_at == timedelta(minutes=30)
    assert "in 30 minutes" in sign_in("police.officer", PASSWORD).content.decode()
    time_passes(timedelta(minutes=16))
    assert sign_in("police.officer", PASSWORD).status_code == 403  # 15 minutes are not enough this time
    time_passes(timedelta(minutes=15))
    assert sign_in("police.officer", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="account.locked", object_id="police.officer").count() == 2


def test_lockouts_one_after_another_double_up_to_a_day(police_officer):
    expected = [15, 30, 60, 120, 240, 480, 960, 1440, 1440]
    for minutes in expected:
        mistype("police.officer", 10, address=ELSEWHERE)
        lock = lockout.username_lock("police.officer")
        assert lock.until - lock.started_at == timedelta(minutes=minutes)
        time_passes(timedelta(minutes=minutes, seconds=1))
    assert lockout.username_lock("police.officer") is None


def test_a_correct_password_starts_the_count_again_for_that_username_only(police):
    alice, bob = people(police, 2)
    mistype(alice.username, 6)
    mistype(bob.username, 6)
    assert sign_in(alice.username, PASSWORD).status_code == 302
    assert counted_failures(alice.username) == 0 and counted_failures(bob.username) == 6


def test_failures_spread_over_addresses_lock_the_username(police_officer):
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"):
        mistype("police.officer", 2, address=address)
    assert sign_in("police.officer", PASSWORD, address="192.0.2.9").status_code == 403


def test_unknown_usernames_are_locked_like_real_ones(police_officer):
    """So that the locked page never tells anyone which usernames exist."""
    assert mistype("nobody.here", 10, address=ELSEWHERE).status_code == 403
    assert "This account is locked" in sign_in("nobody.here", "x", address=ELSEWHERE).content.decode()


# --- An address spraying many usernames ------------------------------------------------------
@override_settings(LOCKOUT_ADDRESS_FAILURES=30)
def test_a_sprayer_is_throttled_and_told_so_without_locking_anyone(police):
    targets = people(police, 6, prefix="sprayed")
    responses = [sign_in(f"guess.{n}", "Winter2026!", address=SPRAYER) for n in range(12)]
    for person in targets:
        responses += [sign_in(person.username, "Winter2026!", address=SPRAYER) for _ in range(3)]
    assert [r.status_code for r in responses[:29]] == [200] * 29
    assert responses[29].status_code == 429  # the 30th failure starts the throttle
    response = sign_in("another.guess", "Summer2026!", address=SPRAYER)
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 3600
    page = response.content.decode()
    assert "There have been too many failed sign-ins from your network. Try again in 1 hour" in page
    assert "Your account is not locked" in page and "This account is locked" not in page
    # Nobody's account is locked: the same people sign in from their own addresses.
    assert lockout.username_locks() == []
    assert max(counted_failures(p.username) for p in targets) == 3
    for person in targets:
        assert sign_in(person.username, PASSWORD, address=ELSEWHERE).status_code == 302
    assert AuditEvent.objects.filter(action="address.throttled", object_id=SPRAYER).count() == 1
    throttle = lockout.address_throttle(SPRAYER)
    assert throttle.failures == 30 and throttle.until - throttle.started_at == timedelta(hours=1)


@override_settings(LOCKOUT_ADDRESS_FAILURES=20)
def test_a_correct_password_from_a_throttled_address_is_refused_and_not_counted_against_that_person(police):
    """NCSC: a spraying address is throttled; letting a correct password in would confirm a guess."""
    person, other = people(police, 2)
    mistype(person.username, 3, address=ELSEWHERE)
    mistype(other.username, 4, address=SPRAYER)
    for n in range(16):
        sign_in(f"guess.{n}", "Winter2026!", address=SPRAYER)
    assert lockout.address_throttle(SPRAYER) is not None
    response = sign_in(person.username, PASSWORD, address=SPRAYER)
    assert response.status_code == 429
    # Not a failure for that person, not a success that resets anyone's count.
    assert counted_failures(person.username) == 3 and counted_failures(other.username) == 4
    assert not AccessFailureLog.objects.filter(username=person.username, ip_address=SPRAYER).exists()
    assert not AccessLog.objects.filter(username=person.username).exists()
    assert sign_in(person.username, PASSWORD, address=ELSEWHERE).status_code == 302


@override_settings(LOCKOUT_ADDRESS_FAILURES=20)
def test_a_throttle_ends_after_its_time_and_refusals_do_not_make_it_longer(police_officer):
    for n in range(20):
        sign_in(f"guess.{n}", "x", address=SPRAYER)
    until = lockout.address_throttle(SPRAYER).until
    for _ in range(5):
        assert sign_in("police.officer", "x", address=SPRAYER).status_code == 429
    assert lockout.address_throttle(SPRAYER).until == until
    time_passes(timedelta(minutes=59))
    assert sign_in("police.officer", PASSWORD, address=SPRAYER).status_code == 429
    time_passes(timedelta(minutes=2))
    assert sign_in("police.officer", PASSWORD, address=SPRAYER).status_code == 302


@override_settings(LOCKOUT_ADDRESS_FAILURES=20)
def test_failures_spread_over_more_than_the_window_do_not_throttle(police_officer):
    for n in range(15):
        sign_in(f"guess.{n}", "x", address=OFFICE)
    time_passes(timedelta(minutes=61))
    for n in range(15):
        sign_in(f"guess.{n}", "x", address=OFFICE)
    assert lockout.address_throttle(OFFICE) is None
    assert sign_in("police.officer", PASSWORD).status_code == 302


# --- The PCC office ---------------------------------------------------------------------------
@override_settings(LOCKOUT_ADDRESS_FAILURES=20)
def test_the_pcc_office_sees_and_clears_a_locked_username_and_a_throttled_address(police_officer, pcc_officer):
    mistype("police.officer", 10, address=ELSEWHERE)
    for n in range(20):
        sign_in(f"guess.{n}", "x", address=SPRAYER)
    office = signed_in(pcc_officer)
    page = office.get("/security/").content.decode()
    lock, throttle = lockout.username_lock("police.officer"), lockout.address_throttle(SPRAYER)
    assert "Locked accounts" in page and "Throttled addresses" in page
    assert 'aria-label="Unlock police.officer"' in page and f'aria-label="Allow sign-ins from {SPRAYER}"' in page
    from portal.jinja2 import gov_date

    for until in (lock.until, throttle.until):  # the date on one line, the time beside or under it
        day, time = gov_date(until, True).split(" at ")
        assert f'<span class="app-nowrap">{day}</span> <span class="app-nowrap">at {time}</span>' in page
    assert [x.username for x in selectors.locked_usernames(user=pcc_officer)] == ["police.officer"]
    assert [x.ip_address for x in selectors.throttled_addresses(user=pcc_officer)] == [SPRAYER]

    assert office.post("/security/unlock/", {"username": "police.officer"}).status_code == 302
    assert office.post("/security/unlock/", {"ip_address": SPRAYER}).status_code == 302
    assert lockout.username_locks() == [] and lockout.address_throttles() == []
    assert AuditEvent.objects.filter(action="account.unlock", object_id="police.officer", actor=pcc_officer).exists()
    assert AuditEvent.objects.filter(action="address.throttle_clear", object_id=SPRAYER, actor=pcc_officer).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.UNLOCKED, user=pcc_officer).count() == 2
    page = office.get("/security/").content.decode()
    assert "No accounts are locked." in page and "No addresses are throttled." in page
    # The failures before the clear no longer count: one more does not throttle the address again.
    sign_in("guess.again", "x", address=SPRAYER)
    assert lockout.address_throttle(SPRAYER) is None
    assert sign_in("police.officer", PASSWORD, address=SPRAYER).status_code == 302


def test_unlocking_one_username_leaves_the_others_locked(police, pcc_officer):
    alice, bob = people(police, 2)
    mistype(alice.username, 10)
    mistype(bob.username, 10)
    office = signed_in(pcc_officer)
    office.post("/security/unlock/", {"username": alice.username})
    assert [lock.username for lock in lockout.username_locks()] == [bob.username]


def test_an_unlock_that_names_nothing_clears_nothing(police, pcc_officer):
    alice, bob = people(police, 2)
    mistype(alice.username, 10)
    mistype(bob.username, 10)
    office = signed_in(pcc_officer)
    for data in (
        {},
        {"username": ""},
        {"ip_address": "not-an-address"},
        {"username": alice.username, "ip_address": OFFICE},
    ):
        assert office.post("/security/unlock/", data).status_code == 302
    assert len(lockout.username_locks()) == 2
    assert not AuditEvent.objects.filter(action__in=["account.unlock", "address.throttle_clear"]).exists()


@override_settings(LOCKOUT_ADDRESS_FAILURES=20)
def test_an_officer_may_neither_see_nor_clear_lockouts(police_officer, probation_officer):
    mistype("probation.officer", 10)
    for n in range(20):
        sign_in(f"guess.{n}", "x", address=SPRAYER)
    officer = signed_in(police_officer)
    assert officer.get("/security/").status_code == 403
    assert officer.post("/security/unlock/", {"username": "probation.officer"}).status_code == 403
    assert officer.post("/security/unlock/", {"ip_address": SPRAYER}).status_code == 403
    assert selectors.locked_usernames(user=police_officer) == []
    assert selectors.throttled_addresses(user=police_officer) == []
    assert lockout.username_lock("probation.officer") is not None and lockout.address_throttle(SPRAYER) is not None


def test_the_commissioner_can_unlock_as_the_pcc_officers_can(pcc, police_officer):
    mistype("police.officer", 10)
    page = signed_in(pcc).get("/security/").content.decode()
    assert "Locked accounts" in page and "Unlock police.officer" in page


def test_reset_app_is_offered_only_for_people_with_devices(pcc_officer, police_officer, police):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.security import security_log

    no_device = UserFactory(username="no.device", with_device=False)
    token, _raw = api_token_create(name="Police RMS feed", partner=police, days=30, by=pcc_officer)
    system_user = token.user
    TOTPDevice.objects.create(user=system_user, name="should not happen", confirmed=True)
    security_log(SecurityEvent.Kind.SIGN_IN_FAILED, user=police_officer)
    security_log(SecurityEvent.Kind.SIGN_IN_FAILED, user=no_device)
    security_log(SecurityEvent.Kind.TOKEN_USED, user=system_user)
    page = signed_in(pcc_officer).get("/security/").content.decode()
    assert f"/security/people/{police_officer.pk}/reset-devices/" in page
    assert f"/security/people/{no_device.pk}/reset-devices/" not in page
    assert f"/security/people/{system_user.pk}/reset-devices/" not in page
    assert selectors.people_with_resettable_devices(
        user=pcc_officer, user_ids=[police_officer.pk, no_device.pk, system_user.pk, None]
    ) == {police_officer.pk}
    assert selectors.people_with_resettable_devices(user=police_officer, user_ids=[police_officer.pk]) == set()
    assert '<span class="app-nowrap">' in page  # dates on one line


# --- The client's address behind the TLS proxy ---------------------------------------------------
def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/sign-in/", **extra)


def test_x_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("10.0.0.2", "203.0.113.9")) == "10.0.0.2"


def test_x_forwarded_for_is_ignored_from_an_address_that_is_not_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request("198.51.100.1", "203.0.113.9")) == "198.51.100.1"


def test_behind_a_trusted_proxy_the_client_is_the_nearest_untrusted_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]
    assert client_ip(_request("10.0.0.2", "203.0.113.9")) == "203.0.113.9"
    # A client cannot choose its address by writing the header itself: entries left of the proxy's are not believed.
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.2", "203.0.113.9, 10.1.1.1")) == "203.0.113.9"  # two proxies in a row
    assert client_ip(_request("::ffff:10.0.0.2", "203.0.113.9:51234")) == "203.0.113.9"
    assert client_ip(_request("2001:db8::1", "[2001:db8:ffff::7]:443, 2001:db8::2")) == "2001:db8:ffff::7"
    assert client_ip(_request("10.0.0.2", "garbage, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.2", "203.0.113.9, garbage")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2")) == "10.0.0.2"


def test_axes_and_the_security_log_count_failures_against_the_client_behind_the_proxy(settings, police_officer):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    for client_address in ("203.0.113.9", "203.0.113.10"):
        sign_in("police.officer", "x", address="10.0.0.2", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_address}")
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"203.0.113.9", "203.0.113.10"}
    assert set(
        SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SIGN_IN_FAILED).values_list("ip_address", flat=True)
    ) == {"203.0.113.9", "203.0.113.10"}


@override_settings(LOCKOUT_ADDRESS_FAILURES=20, TRUSTED_PROXIES=["10.0.0.2"])
def test_a_sprayer_behind_the_proxy_does_not_throttle_everyone_behind_it(police_officer):
    for n in range(20):
        sign_in(f"guess.{n}", "x", address="10.0.0.2", HTTP_X_FORWARDED_FOR=SPRAYER)
    assert sign_in("guess.more", "x", address="10.0.0.2", HTTP_X_FORWARDED_FOR=SPRAYER).status_code == 429
    response = sign_in("police.officer", PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR=OFFICE)
    assert response.status_code == 302


def test_when_words_and_wait_words_speak_plainly():
    now = timezone.now()
    assert lockout.wait_words(now + timedelta(seconds=30), at=now) == "1 minute"
    assert lockout.wait_words(now + timedelta(minutes=15), at=now) == "15 minutes"
    assert lockout.wait_words(now + timedelta(minutes=14, seconds=1), at=now) == "15 minutes"
    assert lockout.wait_words(now + timedelta(hours=2), at=now) == "2 hours"
    assert lockout.wait_words(now + timedelta(hours=1, minutes=5), at=now) == "1 hour and 5 minutes"
    # In the portal's one time format (portal.formats), in UK time.
    assert lockout.when_words(now) == f"{gov_time(now)} on {gov_date(now)}"
    assert lockout.when_words(now, today_short=True) == gov_time(now)
    tomorrow = now + timedelta(days=1)
    assert lockout.when_words(tomorrow, today_short=True) == f"{gov_time(tomorrow)} on {gov_date(tomorrow)}"
    assert lockout.when_words(datetime(2026, 7, 1, 14, 0, tzinfo=UTC)) == "3pm on 1 July 2026"


@override_settings(LOCKOUT_ADDRESS_FAILURES=20)
def test_in_development_the_axes_commands_clear_both_kinds(police_officer):
    """What the README's demo section tells developers to run."""
    from django.core.management import call_command

    mistype("police.officer", 10, address=ELSEWHERE)
    for n in range(20):
        sign_in(f"guess.{n}", "x", address=SPRAYER)
    call_command("axes_reset", stdout=io.StringIO())
    assert lockout.username_locks() == [] and lockout.address_throttle(SPRAYER) is not None
    call_command("axes_reset_failure_logs", age=0, stdout=io.StringIO())
    assert lockout.address_throttles() == []
    assert sign_in("police.officer", PASSWORD, address=SPRAYER).status_code == 302


def test_a_trusted_proxy_that_is_not_an_address_stops_the_portal_starting():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["TRUSTED_PROXIES"] = "10.0.0.0/8, the-proxy"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "TRUSTED_PROXIES: 'the-proxy' is not an IP address or CIDR range" in result.stderr
