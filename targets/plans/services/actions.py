"""Delivery actions: added and changed on a draft; their progress recorded on the agreed version."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Partner
from portal import permissions
from portal.actors import is_system, require_actor
from portal.audit import snapshot
from portal.formats import gov_date
from portal.text import check_text

from ... import rules
from .. import limits
from ..models import PlanAction, PlanVersion
from .common import (
    V,
    _audit,
    _check_draft,
    _label,
    _lock_version,
    _person,
)
from .sections import _check_contributor, _check_target

PAST_DUE = "past_due"


def _check_action_what(what: str) -> None:
    check_text(field="what", value=what, limit=limits.ACTION_WHAT, subject="What will be done", single_line=True)


def _check_due_date(version: PlanVersion, due_date: date, *, confirm_past: bool, today: date | None = None) -> None:
    """An action is due within the plan's period; a date already past is taken only when confirmed (the
    action then shows as late at once)."""
    start = version.period_start or version.plan.period_start
    end = version.period_end or version.plan.period_end
    if not start <= due_date <= end:
        raise ValidationError(
            {
                "due_date": f"The due date must be within the plan's period, {gov_date(start)} to {gov_date(end)}: "
                "an action outside it belongs to another plan"
            }
        )
    today = today or timezone.localdate()
    if due_date < today and not confirm_past:
        raise ValidationError(
            {
                "due_date": ValidationError(
                    f"{gov_date(due_date)} has already passed, so the action would show as late at once. Check the "
                    "date, or confirm that it is right",
                    code=PAST_DUE,
                )
            }
        )


@transaction.atomic
def plan_action_add(
    *,
    version: PlanVersion,
    what: str,
    owner: Partner,
    due_date: date,
    target=None,
    by,
    confirm_past: bool = False,
    today: date | None = None,
) -> PlanAction:
    """The plan's owner adds a delivery action (what, which partner, by when, towards which target)."""
    require_actor(by)
    version = _lock_version(version)
    permissions.check(by, rules.PLAN_MANAGE, version.plan)
    _check_draft(version)
    if not what.strip():
        raise ValidationError({"what": "Enter what will be done"})
    _check_action_what(what)
    if version.actions.count() >= limits.ACTIONS_PER_VERSION:
        raise ValidationError(f"A version can have {limits.ACTIONS_PER_VERSION} delivery actions at most")
    _check_contributor(version.plan, owner, field="owner")
    _check_target(version.plan, target)
    _check_due_date(version, due_date, confirm_past=confirm_past, today=today)
    order = (version.actions.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    action = PlanAction.objects.create(
        version=version, order=order, what=what.strip(), owner=owner, due_date=due_date, target=target
    )
    _audit(
        by=by,
        plan=version.plan,
        action="plan.action_add",
        partner=owner,
        summary=f"Version {version.number}: action '{action.what}' for {owner.short_name}, due {gov_date(due_date)}",
        after=snapshot(action, ["what", "owner", "due_date", "target", "status"]),
    )
    return action


def can_update_action(user, action: PlanAction, version: PlanVersion) -> bool:
    """On a draft: the action's partner or the plan's owner changes it."""
    return version.status == V.DRAFT and (
        permissions.can(user, rules.PLAN_CONTRIBUTE, action.owner)
        or permissions.can(user, rules.PLAN_MANAGE, version.plan)
    )


def can_record_progress(user, action: PlanAction, version: PlanVersion) -> bool:
    """On an agreed version: the officers of the partner that does the action record how it is going."""
    return version.status == V.AGREED and permissions.can(user, rules.PLAN_CONTRIBUTE, action.owner)


@transaction.atomic
def plan_action_update(
    *, action: PlanAction, by, confirm_past: bool = False, today: date | None = None, **fields
) -> PlanAction:
    """The action's partner updates it on a draft: what, due date, target or status."""
    require_actor(by)
    version = _lock_version(action.version)
    action = PlanAction.objects.select_for_update().select_related("owner").get(pk=action.pk)
    _check_draft(version)
    if not is_system(by) and not can_update_action(by, action, version):
        raise PermissionDenied(permissions.refusal(rules.PLAN_CONTRIBUTE))
    before = snapshot(action, ["what", "due_date", "target", "status"])
    for name, value in fields.items():
        if name not in ("what", "due_date", "target", "status"):
            raise ValueError(f"{name} cannot be changed here")
        setattr(action, name, value)
    if "what" in fields:
        _check_action_what(fields["what"])
    if "target" in fields:
        _check_target(version.plan, fields["target"])
    if "due_date" in fields and fields["due_date"] != before["due_date"]:
        _check_due_date(version, fields["due_date"], confirm_past=confirm_past, today=today)
    if action.status != PlanAction.Status.DONE:
        action.done_on = None
    action.full_clean(exclude=["version", "owner"])
    action.save()
    after = snapshot(action, ["what", "due_date", "target", "status"])
    if before != after:
        _audit(
            by=by,
            plan=version.plan,
            action="plan.action_update",
            partner=action.owner,
            summary=f"Version {version.number}: action '{action.what}' updated ({action.get_status_display()})",
            before=before,
            after=after,
        )
    return action


@transaction.atomic
def plan_action_progress(
    *,
    action: PlanAction,
    by,
    status: str,
    progress_note: str = "",
    done_on: date | None = None,
    today: date | None = None,
) -> PlanAction:
    """Delivery after agreement: the action's partner records how it is going on the agreed version (status,
    a progress note, the day it was done). The plan's text stays locked; no new sign-off is needed."""
    require_actor(by)
    version = _lock_version(action.version)
    action = PlanAction.objects.select_for_update(of=("self",)).select_related("owner").get(pk=action.pk)
    if version.status != V.AGREED:
        raise ValidationError(
            f"Version {version.number} is {version.get_status_display().lower()}: progress is recorded on the "
            "agreed version"
        )
    if not is_system(by) and not can_record_progress(by, action, version):
        raise PermissionDenied(permissions.refusal(rules.PLAN_CONTRIBUTE))
    today = today or timezone.localdate()
    if status not in PlanAction.Status.values:
        raise ValidationError({"status": "Select how the action is going"})
    note = (progress_note or "").strip()
    check_text(field="progress_note", value=note, limit=limits.PROGRESS_NOTE, subject="The progress note")
    if status == PlanAction.Status.DONE:
        if done_on is None:
            raise ValidationError({"done_on": "Enter the date the action was done"})
        if done_on > today:
            raise ValidationError({"done_on": "The date it was done must be today or in the past"})
    else:
        done_on = None
    fields = ["status", "progress_note", "done_on"]
    before = snapshot(action, fields)
    action.status, action.progress_note, action.done_on = status, note, done_on
    if snapshot(action, fields) == before:
        return action
    action.progress_at, action.progress_by, action.progress_by_label = timezone.now(), _person(by), _label(by)
    action.save(update_fields=[*fields, "progress_at", "progress_by", "progress_by_label"])
    _audit(
        by=by,
        plan=version.plan,
        action="plan.action_progress",
        partner=action.owner,
        summary=f"Version {version.number}: progress on '{action.what}': {action.get_status_display()}"
        + (f", done on {gov_date(done_on)}" if done_on else "")
        + (f". “{note}”" if note else ""),
        before=before,
        after={**snapshot(action, fields), "version": version.number},
    )
    return action
