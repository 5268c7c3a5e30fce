"""Dates and times for people: one GOV.UK style, in UK time, on pages and in what Python writes alike."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import engines
from django.utils import timezone

from portal import lockout
from portal.formats import full_stop, gov_date, gov_datetime, gov_time, gov_time_on

ROOT = Path(__file__).resolve().parents[2]


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


@pytest.mark.parametrize(
    "when,words",
    [
        (time(7, 28), "7:28am"),
        (time(9, 0), "9am"),
        (time(12, 5), "12:05pm"),
        (time(12, 0), "midday"),
        (time(0, 0), "midnight"),
        (time(0, 30), "12:30am"),
        (time(13, 7), "1:07pm"),
        (time(23, 59, 59), "11:59pm"),
        (time(12, 0, 30), "midday"),  # seconds are never shown
    ],
)
def test_a_time_of_day_is_written_the_gov_uk_way(when, words):
    assert gov_time(when) == words


def test_a_moment_is_shown_in_uk_time_whatever_the_season():
    assert gov_time(_utc(2026, 7, 1, 6, 28)) == "7:28am"  # British Summer Time: UTC+1
    assert gov_time(_utc(2026, 12, 1, 6, 28)) == "6:28am"  # Greenwich Mean Time
    assert gov_time(_utc(2026, 6, 30, 23, 0)) == "midnight"
    assert gov_date(_utc(2026, 6, 30, 23, 30)) == "1 July 2026"  # already the next day in the UK
    assert gov_time(_utc(2026, 3, 29, 1, 0)) == "2am"  # the clocks went forward an hour ago


def test_a_day_and_a_moment():
    assert gov_date(date(2026, 11, 26)) == "26 November 2026"
    assert gov_date(date(2027, 3, 1)) == "1 March 2027"  # no leading zero
    assert gov_datetime(_utc(2026, 11, 26, 14, 5)) == "26 November 2026 at 2:05pm"
    assert gov_datetime(_utc(2026, 11, 26, 12, 0)) == "26 November 2026 at midday"
    assert gov_datetime(datetime(2026, 11, 26, 10, 0)) == "26 November 2026 at 10am"  # naive: taken as it is
    assert gov_time_on(_utc(2026, 11, 26, 15, 45)) == "3:45pm on 26 November 2026"


def test_today_can_be_just_the_time():
    now = timezone.localtime()
    soon = now + timedelta(minutes=1) if now.hour < 23 or now.minute < 58 else now
    assert gov_time_on(soon, today_short=True) == gov_time(soon)
    assert gov_time_on(soon - timedelta(days=2), today_short=True).endswith(f" on {gov_date(soon - timedelta(days=2))}")


def test_the_page_filters_say_the_same_as_the_python():
    moment = _utc(2026, 7, 1, 11, 0)
    assert _render("{{ m | gov_date }}", m=moment) == "1 July 2026"
    assert _render("{{ m | gov_date(true) }}", m=moment) == "1 July 2026 at midday" == gov_datetime(moment)
    assert _render("{{ m | gov_time }}", m=moment) == "midday"
    assert _render("{{ m | gov_time }}|{{ n | gov_date }}", m=None, n="") == "|"


def test_the_lockout_pages_and_the_audit_speak_the_same_time():
    moment = _utc(2026, 1, 5, 0, 0)
    assert lockout.when_words(moment) == "midnight on 5 January 2026"
    assert lockout.when_words(_utc(2026, 1, 5, 16, 30)) == "4:30pm on 5 January 2026"


def test_an_audit_and_a_security_event_name_their_time_in_uk_time():
    from portal.models import AuditEvent, SecurityEvent

    at = _utc(2026, 7, 1, 6, 28)
    assert str(AuditEvent(at=at, action="plan.send", object_type="plan", object_id="3")).startswith(
        "1 July 2026 at 7:28am plan.send"
    )
    assert str(SecurityEvent(at=at, kind=SecurityEvent.Kind.SIGN_IN, username="a")) == (
        "1 July 2026 at 7:28am Signed in a"
    )


# The one place: nothing else in the project writes a time of day for people its own way.
# (A machine stamp such as %Y%m%d%H%M%S is not for people, so not looked for.)
OWN_TIME_FORMAT = re.compile(r"%[HI]:%M|%p\b|\.hour\s*%\s*12|['\"]am['\"] if")
PROJECT = ["portal", "partners", "targets", "callins", "funding", "templates"]


def test_every_time_of_day_is_written_by_portal_formats():
    own = []
    for folder in PROJECT:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".html", ".txt") or "migrations" in path.parts:
                continue
            if path == ROOT / "portal" / "formats.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if OWN_TIME_FORMAT.search(line):
                    own.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not own, "format times with portal.formats (gov_time, gov_datetime) instead:\n" + "\n".join(own)


@pytest.mark.parametrize(
    "text,sentence",
    [
        ("then send it again.", "then send it again."),
        ("then send it again", "then send it again."),
        ("Who pays?", "Who pays?"),
        ("Say who pays (the board).", "Say who pays (the board)."),
        ("“It is late.”", "“It is late.”"),
        ("It is late  ", "It is late."),
        ("", ""),
    ],
)
def test_a_persons_words_end_a_sentence_with_one_full_stop(text, sentence):
    assert full_stop(text) == sentence


@pytest.mark.parametrize("value", [0, 1, -1234.5, 1234567.891, Decimal("2.675"), Decimal("-0.004"), 999.995, 12.0])
@pytest.mark.parametrize("decimals", [0, 2])
def test_the_number_filter_writes_figures_as_djangos_en_gb_number_format_does(value, decimals):
    from django.utils.formats import number_format

    from portal.jinja2 import number

    expected = number_format(round(float(value), decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)
    assert number(value, decimals) == expected
