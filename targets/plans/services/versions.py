"""Plans and their versions: starting a plan, its details and contributors (and who takes over the work of
one removed), a new version made from another (with its open comment threads), and what changed in it."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from partners.models import Partner
from portal import permissions
from portal.actors import require_actor
from portal.audit import snapshot
from portal.text import check_text

from ... import rules
from .. import limits
from ..models import Plan, PlanAction, PlanAttachment, PlanComment, PlanSection, PlanVersion
from .common import (
    PLAN_FIELDS,
    V,
    _audit,
    _check_draft,
    _check_plan_details,
    _check_section_text,
    _details_to_version,
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
