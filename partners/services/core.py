"""Every change to partners, areas and memberships."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal import permissions
from portal.actors import require_actor
from portal.audit import audit_record, snapshot

from .. import rules
from ..models import Area, Membership, Partner, Role

PARTNER_FIELDS = ["name", "short_name", "slug", "kind", "about", "website", "active"]


@transaction.atomic
def area_upsert(*, code: str, name: str, kind: str, by) -> Area:
    """Create an area, or update its name and kind (the PCC office, or the system)."""
    require_actor(by)
    permissions.check(by, rules.PARTNER_MANAGE)
    area, created = Area.objects.select_for_update().get_or_create(code=code, defaults={"name": name, "kind": kind})
    if created:
        audit_record(
            actor=by,
            action="area.create",
            obj=area,
            summary=f"Area {name} ({code}) added",
            after=snapshot(area, ["code", "name", "kind"]),
        )
    elif (area.name, area.kind) != (name, kind):
        before = snapshot(area, ["code", "name", "kind"])
        area.name, area.kind = name, kind
        area.save(update_fields=["name", "kind"])
        audit_record(
            actor=by,
            action="area.update",
            obj=area,
            summary=f"Area {code} renamed",
            before=before,
            after=snapshot(area, ["code", "name", "kind"]),
        )
    return area


@transaction.atomic
def partner_create(
    *,
    name: str,
    short_name: str,
    slug: str,
    kind: str,
    about: str = "",
    website: str = "",
    areas: list[Area] | None = None,
    by,
) -> Partner:
    """Add a partner with its own Group, which may act for it (the PCC office, or the system)."""
    require_actor(by)
    permissions.check(by, rules.PARTNER_MANAGE)
    if Partner.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "A partner with this short address already exists"})
    group, _ = Group.objects.get_or_create(name=f"Partner: {slug}")
    partner = Partner.objects.create(
        name=name, short_name=short_name, slug=slug, kind=kind, about=about, website=website, group=group
    )
    if areas:
        partner.areas.set(areas)
    permissions.grant("act_for_partner", group, partner)
    audit_record(
        actor=by,
        partner=partner,
        action="partner.create",
        obj=partner,
        summary=f"Partner {name} added",
        after={**snapshot(partner, PARTNER_FIELDS), "areas": sorted(a.code for a in areas or [])},
    )
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, by, areas: list[Area] | None = None, **fields) -> Partner:
    """Change a partner's details (not its slug or group)."""
    require_actor(by)
    permissions.check(by, rules.PARTNER_MANAGE)
    # NOTE: FOR NO KEY UPDATE (the key never changes here): rows that refer to the partner, checked at their
    # commit with FOR KEY SHARE while holding the audit chain's lock, must not wait for this lock.
    partner = Partner.objects.select_for_update(no_key=True).get(pk=partner.pk)
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
        audit_record(
            actor=by,
            partner=partner,
            action="partner.update",
            obj=partner,
            summary=f"Partner {partner.name} updated",
            before=before,
            after=after,
        )
    return partner


@transaction.atomic
def membership_add(
    *, user, partner: Partner, role: str, job_title: str = "", active_from: date | None = None, by
) -> Membership:
    """Give a person a role at a partner (idempotent for the same user, partner and role)."""
    require_actor(by)
    permissions.check(by, rules.MEMBERSHIP_MANAGE)
    role = Role(role)
    membership, created = Membership.objects.get_or_create(
        user=user,
        partner=partner,
        role=role,
        defaults={"job_title": job_title, "active_from": active_from or timezone.localdate()},
    )
    if created:
        audit_record(
            actor=by,
            partner=partner,
            action="membership.add",
            obj=membership,
            summary=f"{user.get_username()} is now {role.label} at {partner.short_name}",
            after=snapshot(membership, ["user", "partner", "role", "job_title", "active_from"]),
        )
    elif membership.active_to is not None:
        before = snapshot(membership, ["active_to"])
        membership.active_to = None
        membership.save(update_fields=["active_to"])
        audit_record(
            actor=by,
            partner=partner,
            action="membership.reopen",
            obj=membership,
            summary=f"{user.get_username()} is {role.label} at {partner.short_name} again",
            before=before,
            after=snapshot(membership, ["active_to"]),
        )
    return membership


# What other apps do when someone stops holding a role (e.g. plans flag a round that has lost the last
# person who could sign for a partner): f(membership, by), run inside membership_end's transaction.
MEMBERSHIP_ENDED: list = []


def on_membership_end(func):
    """Register a reaction to a membership ending (an explicit list, never a Django signal)."""
    MEMBERSHIP_ENDED.append(func)
    return func


@transaction.atomic
def membership_end(*, membership: Membership, on: date | None = None, by) -> Membership:
    """End a membership; from that day the person can no longer act through it."""
    require_actor(by)
    permissions.check(by, rules.MEMBERSHIP_MANAGE)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    day = on or timezone.localdate()
    if day < membership.active_from:
        raise ValidationError({"active_to": "The end date must be on or after the start date"})
    before = snapshot(membership, ["active_to"])
    membership.active_to = day
    membership.save(update_fields=["active_to"])
    audit_record(
        actor=by,
        partner=membership.partner,
        action="membership.end",
        obj=membership,
        summary=f"{membership.user.get_username()} stops being {membership.get_role_display()} "
        f"at {membership.partner.short_name}",
        before=before,
        after=snapshot(membership, ["active_to"]),
    )
    for reaction in MEMBERSHIP_ENDED:
        reaction(membership, by)
    return membership
