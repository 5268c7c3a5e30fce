"""Writing plans together: plans, versions, sections, actions, comments and documents."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Partner
from portal import permissions
from portal.actors import is_system, require_actor
from portal.audit import snapshot
from portal.files import upload_accept, upload_store

from ... import rules
from ..models import Plan, PlanAction, PlanAttachment, PlanComment, PlanSection, PlanVersion
from .common import (
    ATTACHMENT_FOLDER,
    ATTACHMENT_KINDS,
    PLAN_FIELDS,
    V,
    _audit,
    _check_draft,
    _label,
    _lock_version,
    _pcc_office,
    _person,
    _sync_plan_grants,
)


# --- Plans and their versions --------------------------------------------------------------------
@transaction.atomic
def plan_create(
    *,
    kind: str,
    title: str,
    period_start: date,
    period_end: date,
    owner: Partner | None,
    contributors=(),
    priorities=(),
    targets=(),
    summary: str = "",
    sections=(),
    by,
) -> Plan:
    """A new plan with its first draft version. `sections`: (title, body, assigned partner or None)."""
    require_actor(by)
    runner = owner or next(iter(_pcc_office()), None)
    if runner is None or not permissions.can(by, rules.PLAN_CREATE, runner):
        raise PermissionDenied
    plan = Plan(
        kind=kind,
        title=title,
        summary=summary,
        period_start=period_start,
        period_end=period_end,
        owner=owner,
        created_by=_person(by),
    )
    plan.full_clean()
    plan.save()
    plan.contributors.set([p for p in contributors if owner is None or p.pk != owner.pk])
    plan.priorities.set(priorities)
    plan.targets.set(targets)
    _sync_plan_grants(plan)
    version = PlanVersion.objects.create(plan=plan, number=1, created_by=_person(by), change_note="First draft")
    for order, (section_title, body, assigned) in enumerate(sections, start=1):
        PlanSection.objects.create(
            version=version, order=order, title=section_title, body=body, assigned_to=assigned, updated_by=_person(by)
        )
    _audit(
        by=by,
        plan=plan,
        action="plan.create",
        summary=f"{plan.get_kind_display()} '{title}' started",
        after={
            **snapshot(plan, PLAN_FIELDS),
            "contributors": sorted(plan.contributors.values_list("slug", flat=True)),
            "sections": [s[0] for s in sections],
        },
    )
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, by, contributors=None, priorities=None, targets=None, **fields) -> Plan:
    """Change a plan's title, summary, period, contributors or links (while a draft is open)."""
    require_actor(by)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    permissions.check(by, rules.PLAN_MANAGE, plan)
    if not plan.versions.filter(status=V.DRAFT).exists():
        raise ValidationError("Start a new version to change the plan: the current one is not a draft")
    before = {**snapshot(plan, PLAN_FIELDS), "contributors": sorted(plan.contributors.values_list("slug", flat=True))}
    for name, value in fields.items():
        if name not in ("title", "summary", "period_start", "period_end"):
            raise ValueError(f"{name} cannot be changed here")
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    if contributors is not None:
        plan.contributors.set([p for p in contributors if plan.owner_id is None or p.pk != plan.owner_id])
    if priorities is not None:
        plan.priorities.set(priorities)
    if targets is not None:
        plan.targets.set(targets)
    _sync_plan_grants(plan)
    after = {**snapshot(plan, PLAN_FIELDS), "contributors": sorted(plan.contributors.values_list("slug", flat=True))}
    if before != after:
        _audit(by=by, plan=plan, action="plan.update", summary="Plan details changed", before=before, after=after)
    return plan


def _copy_version(source: PlanVersion, *, by, change_note: str) -> PlanVersion:
    number = (source.plan.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = PlanVersion.objects.create(
        plan=source.plan, number=number, based_on=source, created_by=_person(by), change_note=change_note[:500]
    )
    PlanSection.objects.bulk_create(
        [
            PlanSection(
                version=version,
                key=s.key,
                order=s.order,
                title=s.title,
                body=s.body,
                assigned_to_id=s.assigned_to_id,
                updated_by=_person(by),
            )
            for s in source.sections.all()
        ]
    )
    PlanAction.objects.bulk_create(
        [
            PlanAction(
                version=version,
                key=a.key,
                order=a.order,
                what=a.what,
                owner_id=a.owner_id,
                due_date=a.due_date,
                target_id=a.target_id,
                status=a.status,
            )
            for a in source.actions.all()
        ]
    )
    return version


@transaction.atomic
def plan_version_start(*, plan: Plan, by, change_note: str = "") -> PlanVersion:
    """A new draft from the latest version (to revise an agreed plan); refused while one is open."""
    require_actor(by)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    permissions.check(by, rules.PLAN_MANAGE, plan)
    if plan.versions.filter(status__in=PlanVersion.OPEN_STATUSES).exists():
        raise ValidationError("A version is already being written or signed off: finish that one first")
    latest = plan.versions.order_by("-number").first()
    version = _copy_version(latest, by=by, change_note=change_note or f"Revision of version {latest.number}")
    _audit(
        by=by,
        plan=plan,
        action="plan.version_start",
        summary=f"Version {version.number} started from version {latest.number}",
        after={"version": version.number, "based_on": latest.number},
    )
    return version


# --- Writing together ------------------------------------------------------------------------------
def section_editor_row(section: PlanSection):
    """The partner whose officers write a section: the one it is assigned to, else the plan's owner
    (the board's own plans: the PCC office, through PLAN_MANAGE)."""
    return section.assigned_to or section.version.plan.owner


def can_edit_section(user, section: PlanSection) -> bool:
    if section.version.status != V.DRAFT:
        return False
    partner = section_editor_row(section)
    if partner is None:
        return permissions.can(user, rules.PLAN_MANAGE, section.version.plan)
    return permissions.can(user, rules.PLAN_CONTRIBUTE, partner)


@transaction.atomic
def plan_section_update(*, section: PlanSection, body: str, by, title: str | None = None) -> PlanSection:
    """A contributing partner's officer writes a section assigned to their partner (draft versions only)."""
    require_actor(by)
    version = _lock_version(section.version)
    section = PlanSection.objects.select_for_update(of=("self",)).select_related("assigned_to").get(pk=section.pk)
    _check_draft(version)
    section.version = version
    if not is_system(by) and not can_edit_section(by, section):
        raise PermissionDenied
    before = snapshot(section, ["title", "body"])
    if title is not None:
        if not title.strip():
            raise ValidationError({"title": "Enter the section's title"})
        section.title = title.strip()
    section.body = body
    section.updated_at, section.updated_by = timezone.now(), _person(by)
    section.save()
    after = snapshot(section, ["title", "body"])
    if before != after:
        _audit(
            by=by,
            plan=version.plan,
            action="plan.section_update",
            partner=section.assigned_to,
            summary=f"Version {version.number}: section '{section.title}' changed",
            before=before,
            after=after,
        )
    return section


@transaction.atomic
def plan_section_add(
    *, version: PlanVersion, title: str, body: str = "", assigned_to: Partner | None = None, by
) -> PlanSection:
    """The plan's owner adds a section to a draft and says which partner writes it."""
    require_actor(by)
    version = _lock_version(version)
    permissions.check(by, rules.PLAN_MANAGE, version.plan)
    _check_draft(version)
    if not title.strip():
        raise ValidationError({"title": "Enter the section's title"})
    _check_contributor(version.plan, assigned_to, field="assigned_to")
    order = (version.sections.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    section = PlanSection.objects.create(
        version=version, order=order, title=title.strip(), body=body, assigned_to=assigned_to, updated_by=_person(by)
    )
    _audit(
        by=by,
        plan=version.plan,
        action="plan.section_add",
        summary=f"Version {version.number}: section '{section.title}' added"
        + (f", for {assigned_to.short_name} to write" if assigned_to else ""),
        after={"title": section.title, "assigned_to": assigned_to.slug if assigned_to else None},
    )
    return section


def _check_contributor(plan: Plan, partner: Partner | None, *, field: str) -> None:
    if partner is None:
        return
    if partner.pk != plan.owner_id and not plan.contributors.filter(pk=partner.pk).exists():
        raise ValidationError(
            {field: f"{partner.short_name} does not contribute to this plan: add it as a contributing partner first"}
        )


def _check_target(plan: Plan, target, *, field: str = "target") -> None:
    """A plan linked to targets takes actions towards those targets only."""
    if target is None:
        return
    linked = plan.targets.values_list("pk", flat=True)
    if linked and target.pk not in set(linked):
        raise ValidationError({field: "Choose one of the targets this plan is linked to, or no target"})


@transaction.atomic
def plan_action_add(*, version: PlanVersion, what: str, owner: Partner, due_date: date, target=None, by) -> PlanAction:
    """The plan's owner adds a delivery action (what, which partner, by when, towards which target)."""
    require_actor(by)
    version = _lock_version(version)
    permissions.check(by, rules.PLAN_MANAGE, version.plan)
    _check_draft(version)
    if not what.strip():
        raise ValidationError({"what": "Enter what will be done"})
    _check_contributor(version.plan, owner, field="owner")
    _check_target(version.plan, target)
    order = (version.actions.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    action = PlanAction.objects.create(
        version=version, order=order, what=what.strip(), owner=owner, due_date=due_date, target=target
    )
    _audit(
        by=by,
        plan=version.plan,
        action="plan.action_add",
        partner=owner,
        summary=f"Version {version.number}: action '{action.what}' for {owner.short_name}, due {due_date:%d %B %Y}",
        after=snapshot(action, ["what", "owner", "due_date", "target", "status"]),
    )
    return action


@transaction.atomic
def plan_action_update(*, action: PlanAction, by, **fields) -> PlanAction:
    """The action's partner updates it on a draft: what, due date, target or status."""
    require_actor(by)
    version = _lock_version(action.version)
    action = PlanAction.objects.select_for_update().get(pk=action.pk)
    _check_draft(version)
    if not is_system(by) and not (
        permissions.can(by, rules.PLAN_CONTRIBUTE, action.owner) or permissions.can(by, rules.PLAN_MANAGE, version.plan)
    ):
        raise PermissionDenied
    before = snapshot(action, ["what", "due_date", "target", "status"])
    for name, value in fields.items():
        if name not in ("what", "due_date", "target", "status"):
            raise ValueError(f"{name} cannot be changed here")
        setattr(action, name, value)
    if "target" in fields:
        _check_target(version.plan, fields["target"])
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
def plan_comment_add(*, section: PlanSection, body: str, by, parent: PlanComment | None = None) -> PlanComment:
    """A comment on a section (or a reply), by anyone who may see the draft, while it is written or signed off."""
    require_actor(by)
    section = PlanSection.objects.select_related("version__plan").get(pk=section.pk)
    permissions.check(by, rules.PLAN_VIEW, section.version.plan)
    if section.version.status not in PlanVersion.OPEN_STATUSES:
        raise ValidationError("Comments are closed: this version is no longer being written or signed off")
    if not (body or "").strip():
        raise ValidationError({"body": "Enter your comment"})
    if parent is not None and parent.section_id != section.pk:
        raise ValidationError("A reply must be on the same section")
    seats = [s.partner_id for s in permissions.seats(by)] if not is_system(by) else []
    comment = PlanComment.objects.create(
        section=section,
        parent=parent,
        author=_person(by),
        author_label=_label(by),
        partner_id=seats[0] if seats else None,
        body=body.strip(),
    )
    _audit(
        by=by,
        plan=section.version.plan,
        action="plan.comment",
        partner=comment.partner,
        summary=f"Version {section.version.number}: {'reply' if parent else 'comment'} on '{section.title}'",
        after={"comment": comment.pk, "parent": parent.pk if parent else None},
    )
    return comment


@transaction.atomic
def plan_attachment_add(*, version: PlanVersion, title: str, uploaded_file, by) -> PlanAttachment:
    """A supporting document (PDF, DOCX or XLSX) on a draft, checked and stored by the upload helper."""
    require_actor(by)
    version = _lock_version(version)
    permissions.check(by, rules.PLAN_MANAGE, version.plan)
    _check_draft(version)
    if not (title or "").strip():
        raise ValidationError({"title": "Enter a title for the document"})
    accepted = upload_accept(uploaded_file, allowed=ATTACHMENT_KINDS)
    relative = upload_store(uploaded_file, accepted, folder=ATTACHMENT_FOLDER)
    attachment = PlanAttachment.objects.create(
        version=version,
        title=title.strip(),
        file_path=relative,
        original_filename=accepted.original_name,
        kind=accepted.kind,
        size=accepted.size,
        sha256=accepted.sha256,
        uploaded_by=_person(by),
    )
    _audit(
        by=by,
        plan=version.plan,
        action="plan.attachment_add",
        summary=f"Version {version.number}: document '{attachment.title}' attached",
        after={"title": attachment.title, "kind": attachment.kind, "sha256": attachment.sha256},
    )
    return attachment
