"""Writing plans together: plans, versions, sections, actions, comments and documents."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Membership, Partner, Role
from portal import permissions, ratelimit
from portal.actors import is_system, require_actor
from portal.audit import snapshot
from portal.files import upload_accept, upload_store
from portal.formats import gov_date
from portal.notifications import notify
from portal.roles import PCC_OFFICE_ROLES
from portal.text import check_text

from ... import rules
from .. import limits
from ..models import Plan, PlanAction, PlanAttachment, PlanComment, PlanSection, PlanVersion
from .common import (
    ATTACHMENT_FOLDER,
    ATTACHMENT_KINDS,
    PLAN_FIELDS,
    V,
    _audit,
    _check_draft,
    _check_plan_details,
    _check_section_text,
    _check_version_room,
    _details_to_version,
    _label,
    _lock_plan,
    _lock_version,
    _pcc_office,
    _person,
    _runners,
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
        raise PermissionDenied(permissions.refusal(rules.PLAN_CREATE))
    _check_plan_details(title=title, summary=summary)
    sections = list(sections)
    for section_title, body, _ in sections:
        _check_section_text(title=section_title, body=body)
    if len(sections) > limits.SECTIONS_PER_VERSION or sum(len(b or "") for _, b, _ in sections) > limits.VERSION_TEXT:
        raise ValidationError(
            f"A version can have {limits.SECTIONS_PER_VERSION} sections and {limits.VERSION_TEXT:,} characters in "
            "them at most"
        )
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
    _details_to_version(plan, version)
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


class ReassignNeeded(ValidationError):
    """Contributors are being removed that still write sections or do actions in the draft: say whom each
    one's work goes to. `partners`: each such partner with `.sections` and `.actions` counts."""

    def __init__(self, partners: list[Partner]):
        self.partners = partners
        names = ", ".join(p.name for p in partners)
        super().__init__(
            f"{names} still {'writes sections or does actions' if len(partners) == 1 else 'write sections or do actions'}"
            f" in the draft: choose who takes them over before removing {'it' if len(partners) == 1 else 'them'}",
            code="reassign",
        )


def _work_of(draft: PlanVersion, partner_ids) -> dict[int, tuple[int, int]]:
    """For each partner: how many sections it writes and actions it does in the draft."""
    work: dict[int, list[int]] = {pk: [0, 0] for pk in partner_ids}
    for pk in draft.sections.filter(assigned_to_id__in=list(partner_ids)).values_list("assigned_to_id", flat=True):
        work[pk][0] += 1
    for pk in draft.actions.filter(owner_id__in=list(partner_ids)).values_list("owner_id", flat=True):
        work[pk][1] += 1
    return {pk: (s, a) for pk, (s, a) in work.items() if s or a}


def plan_contributors_leaving(*, plan: Plan, contributors) -> list[Partner]:
    """The contributors a change would remove that still have work in the draft (with `.sections`,
    `.actions`): the page asks whom their work goes to."""
    draft = plan.versions.filter(status=V.DRAFT).first()
    if draft is None:
        return []
    keep = {p.pk for p in contributors}
    leaving = [p for p in plan.contributors.all() if p.pk not in keep]
    work = _work_of(draft, [p.pk for p in leaving])
    out = []
    for partner in leaving:
        if partner.pk in work:
            partner.sections, partner.actions = work[partner.pk]
            out.append(partner)
    return out


@transaction.atomic
def plan_update(
    *, plan: Plan, by, contributors=None, priorities=None, targets=None, reassign: dict | None = None, **fields
) -> Plan:
    """Change a plan's title, summary, period, contributors or links (while a draft is open). A contributor
    removed while it still writes sections or does actions needs `reassign` {its id: the partner taking its
    work over}; otherwise ReassignNeeded is raised and nothing changes."""
    require_actor(by)
    plan = _lock_plan(plan.pk)
    permissions.check(by, rules.PLAN_MANAGE, plan)
    draft = plan.versions.filter(status=V.DRAFT).first()
    if draft is None:
        raise ValidationError("Start a new version to change the plan: the current one is not a draft")
    draft = _lock_version(draft)
    before = {**snapshot(plan, PLAN_FIELDS), "contributors": sorted(plan.contributors.values_list("slug", flat=True))}
    for name, value in fields.items():
        if name not in ("title", "summary", "period_start", "period_end"):
            raise ValueError(f"{name} cannot be changed here")
        setattr(plan, name, value)
    _check_plan_details(title=fields.get("title"), summary=fields.get("summary"))
    plan.full_clean()
    moved = {}
    if contributors is not None:
        contributors = [p for p in contributors if plan.owner_id is None or p.pk != plan.owner_id]
        moved = _reassign_work(plan, draft, contributors, reassign or {})
    plan.save()
    if contributors is not None:
        plan.contributors.set(contributors)
    if priorities is not None:
        plan.priorities.set(priorities)
    if targets is not None:
        plan.targets.set(targets)
    _sync_plan_grants(plan)
    _details_to_version(plan, draft)
    after = {**snapshot(plan, PLAN_FIELDS), "contributors": sorted(plan.contributors.values_list("slug", flat=True))}
    if before != after:
        _audit(
            by=by,
            plan=plan,
            action="plan.update",
            summary="Plan details changed"
            + "".join(f"; {old}'s sections and actions go to {new}" for old, new in moved.items()),
            before=before,
            after={**after, "reassigned": moved} if moved else after,
        )
    return plan


def _reassign_work(plan: Plan, draft: PlanVersion, contributors: list[Partner], reassign: dict) -> dict[str, str]:
    """Move the sections and actions of removed contributors to the partners chosen for them."""
    leaving = plan_contributors_leaving(plan=plan, contributors=contributors)
    missing = [p for p in leaving if p.pk not in reassign]
    if missing:
        raise ReassignNeeded(missing)
    allowed = {p.pk for p in [*_runners(plan), *contributors]}
    moved = {}
    for partner in leaving:
        heir = reassign[partner.pk]
        if heir is None or heir.pk not in allowed:
            raise ValidationError(
                {f"reassign_{partner.pk}": f"Choose who takes over {partner.name}'s sections and actions"}
            )
        draft.sections.filter(assigned_to=partner).update(assigned_to=heir)
        draft.actions.filter(owner=partner).update(owner=heir)
        moved[partner.short_name] = heir.short_name
    return moved


def _copy_version(source: PlanVersion, *, by, change_note: str) -> PlanVersion:
    """A new draft with the source's details, sections (who last changed each, as it was), actions (with their
    progress), documents and open comment threads."""
    number = (source.plan.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = PlanVersion.objects.create(
        plan=source.plan,
        number=number,
        based_on=source,
        created_by=_person(by),
        change_note=change_note[:500],
        title=source.title,
        summary=source.summary,
        period_start=source.period_start,
        period_end=source.period_end,
    )
    version.contributors.set(source.contributors.all())
    sections = list(source.sections.all())
    PlanSection.objects.bulk_create(
        [
            PlanSection(
                version=version,
                key=s.key,
                order=s.order,
                title=s.title,
                body=s.body,
                assigned_to_id=s.assigned_to_id,
                updated_at=s.updated_at,
                updated_by_id=s.updated_by_id,
            )
            for s in sections
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
                progress_note=a.progress_note,
                done_on=a.done_on,
                progress_at=a.progress_at,
                progress_by_id=a.progress_by_id,
                progress_by_label=a.progress_by_label,
            )
            for a in source.actions.all()
        ]
    )
    PlanAttachment.objects.bulk_create(
        [
            PlanAttachment(
                version=version,
                title=d.title,
                file_path=d.file_path,  # the stored file is never changed: both versions name it
                original_filename=d.original_filename,
                kind=d.kind,
                size=d.size,
                sha256=d.sha256,
                uploaded_at=d.uploaded_at,
                uploaded_by_id=d.uploaded_by_id,
            )
            for d in source.attachments.all()
        ]
    )
    _carry_open_threads(source, version)
    return version


def _carry_open_threads(source: PlanVersion, version: PlanVersion) -> None:
    """Open comment threads (not resolved) go on to the same section of the new version, replies and all."""
    new_sections = {s.key: s for s in version.sections.all()}
    threads = PlanComment.objects.filter(section__version=source, parent=None, resolved_at=None).select_related(
        "section"
    )
    for thread in threads.order_by("created_at", "id"):
        section = new_sections.get(thread.section.key)
        if section is None:
            continue
        carried = _copy_comment(thread, section, parent=None)
        for reply in thread.replies.order_by("created_at", "id"):
            _copy_comment(reply, section, parent=carried)


def _copy_comment(comment: PlanComment, section: PlanSection, *, parent: PlanComment | None) -> PlanComment:
    return PlanComment.objects.create(
        section=section,
        parent=parent,
        author_id=comment.author_id,
        author_label=comment.author_label,
        partner_id=comment.partner_id,
        body=comment.body,
        created_at=comment.created_at,
        carried_from=comment,
    )


@transaction.atomic
def plan_version_start(*, plan: Plan, by, change_note: str = "") -> PlanVersion:
    """A new draft from the latest version (to revise an agreed plan); refused while one is open."""
    require_actor(by)
    plan = _lock_plan(plan.pk)
    permissions.check(by, rules.PLAN_MANAGE, plan)
    check_text(field="change_note", value=change_note, limit=limits.CHANGE_NOTE, subject="What changed")
    if plan.versions.filter(status__in=PlanVersion.OPEN_STATUSES).exists():
        raise ValidationError("A version is already being written or signed off: finish that one first")
    latest = plan.versions.order_by("-number").first()
    version = _copy_version(latest, by=by, change_note=change_note)
    _audit(
        by=by,
        plan=plan,
        action="plan.version_start",
        summary=f"Version {version.number} started from version {latest.number}",
        after={"version": version.number, "based_on": latest.number},
    )
    return version


@transaction.atomic
def plan_version_note(*, version: PlanVersion, note: str, by) -> PlanVersion:
    """The owner says what changed in a draft: signatories read it with the version and in their request."""
    require_actor(by)
    version = _lock_version(version)
    permissions.check(by, rules.PLAN_MANAGE, version.plan)
    _check_draft(version)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"change_note": "Enter what changed in this version"})
    check_text(field="change_note", value=note, limit=limits.CHANGE_NOTE, subject="What changed")
    before = snapshot(version, ["change_note"])
    version.change_note = note
    version.save(update_fields=["change_note"])
    if before["change_note"] != note:
        _audit(
            by=by,
            plan=version.plan,
            action="plan.version_note",
            summary=f"Version {version.number}: what changed is now “{note}”",
            before=before,
            after={"change_note": note, "version": version.number},
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
