"""Per-person limits on writes (portal/ratelimit.py): counted over a sliding window, a refused write not
counted, the system never limited, and a cache that is down letting writes through. Sign-in codes are
limited on every page that takes one."""

from __future__ import annotations

import pytest
from django.test import Client

from portal import ratelimit
from tests.conftest import signed_in
from tests.factories import PASSWORD, SYSTEM, UserFactory

LIMIT = ratelimit.Limit("test-write", 3, 600, "You have written {count} things in the last {period}")
START = 1_000_000 * 600.0  # the start of a window


def _hits(limit, user, times: int, *, now: float = START) -> None:
    for _ in range(times):
        ratelimit.hit(limit, by=user, now=now)


@pytest.mark.django_db
def test_the_write_over_the_limit_is_refused_saying_what_happened_and_what_to_do(police_officer):
    _hits(LIMIT, police_officer, 3)
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.hit(LIMIT, by=police_officer, now=START + 60)
    assert refused.value.messages == [
        "You have written 3 things in the last 10 minutes. Wait a few minutes and try again."
    ]
    assert refused.value.retry_after == 540


@pytest.mark.django_db
def test_each_person_has_their_own_count(police_officer, probation_officer):
    _hits(LIMIT, police_officer, 3)
    ratelimit.hit(LIMIT, by=probation_officer, now=START)


@pytest.mark.django_db
def test_the_window_slides_and_a_refused_write_is_not_counted(police_officer):
    _hits(LIMIT, police_officer, 3)
    for _ in range(5):
        with pytest.raises(ratelimit.RateLimited):
            ratelimit.hit(LIMIT, by=police_officer, now=START + 300)
    # Half-way through the next window, half the last window's writes still count: 1.5 + 1 = 2.5 of 3.
    ratelimit.hit(LIMIT, by=police_officer, now=START + 900)
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit(LIMIT, by=police_officer, now=START + 900)
    ratelimit.hit(LIMIT, by=police_officer, now=START + 1800)  # a whole period later


def test_the_system_is_never_limited():
    _hits(LIMIT, SYSTEM, 10)


@pytest.mark.django_db
def test_with_the_cache_down_writes_go_through(police_officer, monkeypatch, caplog):
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("the cache is down")

            return fail

    monkeypatch.setattr(ratelimit, "cache", Down())
    monkeypatch.setattr(ratelimit, "_last_warned", 0.0)
    _hits(LIMIT, police_officer, 10)
    assert "rate limit test-write not enforced: the cache is unavailable (ConnectionError)" in caplog.text


def test_the_limits_are_far_above_what_a_person_does_by_hand():
    assert (ratelimit.UPLOADS.count, ratelimit.UPLOADS.seconds) == (30, 3600)
    assert (ratelimit.SIGN_IN_CODES.count, ratelimit.SIGN_IN_CODES.seconds) == (10, 300)
    assert ratelimit.UPLOADS.refusal() == (
        "You have uploaded 30 files in the last hour. Wait a few minutes and try again."
    )


# --- Sign-in codes ---------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/sign-in/two-factor/", "/sign-in/confirm/"])
def test_the_eleventh_code_in_five_minutes_is_refused_before_it_is_checked(police_officer, page, monkeypatch):
    if page == "/sign-in/two-factor/":
        client = Client()
        client.post("/sign-in/", {"username": "police.officer", "password": PASSWORD})
    else:  # step-up: signed in with both factors, confirming a code again
        client = signed_in(police_officer, stepped_up=False)
    for _ in range(ratelimit.SIGN_IN_CODES.count):
        response = client.post(page, {"code": "000000"})
        assert "You have entered" not in response.content.decode()
    checked = []
    monkeypatch.setattr("portal.views.auth.match_token", lambda *args: checked.append(args))
    response = client.post(page, {"code": "123456"})
    assert response.status_code == 200 and checked == []
    assert "You have entered 10 codes in the last 5 minutes. Wait a few minutes and try again." in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_setting_up_the_app_counts_the_codes_too(police):
    from partners.services import membership_add

    user = UserFactory(username="newcomer", with_device=False)
    membership_add(user=user, partner=police, role="officer", by=SYSTEM)
    client = Client()
    client.post("/sign-in/", {"username": "newcomer", "password": PASSWORD})
    for _ in range(ratelimit.SIGN_IN_CODES.count):
        client.post("/sign-in/set-up-two-factor/", {"code": "000000"})
    response = client.post("/sign-in/set-up-two-factor/", {"code": "000000"})
    assert "You have entered 10 codes in the last 5 minutes" in response.content.decode()
