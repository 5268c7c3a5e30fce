"""Deadlines in working days: Monday to Friday, skipping England and Wales bank holidays.

The bank holidays come from the `holidays` package (England's list, which Wales shares: "GB",
subdivision "ENG"), including substitute days such as Boxing Day (observed) on a Monday.
Every deadline in the portal (call-in responses, sign-off rounds, reminders) is counted here.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The day that is `days` working days after `start` (before it, for a negative number).

    `start` itself never counts: 5 working days from a Friday is the next Friday (no holidays).
    0 gives `start` if it is a working day, else the next working day.
    """
    step = 1 if days >= 0 else -1
    day = start
    if days == 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    remaining = abs(days)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is before `start`).

    So working_days_between(d, add_working_days(d, n)) == n.
    """
    if end == start:
        return 0
    sign = 1 if end > start else -1
    low, high = (start, end) if sign > 0 else (end, start)
    count = 0
    day = low
    while day < high:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return sign * count


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the next one."""
    return add_working_days(day, 0)
