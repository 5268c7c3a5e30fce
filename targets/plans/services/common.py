"""What the plan services share: the audit of a plan, its people and grants, and the draft and lock checks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.db.models.functions import Length

from partners.models import Partner
from portal import permissions
from portal.audit import audit_record
from portal.text import check_text

from .. import limits
from ..markdown import check_markdown
from ..models import Plan, PlanSection, PlanSignOff, PlanVersion
from ..workflows import PLAN_VERSION_FLOW

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
    permissions.sync_grants_on(plan, wanted)


def _check_draft(version: PlanVersion) -> None:
    if version.status != V.DRAFT:
        raise ValidationError(
            f"Version {version.number} is {version.get_status_display().lower()}: only a draft can be changed"
        )


def _lock_version(version: PlanVersion) -> PlanVersion:
    return PLAN_VERSION_FLOW.lock(version)


def _lock_plan(plan_id: int) -> Plan:
    """Lock the plan row. NOTE: always the plan before any of its versions (send, details, contributors):
    two of them at once then queue instead of both going through."""
    return Plan.objects.select_for_update(of=("self",)).select_related("owner").get(pk=plan_id)


VERSION_DETAILS = ["title", "summary", "period_start", "period_end"]


def _details_to_version(plan: Plan, version: PlanVersion) -> None:
    """A draft keeps the plan's details as they are now (its record once it is sent)."""
    for name in VERSION_DETAILS:
        setattr(version, name, getattr(plan, name))
    version.save(update_fields=VERSION_DETAILS)
    version.contributors.set(plan.contributors.all())


def _runners(plan: Plan) -> list[Partner]:
    """Who runs the plan: its owner, or the PCC office for the board's plans."""
    return [plan.owner] if plan.owner else _pcc_office()


def required_partners(plan: Plan, version: PlanVersion | None = None) -> list[Partner]:
    """Who must sign a version off: the plan's runner (its owner; the PCC office for the board's plans) and
    every contributing partner, as the version records them (as the plan has them now for a draft)."""
    contributors = version.contributors if version is not None and version.status != V.DRAFT else plan.contributors
    partners = {p.pk: p for p in [*_runners(plan), *contributors.filter(active=True)]}
    return sorted(partners.values(), key=lambda p: p.name)


# --- How much a plan holds (targets/plans/limits.py) ------------------------------------------------
def _check_plan_details(*, title: str | None = None, summary: str | None = None) -> None:
    if title is not None:
        check_text(field="title", value=title, limit=limits.PLAN_TITLE, subject="The title", single_line=True)
    if summary is not None:
        check_text(field="summary", value=summary, limit=limits.PLAN_SUMMARY, subject="The summary")


def _check_section_text(*, title: str | None, body: str) -> None:
    """A section's title (one line) and its Markdown: within their limits, and nothing the page cannot show."""
    if title is not None:
        check_text(
            field="title", value=title, limit=limits.SECTION_TITLE, subject="The section title", single_line=True
        )
    check_text(field="body", value=body, limit=limits.SECTION_BODY, subject="The text")
    check_markdown(body)


def _check_version_room(version: PlanVersion, *, body: str, replacing: PlanSection | None = None) -> None:
    """A version holds at most SECTIONS_PER_VERSION sections and VERSION_TEXT characters in all of them."""
    others = version.sections.exclude(pk=replacing.pk) if replacing is not None else version.sections.all()
    if replacing is None and others.count() >= limits.SECTIONS_PER_VERSION:
        raise ValidationError(
            f"A version can have {limits.SECTIONS_PER_VERSION} sections at most: put this text in one of them"
        )
    total = (others.aggregate(total=Sum(Length("body")))["total"] or 0) + len(body or "")
    if total > limits.VERSION_TEXT:
        raise ValidationError(
            {
                "body": ValidationError(
                    f"The sections of a version can hold {limits.VERSION_TEXT:,} characters in all, and with this "
                    f"text they would hold {total:,}. Shorten this section or another, or attach long material "
                    "as a supporting document",
                    code="max_length",
                )
            }
        )
