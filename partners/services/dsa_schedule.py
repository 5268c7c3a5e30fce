"""Scheduled work on data-sharing agreements: start and end dates, signature requests and reminders."""
from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from portal import permissions
from portal.audit import audit_record, snapshot
from portal.mail import absolute_url, mail_enqueue
from portal.outbox import outbox_enqueue
from portal.security import step_up_check
from portal.tasks import claim_once
from targets.models import Indicator, IndicatorGroupObjectPermission

from ..models import (
    Area, DataSharingAgreement, DataSharingAgreementGroupObjectPermission, DsaSignature, Membership, Partner, Role,
)



from .dsa import DSA, REMINDER_DAYS, _actor, _dsa_activate, _dsa_lock, _dsa_set_status, _dsa_snapshot, _locked, _party_ids  # noqa: F401


@transaction.atomic
def dsa_activate_if_due(*, agreement_id: int, today: date | None = None) -> bool:
    """Activate a fully signed agreement once its start date comes (safe to repeat)."""
    today = today or timezone.localdate()
    agreement = _locked().filter(pk=agreement_id).first()
    if agreement is None or agreement.status != DSA.Status.AWAITING_SIGNATURES:
        return False
    if not (agreement.start_date <= today <= agreement.end_date):
        return False
    if set(agreement.signatures.values_list("partner_id", flat=True)) < set(_party_ids(agreement)):
        return False
    _dsa_activate(agreement, by=None)
    return True


@transaction.atomic
def dsa_end_if_expired(*, agreement_id: int, today: date | None = None) -> bool:
    """End an agreement the day after its end date: recipients lose the data (safe to repeat)."""
    today = today or timezone.localdate()
    agreement = _locked().filter(pk=agreement_id).first()
    if agreement is None or agreement.status not in DSA.LIVE_STATUSES or agreement.end_date >= today:
        return False
    reason = (f"Its end date, {_day(agreement.end_date)}, passed"
              if agreement.status != DSA.Status.AWAITING_SIGNATURES
              else f"Not every party signed before its end date, {_day(agreement.end_date)}")
    _dsa_set_status(agreement, by=None, status=DSA.Status.ENDED, reason=reason, action="dsa.end",
               summary=f"Agreement {agreement.reference} ended: {reason.lower()}")
    return True


def dsa_daily_transitions(*, today: date | None = None) -> dict:
    """Activate the agreements whose start date has come; end those whose end date has passed."""
    today = today or timezone.localdate()
    due = DSA.objects.filter(status=DSA.Status.AWAITING_SIGNATURES, start_date__lte=today,
                             end_date__gte=today).values_list("pk", flat=True)
    expired = DSA.objects.filter(status__in=DSA.LIVE_STATUSES, end_date__lt=today).values_list("pk", flat=True)
    return {
        "activated": sum(dsa_activate_if_due(agreement_id=pk, today=today) for pk in list(due)),
        "ended": sum(dsa_end_if_expired(agreement_id=pk, today=today) for pk in list(expired)),
    }


def _signatory_emails(partner_ids) -> list[str]:
    """The current signatories of these partners (their officers where a partner has none)."""
    people = Membership.objects.active().filter(partner_id__in=list(partner_ids), user__is_active=True)
    rows = list(people.exclude(user__email="").values_list("partner_id", "role", "user__email"))
    emails = set()
    for pid in set(partner_ids):
        mine = [(role, email) for p, role, email in rows if p == pid]
        signatories = [email for role, email in mine if role == Role.SIGNATORY]
        emails |= set(signatories or [email for role, email in mine if role == Role.OFFICER])
    return sorted(emails)


def _agreement_link(agreement: DSA) -> str:
    return absolute_url(agreement.get_absolute_url())


@transaction.atomic
def dsa_request_signatures(*, agreement_id: int) -> int:
    """Email the parties' signatories that an agreement waits for them (once per sending)."""
    agreement = DSA.objects.select_related("provider").filter(pk=agreement_id).first()
    if agreement is None or agreement.status != DSA.Status.AWAITING_SIGNATURES:
        return 0
    if not claim_once(f"dsa:{agreement.pk}:sign-request:{agreement.sent_at.isoformat()}"):
        return 0
    signed = set(agreement.signatures.values_list("partner_id", flat=True))
    emails = _signatory_emails([pid for pid in _party_ids(agreement) if pid not in signed])
    mail_enqueue(
        to=emails, subject=f"Data-sharing agreement {agreement.reference} is waiting for your signature",
        body=(f"{agreement.provider.name} has sent the data-sharing agreement '{agreement.title}' "
              f"({agreement.reference}) for signature.\n\nRead and sign it: {_agreement_link(agreement)}\n"))
    return len(emails)


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _reminder_due(day: date, today: date) -> int | None:
    """The reminder threshold (days before) that applies today, or None."""
    days_left = (day - today).days
    if days_left < 0:
        return None
    return next((limit for limit in sorted(REMINDER_DAYS) if days_left <= limit), None)


def dsa_send_reminders(*, today: date | None = None) -> int:
    """Email signatories before active agreements' review and end dates; each reminder goes once."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    agreements = DSA.objects.filter(status=DSA.Status.ACTIVE).filter(
        Q(review_date__range=(today, horizon)) | Q(end_date__range=(today, horizon))).select_related("provider")
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
    emails = _signatory_emails(_party_ids(agreement))
    what = "is due for review" if kind == "review" else "ends"
    mail_enqueue(
        to=emails, subject=f"Data-sharing agreement {agreement.reference} {what} on {_day(day)}",
        body=(f"The data-sharing agreement '{agreement.title}' ({agreement.reference}) {what} on {_day(day)}.\n\n"
              + ("Review its terms with the other parties and record the outcome.\n" if kind == "review" else
                 "Recipients will stop seeing the data it covers after that day unless a new agreement is signed.\n")
              + f"\n{_agreement_link(agreement)}\n"))
    audit_record(action=f"dsa.reminder_{kind}", partner=agreement.provider, obj=agreement,
                 summary=f"Reminder sent to {len(emails)} people: agreement {agreement.reference} {what} on "
                         f"{_day(day)}")
    return 1
