"""Deadlines in working days skip weekends and England and Wales bank holidays (fixed dates)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.working_days import (
    add_working_days,
    is_bank_holiday,
    is_working_day,
    next_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    "day,bank_holiday",
    [
        (date(2026, 12, 25), True),  # Christmas Day (Friday)
        (date(2026, 12, 28), True),  # Boxing Day observed (Monday)
        (date(2027, 1, 1), True),  # New Year's Day
        (date(2027, 3, 26), True),  # Good Friday
        (date(2027, 3, 29), True),  # Easter Monday
        (date(2027, 12, 27), True),  # Christmas Day observed
        (date(2027, 12, 28), True),  # Boxing Day observed
        (date(2026, 12, 29), False),
        (date(2027, 3, 17), False),  # St Patrick's Day: a holiday in Northern Ireland, not here
        (date(2027, 1, 4), False),  # 2 January is a holiday in Scotland, not here
    ],
)
def test_england_and_wales_bank_holidays(day, bank_holiday):
    assert is_bank_holiday(day) is bank_holiday


@pytest.mark.parametrize(
    "start,days,expected",
    [
        (date(2026, 11, 27), 5, date(2026, 12, 4)),  # Friday + 5 = next Friday
        (date(2026, 11, 30), 1, date(2026, 12, 1)),
        # Christmas 2026: 25 (Fri), 28 (Mon, Boxing Day observed) and 1 January are not working days
        (date(2026, 12, 23), 1, date(2026, 12, 24)),
        (date(2026, 12, 23), 2, date(2026, 12, 29)),
        (date(2026, 12, 24), 5, date(2027, 1, 5)),  # 29, 30, 31 Dec, 4 and 5 Jan (1 Jan is a holiday)
        (date(2026, 12, 18), 10, date(2027, 1, 6)),
        # Easter 2027: Good Friday 26 March, Easter Monday 29 March
        (date(2027, 3, 25), 1, date(2027, 3, 30)),
        (date(2027, 3, 22), 5, date(2027, 3, 31)),
        (date(2027, 3, 31), -3, date(2027, 3, 24)),
        # from a weekend or a holiday, counting starts on the next working day
        (date(2026, 12, 26), 1, date(2026, 12, 29)),
        (date(2027, 3, 26), 0, date(2027, 3, 30)),
    ],
)
def test_adding_working_days(start, days, expected):
    assert add_working_days(start, days) == expected
    if days > 0 and is_working_day(start):
        assert working_days_between(start, expected) == days


def test_counting_working_days_between_two_dates():
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 4  # 29, 30, 31 Dec, 4 Jan
    assert working_days_between(date(2027, 1, 4), date(2026, 12, 24)) == -4
    assert working_days_between(date(2027, 3, 25), date(2027, 3, 30)) == 1
    assert working_days_between(date(2026, 12, 1), date(2026, 12, 1)) == 0


def test_next_working_day():
    assert next_working_day(date(2027, 1, 1)) == date(2027, 1, 4)
    assert next_working_day(date(2027, 1, 5)) == date(2027, 1, 5)
