"""Every change to data-sharing agreements: drafting, signatures, suspension, ending, and the grants they imply."""
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
from portal.outbox import outbox_enqueue
from portal.security import step_up_check
from portal.tasks import claim_once
from targets.models import Indicator, IndicatorGroupObjectPermission

from ..models import (
    Area, DataSharingAgreement, DataSharingAgreementGroupObjectPermission, DsaSignature, Membership, Partner, Role,
)



from .dsa_grants import (  # noqa: F401
    BREAKDOWNS_PERM, DATA_PERM, DSA_MANAGE_PERM, DSA_SIGN_PERM, DSA_VIEW_PERM, _sync_agreement_grants,
    _sync_agreement_perms, dsa_sync_grants,
)

DSA = DataSharingAgreement
DSA_TERMS = ["title", "purpose", "lawful_basis", "special_category_data", "criminal_offence_data", "level",
             "retention", "security_measures", "contacts", "start_date", "end_date", "review_date"]
DSA_FIELDS = ["reference", "provider", *DSA_TERMS, "status", "status_reason"]
REMINDER_DAYS = (30, 7)


def _dsa_snapshot(agreement: DSA) -> dict:
    return {**snapshot(agreement, DSA_FIELDS),
            "recipients": sorted(agreement.recipients.values_list("slug", flat=True)),
            "indicators": sorted(agreement.indicators.values_list("code", flat=True))}


def _locked():
    # NOTE: of=("self",): lock the agreement row only, not its provider's Partner row (which data
    # return applies lock); dsa_sync_grants locks the indicators it recomputes.
    return DSA.objects.select_for_update(of=("self",)).select_related("provider")


def _dsa_lock(agreement: DSA) -> DSA:
    return _locked().get(pk=agreement.pk)


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def _next_reference(year: int) -> str:
    prefix = f"DSA-{year}-"
    numbers = [int(ref[len(prefix):]) for ref in DSA.objects.filter(reference__startswith=prefix)
               .values_list("reference", flat=True) if ref[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _validate_terms(*, provider: Partner, recipients: list[Partner], indicators: list, level: str,
                    start_date: date, end_date: date, review_date: date) -> None:
    errors = {}
    if any(p.pk == provider.pk for p in recipients):
        errors["recipients"] = f"{provider.short_name} provides the data, so it cannot also be a recipient"
    elif any(not p.active for p in recipients):
        errors["recipients"] = "Recipients must be current partners"
    wrong = sorted(i.code for i in indicators if i.provider_id != provider.pk)
    if wrong:
        errors["indicators"] = (f"{provider.short_name} does not provide {', '.join(wrong)}: an agreement can "
                                f"only share the provider's own indicators")
    totals_only = sorted(i.code for i in indicators if not i.breakdowns)
    if level == DSA.Level.BREAKDOWNS and totals_only and "indicators" not in errors:
        # An agreement may not promise a level of detail its indicators cannot give.
        errors["level"] = (f"{', '.join(totals_only)} {'is' if len(totals_only) == 1 else 'are'} published as "
                           f"totals only, so the agreement cannot share breakdowns of "
                           f"{'it' if len(totals_only) == 1 else 'them'}. Select aggregate figures only, or remove "
                           f"{', '.join(totals_only)}")
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = "The end date must be the same as or after the start date"
    elif review_date and start_date and end_date and not (start_date <= review_date <= end_date):
        errors["review_date"] = "The review date must be between the start date and the end date"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def dsa_draft(*, provider: Partner, title: str, purpose: str, lawful_basis: str, recipients, indicators,
              level: str, retention: str, security_measures: str, contacts: str, start_date: date,
              end_date: date, review_date: date, special_category_data: bool = False,
              criminal_offence_data: bool = False, reference: str | None = None, by) -> DSA:
    """A provider officer drafts an agreement: its parties may see it, the provider may change it."""
    if by is not None:
        permissions.check(by, permissions.DSA_DRAFT, provider)
    recipients, indicators = list(recipients), list(indicators)
    _validate_terms(provider=provider, recipients=recipients, indicators=indicators, level=level,
                    start_date=start_date,
                    end_date=end_date, review_date=review_date)
    agreement = DSA(provider=provider, title=title, purpose=purpose, lawful_basis=lawful_basis, level=level,
                    special_category_data=special_category_data, criminal_offence_data=criminal_offence_data,
                    retention=retention, security_measures=security_measures, contacts=contacts,
                    start_date=start_date, end_date=end_date, review_date=review_date, created_by=_actor(by),
                    reference=reference or _next_reference(timezone.localdate().year))
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
    agreement.indicators.set(indicators)
    _sync_agreement_perms(agreement)
    audit_record(actor=by, partner=provider, action="dsa.draft", obj=agreement,
                 summary=f"Agreement {agreement.reference} drafted by {provider.short_name}",
                 after=_dsa_snapshot(agreement))
    return agreement


@transaction.atomic
def dsa_update(*, agreement: DSA, by, recipients=None, indicators=None, **terms) -> DSA:
    """Change a draft's terms, recipients or indicators (only while it is a draft)."""
    agreement = _dsa_lock(agreement)
    if by is not None:
        permissions.check(by, permissions.DSA_DRAFT, agreement.provider)
    if agreement.status != DSA.Status.DRAFT:
        raise ValidationError("Only a draft can be changed. Revoke this agreement and draft a new one instead.")
    before = _dsa_snapshot(agreement)
    for name, value in terms.items():
        if name not in DSA_TERMS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(agreement, name, value)
    recipients = list(agreement.recipients.all()) if recipients is None else list(recipients)
    indicators = list(agreement.indicators.all()) if indicators is None else list(indicators)
    _validate_terms(provider=agreement.provider, recipients=recipients, indicators=indicators, level=agreement.level,
                    start_date=agreement.start_date, end_date=agreement.end_date, review_date=agreement.review_date)
    agreement.full_clean()
    agreement.save()
    agreement.recipients.set(recipients)
    agreement.indicators.set(indicators)
    _sync_agreement_perms(agreement)
    after = _dsa_snapshot(agreement)
    if before != after:
        audit_record(actor=by, partner=agreement.provider, action="dsa.update", obj=agreement,
                     summary=f"Draft agreement {agreement.reference} changed", before=before, after=after)
    return agreement


@transaction.atomic
def dsa_send(*, agreement: DSA, by, today: date | None = None) -> DSA:
    """Send a draft for signature by the provider's and every recipient's signatory."""
    today = today or timezone.localdate()
    agreement = _dsa_lock(agreement)
    if by is not None:
        permissions.check(by, permissions.DSA_DRAFT, agreement.provider)
    if agreement.status != DSA.Status.DRAFT:
        raise ValidationError("This agreement has already been sent for signatures")
    problems = []
    if not agreement.recipients.exists():
        problems.append("Choose at least one recipient before sending the agreement")
    if not agreement.indicators.exists():
        problems.append("Choose at least one indicator before sending the agreement")
    if agreement.end_date < today:
        problems.append("The end date has passed: change it before sending the agreement")
    if problems:
        raise ValidationError(problems)
    before = snapshot(agreement, ["status"])
    agreement.status = DSA.Status.AWAITING_SIGNATURES
    agreement.sent_at = timezone.now()
    agreement.save(update_fields=["status", "sent_at"])
    _sync_agreement_perms(agreement)
    audit_record(actor=by, partner=agreement.provider, action="dsa.send", obj=agreement,
                 summary=f"Agreement {agreement.reference} sent for signatures",
                 before=before, after=snapshot(agreement, ["status"]))
    outbox_enqueue("partners.request_dsa_signatures", agreement_id=agreement.pk)
    return agreement


def _party_ids(agreement: DSA) -> list[int]:
    return [agreement.provider_id, *agreement.recipients.values_list("pk", flat=True)]


def _signer_label(by, given: str = "") -> str:
    if by is None:
        return (given or "Recorded by the system")[:200]
    return (by.get_full_name() or by.get_username())[:200]


@transaction.atomic
def dsa_sign(*, agreement: DSA, by, partner: Partner | None = None, today: date | None = None,
             signer_label: str = "") -> DsaSignature:
    """A party's signatory signs; when every party has, the agreement is active from its start date.

    by=None records a signature given outside the portal (the demo seed, an import): partner and,
    ideally, signer_label ("name, job title") say whose it is.
    """
    if by is not None:
        step_up_check(by)
    today = today or timezone.localdate()
    agreement = _dsa_lock(agreement)
    if by is not None:
        permissions.check(by, permissions.DSA_SIGN, agreement)
    if agreement.status != DSA.Status.AWAITING_SIGNATURES:
        raise ValidationError("This agreement is not waiting for signatures")
    parties = _party_ids(agreement)
    signed = set(agreement.signatures.values_list("partner_id", flat=True))
    if by is not None:
        allowed = [pid for pid in permissions.acting_partner_ids(by, permissions.DSA_SIGN, agreement)
                   if pid in parties]
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
            signature = DsaSignature.objects.create(agreement=agreement, partner=partner, signed_by=_actor(by),
                                                    signer_label=_signer_label(by, signer_label))
    except IntegrityError:  # signed a moment ago by someone else at the same partner
        raise ValidationError(f"{partner.short_name} has already signed this agreement")
    audit_record(actor=by, partner=partner, action="dsa.sign", obj=agreement,
                 summary=f"Agreement {agreement.reference} signed for {partner.short_name}",
                 after={"partner": partner.slug, "signer": signature.signer_label})
    if signed | {partner.pk} >= set(parties) and agreement.start_date <= today:
        _dsa_activate(agreement, by=by)
    return signature


def _dsa_activate(agreement: DSA, *, by) -> None:
    before = snapshot(agreement, ["status"])
    agreement.status = DSA.Status.ACTIVE
    agreement.activated_at = timezone.now()
    agreement.save(update_fields=["status", "activated_at"])
    _sync_agreement_perms(agreement)
    _sync_agreement_grants(agreement)
    audit_record(actor=by, partner=agreement.provider, action="dsa.activate", obj=agreement,
                 summary=f"Agreement {agreement.reference} is active: recipients now see the data it covers",
                 before=before, after=snapshot(agreement, ["status"]))


def _dsa_set_status(agreement: DSA, *, by, status: str, reason: str, action: str, summary: str) -> DSA:
    before = snapshot(agreement, ["status", "status_reason"])
    agreement.status = status
    agreement.status_reason = reason
    fields = ["status", "status_reason"]
    if status in (DSA.Status.ENDED, DSA.Status.REVOKED):
        agreement.closed_at = timezone.now()
        fields.append("closed_at")
    agreement.save(update_fields=fields)
    _sync_agreement_perms(agreement)
    _sync_agreement_grants(agreement)
    audit_record(actor=by, partner=agreement.provider, action=action, obj=agreement, summary=summary,
                 before=before, after=snapshot(agreement, ["status", "status_reason"]))
    return agreement


def _check_manage(agreement: DSA, by, action: str = permissions.DSA_SUSPEND) -> None:
    """Suspend, resume and revoke: step-up first, then the provider's or the PCC office's permission."""
    if by is not None:
        step_up_check(by)
        permissions.check(by, action, agreement)


@transaction.atomic
def dsa_suspend(*, agreement: DSA, by, reason: str) -> DSA:
    """The provider or the PCC office suspends an active agreement: recipients lose the data at once."""
    agreement = _dsa_lock(agreement)
    _check_manage(agreement, by)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter the reason for suspending the agreement"})
    if agreement.status != DSA.Status.ACTIVE:
        raise ValidationError("Only an active agreement can be suspended")
    return _dsa_set_status(agreement, by=by, status=DSA.Status.SUSPENDED, reason=reason.strip(), action="dsa.suspend",
                      summary=f"Agreement {agreement.reference} suspended: {reason.strip()}")


@transaction.atomic
def dsa_resume(*, agreement: DSA, by, reason: str = "", today: date | None = None) -> DSA:
    """Resume a suspended agreement: recipients see the data again."""
    today = today or timezone.localdate()
    agreement = _dsa_lock(agreement)
    _check_manage(agreement, by)
    if agreement.status != DSA.Status.SUSPENDED:
        raise ValidationError("Only a suspended agreement can be resumed")
    if agreement.end_date < today:
        raise ValidationError("This agreement's end date has passed, so it cannot be resumed")
    return _dsa_set_status(agreement, by=by, status=DSA.Status.ACTIVE, reason=(reason or "").strip(),
                      action="dsa.resume", summary=f"Agreement {agreement.reference} resumed")


@transaction.atomic
def dsa_revoke(*, agreement: DSA, by, reason: str) -> DSA:
    """The provider's signatory or the Commissioner revokes an agreement for good: recipients lose the
    data at once. (Officers may suspend, an emergency stop, but not revoke.)"""
    agreement = _dsa_lock(agreement)
    _check_manage(agreement, by, permissions.DSA_REVOKE)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter the reason for revoking the agreement"})
    if agreement.status not in DSA.LIVE_STATUSES:
        raise ValidationError("Only an agreement awaiting signatures, active or suspended can be revoked")
    return _dsa_set_status(agreement, by=by, status=DSA.Status.REVOKED, reason=reason.strip(), action="dsa.revoke",
                      summary=f"Agreement {agreement.reference} revoked: {reason.strip()}")


@transaction.atomic
def dsa_delete(*, agreement: DSA, by) -> None:
    """Remove a draft (or, for an administrator, any agreement) and every permission it gave."""
    agreement = _dsa_lock(agreement)
    if by is not None and not getattr(by, "is_superuser", False):
        permissions.check(by, permissions.DSA_DRAFT, agreement.provider)
        if agreement.status != DSA.Status.DRAFT:
            raise ValidationError("Only a draft can be deleted. Revoke the agreement instead.")
    group_ids = {agreement.provider.group_id, *agreement.recipients.values_list("group_id", flat=True)}
    indicator_ids = set(agreement.indicators.values_list("pk", flat=True))
    before = _dsa_snapshot(agreement)
    pk, reference, provider = agreement.pk, agreement.reference, agreement.provider
    permissions.revoke_all(agreement)
    agreement.delete()
    dsa_sync_grants(indicator_ids=indicator_ids, group_ids=group_ids)
    audit_record(actor=by, partner=provider, action="dsa.delete",
                 object_type=DSA._meta.label_lower, object_id=pk, summary=f"Agreement {reference} deleted",
                 before=before)


# --- Daily transitions and reminders (the scheduled tasks call these) --------------------------
