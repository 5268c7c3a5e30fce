"""Senior appointments: the list, recording a post being filled, its page, the shortlist, consulting the PCC,
the PCC's view, confirming and withdrawing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from portal import permissions
from portal.formats import gov_date
from portal.paging import paginate

from .. import rules, selectors, services
from ..forms import (
    AppointmentFilterForm,
    AppointmentForm,
    AppointmentWithdrawForm,
    ConfirmForm,
    ConsultForm,
    ShortlistForm,
    ViewForm,
)
from ..models import Appointment
from ..workflows import APPOINTMENT_FLOW
from .common import _apply_errors, _filtered, _filters, _lists_for, _posted, _refuse_or_redirect

A = Appointment.Stage


def appointment_list(request):
    permissions.check(request.user, rules.APPOINTMENT_VIEW)
    visible = selectors.appointments_visible_to(user=request.user)
    partners = list(selectors.partners_among(visible))
    form = AppointmentFilterForm(request.GET or None, partners=partners)
    filters = _filters(form)
    appointments = selectors.appointments_narrowed(
        visible, partner=form.chosen_partner() if filters else None, stage=filters.get("stage", "")
    )
    page, pagination = paginate(request, appointments, per_page=25)
    return render(
        request,
        "callins/appointments.html",
        {
            "filter_form": form,
            "filtered": _filtered(form),
            "lists": _lists_for(request.user),
            "page": page,
            "pagination": pagination,
            "many_partners": len(partners) > 1,
            "can_open": bool(selectors.partners_to_act_for(user=request.user, action=rules.APPOINTMENT_RECORD)),
            "today": timezone.localdate(),
        },
    )


def appointment_open(request):
    partners = selectors.partners_to_act_for(user=request.user, action=rules.APPOINTMENT_RECORD)
    if not partners:
        raise PermissionDenied(permissions.refusal(rules.APPOINTMENT_RECORD))
    form = AppointmentForm(_posted(request), partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.appointment_open(
                partner=form.chosen_partner(),
                by=request.user,
                post=form.cleaned_data["post"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"The post of {appointment.post} is recorded. Consult the PCC once you know who you propose.",
            )
            return redirect(appointment)
    return render(request, "callins/appointment_form.html", {"form": form})


def appointment_detail(request, pk: int):
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    return render(request, "callins/appointment.html", {"appointment": appointment, "today": timezone.localdate()})


def appointment_shortlist(request, pk: int):
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, APPOINTMENT_FLOW, appointment, "shortlist")
    if done:
        return done
    form = ShortlistForm(_posted(request), initial={"candidate": appointment.candidate})
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_shortlist(
                appointment=appointment, by=request.user, candidate=form.cleaned_data["candidate"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['candidate']} is recorded as shortlisted.")
            return redirect(appointment)
    return render(
        request, "callins/appointment_step.html", {"appointment": appointment, "form": form, "step": "shortlist"}
    )


def appointment_consult(request, pk: int):
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, APPOINTMENT_FLOW, appointment, "consult")
    if done:
        return done
    form = ConsultForm(_posted(request), initial={"candidate": appointment.candidate})
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_consult(
                appointment=appointment,
                by=request.user,
                candidate=form.cleaned_data["candidate"],
                view_working_days=form.cleaned_data["view_working_days"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            appointment.refresh_from_db()
            messages.success(
                request, f"The PCC is consulted. The PCC's view is due by {gov_date(appointment.view_due)}."
            )
            return redirect(appointment)
    return render(
        request, "callins/appointment_step.html", {"appointment": appointment, "form": form, "step": "consult"}
    )


def appointment_view(request, pk: int):
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, APPOINTMENT_FLOW, appointment, "record_view")
    if done:
        return done
    form = ViewForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_record_view(
                appointment=appointment,
                by=request.user,
                view=form.cleaned_data["view"],
                reasons=form.cleaned_data["reasons"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, f"The PCC's view is recorded. {appointment.partner.short_name} is told and may now confirm it."
            )
            return redirect(appointment)
    return render(request, "callins/appointment_step.html", {"appointment": appointment, "form": form, "step": "view"})


def appointment_appoint(request, pk: int):
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    today = timezone.localdate()
    waiting = (
        appointment.stage == A.PCC_CONSULTED and appointment.view_due is not None and appointment.view_due >= today
    )
    why_not = (
        f"The PCC's view is due by {gov_date(appointment.view_due)}: confirm the appointment once it is recorded, "
        "or after that day."
        if waiting
        else ""
    )
    done = _refuse_or_redirect(request, APPOINTMENT_FLOW, appointment, "appoint", why_not=why_not)
    if done:
        return done
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_confirm(appointment=appointment, by=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            appointment.refresh_from_db()
            without = " without the PCC's view: its deadline passed" if appointment.appointed_without_view else ""
            messages.success(request, f"{appointment.candidate} is recorded as appointed {appointment.post}{without}.")
            return redirect(appointment)
    return render(
        request,
        "callins/appointment_step.html",
        {
            "appointment": appointment,
            "form": form,
            "step": "appoint",
            "without_view": appointment.stage == A.PCC_CONSULTED,
        },
    )


def appointment_withdraw(request, pk: int):
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, APPOINTMENT_FLOW, appointment, "withdraw")
    if done:
        return done
    form = AppointmentWithdrawForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_withdraw(
                appointment=appointment, by=request.user, reasons=form.cleaned_data["reasons"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"The appointment to {appointment.post} is withdrawn.")
            return redirect(appointment)
    return render(
        request, "callins/appointment_step.html", {"appointment": appointment, "form": form, "step": "withdraw"}
    )
