"""Sign-in lockouts, following NCSC password guidance. Two protections, told apart to the person:

- A *username* is locked after LOCKOUT_USERNAME_FAILURES failed sign-ins: for LOCKOUT_USERNAME_FIRST,
  twice as long for each further lockout, at most LOCKOUT_USERNAME_MAX, or until the PCC office
  unlocks it. django-axes counts each username's failures and refuses its sign-ins while it is
  locked; `username_failure_limit` (AXES_FAILURE_LIMIT) tells axes when a lockout starts and ends.
- An *address* with LOCKOUT_ADDRESS_FAILURES failed sign-ins within LOCKOUT_ADDRESS_WINDOW, whatever
  the usernames (a password spray), is refused for LOCKOUT_ADDRESS_TIME (`address_throttle`, checked
  by the sign-in page before it tries the password). It locks nobody's account, so the people
  behind a shared address (a police headquarters, a council) can sign in elsewhere, and do again
  once it ends; the PCC office can end it sooner.

Nothing else holds lockout state: both are read from django-axes' tables (AccessAttempt, the counts
that a correct password or an unlock clears; AccessFailureLog, one row per failure), and the PCC
office's early end of a throttle from the audit log.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import Count, Max, Sum
from django.utils import timezone

from .formats import gov_time_on
from .models import AuditEvent

ADDRESS_OBJECT_TYPE = "sign_in.address"
ADDRESS_CLEAR_ACTION = "address.throttle_clear"


@dataclass(frozen=True)
class UsernameLock:
    username: str
    number: int  # the how-many-th lockout in a row: each lasts twice as long as the one before
    started_at: datetime
    until: datetime
    failures: int  # counted since the username's count last started again

    @property
    def remaining(self) -> str:
        return wait_words(self.until)


@dataclass(frozen=True)
class AddressThrottle:
    ip_address: str
    started_at: datetime
    until: datetime
    failures: int  # within LOCKOUT_ADDRESS_WINDOW when it started

    @property
    def remaining(self) -> str:
        return wait_words(self.until)


def username_lockout_length(number: int) -> timedelta:
    """How long the number-th lockout in a row lasts: 15 minutes, 30, 1 hour… at most LOCKOUT_USERNAME_MAX."""
    return min(settings.LOCKOUT_USERNAME_FIRST * 2 ** min(number - 1, 30), settings.LOCKOUT_USERNAME_MAX)


def _request_time(request) -> datetime:
    return getattr(request, "axes_attempt_time", None) or timezone.now()


def _username_count(username: str, at: datetime) -> tuple[int, datetime | None]:
    """What axes counts for the username at `at`: its failures and when the latest was."""
    totals = AccessAttempt.objects.filter(username=username, attempt_time__gte=at - get_cool_off()).aggregate(
        failures=Sum("failures_since_start"), latest=Max("attempt_time")
    )
    return totals["failures"] or 0, totals["latest"]


def _failure_time(username: str, *, position: int, failures: int, latest: datetime, at: datetime) -> datetime:
    """When the username's `position`-th counted failure happened (1 is the oldest that axes counts)."""
    newest_first = list(
        AccessFailureLog.objects.filter(username=username, attempt_time__lt=at)
        .order_by("-attempt_time", "-id")
        .values_list("attempt_time", flat=True)[:failures]
    )
    if latest >= at:
        # NOTE: axes is recording a failure of this request: it has counted it in AccessAttempt and asks
        # for the limit before it writes the failure's log row.
        newest_first = [at, *newest_first[: failures - 1]]
    after = failures - position
    if after < len(newest_first):
        return newest_first[after]
    # Fewer failures logged than counted (the log was cleared by hand): time the lockout from the
    # latest failure, which never ends it early.
    return latest


def _username_state(username: str, at: datetime) -> tuple[int, UsernameLock | None]:
    failures, latest = _username_count(username, at)
    number = failures // settings.LOCKOUT_USERNAME_FAILURES
    if number == 0:
        return failures, None
    started = _failure_time(
        username, position=number * settings.LOCKOUT_USERNAME_FAILURES, failures=failures, latest=latest, at=at
    )
    until = started + username_lockout_length(number)
    if at >= until:
        return failures, None
    return failures, UsernameLock(username=username, number=number, started_at=started, until=until, failures=failures)


def username_lock(username: str, *, at: datetime | None = None) -> UsernameLock | None:
    """The lockout of this username in force now (or at `at`), or None."""
    if not username:
        return None
    return _username_state(username, at or timezone.now())[1]


def username_lock_for_request(request, credentials=None) -> UsernameLock | None:
    """The lockout of the username this sign-in attempt names, as axes sees it during the request."""
    return username_lock(get_client_username(request, credentials) or "", at=_request_time(request))


def next_failure_locks_for(username: str, *, at: datetime | None = None) -> timedelta | None:
    """How long the username would be locked if its next sign-in failed (now, or at `at`); None if that
    failure would not lock it, or it is locked already. Asked after a failure, to warn before the last try."""
    if not username:
        return None
    failures, lock = _username_state(username, at or timezone.now())
    if lock is not None:
        return None
    limit = settings.LOCKOUT_USERNAME_FAILURES
    if (failures + 1) % limit:
        return None
    return username_lockout_length((failures + 1) // limit)


def username_failure_limit(request, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: how many counted failures lock this username at this moment.

    LOCKOUT_USERNAME_FAILURES at first; while a lockout is in force, the count that started it; once
    it has ended, the next multiple, so that as many failures again lock it again, for twice as long.
    """
    limit = settings.LOCKOUT_USERNAME_FAILURES
    username = get_client_username(request, credentials)
    if not username:
        return limit
    failures, lock = _username_state(username, _request_time(request))
    if lock is not None:
        return lock.number * limit
    return (failures // limit + 1) * limit


def username_locks(*, at: datetime | None = None) -> list[UsernameLock]:
    """Every username locked now, by username."""
    at = at or timezone.now()
    candidates = (
        AccessAttempt.objects.filter(attempt_time__gte=at - get_cool_off(), username__isnull=False)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.LOCKOUT_USERNAME_FAILURES)
        .values_list("username", flat=True)
    )
    locks = (username_lock(username, at=at) for username in sorted(set(candidates)))
    return [lock for lock in locks if lock is not None]


def _address_cleared_at(ip_address: str) -> datetime | None:
    """When the PCC office last ended a throttle of this address early (failures before it no longer count)."""
    return (
        AuditEvent.objects.filter(object_type=ADDRESS_OBJECT_TYPE, object_id=ip_address, action=ADDRESS_CLEAR_ACTION)
        .order_by("-id")
        .values_list("at", flat=True)
        .first()
    )


def address_throttle(ip_address: str | None, *, at: datetime | None = None) -> AddressThrottle | None:
    """The throttle of this address in force now (or at `at`), or None.

    A throttle starts at the failure that makes LOCKOUT_ADDRESS_FAILURES within LOCKOUT_ADDRESS_WINDOW
    and lasts LOCKOUT_ADDRESS_TIME; a new one needs as many fresh failures. Attempts refused while
    it lasts are never tried, so they are not failures and do not make it longer.
    """
    if not ip_address:
        return None
    at = at or timezone.now()
    window, length, limit = (
        settings.LOCKOUT_ADDRESS_WINDOW,
        settings.LOCKOUT_ADDRESS_TIME,
        settings.LOCKOUT_ADDRESS_FAILURES,
    )
    since = (
        at - window - length
    )  # a throttle in force now started after at - length, from failures within a window before
    cleared = _address_cleared_at(ip_address)
    if cleared is not None and cleared > since:
        since = cleared
    times = (
        AccessFailureLog.objects.filter(ip_address=ip_address, attempt_time__gt=since, attempt_time__lte=at)
        .order_by("attempt_time")
        .values_list("attempt_time", flat=True)
    )
    throttle = None
    recent: deque[datetime] = deque()
    for time in times:
        if throttle is not None and time < throttle.until:
            continue  # tried before the throttle started and failed after it (two requests at once)
        while recent and recent[0] <= time - window:
            recent.popleft()
        recent.append(time)
        if len(recent) >= limit:
            throttle = AddressThrottle(
                ip_address=ip_address, started_at=time, until=time + length, failures=len(recent)
            )
            recent.clear()
    return throttle if throttle is not None and at < throttle.until else None


def address_throttles(*, at: datetime | None = None) -> list[AddressThrottle]:
    """Every address throttled now, by address."""
    at = at or timezone.now()
    since = at - settings.LOCKOUT_ADDRESS_WINDOW - settings.LOCKOUT_ADDRESS_TIME
    candidates = (
        AccessFailureLog.objects.filter(attempt_time__gt=since, ip_address__isnull=False)
        .values("ip_address")
        .annotate(failures=Count("id"))
        .filter(failures__gte=settings.LOCKOUT_ADDRESS_FAILURES)
        .values_list("ip_address", flat=True)
    )
    throttles = (address_throttle(ip, at=at) for ip in sorted(set(candidates)))
    return [throttle for throttle in throttles if throttle is not None]


def duration_words(length: timedelta) -> str:
    """A length of time in words, rounded up to the minute: "1 minute", "2 hours", "1 hour and 5 minutes"."""
    minutes = max(1, math.ceil(length.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " and ".join(parts)


def wait_words(until: datetime, *, at: datetime | None = None) -> str:
    """How long from now (or `at`) until `until`, in words."""
    return duration_words(until - (at or timezone.now()))


def when_words(moment: datetime, *, today_short: bool = False) -> str:
    """A moment in UK time, GOV.UK style: "3:45pm on 26 November 2026" (just "3:45pm" if today_short and it is today)."""
    return gov_time_on(moment, today_short=today_short)
