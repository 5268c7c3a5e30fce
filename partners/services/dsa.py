"""Every change to data-sharing agreements: drafting, sending, signatures, suspension, revocation.

Each move runs the agreement's workflow (partners/workflows.py): locked, checked (permission,
step-up, state), audited; the app that defines what agreements cover (targets) recomputes the data
grants after every move. Step-up is an explicit argument: `confirmed_at`, when the person last gave
a fresh second factor for a step-up action (None from an API token).
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import permissions
from portal.actors import is_system, require_actor
from portal.audit import audit_record, snapshot
from portal.outbox import outbox_enqueue
from portal.text import check_text

from .. import limits, rules
from ..models import DataSharingAgreement, DsaSignature, Partner
from ..sharing import coverage, validate_coverage
from ..workflows import DSA_FLOW
from .dsa_grants import _sync_agreement_perms

DSA = DataSharingAgreement
DSA_TERMS = [
    "title",
    "purpose",
    "lawful_basis",
    "special_category_data",
    "criminal_offence_data",
    "level",
    "retention",
    "security_measures",
    "contacts",
    "start_date",
    "end_date",
    "review_date",
]
DSA_FIELDS = ["reference", "provider", *DSA_TERMS, "status", "status_reason"]
# Signatories are reminded of a review or end date this many working days before it (England and Wales).
REMINDER_WORKING_DAYS = (20, 5)


def _covered_codes(agreement: DSA) -> list[str]:
    return [c.code for c in coverage().of([agreement.pk])[agreement.pk]]


def _dsa_snapshot(agreement: DSA) -> dict:
    return {
        **snapshot(agreement, DSA_FIELDS),
        "recipients": sorted(agreement.recipients.values_list("slug", flat=True)),
        "indicators": _covered_codes(agreement),
    }


def _person(by):
    return by if getattr(by, "is_authenticated", False) else None


def _next_reference(year: int) -> str:
    prefix = f"DSA-{year}-"
    numbers = [
        int(ref[len(prefix) :])
        for ref in DSA.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
        if ref[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _validate_terms(
    *,
    provider: Partner,
    recipients: list[Partner],
    indicator_ids: list[int],
    level: str,
    start_date: date,
    end_date: date,
    review_date: date,
) -> None:
    errors = {}
    if any(p.pk == provider.pk for p in recipients):
        errors["recipients"] = f"{provider.short_name} provides the data, so it cannot also be a recipient"
    elif any(not p.active for p in recipients):
        errors["recipients"] = "Recipients must be current partners"
    items = coverage().find(pks=indicator_ids)
    if len(items) != len(set(indicator_ids)):
        errors["indicators"] = "Select indicators from the list"
    else:
        errors.update(
            validate_coverage(provider=provider, level=level, items=items, breakdowns_level=DSA.Level.BREAKDOWNS)
        )
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = "The end date must be the same as or after the start date"
    elif review_date and start_date and end_date and not (start_date <= review_date <= end_date):
        errors["review_date"] = "The review date must be between the start date and the end date"
    if errors:
        raise ValidationError(errors)


# The agreement's text terms: (limit, how a message names it, one line only).
TEXT_TERMS = {
    "title": (limits.AGREEMENT_TITLE, "The title", True),
    "purpose": (limits.PURPOSE, "The purpose of sharing", False),
    "retention": (limits.RETENTION, "Retention and deletion", False),
    "security_measures": (limits.SECURITY_MEASURES, "The security measures", False),
    "contacts": (limits.CONTACTS, "The contacts", False),
}


def _check_text_terms(terms: dict) -> None:
    for name, (limit, subject, single_line) in TEXT_TERMS.items():
        if name in terms:
            check_text(field=name, value=terms[name], limit=limit, subject=subject, single_line=single_line)


def _ids(items) -> list[int]:
    """Indicator ids from ids, model rows or Covered items."""
    return [getattr(i, "pk", i) for i in items]


@transaction.atomic
def dsa_draft(
    *,
    provider: Partner,
    title: str,
    purpose: str,
    lawful_basis: str,
    recipients,
    indicators,
    level: str,
    retention: str,
    security_measures: str,
    contacts: str,
    start_date: date,
    end_date: date,
    review_date: date,
    special_category_data: bool = False,
    criminal_offence_data: bool = False,
    reference: str | None = None,
    by,
) -> DSA:
    """A provider officer drafts an agreement: its parties may see it, the provider may change it."""
    require_actor(by)
    permissions.check(by, rules.DSA_DRAFT, provider)
    _check_text_terms(
        dict(title=title, purpose=purpose, retention=retention, security_measures=security_measures, contacts=contacts)
    )
    recipients, indicator_ids = list(recipients), _ids(indicators)
    _validate_terms(
        provider=provider,
        recipients=recipients,
        indicator_ids=indicator_ids,
        level=level,
        start_date=start_date,
        end_date=end_date,
        review_date=review_date,
    )
    agreement = DSA(
        provider=provider,
        title=title,
        purpose=purpose,
        lawful_basis=lawful_basis,
        level=level,
        special_category_data=special_category_data,
        criminal_offence_data=criminal_offence_data,
        retention=retention,
        security_measures=security_measures,
        contacts=contacts,
        start_date=start_date,
        end_date=end_date,
        review_date=review_date,
        created_by=_person(by),
        reference=reference or _next_reference(timezone.localdate().year),
    )
    agreement.full_clean(exclude=["reference"])
    for attempt in range(5):
        try:
            with transaction.atomic():
                agreement.save()
            break
        except IntegrityError:  # someone took the same reference a moment ago
            if reference or attempt == 4:
                raise ValidationError({"reference": "An agreement with this reference already exists"})
            agreement.pk = None
            agreement.reference = _next_reference(timezone.localdate().year)
    agreement.recipients.set(recipients)
    coverage().replace(agreement=agreement, pks=indicator_ids)
    _sync_agreement_perms(agreement)
    audit_record(
        actor=by,
        partner=provider,
        action="dsa.draft",
        obj=agreement,
        summary=f"Agreement {agreement.reference} drafted by {provider.short_name}",
        after=_dsa_snapshot(agreement),
    )
    return agreement


@transaction.atomic
def dsa_update(*, agreement: DSA, by, recipients=None, indicators=None, **terms) -> DSA:
    """Change a draft's terms, recipients or indicators (only while it is a draft)."""
    agreement = DSA_FLOW.begin("edit", agreement, by=by)
    before = _dsa_snapshot(agreement)
    for name, value in terms.items():
        if name not in DSA_TERMS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(agreement, name, value)
    _check_text_terms(terms)
    recipients = list(agreement.recipients.all()) if recipients is None else list(recipients)
    indicator_ids = (
        [c.pk for c in coverage().of([agreement.pk])[agreement.pk]] if indicators is None else _ids(indicators)
    )
    _validate_terms(
        provider=agreement.provider,
        recipients=recipients,
        indicator_ids=indicator_ids,
        level=agreement.level,
        start_date=agreement.start_date,
        end_date=agreement.end_date,
        review_date=agreement.review_date,
    )
    agreement.full_clean()
    agreement.save()
    agreement.recipients.set(recipients)
    coverage().replace(agreement=agreement, pks=indicator_ids)
    _sync_agreement_perms(agreement)
    after = _dsa_snapshot(agreement)
    if before != after:
        audit_record(
            actor=by,
            partner=agreement.provider,
            action="dsa.update",
            obj=agreement,
            summary=f"Draft agreement {agreement.reference} changed",
            before=before,
            after=after,
        )
    return agreement


@transaction.atomic
def dsa_send(*, agreement: DSA, by, today: date | None = None) -> DSA:
    """Send a draft for signature by the provider's and every recipient's signatory."""
    today = today or timezone.localdate()
    agreement = DSA_FLOW.begin("send", agreement, by=by)
    problems = []
    if not agreement.recipients.exists():
        problems.append("Choose at least one recipient before sending the agreement")
    if not _covered_codes(agreement):
        problems.append("Choose at least one indicator before sending the agreement")
    if agreement.end_date < today:
        problems.append("The end date has passed: change it before sending the agreement")
    if problems:
        raise ValidationError(problems)
    DSA_FLOW.finish(
        agreement,
        "send",
        by=by,
        partner=agreement.provider,
        changes={"sent_at": timezone.now()},
        summary=f"Agreement {agreement.reference} sent for signatures",
    )
    _sync_agreement_perms(agreement)
    outbox_enqueue("partners.request_dsa_signatures", agreement_id=agreement.pk)
    return agreement


def _party_ids(agreement: DSA) -> list[int]:
    return [agreement.provider_id, *agreement.recipients.values_list("pk", flat=True)]


def _signer_label(by, given: str = "") -> str:
    if not getattr(by, "is_authenticated", False):
        return (given or "Recorded by the system")[:200]
    return (by.get_full_name() or by.get_username())[:200]


@transaction.atomic
def dsa_sign(
    *,
    agreement: DSA,
    by,
    partner: Partner | None = None,
    today: date | None = None,
    signer_label: str = "",
    confirmed_at: datetime | None = None,
) -> DsaSignature:
    """A party's signatory signs; when every party has, the agreement is active from its start date.

    The system actor records a signature given outside the portal (the demo seed, an import):
    partner and, ideally, signer_label ("name, job title") say whose it is.
    """
    today = today or timezone.localdate()
    agreement = DSA_FLOW.begin("sign", agreement, by=by, confirmed_at=confirmed_at)
    if agreement.end_date < today:
        raise ValidationError("This agreement's end date has passed, so it can no longer be signed")
    parties = _party_ids(agreement)
    signed = set(agreement.signatures.values_list("partner_id", flat=True))
    if not is_system(by):
        allowed = [pid for pid in permissions.acting_partner_ids(by, rules.DSA_SIGN, agreement) if pid in parties]
        if partner is None:
            unsigned = [pid for pid in allowed if pid not in signed]
            if not unsigned:
                raise ValidationError("Your partner has already signed this agreement")
            if len(unsigned) > 1:
                raise ValidationError({"partner": "Select the partner you are signing for"})
            partner = Partner.objects.get(pk=unsigned[0])
        elif partner.pk not in allowed:
            raise PermissionDenied
    if partner is None or partner.pk not in parties:
        raise ValidationError("Only the provider and the recipients sign an agreement")
    try:
        with transaction.atomic():
            signature = DsaSignature.objects.create(
                agreement=agreement,
                partner=partner,
                signed_by=_person(by),
                signer_label=_signer_label(by, signer_label),
            )
    except IntegrityError:  # signed a moment ago by someone else at the same partner
        raise ValidationError(f"{partner.short_name} has already signed this agreement")
    DSA_FLOW.finish(
        agreement,
        "sign",
        by=by,
        partner=partner,
        summary=f"Agreement {agreement.reference} signed for {partner.short_name}",
        after={"partner": partner.slug, "signer": signature.signer_label},
    )
    if signed | {partner.pk} >= set(parties) and agreement.start_date <= today:
        _dsa_activate(agreement, by=by)
    return signature


def _dsa_activate(agreement: DSA, *, by) -> None:
    DSA_FLOW.finish(
        agreement,
        "activate",
        by=by,
        partner=agreement.provider,
        changes={"activated_at": timezone.now()},
        summary=f"Agreement {agreement.reference} is active: recipients now see the data it covers",
    )
    _sync_agreement_perms(agreement)


def _dsa_move(agreement: DSA, transition: str, *, by, reason: str, summary: str) -> DSA:
    changes = {"status_reason": reason}
    if DSA_FLOW.transition(transition).target in (DSA.Status.ENDED, DSA.Status.REVOKED):
        changes["closed_at"] = timezone.now()
    DSA_FLOW.finish(agreement, transition, by=by, partner=agreement.provider, changes=changes, summary=summary)
    _sync_agreement_perms(agreement)
    return agreement


def _reason(reason: str, verb: str, *, required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": f"Enter the reason for {verb} the agreement"})
    check_text(field="reason", value=reason, limit=limits.REASON, subject="The reason")
    return reason


@transaction.atomic
def dsa_suspend(*, agreement: DSA, by, reason: str, confirmed_at: datetime | None = None) -> DSA:
    """The provider or the PCC office suspends an active agreement (an emergency stop): recipients lose
    the data at once."""
    agreement = DSA_FLOW.begin("suspend", agreement, by=by, confirmed_at=confirmed_at)
    reason = _reason(reason, "suspending")
    return _dsa_move(
        agreement, "suspend", by=by, reason=reason, summary=f"Agreement {agreement.reference} suspended: {reason}"
    )


@transaction.atomic
def dsa_resume(
    *, agreement: DSA, by, reason: str = "", today: date | None = None, confirmed_at: datetime | None = None
) -> DSA:
    """Resume a suspended agreement: recipients see the data again."""
    today = today or timezone.localdate()
    agreement = DSA_FLOW.begin("resume", agreement, by=by, confirmed_at=confirmed_at)
    if agreement.end_date < today:
        raise ValidationError("This agreement's end date has passed, so it cannot be resumed")
    return _dsa_move(
        agreement,
        "resume",
        by=by,
        reason=_reason(reason, "resuming", required=False),
        summary=f"Agreement {agreement.reference} resumed",
    )


@transaction.atomic
def dsa_revoke(*, agreement: DSA, by, reason: str, confirmed_at: datetime | None = None) -> DSA:
    """The provider's signatory or the Commissioner revokes an agreement for good: recipients lose the
    data at once. (Officers may suspend, an emergency stop, but not revoke.)"""
    agreement = DSA_FLOW.begin("revoke", agreement, by=by, confirmed_at=confirmed_at)
    reason = _reason(reason, "revoking")
    return _dsa_move(
        agreement, "revoke", by=by, reason=reason, summary=f"Agreement {agreement.reference} revoked: {reason}"
    )


@transaction.atomic
def dsa_delete(*, agreement: DSA, by) -> None:
    """Remove a draft and the permissions its parties held on it (a draft gives no data grants)."""
    agreement = DSA_FLOW.begin("delete", agreement, by=by)
    before = _dsa_snapshot(agreement)
    pk, reference, provider = agreement.pk, agreement.reference, agreement.provider
    permissions.revoke_all(agreement)
    agreement.delete()
    audit_record(
        actor=by,
        partner=provider,
        action="dsa.delete",
        object_type=DSA._meta.label_lower,
        object_id=pk,
        summary=f"Agreement {reference} deleted",
        before=before,
    )
