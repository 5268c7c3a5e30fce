"""Writing sections together, and the supporting documents of a version."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Partner
from portal import permissions, ratelimit
from portal.actors import is_system, require_actor
from portal.audit import snapshot
from portal.files import upload_accept, upload_store
from portal.text import check_text

from ... import rules
from .. import limits
from ..models import Plan, PlanAttachment, PlanSection, PlanVersion
from .common import (
    ATTACHMENT_FOLDER,
    ATTACHMENT_KINDS,
    V,
    _audit,
    _check_draft,
    _check_section_text,
    _check_version_room,
    _lock_version,
    _person,
    _runners,
)


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
        raise PermissionDenied(permissions.refusal(rules.PLAN_CONTRIBUTE))
    _check_section_text(title=title, body=body)
    _check_version_room(version, body=body, replacing=section)
    before = snapshot(section, ["title", "body"])
    if title is not None:
        if not title.strip():
            raise ValidationError({"title": "Enter the section's title"})
        section.title = title.strip()
    section.body = body
    after = snapshot(section, ["title", "body"])
    if before == after:
        return section  # nothing changed: who last changed it stays as it was
    section.updated_at, section.updated_by = timezone.now(), _person(by)
    section.save()
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
    _check_section_text(title=title, body=body)
    _check_version_room(version, body=body)
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
    if partner.pk in {p.pk for p in _runners(plan)}:
        return
    if not plan.contributors.filter(pk=partner.pk).exists():
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


# --- Documents -----------------------------------------------------------------------------------
@transaction.atomic
def plan_attachment_add(*, version: PlanVersion, title: str, uploaded_file, by) -> PlanAttachment:
    """A supporting document (PDF, DOCX or XLSX) on a draft, checked and stored by the upload helper."""
    require_actor(by)
    version = _lock_version(version)
    permissions.check(by, rules.PLAN_MANAGE, version.plan)
    _check_draft(version)
    if not (title or "").strip():
        raise ValidationError({"title": "Enter a title for the document"})
    check_text(field="title", value=title.strip(), limit=limits.DOCUMENT_TITLE, subject="The title", single_line=True)
    ratelimit.hit(ratelimit.UPLOADS, by=by)
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
