"""Every change to partners, areas and memberships."""
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

from .models import (
    Area, DataSharingAgreement, DataSharingAgreementGroupObjectPermission, DsaSignature, Membership, Partner, Role,
)

PARTNER_FIELDS = ["name", "short_name", "slug", "kind", "about", "website", "active"]


@transaction.atomic
def area_upsert(*, code: str, name: str, kind: str, by=None) -> Area:
    """Create an area, or update its name and kind."""
    area, created = Area.objects.select_for_update().get_or_create(code=code, defaults={"name": name, "kind": kind})
    if created:
        audit_record(actor=by, action="area.create", obj=area, summary=f"Area {name} ({code}) added",
                     after=snapshot(area, ["code", "name", "kind"]))
    elif (area.name, area.kind) != (name, kind):
        before = snapshot(area, ["code", "name", "kind"])
        area.name, area.kind = name, kind
        area.save(update_fields=["name", "kind"])
        audit_record(actor=by, action="area.update", obj=area, summary=f"Area {code} renamed",
                     before=before, after=snapshot(area, ["code", "name", "kind"]))
    return area


@transaction.atomic
def partner_create(
    *, name: str, short_name: str, slug: str, kind: str, about: str = "", website: str = "",
    areas: list[Area] | None = None, by=None,
) -> Partner:
    """Add a partner with its own Group, which may act for it."""
    if Partner.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "A partner with this short address already exists"})
    group, _ = Group.objects.get_or_create(name=f"Partner: {slug}")
    partner = Partner.objects.create(
        name=name, short_name=short_name, slug=slug, kind=kind, about=about, website=website, group=group
    )
    if areas:
        partner.areas.set(areas)
    permissions.grant("act_for_partner", group, partner)
    audit_record(actor=by, partner=partner, action="partner.create", obj=partner, summary=f"Partner {name} added",
                 after={**snapshot(partner, PARTNER_FIELDS), "areas": sorted(a.code for a in areas or [])})
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, by=None, areas: list[Area] | None = None, **fields) -> Partner:
    """Change a partner's details (not its slug or group)."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    before = {**snapshot(partner, PARTNER_FIELDS), "areas": sorted(partner.areas.values_list("code", flat=True))}
    for name, value in fields.items():
        if name not in PARTNER_FIELDS or name == "slug":
            raise ValueError(f"{name} cannot be changed here")
        setattr(partner, name, value)
    partner.full_clean(exclude=["group"])
    partner.save()
    if areas is not None:
        partner.areas.set(areas)
    after = {**snapshot(partner, PARTNER_FIELDS), "areas": sorted(partner.areas.values_list("code", flat=True))}
    if before != after:
        audit_record(actor=by, partner=partner, action="partner.update", obj=partner,
                     summary=f"Partner {partner.name} updated", before=before, after=after)
    return partner


@transaction.atomic
def membership_add(
    *, user, partner: Partner, role: str, job_title: str = "", active_from: date | None = None, by=None
) -> Membership:
    """Give a person a role at a partner (idempotent for the same user, partner and role)."""
    role = Role(role)
    membership, created = Membership.objects.get_or_create(
        user=user, partner=partner, role=role,
        defaults={"job_title": job_title, "active_from": active_from or timezone.localdate()},
    )
    if created:
        audit_record(actor=by, partner=partner, action="membership.add", obj=membership,
                     summary=f"{user.get_username()} is now {role.label} at {partner.short_name}",
                     after=snapshot(membership, ["user", "partner", "role", "job_title", "active_from"]))
    elif membership.active_to is not None:
        before = snapshot(membership, ["active_to"])
        membership.active_to = None
        membership.save(update_fields=["active_to"])
        audit_record(actor=by, partner=partner, action="membership.reopen", obj=membership,
                     summary=f"{user.get_username()} is {role.label} at {partner.short_name} again",
                     before=before, after=snapshot(membership, ["active_to"]))
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, on: date | None = None, by=None) -> Membership:
    """End a membership; from that day the person can no longer act through it."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    day = on or timezone.localdate()
    if day < membership.active_from:
        raise ValidationError({"active_to": "The end date must be on or after the start date"})
    before = snapshot(membership, ["active_to"])
    membership.active_to = day
    membership.save(update_fields=["active_to"])
    audit_record(actor=by, partner=membership.partner, action="membership.end", obj=membership,
                 summary=f"{membership.user.get_username()} stops being {membership.get_role_display()} "
                         f"at {membership.partner.short_name}",
                 before=before, after=snapshot(membership, ["active_to"]))
    return membership


# --- Data-sharing agreements --------------------------------------------------------------------
DSA = DataSharingAgreement
DSA_TERMS = ["title", "purpose", "lawful_basis", "special_category_data", "criminal_offence_data", "level",
             "retention", "security_measures", "contacts", "start_date", "end_date", "review_date"]
DSA_FIELDS = ["reference", "provider", *DSA_TERMS, "status", "status_reason"]
# Object permissions on the agreement itself, held by its parties' Groups.
DSA_VIEW_PERM, DSA_MANAGE_PERM, DSA_SIGN_PERM = (
    "view_datasharingagreement", "manage_datasharingagreement", "sign_datasharingagreement")
# Object permissions on the covered indicators, held by recipients while the agreement is active.
DATA_PERM, BREAKDOWNS_PERM = "view_indicator_data", "view_indicator_breakdowns"
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


def _validate_terms(*, provider: Partner, recipients: list[Partner], indicators: list, start_date: date,
                    end_date: date, review_date: date) -> None:
    errors = {}
    if any(p.pk == provider.pk for p in recipients):
        errors["recipients"] = f"{provider.short_name} provides the data, so it cannot also be a recipient"
    elif any(not p.active for p in recipients):
        errors["recipients"] = "Recipients must be current partners"
    wrong = sorted(i.code for i in indicators if i.provider_id != provider.pk)
    if wrong:
        errors["indicators"] = (f"{provider.short_name} does not provide {', '.join(wrong)}: an agreement can "
                                f"only share the provider's own indicators")
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = "The end date must be the same as or after the start date"
    elif review_date and start_date and end_date and not (start_date <= review_date <= end_date):
        errors["review_date"] = "The review date must be between the start date and the end date"
    if errors:
        raise ValidationError(errors)


def _sync_agreement_perms(agreement: DSA) -> None:
    """Make the parties' permissions on the agreement itself match its parties and status."""
    wanted: set[tuple[int, str]] = {(agreement.provider.group_id, DSA_VIEW_PERM),
                                    (agreement.provider.group_id, DSA_MANAGE_PERM)}
    recipient_groups = list(agreement.recipients.values_list("group_id", flat=True))
    wanted |= {(gid, DSA_VIEW_PERM) for gid in recipient_groups}
    if agreement.status == DSA.Status.AWAITING_SIGNATURES:
        wanted |= {(gid, DSA_SIGN_PERM) for gid in [agreement.provider.group_id, *recipient_groups]}
    held = set(DataSharingAgreementGroupObjectPermission.objects.filter(content_object=agreement)
               .values_list("group_id", "permission__codename"))
    groups = Group.objects.in_bulk({gid for gid, _ in wanted ^ held})
    for gid, codename in sorted(held - wanted):
        permissions.revoke(codename, groups[gid], agreement)
    for gid, codename in sorted(wanted - held):
        permissions.grant(codename, groups[gid], agreement)


@transaction.atomic
def dsa_sync_grants(*, indicator_ids, group_ids) -> tuple[int, int]:
    """Make the data permissions of these Groups on these indicators equal to what the indicators'
    providers and the active agreements imply; returns (granted, revoked).

    Never revokes blindly: a recipient may hold the same grant through another active agreement,
    or be the provider itself.
    """
    indicator_ids, group_ids = set(indicator_ids), set(group_ids)
    if not indicator_ids or not group_ids:
        return 0, 0
    # NOTE: locking the indicators serialises recomputations that touch them, so two agreements
    # suspended at once cannot each keep the grant because the other still looked active.
    indicators = {i.pk: i for i in Indicator.objects.select_for_update(of=("self",)).filter(pk__in=indicator_ids)
                  .select_related("provider").order_by("pk")}
    wanted: set[tuple[int, int, str]] = set()
    for indicator in indicators.values():
        if indicator.provider.group_id in group_ids:
            wanted |= {(indicator.provider.group_id, indicator.pk, DATA_PERM),
                       (indicator.provider.group_id, indicator.pk, BREAKDOWNS_PERM)}
    active = DSA.objects.filter(status=DSA.Status.ACTIVE)
    covered = DSA.indicators.through.objects.filter(
        datasharingagreement__in=active, indicator_id__in=list(indicators)).values_list(
        "datasharingagreement_id", "indicator_id", "datasharingagreement__level")
    receiving: dict[int, set[int]] = {}
    for dsa_id, gid in DSA.recipients.through.objects.filter(
            datasharingagreement__in=active, partner__group_id__in=group_ids).values_list(
            "datasharingagreement_id", "partner__group_id"):
        receiving.setdefault(dsa_id, set()).add(gid)
    for dsa_id, indicator_id, level in covered:
        for gid in receiving.get(dsa_id, ()):
            wanted.add((gid, indicator_id, DATA_PERM))
            if level == DSA.Level.BREAKDOWNS:
                wanted.add((gid, indicator_id, BREAKDOWNS_PERM))
    held = set(IndicatorGroupObjectPermission.objects.filter(
        content_object_id__in=list(indicators), group_id__in=group_ids,
        permission__codename__in=[DATA_PERM, BREAKDOWNS_PERM]).values_list(
        "group_id", "content_object_id", "permission__codename"))
    groups = Group.objects.in_bulk({gid for gid, _, _ in wanted ^ held})
    for gid, indicator_id, codename in sorted(held - wanted):
        permissions.revoke(codename, groups[gid], indicators[indicator_id])
    for gid, indicator_id, codename in sorted(wanted - held):
        permissions.grant(codename, groups[gid], indicators[indicator_id])
    return len(wanted - held), len(held - wanted)


def _sync_agreement_grants(agreement: DSA) -> None:
    """Recompute the data grants of the agreement's parties on the indicators it covers."""
    group_ids = {agreement.provider.group_id, *agreement.recipients.values_list("group_id", flat=True)}
    indicator_ids = set(agreement.indicators.values_list("pk", flat=True))
    dsa_sync_grants(indicator_ids=indicator_ids, group_ids=group_ids)


@transaction.atomic
def dsa_draft(*, provider: Partner, title: str, purpose: str, lawful_basis: str, recipients, indicators,
              level: str, retention: str, security_measures: str, contacts: str, start_date: date,
              end_date: date, review_date: date, special_category_data: bool = False,
              criminal_offence_data: bool = False, reference: str | None = None, by) -> DSA:
    """A provider officer drafts an agreement: its parties may see it, the provider may change it."""
    if by is not None:
        permissions.check(by, permissions.DSA_DRAFT, provider)
    recipients, indicators = list(recipients), list(indicators)
    _validate_terms(provider=provider, recipients=recipients, indicators=indicators, start_date=start_date,
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
    _validate_terms(provider=agreement.provider, recipients=recipients, indicators=indicators,
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


def _check_manage(agreement: DSA, by) -> None:
    """Suspend, resume and revoke: step-up first, then the provider's or the PCC office's permission."""
    if by is not None:
        step_up_check(by)
        permissions.check(by, permissions.DSA_SUSPEND, agreement)


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
    """The provider or the PCC office revokes an agreement for good: recipients lose the data at once."""
    agreement = _dsa_lock(agreement)
    _check_manage(agreement, by)
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
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    return f"{base}{agreement.get_absolute_url()}"


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
    if emails:
        send_mail(
            subject=f"Data-sharing agreement {agreement.reference} is waiting for your signature",
            message=(f"{agreement.provider.name} has sent the data-sharing agreement '{agreement.title}' "
                     f"({agreement.reference}) for signature.\n\nRead and sign it: {_agreement_link(agreement)}\n"),
            from_email=None, recipient_list=emails)
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
    if emails:
        send_mail(
            subject=f"Data-sharing agreement {agreement.reference} {what} on {_day(day)}",
            message=(f"The data-sharing agreement '{agreement.title}' ({agreement.reference}) {what} on "
                     f"{_day(day)}.\n\n"
                     + ("Review its terms with the other parties and record the outcome.\n" if kind == "review" else
                        "Recipients will stop seeing the data it covers after that day unless a new agreement "
                        "is signed.\n")
                     + f"\n{_agreement_link(agreement)}\n"),
            from_email=None, recipient_list=emails)
    audit_record(action=f"dsa.reminder_{kind}", partner=agreement.provider, obj=agreement,
                 summary=f"Reminder sent to {len(emails)} people: agreement {agreement.reference} {what} on "
                         f"{_day(day)}")
    return 1
