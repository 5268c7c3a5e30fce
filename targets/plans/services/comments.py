"""Comments on sections and their threads: added, resolved; their writers told."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Membership, Role
from portal import permissions, ratelimit
from portal.actors import is_system, require_actor
from portal.notifications import notify
from portal.roles import PCC_OFFICE_ROLES
from portal.text import check_text

from ... import rules
from .. import limits
from ..models import PlanComment, PlanSection, PlanVersion
from .common import (
    _audit,
    _label,
    _pcc_office,
    _person,
)
from .sections import can_edit_section, section_editor_row


# --- Comments ------------------------------------------------------------------------------------
def _writers_of(section: PlanSection) -> list[int]:
    """Who writes a section: the officers of the partner it is assigned to (of the owner; the PCC office's
    for the board's own plans)."""
    partner = section_editor_row(section)
    if partner is None:
        partners, roles = _pcc_office(), list(PCC_OFFICE_ROLES)
    else:
        partners, roles = [partner], [Role.OFFICER, *PCC_OFFICE_ROLES]
    return list(
        Membership.objects.active()
        .filter(partner__in=partners, role__in=roles, user__is_active=True)
        .values_list("user_id", flat=True)
    )


@transaction.atomic
def plan_comment_add(*, section: PlanSection, body: str, by, parent: PlanComment | None = None) -> PlanComment:
    """A comment on a section (or a reply), by anyone who may see the draft, while it is written or signed
    off. The section's writers (and, for a reply, the thread's author) are told."""
    require_actor(by)
    section = PlanSection.objects.select_related("version__plan", "version__plan__owner", "assigned_to").get(
        pk=section.pk
    )
    permissions.check(by, rules.PLAN_VIEW, section.version.plan)
    if section.version.status not in PlanVersion.OPEN_STATUSES:
        raise ValidationError("Comments are closed: this version is no longer being written or signed off")
    if not (body or "").strip():
        raise ValidationError({"body": "Enter your comment"})
    check_text(field="body", value=body.strip(), limit=limits.COMMENT, subject="Your comment")
    if parent is not None and parent.section_id != section.pk:
        raise ValidationError("A reply must be on the same section")
    ratelimit.hit(limits.COMMENTS, by=by)
    seats = [s.partner_id for s in permissions.seats(by)] if not is_system(by) else []
    comment = PlanComment.objects.create(
        section=section,
        parent=parent,
        author=_person(by),
        author_label=_label(by),
        partner_id=seats[0] if seats else None,
        body=body.strip(),
    )
    version = section.version
    _audit(
        by=by,
        plan=version.plan,
        action="plan.comment",
        partner=comment.partner,
        summary=f"Version {version.number}: {'reply' if parent else 'comment'} on '{section.title}'",
        after={"comment": comment.pk, "parent": parent.pk if parent else None},
    )
    told = set(_writers_of(section))
    if parent is not None and parent.author_id:
        told.add(parent.author_id)
    told.discard(getattr(by, "pk", None))
    if told:
        notify(
            users=told,
            kind="plan.comment",
            by=by,
            url=f"{version.get_absolute_url()}#comment-{comment.pk}",
            title=f"{comment.author_label} {'replied' if parent else 'commented'} on '{section.title}'",
            body=f"On version {version.number} of '{version.display_title}': “{comment.body[:300]}”",
        )
    return comment


def can_resolve_comment(user, comment: PlanComment, section: PlanSection) -> bool:
    """A thread is resolved by its author, the section's writers or the plan's owner, while the version is open."""
    if comment.parent_id or comment.resolved_at or section.version.status not in PlanVersion.OPEN_STATUSES:
        return False
    if comment.author_id and comment.author_id == getattr(user, "pk", None):
        return True
    return can_edit_section(user, section) or permissions.can(user, rules.PLAN_MANAGE, section.version.plan)


@transaction.atomic
def plan_comment_resolve(*, comment: PlanComment, by) -> PlanComment:
    """Close a comment thread: it is kept with this version, and not carried to the next."""
    require_actor(by)
    comment = (
        PlanComment.objects.select_for_update(of=("self",))
        .select_related("section__version__plan", "section__assigned_to")
        .get(pk=comment.pk)
    )
    section = comment.section
    if comment.parent_id:
        raise ValidationError("Resolve the thread from its first comment")
    if comment.resolved_at:
        return comment
    if not is_system(by) and not can_resolve_comment(by, comment, section):
        raise PermissionDenied(
            "You cannot resolve this comment: its author, the section's writers or the plan's owner can."
        )
    comment.resolved_at, comment.resolved_by_label = timezone.now(), _label(by)
    comment.save(update_fields=["resolved_at", "resolved_by_label"])
    _audit(
        by=by,
        plan=section.version.plan,
        action="plan.comment_resolve",
        summary=f"Version {section.version.number}: {comment.author_label}'s comment on '{section.title}' resolved",
        after={"comment": comment.pk},
    )
    return comment
