"""Senior appointments: a partner records a senior post being filled; the PCC is consulted and the PCC office
records the PCC's view by a deadline in working days; the appointment is confirmed only once the view is
recorded or the deadline has passed, and the record says which."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Partner
from portal import permissions
from portal.actors import require_actor
from portal.formats import gov_date
from portal.notifications import notify
from portal.working_days import add_working_days

from .. import limits, rules
from ..models import Appointment
from ..workflows import APPOINTMENT_FLOW
from .common import audit, label, partner_people, pcc_office, person, text, within

A = Appointment.Stage


@transaction.atomic
def appointment_open(*, partner: Partner, by, post: str, notes: str = "") -> Appointment:
    """A partner's officer records a senior post being filled."""
    require_actor(by)
    if not permissions.can(by, rules.APPOINTMENT_RECORD, Appointment(partner=partner)):
        raise PermissionDenied(permissions.refusal(rules.APPOINTMENT_RECORD))
    appointment = Appointment.objects.create(
        partner=partner,
        post=text("post", post, limits.NAME, "The post", required=True, single_line=True),
        notes=text("notes", notes, limits.NOTE, "Notes"),
        opened_by=person(by),
    )
    audit(
        by=by,
        obj=appointment,
        partner=partner,
        action="appointment.open",
        summary=f"{partner.short_name} is filling the post of {appointment.post}",
        after={"post": appointment.post},
    )
    return appointment


@transaction.atomic
def appointment_shortlist(*, appointment: Appointment, by, candidate: str) -> Appointment:
    appointment = APPOINTMENT_FLOW.begin("shortlist", appointment, by=by)
    candidate = text("candidate", candidate, limits.NAME, "The candidate", required=True, single_line=True)
    APPOINTMENT_FLOW.finish(
        appointment,
        "shortlist",
        by=by,
        partner=appointment.partner,
        changes={"candidate": candidate},
        summary=f"{appointment.partner.short_name}'s {appointment.post}: shortlisted",
    )
    return appointment


@transaction.atomic
def appointment_consult(
    *,
    appointment: Appointment,
    by,
    candidate: str | None = None,
    view_working_days: int = limits.VIEW_DEFAULT,
    today: date | None = None,
) -> Appointment:
    """The partner consults the PCC on who it proposes: the PCC's view is due in `view_working_days`."""
    appointment = APPOINTMENT_FLOW.begin("consult", appointment, by=by)
    today = today or timezone.localdate()
    name = text(
        "candidate",
        candidate if candidate is not None else appointment.candidate,
        limits.NAME,
        "The candidate",
        required=True,
        single_line=True,
    )
    days = within("view_working_days", view_working_days, limits.VIEW_RANGE, "the PCC's view")
    due = add_working_days(today, days)
    APPOINTMENT_FLOW.finish(
        appointment,
        "consult",
        by=by,
        partner=appointment.partner,
        changes={"candidate": name, "view_working_days": days, "consulted_at": timezone.now(), "view_due": due},
        summary=f"{appointment.partner.short_name} consulted the PCC on {name} as {appointment.post}; view due "
        f"{gov_date(due)}",
    )
    notify(
        users=pcc_office(),
        kind="callins.appointment_consulted",
        by=by,
        url=appointment.get_absolute_url(),
        title=f"{appointment.partner.short_name} consults the PCC on its {appointment.post}",
        body=f"{appointment.partner.name} proposes {name} as {appointment.post}. Record the PCC's view by "
        f"{gov_date(due)}: after that the appointment may be confirmed without it.",
    )
    return appointment


@transaction.atomic
def appointment_record_view(*, appointment: Appointment, by, view: str, reasons: str = "") -> Appointment:
    """The PCC office records the PCC's view: support, or concerns with reasons."""
    appointment = APPOINTMENT_FLOW.begin("record_view", appointment, by=by)
    if view not in Appointment.View.values:
        raise ValidationError({"view": "Select the PCC's view"})
    reasons = text("view_reasons", reasons, limits.NOTE, "The reasons", required=view == Appointment.View.CONCERNS)
    APPOINTMENT_FLOW.finish(
        appointment,
        "record_view",
        by=by,
        partner=appointment.partner,
        changes={
            "view": view,
            "view_reasons": reasons,
            "view_recorded_at": timezone.now(),
            "view_recorded_by_label": label(by),
        },
        summary=f"The PCC's view on {appointment.partner.short_name}'s {appointment.post}: "
        f"{Appointment.View(view).label.lower()}",
    )
    notify(
        users=partner_people(appointment.partner_id),
        kind="callins.appointment_view",
        by=by,
        url=appointment.get_absolute_url(),
        title=f"The PCC's view on your {appointment.post}: {Appointment.View(view).label.lower()}",
        body=f"The PCC's view on {appointment.candidate} as {appointment.post} is recorded: "
        f"{Appointment.View(view).label.lower()}." + (f" {reasons[:500]}" if reasons else ""),
    )
    return appointment


@transaction.atomic
def appointment_confirm(*, appointment: Appointment, by, today: date | None = None) -> Appointment:
    """The partner confirms the appointment: once the PCC's view is recorded, or its deadline has passed (the
    record then says it was confirmed without the view)."""
    appointment = APPOINTMENT_FLOW.begin("appoint", appointment, by=by)
    today = today or timezone.localdate()
    without_view = appointment.stage == A.PCC_CONSULTED
    if without_view and appointment.view_due >= today:
        raise ValidationError(
            f"The PCC's view is due by {gov_date(appointment.view_due)}: confirm the appointment once it is "
            "recorded, or after that day"
        )
    APPOINTMENT_FLOW.finish(
        appointment,
        "appoint",
        by=by,
        partner=appointment.partner,
        changes={"appointed_at": timezone.now(), "appointed_without_view": without_view},
        summary=f"{appointment.partner.short_name} appointed {appointment.candidate} as {appointment.post}"
        + (" without the PCC's view: the deadline for it passed" if without_view else ", after the PCC's view"),
    )
    notify(
        users=pcc_office(),
        kind="callins.appointment_made",
        by=by,
        url=appointment.get_absolute_url(),
        title=f"{appointment.partner.short_name} appointed its {appointment.post}",
        body=f"{appointment.partner.name} appointed {appointment.candidate} as {appointment.post}"
        + (" without the PCC's view, after its deadline passed." if without_view else "."),
    )
    return appointment


@transaction.atomic
def appointment_withdraw(*, appointment: Appointment, by, reasons: str) -> Appointment:
    appointment = APPOINTMENT_FLOW.begin("withdraw", appointment, by=by)
    reasons = text("reasons", reasons, limits.NOTE, "The reasons", required=True)
    APPOINTMENT_FLOW.finish(
        appointment,
        "withdraw",
        by=by,
        partner=appointment.partner,
        changes={"notes": (appointment.notes + "\n\nWithdrawn: " + reasons).strip()[: limits.NOTE * 2]},
        audited=(),
        summary=f"{appointment.partner.short_name}'s {appointment.post} withdrawn: {reasons}",
    )
    return appointment
