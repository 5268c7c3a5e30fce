"""Scheduled work on data-sharing agreements: start and end dates, signature requests and reminders."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.actors import system
from portal.audit import audit_record
from portal.formats import gov_date
from portal.notifications import notify
from portal.tasks import claim_once
from portal.working_days import add_working_days, is_working_day, working_days_between

from ..selectors import signers_of
from ..workflows import DSA_FLOW
from .dsa import DSA, REMINDER_WORKING_DAYS, _dsa_activate, _dsa_move, _party_ids

NIGHTLY = system("nightly agreement check")
REMINDERS = system("agreement reminders")


@transaction.atomic
def dsa_activate_if_due(*, agreement_id: int, today: date | None = None) -> bool:
    """Activate a fully signed agreement once its start date comes (safe to repeat)."""
    today = today or timezone.localdate()
    found = DSA_FLOW.lock_all(DSA.objects.filter(pk=agreement_id))
    agreement = found[0] if found else None
    if agreement is None or agreement.status != DSA.Status.AWAITING_SIGNATURES:
        return False
    if not (agreement.start_date <= today <= agreement.end_date):
        return False
    if set(agreement.signatures.values_list("partner_id", flat=True)) < set(_party_ids(agreement)):
        return False
    _dsa_activate(agreement, by=NIGHTLY)
    return True


@transaction.atomic
def dsa_end_if_expired(*, agreement_id: int, today: date | None = None) -> bool:
    """End an agreement the day after its end date: recipients lose the data (safe to repeat)."""
    today = today or timezone.localdate()
    found = DSA_FLOW.lock_all(DSA.objects.filter(pk=agreement_id))
    agreement = found[0] if found else None
    if agreement is None or agreement.status not in DSA.LIVE_STATUSES or agreement.end_date >= today:
        return False
    reason = (
        f"Its end date, {gov_date(agreement.end_date)}, passed"
        if agreement.status != DSA.Status.AWAITING_SIGNATURES
        else f"Not every party signed before its end date, {gov_date(agreement.end_date)}"
    )
    _dsa_move(
        agreement, "end", by=NIGHTLY, reason=reason, summary=f"Agreement {agreement.reference} ended: {reason.lower()}"
    )
    return True


def dsa_daily_transitions(*, today: date | None = None) -> dict:
    """Activate the agreements whose start date has come; end those whose end date has passed."""
    today = today or timezone.localdate()
    due = DSA.objects.filter(
        status=DSA.Status.AWAITING_SIGNATURES, start_date__lte=today, end_date__gte=today
    ).values_list("pk", flat=True)
    expired = DSA.objects.filter(status__in=DSA.LIVE_STATUSES, end_date__lt=today).values_list("pk", flat=True)
    return {
        "activated": sum(dsa_activate_if_due(agreement_id=pk, today=today) for pk in list(due)),
        "ended": sum(dsa_end_if_expired(agreement_id=pk, today=today) for pk in list(expired)),
    }


def _signatories(partner_ids) -> list[int]:
    """The people who can sign for these partners (user ids): never their officers."""
    return sorted(signers_of(partner_ids))


@transaction.atomic
def dsa_request_signatures(*, agreement_id: int) -> int:
    """Tell the parties' signatories that an agreement waits for them (once per sending); how many."""
    agreement = DSA.objects.select_related("provider").filter(pk=agreement_id).first()
    if agreement is None or agreement.status != DSA.Status.AWAITING_SIGNATURES:
        return 0
    if not claim_once(f"dsa:{agreement.pk}:sign-request:{agreement.sent_at.isoformat()}"):
        return 0
    signed = set(agreement.signatures.values_list("partner_id", flat=True))
    notified = notify(
        users=_signatories([pid for pid in _party_ids(agreement) if pid not in signed]),
        kind="dsa.signature_requested",
        url=agreement.get_absolute_url(),
        by=system("agreement signature request"),
        title=f"Data-sharing agreement {agreement.reference} is waiting for your signature",
        body=(
            f"{agreement.provider.name} has sent the data-sharing agreement '{agreement.title}' "
            f"({agreement.reference}) for signature. Read it and sign it for your organisation."
        ),
    )
    return len(notified)


def _reminder_due(day: date, today: date) -> int | None:
    """The reminder threshold (working days before) that applies today, or None."""
    days_left = working_days_between(today, day)
    if days_left < 0:
        return None
    return next((limit for limit in sorted(REMINDER_WORKING_DAYS) if days_left <= limit), None)


def dsa_send_reminders(*, today: date | None = None) -> int:
    """On working days: remind signatories (in the portal and by email) before active agreements' review and
    end dates, 20 and 5 working days before; each once."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        return 0
    horizon = add_working_days(today, max(REMINDER_WORKING_DAYS))
    agreements = (
        DSA.objects.filter(status=DSA.Status.ACTIVE)
        .filter(Q(review_date__range=(today, horizon)) | Q(end_date__range=(today, horizon)))
        .select_related("provider")
    )
    sent = 0
    for agreement in agreements:
        for kind, day in (("review", agreement.review_date), ("end", agreement.end_date)):
            limit = _reminder_due(day, today)
            if limit is not None:
                sent += _dsa_remind(agreement_id=agreement.pk, kind=kind, day=day, limit=limit)
    return sent


@transaction.atomic
def _dsa_remind(*, agreement_id: int, kind: str, day: date, limit: int) -> int:
    agreement = DSA.objects.select_related("provider").get(pk=agreement_id)
    if not claim_once(f"dsa:{agreement.pk}:{kind}:{day.isoformat()}:{limit}"):
        return 0
    what = "is due for review" if kind == "review" else "ends"
    notified = notify(
        users=_signatories(_party_ids(agreement)),
        kind="dsa.review_due" if kind == "review" else "dsa.ending",
        url=agreement.get_absolute_url(),
        by=REMINDERS,
        title=f"Data-sharing agreement {agreement.reference} {what} on {gov_date(day)}",
        body=(
            f"The data-sharing agreement '{agreement.title}' ({agreement.reference}) {what} on {gov_date(day)}. "
            + (
                "Review its terms with the other parties and record the outcome."
                if kind == "review"
                else "Recipients will stop seeing the data it covers after that day unless a new agreement is signed."
            )
        ),
    )
    audit_record(
        actor=REMINDERS,
        action=f"dsa.reminder_{kind}",
        partner=agreement.provider,
        obj=agreement,
        summary=f"Reminder sent to {len(notified)} people: agreement {agreement.reference} {what} on {gov_date(day)}",
    )
    return 1
