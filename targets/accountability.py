"""The targets app's duties (portal/accountability.py): figures for each indicator a partner provides, and its
sign-offs of plans.

Data returns. The portal sets no due date for a return, so one is worked out from the indicator's data-lag
note: a figure for a reporting period is due by the end of the month N months after the period's last month,
N being the first "N month(s)" the note names ("about 3 months in arrears"), counted from the period's first
month instead where the note counts from its start ("about 15 months after it starts"); a note naming no
number of months gives DEFAULT_LAG_MONTHS. The period's figures count as returned on the day the first of
them arrived (any area, any breakdown, by a data return, the API or any other way: the first Observation's
created_at). A period is owed only once the indicator was in use: periods ending on or after the day it was
added to the catalogue (its audited "indicator.create"), or, for an indicator with no such record, periods from
the first one it has figures for. An indicator no longer active owes nothing. The duty is the indicator's
current provider's.

The items are the indicators whose figures the viewer may see (the rule of the indicator pages,
INDICATOR_DATA_VIEW): every one for the PCC office, its own for a provider's people, those shared with
their own partner under an active agreement for anyone else (the figures say so).

Plan sign-offs: each PlanSignOff has its due date; PlanSignOff.timeliness says on time, late, outstanding,
overdue or not needed (a round that closed first: not counted). The items follow the duty record on the
partner page (targets.plans.selectors.duty_record): board members and the PCC office see every partner's
whole record, linked where they may read the version; anyone else the sign-offs on versions they may read.
A partner's own people may read every version it was asked to sign off (a required partner contributes to
the plan, so its drafts are open to it, unless it has left the plan since), so their figures for it are
whole; other partners' people see the sign-offs on agreed versions, and the figures say so.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, timedelta

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from portal import permissions
from portal.accountability import (
    ALL,
    HIDDEN,
    LATE,
    NOT_YET_DUE,
    ON_TIME,
    OVERDUE,
    SOME,
    Duty,
    DutyItem,
    Period,
    accountability_provider,
    own_partner_ids,
    reach,
    state_of,
)
from portal.formats import gov_date
from portal.models import AuditEvent

from . import rules
from .models import Indicator, Observation, period_containing
from .plans.models import Plan, PlanSignOff
from .plans.selectors import _may_read_version

DEFAULT_LAG_MONTHS = 1
LAG_MONTHS = re.compile(r"(\d+)\s+months?\b", re.IGNORECASE)
FROM_START = re.compile(r"\bstarts?\b", re.IGNORECASE)


# --- Data returns ----------------------------------------------------------------------------------
def data_lag(indicator: Indicator) -> tuple[int, bool]:
    """(months, counted from the period's start) from the indicator's data-lag note."""
    note = indicator.data_lag_note or ""
    found = LAG_MONTHS.search(note)
    if found is None:
        return DEFAULT_LAG_MONTHS, False
    return int(found.group(1)), bool(FROM_START.search(note[found.end() :]))


def _month_end_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, monthrange(year, month + 1)[1])


def return_due(indicator: Indicator, start: date, end: date) -> date:
    """The day a period's figures are due by (see the module's note)."""
    months, from_start = data_lag(indicator)
    return _month_end_after(start if from_start else end, months)


def _periods_due_in(indicator: Indicator, period: Period) -> list[tuple[date, date, date]]:
    """(start, end, due) of every reporting period of the indicator whose figures fall due in the period."""
    months, _ = data_lag(indicator)
    start, end = period_containing(indicator.frequency, period.start - timedelta(days=31 * (months + 13)))
    found = []
    while start <= period.end:
        due = return_due(indicator, start, end)
        if due in period:
            found.append((start, end, due))
        start, end = period_containing(indicator.frequency, end + timedelta(days=1))
    return found


def _period_words(indicator: Indicator, start: date, end: date) -> str:
    if indicator.frequency == Indicator.Frequency.MONTHLY:
        return f"{start:%B %Y}"
    if start.year == end.year:
        return f"{start:%B} to {end:%B %Y}"
    return f"{start:%B %Y} to {end:%B %Y}"


def _added_on(indicator_ids) -> dict[int, date]:
    """The day each indicator was added to the catalogue, from the audit log (one query)."""
    rows = (
        AuditEvent.objects.filter(
            object_type=Indicator._meta.label_lower,
            action="indicator.create",
            object_id__in=[str(pk) for pk in indicator_ids],
        )
        .values("object_id")
        .annotate(first=Min("at"))
    )
    return {int(row["object_id"]): timezone.localdate(row["first"]) for row in rows}


def _first_periods(indicator_ids) -> dict[int, date]:
    """The first period each indicator has figures for (one query)."""
    rows = (
        Observation.objects.filter(indicator_id__in=indicator_ids)
        .values("indicator_id")
        .annotate(first=Min("period_start"))
    )
    return {row["indicator_id"]: row["first"] for row in rows}


def _owed(start: date, end: date, added: date | None, first: date | None) -> bool:
    if added is not None:
        return end >= added
    return first is not None and start >= first


def return_items(*, indicators, period: Period, today: date) -> dict[int, list[DutyItem]]:
    """Each indicator's periods falling due in the period, on time, late, overdue or not yet due (three
    queries, whatever the number of indicators)."""
    indicators = list(indicators)
    ids = [i.pk for i in indicators]
    added, first = _added_on(ids), _first_periods(ids)
    due_periods = {i.pk: _periods_due_in(i, period) for i in indicators}
    starts = {start for periods in due_periods.values() for start, _, _ in periods}
    received = {
        (row["indicator_id"], row["period_start"]): timezone.localdate(row["first"])
        for row in Observation.objects.filter(indicator_id__in=ids, period_start__in=starts)
        .values("indicator_id", "period_start")
        .annotate(first=Min("created_at"))
    }
    found: dict[int, list[DutyItem]] = {}
    for indicator in indicators:
        items = found.setdefault(indicator.pk, [])
        for start, end, due in due_periods[indicator.pk]:
            if not _owed(start, end, added.get(indicator.pk), first.get(indicator.pk)):
                continue
            done = received.get((indicator.pk, start))
            note = f"First figures received {gov_date(done)}" if done else "No figures received yet"
            items.append(
                DutyItem(
                    f"{indicator.code}: {_period_words(indicator, start, end)}",
                    due,
                    done,
                    state_of(due=due, done=done, today=today),
                    indicator.get_absolute_url(),
                    note,
                )
            )
    return found


def _return_duties(partners, user, period: Period, today: date) -> dict[int, Duty]:
    ids = [p.pk for p in partners]
    indicators = permissions.visible(
        user, rules.INDICATOR_DATA_VIEW, Indicator.objects.filter(provider_id__in=ids, active=True)
    ).order_by("code")
    indicators = list(indicators)
    items = return_items(indicators=indicators, period=period, today=today)
    by_partner: dict[int, list[DutyItem]] = {pid: [] for pid in ids}
    for indicator in indicators:
        by_partner[indicator.provider_id].extend(items[indicator.pk])
    return {
        partner.pk: Duty(
            key="data-returns",
            title="Data returns",
            rule=(
                "Figures for each period of each indicator the partner provides are due by the end of the month "
                "its data-lag note gives (for example, 3 months after the period for “about 3 months in "
                f"arrears”; {DEFAULT_LAG_MONTHS} month where the note names none). They are on time when the "
                "first of them arrived by then, by a data return or through the API."
            ),
            period=period,
            items=by_partner[partner.pk],
            visibility=reach(user, rules.INDICATOR_DATA_VIEW, partner.pk),
            order=10,
            list_href=reverse("targets:indicators") + f"?provider={partner.pk}",
            list_text="Its indicators",
        )
        for partner in partners
    }


# --- Plan sign-offs ----------------------------------------------------------------------------------
TIMELINESS = {"On time": ON_TIME, "Late": LATE, "Overdue": OVERDUE, "Outstanding": NOT_YET_DUE}


def _signoff_duties(partners, user, period: Period, today: date) -> dict[int, Duty]:
    ids = [p.pk for p in partners]
    whole = permissions.can(user, rules.PLAN_SIGNOFF_RECORDS)
    reads = permissions.can(user, rules.PLAN_VIEW)
    own = own_partner_ids(user, rules.PLAN_VIEW)
    rows = list(
        PlanSignOff.objects.filter(partner_id__in=ids, due__range=(period.start, period.end))
        .select_related("version", "version__plan")
        .order_by("due", "id")
    )
    plan_ids = {row.version.plan_id for row in rows}
    drafts = set(
        permissions.visible(user, rules.PLAN_VIEW, Plan.objects.filter(pk__in=plan_ids)).values_list("pk", flat=True)
        if plan_ids and reads
        else []
    )
    by_partner: dict[int, list[DutyItem]] = {pid: [] for pid in ids}
    for row in rows:
        state = TIMELINESS.get(row.timeliness(today))
        if state is None:  # not needed: the round closed first
            continue
        version = row.version
        readable = reads and _may_read_version(user, version.plan, version, drafts=version.plan_id in drafts)
        if not (readable or whole):
            continue
        done = timezone.localdate(row.decided_at) if row.decided_at else None
        note = (
            f"{'Signed off' if row.status == PlanSignOff.Status.SIGNED else 'Returned'} {gov_date(done)}"
            if done
            else "Not decided yet"
        )
        by_partner[row.partner_id].append(
            DutyItem(
                f"{version.display_title}, version {version.number}",
                row.due,
                done,
                state,
                version.get_absolute_url() if readable else "",
                note,
            )
        )
    return {
        partner.pk: Duty(
            key="plan-sign-offs",
            title="Plan sign-offs",
            rule=(
                "Each version of a plan sent for sign-off gives its required partners a due date. A sign-off (or a "
                "return with reasons) made by the end of that day is on time; one the round no longer needs is "
                "not counted."
            ),
            period=period,
            items=by_partner[partner.pk],
            visibility=ALL if whole or partner.pk in own else (SOME if reads else HIDDEN),
            order=20,
            list_href=reverse("partners:detail", kwargs={"slug": partner.slug}) + "#plan-sign-offs",
            list_text="Its record of sign-offs",
        )
        for partner in partners
    }


@accountability_provider
def target_duties(*, partners, user, period: Period, today: date) -> dict[int, list[Duty]]:
    """Each partner's data returns and plan sign-offs falling due in the period."""
    returns = _return_duties(partners, user, period, today)
    signoffs = _signoff_duties(partners, user, period, today)
    return {p.pk: [returns[p.pk], signoffs[p.pk]] for p in partners}
