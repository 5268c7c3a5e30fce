"""Call-ins, the PCC office's side: the list, drafting one from a decision, its page, changing, issuing and
discarding the draft, and the list of grounds."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from portal import permissions
from portal.formats import gov_date
from portal.paging import paginate
from portal.security import require_step_up, step_up_confirmed_at
from portal.working_days import add_working_days

from .. import rules, selectors, services
from ..forms import CallInFilterForm, CallInForm, ConfirmForm, GroundForm
from ..models import CallIn, PartnerDecision
from ..workflows import CALLIN_FLOW, has_callin
from .common import _apply_errors, _filtered, _filters, _lists_for, _posted, _refuse_or_redirect


def callin_list(request):
    permissions.check(request.user, rules.CALLIN_VIEW)
    visible = selectors.callins_visible_to(user=request.user)
    office = permissions.can(request.user, rules.CALLIN_DRAFT)
    statuses = [c for c in CallIn.Status.choices if office or c[0] != CallIn.Status.DRAFT]
    partners = list(selectors.partners_among(visible))
    form = CallInFilterForm(request.GET or None, partners=partners, statuses=statuses)
    filters = _filters(form)
    callins = selectors.callins_narrowed(
        visible,
        search=filters.get("q", ""),
        partner=form.chosen_partner() if filters else None,
        status=filters.get("status", ""),
    )
    page, pagination = paginate(request, callins, per_page=25)
    return render(
        request,
        "callins/callins.html",
        {
            "filter_form": form,
            "filtered": _filtered(form),
            "lists": _lists_for(request.user),
            "page": page,
            "pagination": pagination,
            "many_partners": len(partners) > 1,
            "office": office,
            "can_see_decisions": permissions.can(request.user, rules.DECISION_VIEW),
        },
    )


def callin_draft(request, pk: int):
    decision = selectors.decision_get(user=request.user, pk=pk)
    permissions.check(request.user, rules.CALLIN_DRAFT)
    if has_callin(decision):
        messages.info(request, f"{decision.reference} has been called in already: this is the call-in.")
        return redirect(decision.callin)
    if not decision.may_call_in:
        messages.info(request, _why_not_callable(decision))
        return redirect(decision)
    form = CallInForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            callin = services.callin_draft(
                decision=decision,
                by=request.user,
                grounds=list(form.cleaned_data["grounds"]),
                questions=form.cleaned_data["questions"],
                response_working_days=form.cleaned_data["response_working_days"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"Call-in {callin.reference} is drafted. The Commissioner is asked to issue it before the window "
                f"closes at the end of {gov_date(decision.window_closes_on)}.",
            )
            return redirect(callin)
    return render(request, "callins/callin_form.html", {"decision": decision, "callin": None, "form": form})


def _why_not_callable(decision: PartnerDecision) -> str:
    if decision.status != PartnerDecision.Status.LOGGED:
        return f"{decision.reference} can no longer be called in: it is {decision.get_status_display().lower()}."
    if decision.waived_at:
        return f"{decision.reference} can no longer be called in: the PCC waived the call-in."
    return (
        f"{decision.reference} can no longer be called in: its window closed on {gov_date(decision.window_closes_on)}."
    )


def callin_detail(request, pk: int):
    callin = selectors.callin_get(user=request.user, pk=pk)
    return render(
        request,
        "callins/callin.html",
        {
            "callin": callin,
            "decision": callin.decision,
            "grounds": callin.grounds.all(),
            "attachments": callin.attachments.all(),
            "can_see_decision": permissions.can(request.user, rules.DECISION_VIEW, callin.decision),
            "can_see_pcc_decision": callin.pcc_decision is not None
            and selectors.pcc_decisions_visible_to(user=request.user).filter(pk=callin.pcc_decision_id).exists(),
        },
    )


def callin_edit(request, pk: int):
    callin = selectors.callin_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, CALLIN_FLOW, callin, "edit")
    if done:
        return done
    initial = {
        "grounds": [g.pk for g in callin.grounds.all()],
        "questions": callin.questions,
        "response_working_days": callin.response_working_days,
    }
    form = CallInForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.callin_update(
                callin=callin,
                by=request.user,
                grounds=list(form.cleaned_data["grounds"]),
                questions=form.cleaned_data["questions"],
                response_working_days=form.cleaned_data["response_working_days"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"The draft call-in {callin.reference} is saved.")
            return redirect(callin)
    return render(request, "callins/callin_form.html", {"decision": callin.decision, "callin": callin, "form": form})


def callin_issue(request, pk: int):
    callin = selectors.callin_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, CALLIN_FLOW, callin, "issue")
    return done or _callin_issue_confirmed(request, callin)


@require_step_up
def _callin_issue_confirmed(request, callin):
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.callin_issue(callin=callin, by=request.user, confirmed_at=step_up_confirmed_at(request))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            callin.refresh_from_db()
            messages.success(
                request,
                f"Call-in {callin.reference} is issued. {callin.decision.reference} is paused, and "
                f"{callin.partner.short_name}'s response is due by {gov_date(callin.response_due)}.",
            )
            return redirect(callin)
    today = timezone.localdate()
    return render(
        request,
        "callins/callin_issue.html",
        {
            "callin": callin,
            "decision": callin.decision,
            "grounds": callin.grounds.all(),
            "form": form,
            "due": add_working_days(today, callin.response_working_days),
            "window_open": callin.decision.window_open(today),
        },
    )


def callin_discard(request, pk: int):
    callin = selectors.callin_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, CALLIN_FLOW, callin, "discard")
    if done:
        return done
    form = ConfirmForm(_posted(request))
    decision = callin.decision
    if request.method == "POST" and form.is_valid():
        try:
            services.callin_discard(callin=callin, by=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"The draft call-in {callin.reference} of {decision.reference} is discarded.")
            return redirect(decision)
    return render(request, "callins/callin_discard.html", {"callin": callin, "decision": decision, "form": form})


# --- The grounds ----------------------------------------------------------------------------------------
def grounds(request):
    permissions.check(request.user, rules.CALLIN_GROUNDS)
    if request.method == "POST" and "ground" in request.POST:
        return _ground_set_active(request)  # a ground's retire or bring-back button
    form = GroundForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            ground = services.ground_add(
                by=request.user, name=form.cleaned_data["name"], description=form.cleaned_data["description"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"“{ground.name}” is added to the grounds for a call-in.")
            return redirect("callins:grounds")
    return render(
        request,
        "callins/grounds.html",
        {"grounds": selectors.grounds_all(), "form": form},
    )


def _ground_set_active(request):
    ground = selectors.ground_get(pk=request.POST.get("ground"))
    active = request.POST.get("active") == "yes"
    services.ground_set_active(ground=ground, by=request.user, active=active)
    if active:
        messages.success(request, f"“{ground.name}” is back on the list of grounds.")
    else:
        messages.success(request, f"“{ground.name}” is retired: call-ins that used it keep it.")
    return redirect("callins:grounds")
