"""Every change to plans: writing them together, sending a version for sign-off, each partner's decision,
and the reminders and escalations that make the duty to sign off visible.

Each service runs in one transaction, checks `by` through portal.permissions (the system actor passes),
writes an audit event against the plan (one history per plan), and tells people through the core
notifications. Versions and sign-offs move only through their workflows (targets/plans/workflows.py).
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Membership, Partner, Role
from portal import permissions
from portal.actors import is_system, require_actor
from portal.audit import audit_record, snapshot
from portal.files import stored_path, upload_accept, upload_store  # noqa: F401 (stored_path: for the views)
from portal.notifications import notify
from portal.tasks import claim_once
from portal.working_days import add_working_days, working_days_between

from .. import rules
from .models import Plan, PlanAction, PlanAttachment, PlanComment, PlanSection, PlanSignOff, PlanVersion
from .workflows import PLAN_VERSION_FLOW, SIGNOFF_FLOW

V = PlanVersion.Status
S = PlanSignOff.Status
DEFAULT_SIGNOFF_WORKING_DAYS = 10
REMIND_WITHIN_WORKING_DAYS = 3
ESCALATE_AFTER_WORKING_DAYS = 5
ATTACHMENT_FOLDER = "plan-attachments"
ATTACHMENT_KINDS = ("pdf", "docx", "xlsx")
PLAN_FIELDS = ["kind", "title", "summary", "period_start", "period_end", "owner"]


def _audit(*, by, plan: Plan, action: str, summary: str, partner=None, before=None, after=None):
    """Every plan event is filed against the plan, so its history is one list."""
    return audit_record(
        actor=by,
        partner=partner or plan.owner,
        action=action,
        object_type="targets.plan",
        object_id=plan.pk,
        summary=summary,
        before=before,
        after=after,
    )


def _person(by):
    return by if getattr(by, "is_authenticated", False) else None


def _label(by) -> str:
    if not getattr(by, "is_authenticated", False):
        return getattr(by, "label", "system")
    return (by.get_full_name() or by.get_username())[:200]


def _pcc_office() -> list[Partner]:
    return list(Partner.objects.filter(kind=Partner.Kind.PCC_OFFICE, active=True))


def _sync_plan_grants(plan: Plan) -> None:
    """Who may see the plan's drafts and run it: its owner (or the PCC office for the board's plans) and
    its contributors. Recomputed whole; only this service grants or revokes on plans."""
    runners = [plan.owner] if plan.owner else _pcc_office()
    viewers = {p.pk: p for p in [*runners, *plan.contributors.all()]}
    wanted = {(p.group_id, "view_plan") for p in viewers.values()} | {(p.group_id, "manage_plan") for p in runners}
    from .models import PlanGroupObjectPermission

    held = set(
        PlanGroupObjectPermission.objects.filter(content_object=plan).values_list("group_id", "permission__codename")
    )
    groups = {p.group_id: p.group for p in [*viewers.values(), *runners]}
    from django.contrib.auth.models import Group

    groups.update(Group.objects.in_bulk({gid for gid, _ in held - wanted}))
    for gid, codename in sorted(held - wanted):
        permissions.revoke(codename, groups[gid], plan)
    for gid, codename in sorted(wanted - held):
        permissions.grant(codename, groups[gid], plan)


def _check_draft(version: PlanVersion) -> None:
    if version.status != V.DRAFT:
        raise ValidationError(
            f"Version {version.number} is {version.get_status_display().lower()}: only a draft can be changed"
        )


def _lock_version(version: PlanVersion) -> PlanVersion:
    return PlanVersion.objects.select_for_update(of=("self",)).select_related("plan", "plan__owner").get(pk=version.pk)


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


# --- Sign-off ---------------------------------------------------------------------------------------
def required_partners(plan: Plan) -> list[Partner]:
    """Who must sign a version off: the owner (for the board's plans, the PCC office) and every contributor."""
    first = [plan.owner] if plan.owner else _pcc_office()
    partners = {p.pk: p for p in [*first, *plan.contributors.filter(active=True)]}
    return sorted(partners.values(), key=lambda p: p.name)


def signatories_of(partner_ids) -> list[int]:
    """The current signatories of these partners (user ids)."""
    return list(
        Membership.objects.active()
        .filter(partner_id__in=list(partner_ids), role=Role.SIGNATORY, user__is_active=True)
        .values_list("user_id", flat=True)
    )


@transaction.atomic
def plan_version_send(
    *, version: PlanVersion, by, working_days: int = DEFAULT_SIGNOFF_WORKING_DAYS, today: date | None = None
) -> PlanVersion:
    """The owner sends a draft to every required partner's signatory, due in `working_days` working days."""
    today = today or timezone.localdate()
    version = PLAN_VERSION_FLOW.begin("send", version, by=by)
    plan = version.plan
    if not 1 <= working_days <= 60:
        raise ValidationError({"working_days": "Give between 1 and 60 working days for the sign-off"})
    if not version.sections.exists():
        raise ValidationError("Add at least one section before sending the plan for sign-off")
    due = add_working_days(today, working_days)
    partners = required_partners(plan)
    PlanSignOff.objects.bulk_create([PlanSignOff(version=version, partner=p, due=due) for p in partners])
    PLAN_VERSION_FLOW.finish(
        version,
        "send",
        by=by,
        partner=plan.owner,
        changes={"sent_at": timezone.now(), "signoff_due": due},
        summary=f"Version {version.number} sent for sign-off by {len(partners)} partners, due {due.day} {due:%B %Y}",
    )
    _audit(
        by=by,
        plan=plan,
        action="plan.send",
        summary=f"Version {version.number} sent for sign-off, due {due.day} {due:%B %Y}",
        after={"version": version.number, "due": due.isoformat(), "partners": [p.slug for p in partners]},
    )
    notify(
        users=signatories_of([p.pk for p in partners]),
        kind="plan.signoff_requested",
        by=by,
        url=version.get_absolute_url(),
        title=f"{plan.title} (version {version.number}) is waiting for your sign-off",
        body=f"{plan.owner_name} has sent version {version.number} of '{plan.title}' for sign-off by "
        f"{due.day} {due:%B %Y}. Read it, then sign it off for your organisation or return it with reasons.",
    )
    return version


def _lock_signoff_for_decision(signoff: PlanSignOff) -> tuple[PlanVersion, PlanSignOff]:
    """Lock the version, then the partner's sign-off (always in that order: no deadlock between two
    partners deciding at once); say who decided already, and when, if someone did."""
    version = _lock_version(signoff.version)
    signoff = (
        PlanSignOff.objects.select_for_update(of=("self",)).select_related("partner", "decided_by").get(pk=signoff.pk)
    )
    if signoff.status in (S.SIGNED, S.RETURNED):
        when = timezone.localtime(signoff.decided_at)
        raise ValidationError(
            f"{signoff.partner.short_name} has already {'signed off' if signoff.status == S.SIGNED else 'returned'} "
            f"version {version.number}: {signoff.decided_by_label} decided on {when.day} {when:%B %Y at %H:%M}."
        )
    if version.status != V.IN_SIGNOFF or signoff.status != S.PENDING:
        raise ValidationError(f"Version {version.number} is no longer waiting for sign-off")
    signoff.version = version
    return version, signoff


@transaction.atomic
def plan_signoff_sign(
    *, signoff: PlanSignOff, by, statement: str = "", confirmed_at: datetime | None = None, signer_label: str = ""
) -> PlanSignOff:
    """A required partner's signatory signs the version off (step-up); when every partner has, it is agreed
    and locked, and the version it replaces is superseded."""
    version, signoff = _lock_signoff_for_decision(signoff)
    SIGNOFF_FLOW.begin("sign", signoff, by=by, confirmed_at=confirmed_at, lock=False)
    label = signer_label if (signer_label and not getattr(by, "is_authenticated", False)) else _label(by)
    SIGNOFF_FLOW.finish(
        signoff,
        "sign",
        by=by,
        partner=signoff.partner,
        changes={
            "statement": (statement or "").strip(),
            "decided_by": _person(by),
            "decided_by_label": label,
            "decided_at": timezone.now(),
        },
        summary=f"{signoff.partner.short_name} signed off version {version.number}",
    )
    _audit(
        by=by,
        plan=version.plan,
        action="plan.signoff_sign",
        partner=signoff.partner,
        summary=f"{signoff.partner.short_name} signed off version {version.number}"
        + (f": “{signoff.statement}”" if signoff.statement else ""),
        after={"version": version.number, "partner": signoff.partner.slug, "by": label},
    )
    if not version.signoffs.exclude(pk=signoff.pk).exclude(status=S.SIGNED).exists():
        _agree(version, by=by)
    return signoff


def _agree(version: PlanVersion, *, by) -> None:
    plan = version.plan
    for older in PlanVersion.objects.select_for_update().filter(plan=plan, status=V.AGREED).exclude(pk=version.pk):
        PLAN_VERSION_FLOW.finish(
            older,
            "supersede",
            by=by,
            partner=plan.owner,
            changes={"closed_at": timezone.now()},
            summary=f"Version {older.number} superseded by version {version.number}",
        )
    PLAN_VERSION_FLOW.finish(
        version,
        "agree",
        by=by,
        partner=plan.owner,
        changes={"agreed_at": timezone.now()},
        summary=f"Version {version.number} agreed: every required partner signed it off",
    )
    _audit(
        by=by,
        plan=plan,
        action="plan.agree",
        summary=f"Version {version.number} agreed by every required partner; it is now locked",
    )
    notify(
        users=_people_of_plan(plan),
        kind="plan.agreed",
        by=by,
        url=version.get_absolute_url(),
        title=f"{plan.title} (version {version.number}) is agreed",
        body=f"Every required partner has signed off version {version.number} of '{plan.title}'. It is now the "
        f"agreed plan, and locked.",
    )


def _people_of_plan(plan: Plan) -> list[int]:
    partner_ids = [p.pk for p in required_partners(plan)]
    return list(
        Membership.objects.active()
        .filter(partner_id__in=partner_ids, user__is_active=True, role__in=[Role.OFFICER, Role.SIGNATORY])
        .values_list("user_id", flat=True)
        .distinct()
    )


@transaction.atomic
def plan_signoff_return(*, signoff: PlanSignOff, by, reasons: str, confirmed_at: datetime | None = None) -> PlanVersion:
    """A required partner returns the version with reasons (step-up): the round closes, and a new draft is
    made from the returned version. Returns the new draft."""
    version, signoff = _lock_signoff_for_decision(signoff)
    SIGNOFF_FLOW.begin("return", signoff, by=by, confirmed_at=confirmed_at, lock=False)
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": "Enter the reasons for returning the plan, so its owner can act on them"})
    SIGNOFF_FLOW.finish(
        signoff,
        "return",
        by=by,
        partner=signoff.partner,
        changes={
            "reasons": reasons,
            "decided_by": _person(by),
            "decided_by_label": _label(by),
            "decided_at": timezone.now(),
        },
        summary=f"{signoff.partner.short_name} returned version {version.number}: {reasons}",
    )
    for other in PlanSignOff.objects.select_for_update().filter(version=version, status=S.PENDING):
        SIGNOFF_FLOW.finish(
            other,
            "close",
            by=by,
            partner=other.partner,
            summary=f"Sign-off by {other.partner.short_name} not needed: version {version.number} was returned",
        )
    PLAN_VERSION_FLOW.finish(
        version,
        "return",
        by=by,
        partner=version.plan.owner,
        changes={"closed_at": timezone.now()},
        summary=f"Version {version.number} returned by {signoff.partner.short_name}",
    )
    draft = _copy_version(
        version,
        by=by,
        change_note=f"Made from version {version.number}, returned by {signoff.partner.short_name}: {reasons}",
    )
    _audit(
        by=by,
        plan=version.plan,
        action="plan.return",
        partner=signoff.partner,
        summary=f"{signoff.partner.short_name} returned version {version.number}: {reasons}. Version "
        f"{draft.number} is a new draft made from it",
        after={
            "version": version.number,
            "partner": signoff.partner.slug,
            "reasons": reasons,
            "new_draft": draft.number,
        },
    )
    notify(
        users=_people_of_plan(version.plan),
        kind="plan.returned",
        by=by,
        url=draft.get_absolute_url(),
        title=f"{version.plan.title}: version {version.number} was returned",
        body=f"{signoff.partner.name} returned version {version.number} with these reasons: {reasons} "
        f"Version {draft.number} is a new draft made from it.",
    )
    return draft


# --- Reminders and escalation (a daily task) ----------------------------------------------------------
def plan_signoff_reminders(*, today: date | None = None, by) -> dict:
    """Remind signatories of sign-offs due within 3 working days or overdue (once a day each); tell the board
    chair about any more than 5 working days overdue (once each)."""
    require_actor(by)
    today = today or timezone.localdate()
    counts = {"reminded": 0, "escalated": 0}
    pending = PlanSignOff.objects.filter(status=S.PENDING, version__status=V.IN_SIGNOFF).select_related(
        "partner", "version__plan"
    )
    for signoff in pending:
        left = working_days_between(today, signoff.due)
        if left <= REMIND_WITHIN_WORKING_DAYS:
            counts["reminded"] += _remind(signoff_id=signoff.pk, today=today, by=by)
        if left < 0 and working_days_between(signoff.due, today) > ESCALATE_AFTER_WORKING_DAYS:
            counts["escalated"] += _escalate(signoff_id=signoff.pk, today=today, by=by)
    return counts


@transaction.atomic
def _remind(*, signoff_id: int, today: date, by) -> int:
    signoff = PlanSignOff.objects.select_related("partner", "version__plan").get(pk=signoff_id)
    if signoff.status != S.PENDING or not claim_once(f"plan-signoff:{signoff.pk}:reminder:{today.isoformat()}"):
        return 0
    version, plan = signoff.version, signoff.version.plan
    overdue = today > signoff.due
    due = f"{signoff.due.day} {signoff.due:%B %Y}"
    notify(
        users=signatories_of([signoff.partner_id]),
        kind="plan.signoff_due",
        by=by,
        url=version.get_absolute_url(),
        title=f"{plan.title}: your sign-off {'was due on' if overdue else 'is due by'} {due}",
        body=f"{signoff.partner.name} has not yet signed off or returned version {version.number} of "
        f"'{plan.title}'. It {'was' if overdue else 'is'} due {'on' if overdue else 'by'} {due}.",
    )
    _audit(
        by=by,
        plan=plan,
        action="plan.signoff_reminder",
        partner=signoff.partner,
        summary=f"Reminder to {signoff.partner.short_name}: sign-off of version {version.number} "
        f"{'overdue since' if overdue else 'due'} {due}",
    )
    return 1


def board_chairs() -> list[int]:
    """Who is told of sign-offs long overdue: the board members at the PCC office (the chair sits there)."""
    return list(
        Membership.objects.active()
        .filter(role=Role.BOARD_MEMBER, partner__kind=Partner.Kind.PCC_OFFICE, user__is_active=True)
        .values_list("user_id", flat=True)
    )


@transaction.atomic
def _escalate(*, signoff_id: int, today: date, by) -> int:
    signoff = PlanSignOff.objects.select_related("partner", "version__plan").get(pk=signoff_id)
    if signoff.status != S.PENDING or not claim_once(f"plan-signoff:{signoff.pk}:escalated"):
        return 0
    version, plan = signoff.version, signoff.version.plan
    late = working_days_between(signoff.due, today)
    notify(
        users=board_chairs(),
        kind="plan.signoff_escalated",
        by=by,
        url=version.get_absolute_url(),
        title=f"{signoff.partner.short_name} is {late} working days late signing off {plan.title}",
        body=f"{signoff.partner.name} has not signed off or returned version {version.number} of '{plan.title}', "
        f"due {signoff.due.day} {signoff.due:%B %Y}: {late} working days overdue.",
    )
    _audit(
        by=by,
        plan=plan,
        action="plan.signoff_escalate",
        partner=signoff.partner,
        summary=f"The board chair was told: {signoff.partner.short_name} is {late} working days late signing off "
        f"version {version.number}",
    )
    return 1
