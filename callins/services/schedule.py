"""The daily work on the PCC's powers (working days only): reminders of responses, determinations,
reconsiderations and the PCC's views due within 3 working days or overdue (once a day each), and, once for
good, telling the Commissioner that a partner's response is late."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from portal.actors import require_actor
from portal.formats import gov_date
from portal.working_days import is_working_day, working_days_between

from .. import limits
from ..models import Appointment, CallIn
from .common import Telling, commissioner, partner_people, pcc_office, tell_once

C = CallIn.Status


def _due_words(due: date, today: date) -> str:
    return f"was due on {gov_date(due)}" if due < today else f"is due by {gov_date(due)}"


def callins_daily(*, today: date | None = None, by) -> dict:
    """Remind and escalate; nothing on weekends and bank holidays. How many of each were sent."""
    require_actor(by)
    today = today or timezone.localdate()
    counts = {"responses": 0, "late": 0, "determinations": 0, "reconsiderations": 0, "views": 0}
    if not is_working_day(today):
        return counts

    def soon(due: date | None) -> bool:
        return due is not None and working_days_between(today, due) <= limits.REMIND_WITHIN

    for callin in CallIn.objects.filter(status=C.ISSUED).select_related("partner", "decision"):
        if soon(callin.response_due):
            counts["responses"] += _remind(callin, today, by, "response", C.ISSUED, callin.response_due)
        if callin.response_due < today and callin.escalated_at is None:
            counts["late"] += _escalate(callin, today, by)
    for callin in CallIn.objects.filter(status=C.RESPONDED).select_related("partner", "decision"):
        if soon(callin.determination_due):
            counts["determinations"] += _remind(
                callin, today, by, "determination", C.RESPONDED, callin.determination_due
            )
    for callin in CallIn.objects.filter(status=C.REFERRED_BACK).select_related("partner", "decision"):
        if soon(callin.reconsider_by):
            counts["reconsiderations"] += _remind(
                callin, today, by, "reconsideration", C.REFERRED_BACK, callin.reconsider_by
            )
    for appointment in Appointment.objects.filter(stage=Appointment.Stage.PCC_CONSULTED).select_related("partner"):
        if soon(appointment.view_due):
            counts["views"] += _remind_view(appointment, today, by)
    return counts


def _remind(callin: CallIn, today: date, by, what: str, status: str, due: date) -> int:
    """A call-in's next step is due soon or overdue: tell whoever takes it."""
    partner, decision = callin.partner, callin.decision

    def message(row: CallIn) -> Telling:
        words = _due_words(due, today)
        if what == "response":
            return Telling(
                partner_people(row.partner_id),
                f"Call-in {row.reference}: your response {words}",
                f"{partner.name}'s response to call-in {row.reference} of '{decision.title}' {words}. Your officers "
                f"write it and your signatory submits it.",
                f"Reminder to {partner.short_name}: the response to {row.reference} {words}",
            )
        if what == "determination":
            return Telling(
                pcc_office(),
                f"Call-in {row.reference}: the determination {words}",
                f"{partner.name} responded to call-in {row.reference}. The PCC's determination {words}.",
                f"Reminder to the PCC office: the determination of {row.reference} {words}",
            )
        return Telling(
            partner_people(row.partner_id),
            f"{decision.reference}: your reconsideration {words}",
            f"Call-in {row.reference} referred '{decision.title}' back to {partner.name}. Record the final outcome: "
            f"it {words}.",
            f"Reminder to {partner.short_name}: the reconsideration after {row.reference} {words}",
        )

    return tell_once(
        CallIn,
        callin.pk,
        by=by,
        kind=f"callins.{what}_due",
        action=f"callin.{what}_reminder",
        still=lambda row: row.status == status,
        claim=f"callin:{callin.pk}:{what}:{today.isoformat()}",
        message=message,
    )


def _escalate(callin: CallIn, today: date, by) -> int:
    """A response is late: the Commissioner is told, once (recorded on the call-in)."""

    def message(row: CallIn) -> Telling:
        late = working_days_between(row.response_due, today)
        return Telling(
            commissioner(),
            f"{row.partner.short_name} is {late} working day{'' if late == 1 else 's'} late responding to {row.reference}",
            f"{row.partner.name} has not submitted its response to call-in {row.reference} of "
            f"'{row.decision.title}', due {gov_date(row.response_due)}.",
            f"The Commissioner was told: {row.partner.short_name}'s response to {row.reference} is late",
        )

    return tell_once(
        CallIn,
        callin.pk,
        by=by,
        kind="callins.response_late",
        action="callin.response_escalate",
        still=lambda row: row.status == C.ISSUED,
        mark="escalated_at",
        message=message,
    )


def _remind_view(appointment: Appointment, today: date, by) -> int:
    def message(row: Appointment) -> Telling:
        words = _due_words(row.view_due, today)
        return Telling(
            pcc_office(),
            f"The PCC's view on {row.partner.short_name}'s {row.post} {words}",
            f"{row.partner.name} consulted the PCC on {row.candidate} as {row.post}. The PCC's view {words}; after "
            "that the appointment may be confirmed without it.",
            f"Reminder to the PCC office: the view on {row.partner.short_name}'s {row.post} {words}",
        )

    return tell_once(
        Appointment,
        appointment.pk,
        by=by,
        kind="callins.view_due",
        action="appointment.view_reminder",
        still=lambda row: row.stage == Appointment.Stage.PCC_CONSULTED,
        claim=f"appointment:{appointment.pk}:view:{today.isoformat()}",
        message=message,
    )
