"""How the portal writes dates and times for people: one GOV.UK style, in UK time.

"26 November 2026"; "7:28am", "9am", "12:05pm", "midday", "midnight" (GOV.UK style: am and pm
without a space or full stops, no ":00" on the hour, never the 24-hour clock); a moment is
"26 November 2026 at 7:28am". Pages (the Jinja2 filters in portal/jinja2.py), notifications,
emails and audit summaries all use these, so a time reads the same wherever a person meets it.
An aware datetime is shown in the portal's time zone (Europe/London), never in UTC.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def gov_time(value: datetime | time) -> str:
    """A time of day: "7:28am", "9am", "12:05pm", "midday" (12:00), "midnight" (00:00)."""
    if isinstance(value, datetime):
        value = _local(value)
    hour, minute = value.hour, value.minute
    if minute == 0 and hour in (0, 12):
        return "midnight" if hour == 0 else "midday"
    clock = str(hour % 12 or 12) + (f":{minute:02d}" if minute else "")
    return clock + ("am" if hour < 12 else "pm")


def gov_date(value: date | datetime) -> str:
    """A day: "26 November 2026" (the UK day of an aware datetime)."""
    if isinstance(value, datetime):
        value = _local(value)
    return f"{value.day} {value:%B %Y}"


def gov_datetime(value: datetime) -> str:
    """A moment: "26 November 2026 at 7:28am"."""
    return f"{gov_date(value)} at {gov_time(value)}"


def gov_time_on(value: datetime, *, today_short: bool = False) -> str:
    """A moment in a sentence about when something happens: "3:45pm on 26 November 2026" (just "3:45pm"
    if today_short and it is today in the UK)."""
    if today_short and _local(value).date() == timezone.localdate():
        return gov_time(value)
    return f"{gov_time(value)} on {gov_date(value)}"


def full_stop(text: str) -> str:
    """Text ending a sentence, with one full stop: people's own words often end with one already
    ("…send it again." must not become "…send it again..")."""
    text = (text or "").rstrip()
    ending = text.rstrip("\"'”’)]")  # a stop inside closing quotes or brackets ends the sentence too
    return text if not text or ending[-1:] in (".", "!", "?", "…") else f"{text}."


def money(value: Decimal | int | None) -> str:
    """An amount of money in pounds and pence, exactly as stored (never through a float): "£1,234.56"."""
    if value is None or value == "":
        return ""
    return f"£{Decimal(value):,.2f}"
