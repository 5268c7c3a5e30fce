"""Sign-off: sending a version, each partner's decision, and the daily reminders and escalations.

A round can always finish: a version is not sent while a partner that must sign it has nobody who can
sign for it, and a partner that loses its last signatory during a round is flagged to the plan's owner
and the PCC office (at once when the membership ends, and by the daily run for anything else).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Membership, Partner, Role
from partners.selectors import partners_without_signers, signers_of
from portal.actors import require_actor
from portal.formats import full_stop, gov_date, gov_datetime
from portal.notifications import notify
from portal.roles import PCC_OFFICE_ROLES
from portal.tasks import claim_once
from portal.text import check_text
from portal.working_days import add_working_days, is_working_day, working_days_between

from .. import limits
from ..models import Plan, PlanSignOff, PlanVersion
from ..workflows import PLAN_VERSION_FLOW, SIGNOFF_FLOW
from .common import (
    DEFAULT_SIGNOFF_WORKING_DAYS,
    ESCALATE_AFTER_WORKING_DAYS,
    REMIND_WITHIN_WORKING_DAYS,
    S,
    V,
    _audit,
    _details_to_version,
    _label,
    _lock_plan,
    _lock_version,
    _person,
    _runners,
    required_partners,
)
from .versions import _copy_version


def signatories_of(partner_ids) -> list[int]:
    """The people who can sign for these partners (user ids): signatories, and the Commissioner for the
    PCC office; never officers."""
    return signers_of(partner_ids)


def _names(partners: list[Partner]) -> str:
    names = [p.name for p in partners]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def unsignable_message(partners: list[Partner]) -> str:
    """Why a version cannot go out, and what to do about it."""
    them = "it" if len(partners) == 1 else "them"
    has = "has" if len(partners) == 1 else "have"
    return (
        f"{_names(partners)} {has} no signatory, so the version could never be signed off. Ask the Office of the "
        f"PCC to give someone at {_names(partners)} the signatory role, or remove {them} from the contributing "
        f"partners (in the plan's details)."
    )


# --- Sending ----------------------------------------------------------------------------------------
@transaction.atomic
def plan_version_send(
    *, version: PlanVersion, by, working_days: int = DEFAULT_SIGNOFF_WORKING_DAYS, today: date | None = None
) -> PlanVersion:
    """The owner sends a draft to every required partner's signatory, due in `working_days` working days.
    Refused while a required partner has nobody who can sign for it."""
    today = today or timezone.localdate()
    require_actor(by)
    plan = _lock_plan(version.plan_id)  # before the version: a change of contributors waits for the send
    version = PLAN_VERSION_FLOW.begin("send", version, by=by)
    version.plan = plan
    if not 1 <= working_days <= 60:
        raise ValidationError({"working_days": "Give between 1 and 60 working days for the sign-off"})
    if not version.sections.exists():
        raise ValidationError("Add at least one section before sending the plan for sign-off")
    partners = required_partners(plan)
    unsignable = partners_without_signers(partners)
    if unsignable:
        raise ValidationError(unsignable_message(unsignable))
    due = add_working_days(today, working_days)
    _details_to_version(plan, version)
    PlanSignOff.objects.bulk_create([PlanSignOff(version=version, partner=p, due=due) for p in partners])
    PLAN_VERSION_FLOW.finish(
        version,
        "send",
        by=by,
        partner=plan.owner,
        changes={"sent_at": timezone.now(), "signoff_due": due},
        summary=f"Version {version.number} sent for sign-off by {len(partners)} partners, due {gov_date(due)}",
        after={"version": version.number, "due": due.isoformat(), "partners": [p.slug for p in partners]},
    )
    note = f" What changed: {version.change_note}" if version.change_note else ""
    notify(
        users=signatories_of([p.pk for p in partners]),
        kind="plan.signoff_requested",
        by=by,
        url=version.get_absolute_url(),
        title=f"{version.display_title} (version {version.number}) is waiting for your sign-off",
        body=f"{plan.owner_name} has sent version {version.number} of '{version.display_title}' for sign-off by "
        f"{gov_date(due)}. Read it, then sign it off for your organisation or return it with reasons.{note}",
    )
    return version


def who_decided(signoff: PlanSignOff) -> str:
    """Who took a partner's decision, and when: "Claire Bennett, Assistant Chief Constable decided on 5 March
    2025 at 10:00am"."""
    return f"{signoff.decided_by_label} decided on {gov_datetime(signoff.decided_at)}"


def _lock_for_decision(signoff: PlanSignOff, transition: str, *, by, confirmed_at) -> tuple[PlanVersion, PlanSignOff]:
    """Lock the version, then the partner's sign-off (always in that order: no deadlock between two
    partners deciding at once); then the workflow's checks: may `by` decide for this partner at all (403),
    a fresh second factor, and is it still waiting, saying who decided already, and when, if someone did."""
    version = _lock_version(signoff.version)
    signoff = SIGNOFF_FLOW.lock(signoff)
    signoff.version = version
    try:
        SIGNOFF_FLOW.begin(transition, signoff, by=by, confirmed_at=confirmed_at, lock=False)
    except ValidationError:
        if signoff.status in (S.SIGNED, S.RETURNED):
            done = "signed off" if signoff.status == S.SIGNED else "returned"
            raise ValidationError(
                f"{signoff.partner.short_name} has already {done} version {version.number}: {who_decided(signoff)}."
            )
        raise ValidationError(f"Version {version.number} is no longer waiting for sign-off")
    return version, signoff


# --- Deciding ---------------------------------------------------------------------------------------
@transaction.atomic
def plan_signoff_sign(
    *, signoff: PlanSignOff, by, statement: str = "", confirmed_at: datetime | None = None, signer_label: str = ""
) -> PlanSignOff:
    """A required partner's signatory signs the version off (step-up); when every partner has, it is agreed
    and locked, and the version it replaces is superseded."""
    version, signoff = _lock_for_decision(signoff, "sign", by=by, confirmed_at=confirmed_at)
    label = signer_label if (signer_label and not getattr(by, "is_authenticated", False)) else _label(by)
    statement = (statement or "").strip()
    check_text(field="statement", value=statement, limit=limits.STATEMENT, subject="Your statement")
    SIGNOFF_FLOW.finish(
        signoff,
        "sign",
        by=by,
        partner=signoff.partner,
        changes={
            "statement": statement,
            "decided_by": _person(by),
            "decided_by_label": label,
            "decided_at": timezone.now(),
        },
        summary=f"{signoff.partner.short_name} signed off version {version.number}"
        + (f": “{statement}”" if statement else ""),
        after={"version": version.number, "partner": signoff.partner.slug},
    )
    if not version.signoffs.exclude(pk=signoff.pk).exclude(status=S.SIGNED).exists():
        _agree(version, by=by)
    return signoff


def _agree(version: PlanVersion, *, by) -> None:
    plan = version.plan
    older_agreed = PlanVersion.objects.filter(plan=plan, status=V.AGREED).exclude(pk=version.pk)
    for older in PLAN_VERSION_FLOW.lock_all(older_agreed):
        _carry_progress(older, version)
        PLAN_VERSION_FLOW.finish(
            older,
            "supersede",
            by=by,
            partner=plan.owner,
            changes={"closed_at": timezone.now()},
            summary=f"Version {older.number} superseded by version {version.number}",
            after={"version": older.number, "superseded_by": version.number},
        )
    PLAN_VERSION_FLOW.finish(
        version,
        "agree",
        by=by,
        partner=plan.owner,
        changes={"agreed_at": timezone.now()},
        summary=f"Version {version.number} agreed: every required partner signed it off; it is now locked",
        after={"version": version.number},
    )
    notify(
        users=_people_of_plan(plan, version),
        kind="plan.agreed",
        by=by,
        url=version.get_absolute_url(),
        title=f"{version.display_title} (version {version.number}) is agreed",
        body=f"Every required partner has signed off version {version.number} of '{version.display_title}'. It is "
        f"now the agreed plan, and locked. Its delivery actions are the work of the year: record progress on them "
        f"as it is made.",
    )


PROGRESS_FIELDS = ["status", "progress_note", "done_on", "progress_at", "progress_by", "progress_by_label"]


def _carry_progress(older: PlanVersion, newer: PlanVersion) -> None:
    """Progress recorded on the agreed version while the next one was written and signed off is not lost:
    for each action in both (matched by key), the latest recorded progress wins."""
    recorded = {a.key: a for a in older.actions.filter(progress_at__isnull=False)}
    for action in newer.actions.filter(key__in=list(recorded)):
        source = recorded[action.key]
        if action.progress_at is None or source.progress_at > action.progress_at:
            for name in PROGRESS_FIELDS:
                setattr(action, name, getattr(source, name))
            action.save(update_fields=PROGRESS_FIELDS)


def _people_of_plan(plan: Plan, version: PlanVersion | None = None) -> list[int]:
    partner_ids = [p.pk for p in required_partners(plan, version)]
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
    version, signoff = _lock_for_decision(signoff, "return", by=by, confirmed_at=confirmed_at)
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": "Enter the reasons for returning the plan, so its owner can act on them"})
    check_text(field="reasons", value=reasons, limit=limits.REASONS, subject="The reasons")
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
        after={"version": version.number, "partner": signoff.partner.slug},
    )
    for other in SIGNOFF_FLOW.lock_all(PlanSignOff.objects.filter(version=version, status=S.PENDING)):
        other.version = version
        SIGNOFF_FLOW.finish(
            other,
            "close",
            by=by,
            partner=other.partner,
            summary=f"Sign-off by {other.partner.short_name} not needed: version {version.number} was returned",
            after={"version": version.number, "partner": other.partner.slug},
        )
    next_number = (version.plan.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    PLAN_VERSION_FLOW.finish(
        version,
        "return",
        by=by,
        partner=version.plan.owner,
        changes={"closed_at": timezone.now()},
        summary=f"Version {version.number} returned by {signoff.partner.short_name}; version {next_number} is "
        f"a new draft made from it",
        after={"version": version.number, "returned_by": signoff.partner.slug, "new_draft": next_number},
    )
    # NOTE: the new draft's "what changed" is left for the owner to write; the version page shows why the
    # version before was returned, beside it.
    draft = _copy_version(version, by=by, change_note="")
    notify(
        users=_people_of_plan(version.plan, version),
        kind="plan.returned",
        by=by,
        url=draft.get_absolute_url(),
        title=f"{version.display_title}: version {version.number} was returned",
        body=f"{signoff.partner.name} returned version {version.number} with these reasons: {full_stop(reasons)} "
        f"Version {draft.number} is a new draft made from it: revise it and send it again.",
    )
    return draft


# --- A partner with nobody to sign -------------------------------------------------------------------
def _owner_people(plan: Plan) -> list[int]:
    """Who runs the plan day to day: the owner's officers (the PCC office's, for the board's plans)."""
    roles = [Role.OFFICER] if plan.owner else list(PCC_OFFICE_ROLES)
    return list(
        Membership.objects.active()
        .filter(partner__in=_runners(plan), role__in=roles, user__is_active=True)
        .values_list("user_id", flat=True)
    )


def pcc_office_people() -> list[int]:
    return list(
        Membership.objects.active()
        .filter(partner__kind=Partner.Kind.PCC_OFFICE, role__in=list(PCC_OFFICE_ROLES), user__is_active=True)
        .values_list("user_id", flat=True)
    )


def plan_signoffs_flag_unsignable(*, partner_ids, by, on: date | None = None) -> int:
    """Tell the plan's owner and the PCC office, once per sign-off, when a partner whose sign-off is pending
    has nobody left who can sign for it (on a day: today by default); how many were flagged."""
    require_actor(by)
    on = on or timezone.localdate()
    pending = PlanSignOff.objects.filter(
        status=S.PENDING, version__status=V.IN_SIGNOFF, partner_id__in=list(partner_ids), unsignable_flagged_at=None
    ).select_related("partner", "version__plan", "version__plan__owner")
    flagged = 0
    for signoff in pending:
        if partners_without_signers([signoff.partner], on=on):
            flagged += _flag_unsignable(signoff_id=signoff.pk, on=on, by=by)
    return flagged


def _flag_unsignable(*, signoff_id: int, on: date, by) -> int:
    def message(signoff: PlanSignOff) -> Telling:
        version, plan, partner = signoff.version, signoff.version.plan, signoff.partner
        when = "today" if on <= timezone.localdate() else f"from {gov_date(on)}"
        return Telling(
            users=set(_owner_people(plan)) | set(pcc_office_people()),
            title=f"{partner.short_name} has nobody to sign off {version.display_title}",
            body=f"{partner.name} has no signatory {when}, and its sign-off of version {version.number} of "
            f"'{version.display_title}' is still waiting. The round cannot finish until someone can sign for it: "
            f"the Office of the PCC can give someone at {partner.name} the signatory role.",
            summary=f"{partner.short_name} has nobody to sign off version {version.number} ({when}): the owner "
            f"and the PCC office were told",
        )

    return _tell_once(
        signoff_id,
        by=by,
        kind="plan.no_signatory",
        action="plan.signoff_unsignable",
        mark="unsignable_flagged_at",
        message=message,
    )


# --- Telling people about a sign-off, once ---------------------------------------------------------------
@dataclass(frozen=True)
class Telling:
    users: object  # user ids
    title: str
    body: str
    summary: str  # the audit event's


@transaction.atomic
def _tell_once(signoff_id: int, *, by, kind: str, action: str, message, mark: str = "", claim: str = "") -> int:
    """Tell people about a pending sign-off, once: `mark` names the sign-off's field that records it was done
    (for good), `claim` a key claimed once (e.g. once a day); `message(signoff)` says to whom and what.
    Notified and audited in one transaction; how many were told (0 or 1)."""
    signoff = (
        PlanSignOff.objects.select_for_update(of=("self",))
        .select_related("partner", "version__plan", "version__plan__owner")
        .get(pk=signoff_id)
    )
    if signoff.status != S.PENDING or (mark and getattr(signoff, mark) is not None):
        return 0
    if claim and not claim_once(claim):
        return 0
    told = message(signoff)
    if mark:
        setattr(signoff, mark, timezone.now())
        signoff.save(update_fields=[mark])
    version = signoff.version
    notify(users=told.users, kind=kind, by=by, url=version.get_absolute_url(), title=told.title, body=told.body)
    _audit(
        by=by,
        plan=version.plan,
        action=action,
        partner=signoff.partner,
        summary=told.summary,
        after={"version": version.number, "partner": signoff.partner.slug},
    )
    return 1


# --- Reminders and escalation (a daily task) ----------------------------------------------------------
def plan_signoff_reminders(*, today: date | None = None, by) -> dict:
    """On working days only: remind signatories of sign-offs due within 3 working days or overdue (once a
    day each); tell the board chair once about each sign-off more than 5 working days overdue (recorded on
    the sign-off); flag sign-offs that nobody can give."""
    require_actor(by)
    today = today or timezone.localdate()
    counts = {"reminded": 0, "escalated": 0, "unsignable": 0}
    if not is_working_day(today):
        return counts
    pending = PlanSignOff.objects.filter(status=S.PENDING, version__status=V.IN_SIGNOFF).select_related(
        "partner", "version__plan"
    )
    for signoff in pending:
        left = working_days_between(today, signoff.due)
        if left <= REMIND_WITHIN_WORKING_DAYS:
            counts["reminded"] += _remind(signoff_id=signoff.pk, today=today, by=by)
        if left < 0 and signoff.escalated_at is None and -left > ESCALATE_AFTER_WORKING_DAYS:
            counts["escalated"] += _escalate(signoff_id=signoff.pk, today=today, by=by)
    partner_ids = {s.partner_id for s in pending if s.unsignable_flagged_at is None}
    counts["unsignable"] = plan_signoffs_flag_unsignable(partner_ids=partner_ids, by=by, on=today)
    return counts


def _remind(*, signoff_id: int, today: date, by) -> int:
    def message(signoff: PlanSignOff) -> Telling:
        version, overdue, due = signoff.version, today > signoff.due, gov_date(signoff.due)
        return Telling(
            users=signatories_of([signoff.partner_id]),
            title=f"{version.display_title}: your sign-off {'was due on' if overdue else 'is due by'} {due}",
            body=f"{signoff.partner.name} has not yet signed off or returned version {version.number} of "
            f"'{version.display_title}'. It {'was' if overdue else 'is'} due {'on' if overdue else 'by'} {due}.",
            summary=f"Reminder to {signoff.partner.short_name}: sign-off of version {version.number} "
            f"{'overdue since' if overdue else 'due'} {due}",
        )

    return _tell_once(
        signoff_id,
        by=by,
        kind="plan.signoff_due",
        action="plan.signoff_reminder",
        claim=f"plan-signoff:{signoff_id}:reminder:{today.isoformat()}",
        message=message,
    )


def board_chairs() -> list[int]:
    """Who is told of sign-offs long overdue: the board members at the PCC office (the chair sits there)."""
    return list(
        Membership.objects.active()
        .filter(role=Role.BOARD_MEMBER, partner__kind=Partner.Kind.PCC_OFFICE, user__is_active=True)
        .values_list("user_id", flat=True)
    )


def _escalate(*, signoff_id: int, today: date, by) -> int:
    """Once per sign-off, for good: the time it was done is kept on the sign-off itself."""

    def message(signoff: PlanSignOff) -> Telling:
        version, late = signoff.version, working_days_between(signoff.due, today)
        return Telling(
            users=board_chairs(),
            title=f"{signoff.partner.short_name} is {late} working days late signing off {version.display_title}",
            body=f"{signoff.partner.name} has not signed off or returned version {version.number} of "
            f"'{version.display_title}', due {gov_date(signoff.due)}: {late} working days overdue.",
            summary=f"The board chair was told: {signoff.partner.short_name} is {late} working days late signing "
            f"off version {version.number}",
        )

    return _tell_once(
        signoff_id,
        by=by,
        kind="plan.signoff_escalated",
        action="plan.signoff_escalate",
        mark="escalated_at",
        message=message,
    )
