"""Reads of plans, filtered for the viewer: drafts to the owner and contributors (and the PCC office),
agreed versions to everyone with a role. Comparison of versions, each partner's duty record, and what
waits for a person."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from markupsafe import Markup, escape

from partners.models import Partner
from portal import permissions
from portal.models import AuditEvent

from .. import rules
from .markdown import render_markdown
from .models import Plan, PlanAction, PlanComment, PlanSection, PlanSignOff, PlanVersion
from .services import can_edit_section
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
        section.html = render_markdown(section.body)
        writer = section.assigned_to_id or plan.owner_id
        if writer not in editable:
            editable[writer] = can_edit_section(user, section)
        section.can_edit = editable[writer]
        section.thread = _threads(list(section.comments.all()))
    signoffs = list(version.signoffs.select_related("partner", "decided_by").order_by("partner__name"))
    for signoff in signoffs:
        signoff.version = version
        signoff.choices = SIGNOFF_FLOW.available_to(user, signoff) if version.status == V.IN_SIGNOFF else []
    can_manage = permissions.can(user, rules.PLAN_MANAGE, plan)
    actions = list(version.actions.select_related("owner", "target", "target__indicator", "target__area"))
    may_update: dict[int, bool] = {}  # by the action's partner: one check each, not one per action
    for action in actions:
        if action.owner_id not in may_update:
            may_update[action.owner_id] = version.status == V.DRAFT and (
                can_manage or permissions.can(user, rules.PLAN_CONTRIBUTE, action.owner)
            )
        action.can_edit = may_update[action.owner_id]
    return VersionPage(
        plan=plan,
        version=version,
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


# --- Comparing two versions, section by section --------------------------------------------------
_WORDS = re.compile(r"\S+|\s+")


@dataclass
class SectionDiff:
    title: str
    change: str  # "added", "removed", "changed", "unchanged"
    html: Markup  # the words, with insertions and deletions marked
    added: int = 0
    removed: int = 0


def _diff_words(old: str, new: str) -> tuple[Markup, int, int]:
    a, b = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    out, added, removed = [], 0, 0

    def marked(words: str, tag: str, label: str, sign: str):
        # NOTE: the spaces around the changed words stay outside the marks, so "[+]" sits with its words.
        stripped = words.strip()
        lead = words[: len(words) - len(words.lstrip())]
        trail = words[len(words.rstrip()) :]
        mark = Markup(
            '<{tag} class="app-diff-{cls}"><span class="govuk-visually-hidden">{label}: </span>{sign} {words}</{tag}>'
        ).format(tag=Markup(tag), cls=Markup(tag), label=label, sign=sign, words=stripped)
        return escape(lead) + mark + escape(trail)

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            words = "".join(a[i1:i2])
            if words.strip():
                removed += len(words.split())
                out.append(marked(words, "del", "Removed", "[−]"))
            else:
                out.append(escape(words))
        if op in ("insert", "replace"):
            words = "".join(b[j1:j2])
            if words.strip():
                added += len(words.split())
                out.append(marked(words, "ins", "Added", "[+]"))
            else:
                out.append(escape(words))
    return Markup("").join(out), added, removed


def versions_compare(*, older: PlanVersion, newer: PlanVersion) -> list[SectionDiff]:
    """Each section of either version (matched by its key across versions), in the newer one's order."""
    old = {s.key: s for s in older.sections.all()}
    new = {s.key: s for s in newer.sections.all()}
    keys = [s.key for s in newer.sections.order_by("order", "id")] + [
        s.key for s in older.sections.order_by("order", "id") if s.key not in new
    ]
    diffs = []
    for key in keys:
        before, after = old.get(key), new.get(key)
        text_before = f"{before.title}\n\n{before.body}" if before else ""
        text_after = f"{after.title}\n\n{after.body}" if after else ""
        html, added, removed = _diff_words(text_before, text_after)
        change = (
            "added"
            if before is None
            else "removed"
            if after is None
            else "unchanged"
            if text_before == text_after
            else "changed"
        )
        diffs.append(SectionDiff(title=(after or before).title, change=change, html=html, added=added, removed=removed))
    return diffs


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
        row.timeliness_words = row.timeliness(today)
    return rows


@dataclass
class Waiting:
    text: str
    href: str
    due: date | None
    tag: str
    tag_colour: str


def waiting_for(*, user, today: date | None = None) -> list[Waiting]:
    """Sign-offs due from the person's partners (signatories), sections to write and actions due (officers),
    soonest first."""
    today = today or timezone.localdate()
    seats = permissions.seats(user)
    if not seats:
        return []
    items: list[Waiting] = []
    sign_for = set(permissions.acting_partner_ids(user, rules.PLAN_SIGN))
    if sign_for:
        for signoff in PlanSignOff.objects.filter(
            status=S.PENDING, version__status=V.IN_SIGNOFF, partner_id__in=sign_for
        ).select_related("version__plan", "partner"):
            overdue = signoff.due < today
            items.append(
                Waiting(
                    text=f"Sign off {signoff.version.plan.title}, version {signoff.version.number}, for "
                    f"{signoff.partner.short_name}",
                    href=signoff.version.get_absolute_url(),
                    due=signoff.due,
                    tag="Overdue" if overdue else "Sign-off due",
                    tag_colour="red" if overdue else "blue",
                )
            )
    write_for = set(permissions.acting_partner_ids(user, rules.PLAN_CONTRIBUTE))
    if write_for:
        for section in PlanSection.objects.filter(version__status=V.DRAFT, assigned_to_id__in=write_for).select_related(
            "version__plan"
        ):
            items.append(
                Waiting(
                    text=f"Write '{section.title}' in {section.version.plan.title}",
                    href=section.version.get_absolute_url() + f"#section-{section.key}",
                    due=None,
                    tag="Section to write",
                    tag_colour="grey",
                )
            )
        agreed_or_open = [V.AGREED, V.DRAFT, V.IN_SIGNOFF]
        for action in (
            PlanAction.objects.filter(owner_id__in=write_for, version__status__in=agreed_or_open)
            .exclude(status=PlanAction.Status.DONE)
            .select_related("version__plan")
            .order_by("due_date")[:50]
        ):
            if action.version.status != V.AGREED and action.version.plan.versions.filter(status=V.AGREED).exists():
                continue  # the agreed version's actions are the ones to deliver
            late = action.is_late(today)
            items.append(
                Waiting(
                    text=f"{action.what} ({action.version.plan.title})",
                    href=action.version.get_absolute_url() + "#actions",
                    due=action.due_date,
                    tag="Late" if late else "Action due",
                    tag_colour="red" if late else "yellow",
                )
            )
    return sorted(items, key=lambda w: (w.due is None, w.due or date.max, w.text))
