"""The partners app's duties (portal/accountability.py): each party's signature on the data-sharing agreements
sent to it, and the agreements' review dates.

On time, for a signature: signed by the end of its due day, which is the agreement's start date, but never
sooner than SIGNING_WORKING_DAYS working days after the agreement was sent (a party is not late because the
provider sent it on, or after, the day it was meant to start). An agreement that ended or was revoked before
a party signed: that party's signature is "overdue" (never given) when the day it closed was after the due
date, and no longer owed when it was before.

Reviews: an agreement in force on its review date is due for review then, by every party (each party's
signatories are reminded of it). The portal records no review, so only the review dates are counted: one
still ahead, or one that passed while the agreement was in force ("overdue": no review is recorded). An
agreement that closed before its review date owes none.

The items are the agreements the viewer may open (partners.selectors.dsa_list_visible_to): every one for the
PCC office, its own for a party's people; any other viewer sees those of the partner's agreements that their
own partner is party to too, and the figures say so.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal.accountability import (
    OVERDUE,
    Duty,
    DutyItem,
    Period,
    accountability_provider,
    reach,
    state_of,
)
from portal.formats import gov_date
from portal.working_days import add_working_days

from . import rules
from .models import DataSharingAgreement
from .selectors import dsa_list_visible_to

DSA = DataSharingAgreement
SIGNING_WORKING_DAYS = 10
CLOSED = (DSA.Status.ENDED, DSA.Status.REVOKED)
IN_FORCE = (DSA.Status.ACTIVE, DSA.Status.SUSPENDED)


def _day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment else None


def signature_due(agreement: DSA) -> date:
    """The day a party's signature is due by: the start date, or SIGNING_WORKING_DAYS working days after the
    agreement was sent, whichever is later."""
    return max(agreement.start_date, add_working_days(_day(agreement.sent_at), SIGNING_WORKING_DAYS))


def _closed_words(agreement: DSA) -> str:
    verb = "was revoked" if agreement.status == DSA.Status.REVOKED else "ended"
    return f"the agreement {verb} on {gov_date(_day(agreement.closed_at))}"


def _signature(agreement: DSA, partner_id: int, today: date) -> DutyItem | None:
    due = signature_due(agreement)
    signed = next((s for s in agreement.signatures.all() if s.partner_id == partner_id), None)
    text = f"{agreement.reference}: {agreement.title}"
    href = agreement.get_absolute_url()
    if signed is not None:
        done = _day(signed.signed_at)
        return DutyItem(text, due, done, state_of(due=due, done=done, today=today), href, f"Signed {gov_date(done)}")
    if agreement.status == DSA.Status.AWAITING_SIGNATURES:
        return DutyItem(text, due, None, state_of(due=due, done=None, today=today), href, "Not signed yet")
    closed = _day(agreement.closed_at)
    if agreement.status in CLOSED and closed is not None and closed > due:
        return DutyItem(text, due, None, OVERDUE, href, f"Never signed: {_closed_words(agreement)}")
    return None  # it closed before the signature was due: no longer owed


def _review(agreement: DSA, today: date) -> DutyItem | None:
    due = agreement.review_date
    activated = _day(agreement.activated_at)
    if activated is None or activated > due:
        return None
    text = f"{agreement.reference}: {agreement.title}"
    href = agreement.get_absolute_url()
    if agreement.status in IN_FORCE:
        state = state_of(due=due, done=None, today=today)
        note = "No review is recorded in the portal" if state == OVERDUE else "Review date ahead"
        return DutyItem(text, due, None, state, href, note)
    closed = _day(agreement.closed_at)
    if agreement.status in CLOSED and closed is not None and closed > due:
        return DutyItem(
            text, due, None, OVERDUE, href, f"In force past its review date until {_closed_words(agreement)}"
        )
    return None


def _agreements(*, user, partner_ids: set[int], period: Period) -> list[DSA]:
    """Sent agreements the viewer may see, with a party among the partners, whose signatures or review may fall
    due in the period (one query, and one for each of the recipients and signatures)."""
    start = timezone.make_aware(datetime.combine(period.start - timedelta(days=31), datetime.min.time()))
    end = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), datetime.min.time()))
    may_sign_in_period = Q(sent_at__lt=end, start_date__lte=period.end) & (
        Q(start_date__gte=period.start) | Q(sent_at__gte=start)
    )
    return list(
        dsa_list_visible_to(user=user)
        .filter(Q(provider_id__in=partner_ids) | Q(pk__in=DSA.objects.filter(recipients__in=partner_ids).values("pk")))
        .filter(sent_at__isnull=False)
        .filter(may_sign_in_period | Q(review_date__range=(period.start, period.end)))
    )


@accountability_provider
def agreement_duties(*, partners, user, period: Period, today: date) -> dict[int, list[Duty]]:
    """Each partner's signatures on agreements, and its agreements' reviews, falling due in the period."""
    ids = {p.pk for p in partners}
    agreements = _agreements(user=user, partner_ids=ids, period=period)
    signatures: dict[int, list[DutyItem]] = {pid: [] for pid in ids}
    reviews: dict[int, list[DutyItem]] = {pid: [] for pid in ids}
    for agreement in agreements:
        parties = {agreement.provider_id, *(p.pk for p in agreement.recipients.all())} & ids
        for pid in parties:
            item = _signature(agreement, pid, today)
            if item is not None and item.due in period:
                signatures[pid].append(item)
            if agreement.review_date in period:
                item = _review(agreement, today)
                if item is not None:
                    reviews[pid].append(item)
    found = {}
    for partner in partners:
        seen = reach(user, rules.DSA_VIEW, partner.pk)
        listed = reverse("partners:dsa-list") + f"?partner={partner.pk}"
        found[partner.pk] = [
            Duty(
                key="agreements-signed",
                title="Data-sharing agreements signed",
                rule=(
                    f"A party's signature is due by the agreement's start date, and never sooner than "
                    f"{SIGNING_WORKING_DAYS} working days after the agreement was sent for signature. Signed by "
                    "the end of that day is on time."
                ),
                period=period,
                items=signatures[partner.pk],
                visibility=seen,
                order=50,
                list_href=listed,
                list_text="Its agreements",
            ),
            Duty(
                key="agreement-reviews",
                title="Data-sharing agreement reviews",
                rule=(
                    "An agreement in force on its review date is due for review then, by every party. The portal "
                    "does not record reviews, so this counts review dates only: those ahead, and those passed "
                    "while the agreement was in force."
                ),
                period=period,
                items=reviews[partner.pk],
                visibility=seen,
                order=60,
                headline=False,
                records_completion=False,
                list_href=listed,
                list_text="Its agreements",
            ),
        ]
    return found
