"""Sign-off: sending a version, each partner's decision, and the daily reminders and escalations."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Membership, Partner, Role
from portal.actors import require_actor
from portal.notifications import notify
from portal.tasks import claim_once
from portal.working_days import add_working_days, working_days_between

from ..models import Plan, PlanSignOff, PlanVersion
from ..workflows import PLAN_VERSION_FLOW, SIGNOFF_FLOW
from .common import (
    DEFAULT_SIGNOFF_WORKING_DAYS,
    ESCALATE_AFTER_WORKING_DAYS,
    REMIND_WITHIN_WORKING_DAYS,
    S,
    V,
    _audit,
    _label,
    _lock_version,
    _pcc_office,
    _person,
)
from .writing import _copy_version


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


def who_decided(signoff: PlanSignOff) -> str:
    """Who took a partner's decision, and when: "Claire Bennett, Assistant Chief Constable decided on 5 March 2025 at 10:00"."""
    when = timezone.localtime(signoff.decided_at)
    return f"{signoff.decided_by_label} decided on {when.day} {when:%B %Y at %H:%M}"


def _lock_signoff_for_decision(signoff: PlanSignOff) -> tuple[PlanVersion, PlanSignOff]:
    """Lock the version, then the partner's sign-off (always in that order: no deadlock between two
    partners deciding at once); say who decided already, and when, if someone did."""
    version = _lock_version(signoff.version)
    signoff = (
        PlanSignOff.objects.select_for_update(of=("self",)).select_related("partner", "decided_by").get(pk=signoff.pk)
    )
    if signoff.status in (S.SIGNED, S.RETURNED):
        raise ValidationError(
            f"{signoff.partner.short_name} has already {'signed off' if signoff.status == S.SIGNED else 'returned'} "
            f"version {version.number}: {who_decided(signoff)}."
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
