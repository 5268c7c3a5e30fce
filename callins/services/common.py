"""What the call-in services share: the audit, who is who, text checks and telling people once."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Membership, Partner, Role
from portal.audit import audit_record
from portal.notifications import notify
from portal.roles import PCC_OFFICE_ROLES, SIGNING_ROLES
from portal.tasks import claim_once
from portal.text import check_text


def person(by):
    return by if getattr(by, "is_authenticated", False) else None


def label(by) -> str:
    if not getattr(by, "is_authenticated", False):
        return getattr(by, "label", "system")[:200]
    return (by.get_full_name() or by.get_username())[:200]


def audit(*, by, obj, action: str, summary: str, partner=None, before=None, after=None):
    return audit_record(actor=by, partner=partner, action=action, obj=obj, summary=summary, before=before, after=after)


def text(field: str, value, limit: int, subject: str, *, required: bool = False, single_line: bool = False) -> str:
    """The text, stripped; refused when missing (if required), too long or (a single line) with a line break."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"Enter {subject[0].lower()}{subject[1:]}"})
    check_text(field=field, value=value, limit=limit, subject=subject, single_line=single_line)
    return value


def within(field: str, value: int, bounds: tuple[int, int], what: str) -> int:
    low, high = bounds
    if not isinstance(value, int) or not low <= value <= high:
        raise ValidationError({field: f"Give between {low} and {high} working days for {what}"})
    return value


def people_of(partner_ids, roles) -> list[int]:
    """The active people holding one of these roles at these partners (user ids)."""
    return list(
        Membership.objects.active()
        .filter(partner_id__in=list(partner_ids), role__in=list(roles), user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def partner_people(partner_id: int) -> list[int]:
    """Those who act for a partner on the PCC's powers: its officers and signatories."""
    return people_of([partner_id], [Role.OFFICER, *SIGNING_ROLES])


def pcc_office() -> list[int]:
    """The PCC office: its officers and the Commissioner."""
    ids = Partner.objects.filter(kind=Partner.Kind.PCC_OFFICE, active=True).values_list("pk", flat=True)
    return people_of(ids, PCC_OFFICE_ROLES)


def commissioner() -> list[int]:
    ids = Partner.objects.filter(kind=Partner.Kind.PCC_OFFICE, active=True).values_list("pk", flat=True)
    return people_of(ids, [Role.PCC])


@dataclass(frozen=True)
class Telling:
    users: object
    title: str
    body: str
    summary: str  # the audit event's


@transaction.atomic
def tell_once(
    model, pk: int, *, by, kind: str, action: str, message, still: str, mark: str = "", claim: str = ""
) -> int:
    """Tell people about a row, once: `still(row)` says whether it still needs telling, `mark` names the row's
    field recording it was done (for good), `claim` a key claimed once (e.g. once a day); `message(row)`
    says to whom and what. Notified and audited in one transaction; how many were told (0 or 1)."""
    row = model.objects.select_for_update(of=("self",)).get(pk=pk)
    if not still(row) or (mark and getattr(row, mark) is not None):
        return 0
    if claim and not claim_once(claim):
        return 0
    told = message(row)
    if mark:
        setattr(row, mark, timezone.now())
        row.save(update_fields=[mark])
    notify(users=told.users, kind=kind, by=by, url=row.get_absolute_url(), title=told.title, body=told.body)
    audit(by=by, obj=row, action=action, partner=getattr(row, "partner", None), summary=told.summary)
    return 1
