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

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model

from .actors import is_system
from .roles import (  # noqa: F401 (role_group_name: the Groups' names)
    PCC_OFFICE_ROLES,
    ROLE_INCLUDES,
    SIGNING_ROLES,
    Role,
    role_group_name,
)


@dataclass(frozen=True)
class Rule:
    role_perm: str  # model permission the role's Group must hold
    object_perm: str | None = None  # guardian permission on the row (partner Groups)
    all_rows_perm: str | None = None  # model permission that covers every row (PCC office)
    via: str | None = None  # the row is guarded through this relation (e.g. "indicator")
    admin_override: bool = False  # a superuser may take it without a seat (administration, never a decision)
    refused: str = ""  # what the 403 page says was refused ("sign off a plan for this partner")


# --- The vocabulary: the core's own rules; each app registers its own (partners/rules.py, …) -----
AUDIT_VIEW = "audit.view"
SECURITY_LOG_VIEW = "security_log.view"
USER_DEVICES_RESET = "user.devices_reset"

RULES: dict[str, Rule] = {
    AUDIT_VIEW: Rule("portal.view_audit_log", admin_override=True, refused="see the audit log"),
    SECURITY_LOG_VIEW: Rule("portal.view_security_log", admin_override=True, refused="see the security log"),
    USER_DEVICES_RESET: Rule(
        "portal.reset_user_devices", admin_override=True, refused="reset another person's sign-in devices"
    ),
}

# Which model permissions each role's Group holds (apps add theirs with register_role_permissions).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [],
    Role.SIGNATORY: [],
    Role.BOARD_MEMBER: [],
    Role.PCC_OFFICER: ["portal.view_audit_log", "portal.view_security_log", "portal.reset_user_devices"],
    Role.PCC: ["portal.view_audit_log", "portal.view_security_log"],
}


def register_rules(rules: dict[str, Rule]) -> None:
    """An app adds its actions to the vocabulary (at import of its rules module)."""
    for name, rule in rules.items():
        if name in RULES and RULES[name] != rule:
            raise ValueError(f"the permission rule {name} is already registered differently")
        RULES[name] = rule


def register_role_permissions(perms: dict[str, list[str]]) -> None:
    """An app gives roles the model permissions its rules need (synced to the role Groups after migrate)."""
    for role, names in perms.items():
        held = ROLE_PERMISSIONS.setdefault(Role(role), [])
        held.extend(name for name in names if name not in held)


def role_permissions(role: str) -> list[str]:
    """The model permissions a role's Group holds: its own and those of the roles it includes (the
    Commissioner can do whatever the PCC office's officers can)."""
    names = list(ROLE_PERMISSIONS.get(Role(role), []))
    for included in ROLE_INCLUDES.get(Role(role), ()):
        names.extend(name for name in ROLE_PERMISSIONS.get(included, []) if name not in names)
    return names


# --- Who the user is, cached on the request's user object -------------------------------------
@dataclass(frozen=True)
class Seat:
    """One active membership: a role held at a partner."""

    partner_id: int
    group_id: int
    role: str


SeatSource = Callable[[object], Iterable[tuple[int, int, str]]]
_seat_source: SeatSource = lambda user: ()  # noqa: E731 — until the partners app registers its memberships


def register_seat_source(source: SeatSource) -> None:
    """The partners app tells the engine where people's seats come from: source(user) yields
    (partner_id, partner_group_id, role) for each active membership at an active partner."""
    global _seat_source
    _seat_source = source


def seats(user) -> list[Seat]:
    """The user's active memberships (one query per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_cjp_seats", None)
    if cached is None:
        cached = [Seat(partner_id, group_id, role) for partner_id, group_id, role in _seat_source(user)]
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


def _current(perm_model, today: date | None = None) -> Q:
    """Grants that still hold today: a grant table with `valid_until` carries its own end date (a grant
    from a data-sharing agreement ends with it, whether or not the nightly task has run)."""
    if any(f.name == "valid_until" for f in perm_model._meta.get_fields()):
        return Q(valid_until__isnull=True) | Q(valid_until__gte=today or timezone.localdate())
    return Q()


def _groups_holding(obj: models.Model, codename: str, group_ids: Iterable[int]) -> set[int]:
    model = get_group_obj_perms_model(obj)
    return set(
        model.objects.filter(
            _current(model), content_object_id=obj.pk, permission__codename=codename, group_id__in=list(group_ids)
        ).values_list("group_id", flat=True)
    )


def _overrides(user, rule: Rule) -> bool:
    """The system passes every rule; a superuser passes the administrative ones only."""
    if is_system(user):
        return True
    return rule.admin_override and bool(getattr(user, "is_superuser", False) and user.is_active)


# --- The questions --------------------------------------------------------------------------
def can(user, action: str, obj: models.Model | None = None) -> bool:
    """May the user take this action (on this row, when given)?"""
    rule = RULES[action]
    if _overrides(user, rule):
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
    """Raise PermissionDenied (403) unless the user may take the action; it names the action refused."""
    if not can(user, action, obj):
        raise PermissionDenied(refusal(action))


def refusal(action: str) -> str:
    """What the 403 page says: the action refused, in words."""
    words = RULES[action].refused
    return f"You cannot {words}." if words else "Your role does not allow this action."


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
    if _overrides(user, rule):
        return queryset
    candidates = _seats_for(user, rule)
    if not candidates:
        return queryset.none()
    if rule.object_perm is None or _covers_all_rows(user, rule, candidates):
        return queryset
    guarded_model = queryset.model._meta.get_field(rule.via).related_model if rule.via else queryset.model
    perm_model = get_group_obj_perms_model(guarded_model)
    granted = perm_model.objects.filter(
        _current(perm_model),
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
    return any(seat.role in PCC_OFFICE_ROLES for seat in seats(user))


def is_signing_role(role: str) -> bool:
    """Whether a role signs for its own partner (a signatory; the Commissioner for the PCC office)."""
    return role in SIGNING_ROLES


# --- Grants, called only by services ---------------------------------------------------------
def grant(codename: str, group: Group, obj: models.Model, *, valid_until: date | None = None) -> None:
    """Give a partner's Group an object permission on a row (until a day, where the grant table has
    `valid_until`; otherwise for as long as it is not revoked)."""
    assign_perm(f"{obj._meta.app_label}.{codename}", group, obj)
    model = get_group_obj_perms_model(obj)
    if any(f.name == "valid_until" for f in model._meta.get_fields()):
        model.objects.filter(content_object_id=obj.pk, group=group, permission__codename=codename).update(
            valid_until=valid_until
        )


def revoke(codename: str, group: Group, obj: models.Model) -> None:
    """Take an object permission on a row away from a partner's Group."""
    remove_perm(f"{obj._meta.app_label}.{codename}", group, obj)


FOREVER = date.max  # a wanted grant with no end date (sync_grants)


def sync_grants(
    objects: Iterable[models.Model],
    wanted: dict[tuple[int, int, str], date],
    *,
    group_ids: Iterable[int] | None = None,
    codenames: Iterable[str] | None = None,
) -> tuple[int, int]:
    """Make the partner Groups' object permissions on these rows exactly `wanted`: {(group id, row pk,
    codename): valid until (FOREVER for none)}. Only grants of `group_ids` and `codenames` (when given)
    are looked at, so a sync of some Groups never touches the others'. Returns (granted, revoked); a grant
    whose end date changes is updated in place, not counted."""
    objects = {obj.pk: obj for obj in objects}
    if not objects:
        return 0, 0
    model = get_group_obj_perms_model(next(iter(objects.values())))
    rows = model.objects.filter(content_object_id__in=list(objects))
    if group_ids is not None:
        rows = rows.filter(group_id__in=list(group_ids))
    if codenames is not None:
        rows = rows.filter(permission__codename__in=list(codenames))
    has_until = any(f.name == "valid_until" for f in model._meta.get_fields())
    fields = ["group_id", "content_object_id", "permission__codename"] + (["valid_until"] if has_until else [])
    held = {
        (gid, pk, codename): (rest[0] if rest and rest[0] else FOREVER)
        for gid, pk, codename, *rest in rows.values_list(*fields)
    }
    groups = Group.objects.in_bulk({gid for gid, _, _ in set(wanted) | set(held)})
    for gid, pk, codename in sorted(set(held) - set(wanted)):
        revoke(codename, groups[gid], objects[pk])
    granted = 0
    for key, until in sorted(wanted.items()):
        if held.get(key) != until:
            gid, pk, codename = key
            grant(codename, groups[gid], objects[pk], valid_until=None if until == FOREVER else until)
            granted += key not in held
    return granted, len(set(held) - set(wanted))


def sync_grants_on(obj: models.Model, wanted: Iterable[tuple[int, str]]) -> tuple[int, int]:
    """sync_grants for one row and grants without an end date: `wanted` is {(group id, codename)}."""
    return sync_grants([obj], {(gid, obj.pk, codename): FOREVER for gid, codename in wanted})


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
    for role in ROLE_PERMISSIONS:
        group, _ = Group.objects.get_or_create(name=role_group_name(role))
        wanted = []
        for name in role_permissions(role):
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
