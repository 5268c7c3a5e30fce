"""The callins app's duties (portal/accountability.py): a partner's responses to the PCC's call-ins and its final
outcomes after a referral back; and the PCC office's own, its determinations.

On time, each by the end of the day the call-in gives for it:
- a response, submitted by its signatory by `response_due` (set when the call-in is issued);
- a final outcome, recorded (PartnerDecision.outcome_recorded_at) by `reconsider_by` (set when the PCC refers
  the decision back);
- a determination (or a withdrawal) by the PCC, made by `determination_due` (set when the response comes in):
  the duty of the PCC office, shown on its page, so that the partnership holds it to account too.
A call-in withdrawn before something it asked for was done: "overdue" (never done) when it was withdrawn
after the due date, not owed when before.

The items are the call-ins the viewer may open (callins.selectors.callins_visible_to): every one for the PCC
office, the deciding partner's own for its people. Anyone else sees a partner's call-ins only on the public
register, so here they are "Hidden". The PCC office's determinations are on call-ins of every partner: a
partner's people see those on their own partner's call-ins (the figures say so).
"""

from __future__ import annotations

from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone

from partners.models import Partner
from portal.accountability import (
    ALL,
    HIDDEN,
    OVERDUE,
    Duty,
    DutyItem,
    Period,
    accountability_provider,
    reach,
    state_of,
)
from portal.formats import gov_date

from . import limits, rules
from .models import CallIn
from .selectors import callins_visible_to

C = CallIn.Status


def _day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment else None


def _item(callin: CallIn, *, due: date, done: date | None, waiting: bool, today: date, words: str) -> DutyItem | None:
    """The item for one thing a call-in asks for by a day: done (on time or late), still waited for, or
    never done because the call-in was withdrawn (overdue if after the due date, else not owed)."""
    text = f"{callin.reference}: {callin.decision.title}"
    href = callin.get_absolute_url()
    if done is not None:
        return DutyItem(text, due, done, state_of(due=due, done=done, today=today), href, f"{words} {gov_date(done)}")
    if waiting:
        return DutyItem(text, due, None, state_of(due=due, done=None, today=today), href, "Not yet")
    withdrawn = _day(callin.closed_at) if callin.status == C.WITHDRAWN else None
    if withdrawn is not None and withdrawn > due:
        return DutyItem(text, due, None, OVERDUE, href, f"Never done: the call-in was withdrawn {gov_date(withdrawn)}")
    return None


def _response(callin: CallIn, today: date) -> DutyItem | None:
    return _item(
        callin,
        due=callin.response_due,
        done=_day(callin.responded_at),
        waiting=callin.status == C.ISSUED,
        today=today,
        words="Submitted",
    )


def _outcome(callin: CallIn, today: date) -> DutyItem | None:
    return _item(
        callin,
        due=callin.reconsider_by,
        done=_day(callin.decision.outcome_recorded_at),
        waiting=callin.status == C.REFERRED_BACK,
        today=today,
        words="Recorded",
    )


def _determination(callin: CallIn, today: date) -> DutyItem | None:
    return _item(
        callin,
        due=callin.determination_due,
        done=_day(callin.determined_at),
        waiting=callin.status == C.RESPONDED,
        today=today,
        words="Withdrawn" if callin.status == C.WITHDRAWN else "Determined",
    )


def _dated_in(qs, field: str, period: Period) -> list[CallIn]:
    return list(qs.filter(**{f"{field}__range": (period.start, period.end)}).order_by(field, "id"))


def _collect(callins: list[CallIn], make, today: date) -> dict[int, list[DutyItem]]:
    found: dict[int, list[DutyItem]] = {}
    for callin in callins:
        item = make(callin, today)
        if item is not None:
            found.setdefault(callin.partner_id, []).append(item)
    return found


@accountability_provider
def callin_duties(*, partners, user, period: Period, today: date) -> dict[int, list[Duty]]:
    """Each partner's call-in responses and final outcomes falling due in the period; the PCC office's
    determinations."""
    ids = [p.pk for p in partners]
    visible = callins_visible_to(user=user)
    theirs = visible.filter(partner_id__in=ids)
    responses = _collect(_dated_in(theirs, "response_due", period), _response, today)
    outcomes = _collect(_dated_in(theirs, "reconsider_by", period), _outcome, today)
    offices = [p for p in partners if p.kind == Partner.Kind.PCC_OFFICE]
    determinations: list[DutyItem] = []
    if offices:
        for items in _collect(_dated_in(visible, "determination_due", period), _determination, today).values():
            determinations.extend(items)
    found = {}
    for partner in partners:
        seen = reach(user, rules.CALLIN_VIEW, partner.pk)
        if seen != ALL:  # no partial reach: a partner's call-ins are its own and the PCC office's
            seen = HIDDEN
        listed = reverse("callins:callins") + f"?partner={partner.pk}"
        found[partner.pk] = [
            Duty(
                key="callin-responses",
                title="Call-in responses",
                rule=(
                    "When the PCC calls in a partner's decision, the call-in gives a day its response is due by. "
                    "Submitted by its signatory by the end of that day is on time."
                ),
                period=period,
                items=responses.get(partner.pk, []),
                visibility=seen,
                order=30,
                list_href=listed,
                list_text="Its call-ins",
            ),
            Duty(
                key="final-outcomes",
                title="Final outcomes after a referral back",
                rule=(
                    "When the PCC refers a decision back, the partner reconsiders it and records what it decided "
                    "in the end by the day the determination gives. Recorded by the end of that day is on time."
                ),
                period=period,
                items=outcomes.get(partner.pk, []),
                visibility=seen,
                order=40,
                list_href=listed,
                list_text="Its call-ins",
            ),
        ]
        if partner in offices:
            found[partner.pk].append(
                Duty(
                    key="determinations",
                    title="The PCC's determinations of call-ins",
                    rule=(
                        "When a partner has responded to a call-in, the PCC determines it (or withdraws it) within "
                        f"{limits.DETERMINATION_DAYS} working days. Made by the end of the day due is on time."
                    ),
                    period=period,
                    items=list(determinations),
                    visibility=reach(user, rules.CALLIN_VIEW, partner.pk, own_covers_all=False),
                    order=45,
                    headline=False,
                    list_href=reverse("callins:callins"),
                    list_text="Every call-in you may see",
                )
            )
    return found
