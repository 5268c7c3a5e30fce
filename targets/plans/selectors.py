"""Reads of plans, filtered for the viewer: drafts to the owner and contributors (and the PCC office),
agreed versions to everyone with a role. Comparison of versions, each partner's duty record, and what
waits for a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from partners.models import Partner
from partners.selectors import partners_without_signers
from portal import permissions
from portal.models import AuditEvent

from .. import rules
from .compare import SectionDiff as SectionDiff  # re-exported: the comparison lives in compare.py
from .compare import VersionComparison as VersionComparison
from .compare import versions_compare as versions_compare
from .markdown import section_html
from .models import Plan, PlanAction, PlanComment, PlanSection, PlanSignOff, PlanVersion
from .services import can_edit_section, can_record_progress, can_update_action
from .workflows import PLAN_VERSION_FLOW, SIGNOFF_FLOW

V = PlanVersion.Status
S = PlanSignOff.Status


def _agreed():
    return PlanVersion.objects.filter(plan=OuterRef("pk"), status__in=[V.AGREED, V.SUPERSEDED])


def plans_visible_to(*, user) -> QuerySet[Plan]:
    """Plans the person may open: theirs to write or sign (drafts), and any plan with an agreed version."""
    if not permissions.can(user, rules.PLAN_VIEW):
        return Plan.objects.none()
    drafts = permissions.visible(user, rules.PLAN_VIEW, Plan.objects.all()).values("pk")
    return Plan.objects.filter(Q(pk__in=drafts) | Q(Exists(_agreed())))


def may_see_drafts(user, plan: Plan) -> bool:
    return permissions.can(user, rules.PLAN_VIEW, plan)


def plans_narrowed(
    qs: QuerySet[Plan], *, kind: str = "", search: str = "", owner: Partner | None = None
) -> QuerySet[Plan]:
    """The same narrowing for the page and the API: a kind, an owning partner, words in the title or summary."""
    if kind:
        qs = qs.filter(kind=kind)
    if owner is not None:
        qs = qs.filter(owner=owner)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(summary__icontains=search))
    return qs


def with_readable_versions(user, plans) -> list[Plan]:
    """Each plan with `.drafts_visible`, `.versions_readable` (newest first), `.latest_readable` and
    `.agreed_version`: one permission query for the lot, never one per plan."""
    plans = list(plans)
    if not plans:
        return plans
    prefetch_related_objects(plans, Prefetch("versions", queryset=PlanVersion.objects.order_by("-number")))
    drafts = set(
        permissions.visible(user, rules.PLAN_VIEW, Plan.objects.filter(pk__in=[p.pk for p in plans])).values_list(
            "pk", flat=True
        )
    )
    for plan in plans:
        plan.drafts_visible = plan.pk in drafts
        plan.versions_readable = [
            v for v in plan.versions.all() if _may_read_version(user, plan, v, drafts=plan.drafts_visible)
        ]
        plan.latest_readable = plan.versions_readable[0] if plan.versions_readable else None
        plan.agreed_version = next((v for v in plan.versions.all() if v.status == V.AGREED), None)
    return plans


def plan_list(*, user, kind: str = "", search: str = "") -> list[Plan]:
    """Plans with their latest version the viewer may read, newest period first."""
    qs = plans_narrowed(plans_visible_to(user=user).select_related("owner"), kind=kind, search=search)
    return with_readable_versions(user, qs.order_by("-period_start", "title"))


def _may_read_version(user, plan: Plan, version: PlanVersion, *, drafts: bool | None = None) -> bool:
    if version.status in (V.AGREED, V.SUPERSEDED):
        return True
    return may_see_drafts(user, plan) if drafts is None else drafts


def plan_get(*, user, pk: int) -> Plan:
    """A plan, or 404 for one the person may not know exists."""
    plan = plans_visible_to(user=user).select_related("owner").filter(pk=pk).first()
    if plan is None:
        raise Http404
    plan.drafts_visible = may_see_drafts(user, plan)
    plan.versions_readable = [
        v for v in plan.versions.order_by("-number") if _may_read_version(user, plan, v, drafts=plan.drafts_visible)
    ]
    return plan


@dataclass
class VersionPage:
    plan: Plan
    version: PlanVersion
    sections: list = field(default_factory=list)  # PlanSection with .html, .can_edit, .thread
    actions: list = field(default_factory=list)  # PlanAction with .can_edit (its partner or the owner, drafts)
    signoffs: list = field(default_factory=list)  # PlanSignOff with .choices (transitions this person may take)
    attachments: list = field(default_factory=list)
    transitions: list = field(default_factory=list)  # version moves this person may take now
    can_manage: bool = False
    can_comment: bool = False
    successor: PlanVersion | None = None  # the version made from this one (a returned version's new draft)
    made_from_return: PlanSignOff | None = None  # the return that made this version, when one did
    contributors: list = field(default_factory=list)  # as this version records them


def version_get(*, user, plan: Plan, number: int) -> PlanVersion:
    version = PlanVersion.objects.filter(plan=plan, number=number).select_related("plan", "plan__owner").first()
    if version is None or not _may_read_version(user, plan, version):
        raise Http404
    return version


def version_page(*, user, plan: Plan, number: int) -> VersionPage:
    """Everything the version page shows, with what this person may do on it."""
    version = version_get(user=user, plan=plan, number=number)
    comments = PlanComment.objects.select_related("partner").order_by("created_at", "id")
    sections = list(
        version.sections.select_related("assigned_to", "updated_by")
        .prefetch_related(Prefetch("comments", queryset=comments))
        .order_by("order", "id")
    )
    editable: dict[int | None, bool] = {}  # one permission check per partner, not per section
    for section in sections:
        section.version = version
        section.html = section_html(section.body)
        writer = section.assigned_to_id or plan.owner_id
        if writer not in editable:
            editable[writer] = can_edit_section(user, section)
        section.can_edit = editable[writer]
        section.thread = _threads(list(section.comments.all()))
    can_manage = permissions.can(user, rules.PLAN_MANAGE, plan)
    is_open = version.status in PlanVersion.OPEN_STATUSES
    for section in sections:
        for comment in section.thread:  # as can_resolve_comment says, without a query per comment
            comment.can_resolve = (
                is_open
                and not comment.resolved_at
                and (comment.author_id == getattr(user, "pk", None) or section.can_edit or can_manage)
            )
    signoffs = list(version.signoffs.select_related("partner", "decided_by").order_by("partner__name"))
    for signoff in signoffs:
        signoff.version = version
        signoff.choices = SIGNOFF_FLOW.available_to(user, signoff) if version.status == V.IN_SIGNOFF else []
    actions = list(version.actions.select_related("owner", "target", "target__indicator", "target__area"))
    may_update: dict[int, tuple[bool, bool]] = {}  # by the action's partner: one check each, not one per action
    for action in actions:
        if action.owner_id not in may_update:
            may_update[action.owner_id] = (
                can_update_action(user, action, version),
                can_record_progress(user, action, version),
            )
        action.can_edit, action.can_progress = may_update[action.owner_id]
    without_signer = (
        {p.pk for p in partners_without_signers([s.partner for s in signoffs if s.status == S.PENDING])}
        if version.status == V.IN_SIGNOFF
        else set()
    )
    for signoff in signoffs:
        signoff.nobody_to_sign = signoff.partner_id in without_signer
    successor = PlanVersion.objects.filter(based_on=version).order_by("number").first()
    if successor is not None and not _may_read_version(user, plan, successor):
        successor = None
    contributors = list((version.contributors if version.status != V.DRAFT else plan.contributors).order_by("name"))
    made_from_return = (
        PlanSignOff.objects.filter(version_id=version.based_on_id, status=S.RETURNED).select_related("partner").first()
        if version.based_on_id
        else None
    )
    return VersionPage(
        plan=plan,
        version=version,
        successor=successor,
        made_from_return=made_from_return,
        contributors=contributors,
        sections=sections,
        actions=actions,
        signoffs=signoffs,
        attachments=list(version.attachments.all()),
        transitions=PLAN_VERSION_FLOW.available_to(user, version),
        can_manage=can_manage and version.status == V.DRAFT,
        can_comment=version.status in PlanVersion.OPEN_STATUSES and may_see_drafts(user, plan),
    )


def _threads(comments: list[PlanComment]) -> list[PlanComment]:
    """Top-level comments, each with its replies (oldest first) in `.reply_list`."""
    by_parent: dict[int | None, list[PlanComment]] = {}
    for comment in comments:
        by_parent.setdefault(comment.parent_id, []).append(comment)
    for comment in comments:
        comment.reply_list = by_parent.get(comment.pk, [])
    return by_parent.get(None, [])


def version_after(*, user, plan: Plan, version: PlanVersion) -> PlanVersion | None:
    """The newest version after this one that the person may read (where a closed round's link leads)."""
    drafts = may_see_drafts(user, plan)
    for newer in plan.versions.filter(number__gt=version.number).order_by("-number"):
        if _may_read_version(user, plan, newer, drafts=drafts):
            return newer
    return None


def section_get(*, user, plan: Plan, number: int, key: str) -> PlanSection:
    version = version_get(user=user, plan=plan, number=number)
    section = version.sections.select_related("assigned_to").filter(key=key).first()
    if section is None:
        raise Http404
    section.version = version
    return section


def signoff_get(*, user, plan: Plan, number: int, partner_slug: str) -> PlanSignOff:
    version = version_get(user=user, plan=plan, number=number)
    signoff = version.signoffs.select_related("partner", "decided_by").filter(partner__slug=partner_slug).first()
    if signoff is None:
        raise Http404
    signoff.version = version
    return signoff


def plan_history(*, plan: Plan) -> QuerySet[AuditEvent]:
    """Every audited change to the plan, newest first."""
    return AuditEvent.objects.filter(object_type="targets.plan", object_id=str(plan.pk)).order_by("-id")


# --- Each partner's duty record, and what waits for a person --------------------------------------
def duty_record(*, partner: Partner, user=None, today: date | None = None) -> list[PlanSignOff]:
    """Every sign-off asked of the partner, newest first, each with `.timeliness_words` (On time, Late,
    Outstanding, Overdue or Not needed). With `user`: only those on versions the person may read (a plan
    still in sign-off stays with its owner and contributors)."""
    today = today or timezone.localdate()
    rows = list(
        PlanSignOff.objects.filter(partner=partner)
        .select_related("version", "version__plan")
        .order_by("-version__sent_at", "-id")
    )
    if user is not None and permissions.can(user, rules.PLAN_SIGNOFF_RECORDS):
        # The board and the PCC office hold partners to account: the whole record, late decisions included
        # (each row links to its version only where the person may read it).
        drafts = {}
        for row in rows:
            plan = row.version.plan
            if plan.pk not in drafts:
                drafts[plan.pk] = may_see_drafts(user, plan)
            row.readable = _may_read_version(user, plan, row.version, drafts=drafts[plan.pk])
            row.timeliness_words = row.timeliness(today)
        return rows
    if user is not None:
        drafts = {}
        readable = []
        for row in rows:
            plan = row.version.plan
            if plan.pk not in drafts:
                drafts[plan.pk] = may_see_drafts(user, plan)
            if _may_read_version(user, plan, row.version, drafts=drafts[plan.pk]):
                readable.append(row)
        rows = readable
    for row in rows:
        row.readable = True
        row.timeliness_words = row.timeliness(today)
    return rows


@dataclass
class Waiting:
    text: str
    href: str
    due: date | None
    tag: str
    tag_colour: str
    urgent: bool = False  # what holds a round up (a returned version, nobody to sign) comes first


def waiting_for(*, user, today: date | None = None) -> list[Waiting]:
    """What each person's next step is, soonest first: sign-offs due from their partners (signatories);
    drafts to finish and returned versions to revise, and rounds stuck for want of a signatory (the plan's
    runners); sections to write and actions to deliver (officers), late ones until they are done."""
    today = today or timezone.localdate()
    if not permissions.seats(user):
        return []
    items: list[Waiting] = [*_signoffs_due(user, today), *_plans_to_run(user, today)]
    write_for = set(permissions.acting_partner_ids(user, rules.PLAN_CONTRIBUTE))
    if write_for:
        items += _sections_to_write(write_for) + _actions_to_deliver(write_for, today)
    return sorted(items, key=lambda w: (not w.urgent, w.due is None, w.due or date.max, w.text))


def _signoffs_due(user, today: date) -> list[Waiting]:
    sign_for = set(permissions.acting_partner_ids(user, rules.PLAN_SIGN))
    if not sign_for:
        return []
    items = []
    for signoff in PlanSignOff.objects.filter(
        status=S.PENDING, version__status=V.IN_SIGNOFF, partner_id__in=sign_for
    ).select_related("version__plan", "partner"):
        overdue = signoff.due < today
        items.append(
            Waiting(
                text=f"Sign off {signoff.version.display_title}, version {signoff.version.number}, for "
                f"{signoff.partner.short_name}",
                href=signoff.version.get_absolute_url() + "#your-decision",
                due=signoff.due,
                tag="Overdue" if overdue else "Sign-off due",
                tag_colour="red" if overdue else "blue",
            )
        )
    return items


def _plans_to_run(user, today: date) -> list[Waiting]:
    """For the people who run plans: each draft to finish and send (saying who returned the version it was
    made from), and each round that nobody at a partner can sign."""
    runs = permissions.visible(user, rules.PLAN_MANAGE, Plan.objects.all()).values("pk")
    items = []
    drafts = PlanVersion.objects.filter(plan__in=runs, status=V.DRAFT).select_related("plan", "based_on")
    returned = {
        s.version_id: s
        for s in PlanSignOff.objects.filter(
            version__in=[d.based_on_id for d in drafts if d.based_on_id], status=S.RETURNED
        ).select_related("partner")
    }
    for draft in drafts:
        by = returned.get(draft.based_on_id)
        if by is not None:
            text = (
                f"Version {draft.based_on.number} of {draft.display_title} was returned by {by.partner.short_name}: "
                f"revise and send version {draft.number}"
            )
            tag, colour = "Returned", "orange"
        else:
            text = f"Version {draft.number} of {draft.display_title} is a draft: finish it and send it for sign-off"
            tag, colour = "Draft to send", "grey"
        items.append(
            Waiting(
                text=text, href=draft.get_absolute_url(), due=None, tag=tag, tag_colour=colour, urgent=by is not None
            )
        )
    stuck = PlanSignOff.objects.filter(
        version__plan__in=runs, version__status=V.IN_SIGNOFF, status=S.PENDING
    ).select_related("partner", "version__plan")
    stuck = list(stuck)
    nobody = {p.pk for p in partners_without_signers({s.partner for s in stuck}, on=today)}
    for signoff in stuck:
        if signoff.partner_id in nobody:
            items.append(
                Waiting(
                    text=f"{signoff.partner.short_name} has nobody to sign off {signoff.version.display_title}, "
                    f"version {signoff.version.number}: ask the Office of the PCC to appoint a signatory",
                    href=signoff.version.get_absolute_url() + "#sign-offs",
                    due=signoff.due,
                    tag="No signatory",
                    tag_colour="red",
                    urgent=True,
                )
            )
    return items


def _sections_to_write(write_for: set[int]) -> list[Waiting]:
    return [
        Waiting(
            text=f"Write '{section.title}' in {section.version.display_title}",
            href=section.version.get_absolute_url() + f"#section-{section.key}",
            due=None,
            tag="Section to write",
            tag_colour="grey",
        )
        for section in PlanSection.objects.filter(version__status=V.DRAFT, assigned_to_id__in=write_for).select_related(
            "version__plan"
        )
    ]


def _actions_to_deliver(write_for: set[int], today: date) -> list[Waiting]:
    """The agreed version's actions not done (late ones first, until done); a plan never agreed: its open
    version's."""
    agreed_plans = PlanVersion.objects.filter(status=V.AGREED).values("plan_id")
    actions = (
        PlanAction.objects.filter(owner_id__in=write_for)
        .filter(
            Q(version__status=V.AGREED)
            | (Q(version__status__in=[V.DRAFT, V.IN_SIGNOFF]) & ~Q(version__plan__in=agreed_plans))
        )
        .exclude(status=PlanAction.Status.DONE)
        .select_related("version__plan")
        .order_by("due_date")[:50]
    )
    items = []
    for action in actions:
        late = action.is_late(today)
        href = action.version.get_absolute_url() + f"#action-{action.key}"
        items.append(
            Waiting(
                text=f"{action.what} ({action.version.display_title})",
                href=href,
                due=action.due_date,
                tag="Late" if late else "Action due",
                tag_colour="red" if late else "yellow",
            )
        )
    return items
