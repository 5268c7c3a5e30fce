"""Who may do what, answered in one place for HTML views, the API, selectors and exports.

A person may take an action when
  1. one of their *active* memberships has a role whose Group holds the action's model
     permission (roles are Groups with model permissions), and
  2. for actions on a row: that same membership's partner Group holds the action's
     django-guardian object permission on the row (or on the row it is guarded through),
     or the role's Group holds the action's all-rows permission (the PCC office).
Guardian grants go to partner Groups through direct foreign-key permission tables, so a
deleted row takes its grants with it. Only services call grant/revoke.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model

from partners.models import Membership, Role


@dataclass(frozen=True)
class Rule:
    role_perm: str                      # model permission the role's Group must hold
    object_perm: str | None = None      # guardian permission on the row (partner Groups)
    all_rows_perm: str | None = None    # model permission that covers every row (PCC office)
    via: str | None = None              # the row is guarded through this relation (e.g. "indicator")


# --- The vocabulary -------------------------------------------------------------------------
# Model permissions (role Groups) and object permissions (partner Groups) used below are
# declared in the models' Meta.permissions; ROLE_PERMISSIONS says which roles hold which.
PARTNER_VIEW = "partner.view"
PARTNER_ACT = "partner.act"
AUDIT_VIEW = "audit.view"
SECURITY_LOG_VIEW = "security_log.view"
API_TOKEN_MANAGE = "api_token.manage"
USER_DEVICES_RESET = "user.devices_reset"
INDICATOR_DATA_VIEW = "indicator_data.view"
INDICATOR_BREAKDOWNS_VIEW = "indicator_breakdowns.view"
OBSERVATION_VIEW = "observation.view"
OBSERVATION_BREAKDOWNS_VIEW = "observation.breakdowns_view"
DATA_RETURN_VIEW = "data_return.view"
DATA_RETURN_SUBMIT = "data_return.submit"
DATA_RETURN_REVIEW_ALL = "data_return.review_all"
TARGET_MANAGE = "target.manage"
PRIORITY_VIEW = "priority.view"  # priorities, indicator definitions, targets and their status words
DSA_VIEW = "dsa.view"
DSA_DRAFT = "dsa.draft"
DSA_SIGN = "dsa.sign"
DSA_SUSPEND = "dsa.suspend"
DSA_REVOKE = "dsa.revoke"

RULES: dict[str, Rule] = {
    PARTNER_VIEW: Rule("partners.view_partner"),
    PARTNER_ACT: Rule("partners.act_for_partner", "act_for_partner"),
    AUDIT_VIEW: Rule("portal.view_audit_log"),
    SECURITY_LOG_VIEW: Rule("portal.view_security_log"),
    API_TOKEN_MANAGE: Rule("portal.manage_api_tokens"),
    USER_DEVICES_RESET: Rule("portal.reset_user_devices"),
    INDICATOR_DATA_VIEW: Rule("targets.view_observation", "view_indicator_data", "targets.view_all_observations"),
    INDICATOR_BREAKDOWNS_VIEW: Rule(
        "targets.view_observation", "view_indicator_breakdowns", "targets.view_all_observations"
    ),
    OBSERVATION_VIEW: Rule(
        "targets.view_observation", "view_indicator_data", "targets.view_all_observations", via="indicator"
    ),
    OBSERVATION_BREAKDOWNS_VIEW: Rule(
        "targets.view_observation", "view_indicator_breakdowns", "targets.view_all_observations", via="indicator"
    ),
    DATA_RETURN_VIEW: Rule("targets.view_datareturn", "view_datareturn", "targets.view_all_datareturns"),
    DATA_RETURN_SUBMIT: Rule("targets.add_datareturn", "act_for_partner"),
    DATA_RETURN_REVIEW_ALL: Rule("targets.view_all_datareturns"),
    TARGET_MANAGE: Rule("targets.change_target"),
    PRIORITY_VIEW: Rule("targets.view_priority"),
    DSA_VIEW: Rule("partners.view_datasharingagreement", "view_datasharingagreement", "partners.view_all_dsas"),
    DSA_DRAFT: Rule("partners.add_datasharingagreement", "act_for_partner"),
    DSA_SIGN: Rule("partners.sign_datasharingagreement", "sign_datasharingagreement"),
    DSA_SUSPEND: Rule(
        "partners.suspend_datasharingagreement", "manage_datasharingagreement", "partners.suspend_any_dsa"
    ),
    # Revoking is for good: the provider's signatory, or the Commissioner; officers may only suspend.
    DSA_REVOKE: Rule(
        "partners.revoke_datasharingagreement", "manage_datasharingagreement", "partners.revoke_any_dsa"
    ),
}

_EVERYONE = [
    "partners.view_partner",
    "targets.view_observation",
    "targets.view_datareturn",
    "targets.view_priority",
    "partners.view_datasharingagreement",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: _EVERYONE + [
        "partners.act_for_partner",
        "targets.add_datareturn",
        "partners.add_datasharingagreement",
        "partners.suspend_datasharingagreement",
    ],
    Role.SIGNATORY: _EVERYONE + [
        "partners.act_for_partner",
        "partners.sign_datasharingagreement",
        "partners.suspend_datasharingagreement",
        "partners.revoke_datasharingagreement",
    ],
    Role.BOARD_MEMBER: _EVERYONE + ["targets.change_target"],
    Role.PCC_OFFICER: _EVERYONE + [
        "portal.view_audit_log",
        "portal.view_security_log",
        "portal.manage_api_tokens",
        "portal.reset_user_devices",
        "targets.view_all_observations",
        "targets.view_all_datareturns",
        "targets.change_target",
        "partners.view_all_dsas",
        "partners.suspend_datasharingagreement",
        "partners.suspend_any_dsa",
    ],
    Role.PCC: _EVERYONE + [
        "portal.view_audit_log",
        "portal.view_security_log",
        "targets.view_all_observations",
        "targets.view_all_datareturns",
        "targets.change_target",
        "partners.view_all_dsas",
        "partners.suspend_datasharingagreement",
        "partners.suspend_any_dsa",
        "partners.revoke_datasharingagreement",
        "partners.revoke_any_dsa",
    ],
}


def role_group_name(role: str) -> str:
    return f"Role: {Role(role).label}"


# --- Who the user is, cached on the request's user object -------------------------------------
@dataclass(frozen=True)
class Seat:
    """One active membership: a role held at a partner."""

    partner_id: int
    group_id: int
    role: str


def seats(user) -> list[Seat]:
    """The user's active memberships (one query per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_cjp_seats", None)
    if cached is None:
        cached = [
            Seat(partner_id, group_id, role)
            for partner_id, group_id, role in Membership.objects.active()
            .filter(user=user, partner__active=True)
            .values_list("partner_id", "partner__group_id", "role")
        ]
        user._cjp_seats = cached
    return cached


def _role_perms(user) -> dict[str, set[str]]:
    cached = getattr(user, "_cjp_role_perms", None)
    if cached is None:
        roles = {seat.role for seat in seats(user)}
        names = {role_group_name(role): role for role in roles}
        cached = {role: set() for role in roles}
        rows = Permission.objects.filter(group__name__in=list(names)).values_list(
            "group__name", "content_type__app_label", "codename"
        )
        for group_name, app_label, codename in rows:
            cached[names[group_name]].add(f"{app_label}.{codename}")
        user._cjp_role_perms = cached
    return cached


def _seats_for(user, rule: Rule) -> list[Seat]:
    perms = _role_perms(user)
    return [seat for seat in seats(user) if rule.role_perm in perms.get(seat.role, ())]


def _covers_all_rows(user, rule: Rule, candidates: list[Seat]) -> bool:
    if rule.all_rows_perm is None:
        return False
    perms = _role_perms(user)
    return any(rule.all_rows_perm in perms.get(seat.role, ()) for seat in candidates)


def _guarded(obj: models.Model, rule: Rule) -> models.Model:
    return getattr(obj, rule.via) if rule.via else obj


def _groups_holding(obj: models.Model, codename: str, group_ids: Iterable[int]) -> set[int]:
    model = get_group_obj_perms_model(obj)
    return set(
        model.objects.filter(
            content_object_id=obj.pk, permission__codename=codename, group_id__in=list(group_ids)
        ).values_list("group_id", flat=True)
    )


# --- The questions --------------------------------------------------------------------------
def can(user, action: str, obj: models.Model | None = None) -> bool:
    """May the user take this action (on this row, when given)?"""
    rule = RULES[action]
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    candidates = _seats_for(user, rule)
    if not candidates:
        return False
    if obj is None or rule.object_perm is None:
        return True
    if _covers_all_rows(user, rule, candidates):
        return True
    target = _guarded(obj, rule)
    holding = _groups_holding(target, rule.object_perm, {seat.group_id for seat in candidates})
    return bool(holding)


def check(user, action: str, obj: models.Model | None = None) -> None:
    """Raise PermissionDenied (403) unless the user may take the action."""
    if not can(user, action, obj):
        raise PermissionDenied


def acting_partner_ids(user, action: str, obj: models.Model | None = None) -> list[int]:
    """The partners through which the user may take the action (for 'acting for' choices)."""
    rule = RULES[action]
    candidates = _seats_for(user, rule)
    if obj is None or rule.object_perm is None:
        return sorted({seat.partner_id for seat in candidates})
    target = _guarded(obj, rule)
    holding = _groups_holding(target, rule.object_perm, {seat.group_id for seat in candidates})
    return sorted({seat.partner_id for seat in candidates if seat.group_id in holding})


def visible(user, action: str, queryset: models.QuerySet) -> models.QuerySet:
    """Filter a queryset to the rows the user may take the action on."""
    rule = RULES[action]
    if getattr(user, "is_superuser", False) and user.is_active:
        return queryset
    candidates = _seats_for(user, rule)
    if not candidates:
        return queryset.none()
    if rule.object_perm is None or _covers_all_rows(user, rule, candidates):
        return queryset
    guarded_model = queryset.model._meta.get_field(rule.via).related_model if rule.via else queryset.model
    perm_model = get_group_obj_perms_model(guarded_model)
    granted = perm_model.objects.filter(
        group_id__in=[seat.group_id for seat in candidates],
        permission__codename=rule.object_perm,
        permission__content_type=ContentType.objects.get_for_model(guarded_model),
    ).values("content_object_id")
    lookup = f"{rule.via}_id__in" if rule.via else "pk__in"
    return queryset.filter(**{lookup: granted})


def get_visible_or_404(user, action: str, queryset: models.QuerySet, **lookup) -> models.Model:
    """The row, or 404 when it does not exist or the user may not know it exists."""
    obj = visible(user, action, queryset).filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


def is_pcc_office(user) -> bool:
    return any(seat.role in (Role.PCC_OFFICER, Role.PCC) for seat in seats(user))


# --- Grants, called only by services ---------------------------------------------------------
def grant(codename: str, group: Group, obj: models.Model) -> None:
    """Give a partner's Group an object permission on a row."""
    assign_perm(f"{obj._meta.app_label}.{codename}", group, obj)


def revoke(codename: str, group: Group, obj: models.Model) -> None:
    """Take an object permission on a row away from a partner's Group."""
    remove_perm(f"{obj._meta.app_label}.{codename}", group, obj)


def revoke_all(obj: models.Model, codenames: Iterable[str] | None = None) -> int:
    """Remove every (or the named) object permission on a row; returns rows removed."""
    model = get_group_obj_perms_model(obj)
    rows = model.objects.filter(content_object_id=obj.pk)
    if codenames is not None:
        rows = rows.filter(permission__codename__in=list(codenames))
    deleted, _ = rows.delete()
    return deleted


def sync_role_groups() -> None:
    """Create the role Groups and give each exactly its model permissions (idempotent)."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role_group_name(role))
        wanted = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
