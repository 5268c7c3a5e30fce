"""Partners' decisions: the list, logging one, its page, taking effect, the PCC waiving the call-in, and the
final outcome after a referral back."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from portal import permissions
from portal.formats import gov_date
from portal.paging import paginate
from portal.security import require_step_up, step_up_confirmed_at

from .. import rules, selectors, services
from ..forms import DecisionFilterForm, DecisionForm, OutcomeForm, TakeEffectForm, WaiveForm
from ..models import CallIn
from ..workflows import DECISION_FLOW, has_callin
from .common import _apply_errors, _filtered, _filters, _lists_for, _posted, _refuse_or_redirect

RESOLVED = (CallIn.Status.STANDS, CallIn.Status.WITHDRAWN, CallIn.Status.CLOSED)


def decision_list(request):
    permissions.check(request.user, rules.DECISION_VIEW)
    visible = selectors.decisions_visible_to(user=request.user)
    partners = list(selectors.partners_among(visible))
    form = DecisionFilterForm(request.GET or None, partners=partners)
    filters = _filters(form)
    decisions = selectors.decisions_narrowed(
        visible,
        search=filters.get("q", ""),
        partner=form.chosen_partner() if filters else None,
        status=filters.get("status", ""),
        window=filters.get("window", ""),
    )
    page, pagination = paginate(request, decisions, per_page=25)
    today = timezone.localdate()
    for decision in page.object_list:
        decision.days_left = selectors.window_days_left(decision, today)
    return render(
        request,
        "callins/decisions.html",
        {
            "filter_form": form,
            "filtered": _filtered(form),
            "lists": _lists_for(request.user),
            "page": page,
            "pagination": pagination,
            "many_partners": len(partners) > 1,
            "can_log": bool(selectors.partners_to_act_for(user=request.user, action=rules.DECISION_LOG)),
            "office": permissions.can(request.user, rules.CALLIN_DRAFT),
        },
    )


def decision_log(request):
    partners = selectors.partners_to_act_for(user=request.user, action=rules.DECISION_LOG)
    if not partners:
        raise PermissionDenied(permissions.refusal(rules.DECISION_LOG))
    form = DecisionForm(_posted(request), partners=partners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decision_log(
                partner=form.chosen_partner(),
                by=request.user,
                reference=data["reference"],
                title=data["title"],
                summary=data["summary"],
                reasons=data["reasons"],
                alternatives=data["alternatives"],
                decision_maker_name=data["decision_maker_name"],
                decision_maker_post=data["decision_maker_post"],
                made_on=data["made_on"],
                takes_effect_on=data["takes_effect_on"],
                category=data["category"],
                priorities=list(data.get("priorities") or []),
                targets=list(data.get("targets") or []),
                financial_value=data["financial_value"],
                confidential=data["confidential"] == "yes",
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"{decision.reference} is logged. The PCC may call it in until the end of "
                f"{gov_date(decision.window_closes_on)}.",
            )
            return redirect(decision)
    return render(request, "callins/decision_form.html", {"form": form, "window_days": services.window_days_default()})


def decision_detail(request, pk: int):
    decision = selectors.decision_get(user=request.user, pk=pk)
    return render(
        request,
        "callins/decision.html",
        {
            "decision": decision,
            "callin": decision.callin_seen,
            "days_left": selectors.window_days_left(decision),
            "resolved": has_callin(decision) and decision.callin.status in RESOLVED,
            "priorities": decision.priorities.order_by("order"),
            "targets": decision.targets.select_related("indicator", "area").order_by("indicator__code"),
        },
    )


def decision_take_effect(request, pk: int):
    decision = selectors.decision_get(user=request.user, pk=pk)
    why_not = decision.why_not_in_effect()
    done = _refuse_or_redirect(
        request,
        DECISION_FLOW,
        decision,
        "take_effect",
        why_not=f"{decision.reference} cannot take effect yet. {why_not}." if why_not else "",
    )
    if done:
        return done
    form = TakeEffectForm(_posted(request), initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_take_effect(decision=decision, by=request.user, on=form.cleaned_data["on"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, f"{decision.reference} is recorded as in effect from {gov_date(form.cleaned_data['on'])}."
            )
            return redirect(decision)
    return render(request, "callins/decision_take_effect.html", {"decision": decision, "form": form})


def decision_waive(request, pk: int):
    decision = selectors.decision_get(user=request.user, pk=pk)
    why_not = ""
    if not decision.window_open():
        why_not = f"The call-in window of {decision.reference} has closed: there is nothing to waive."
    elif has_callin(decision):
        why_not = f"A call-in of {decision.reference} has been drafted: discard the draft before waiving it."
    done = _refuse_or_redirect(request, DECISION_FLOW, decision, "waive", why_not=why_not)
    return done or _decision_waive_confirmed(request, decision)


@require_step_up
def _decision_waive_confirmed(request, decision):
    form = WaiveForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_waive(
                decision=decision,
                by=request.user,
                reasons=form.cleaned_data["reasons"],
                confirmed_at=step_up_confirmed_at(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"You waived the call-in of {decision.reference}. {decision.partner.short_name} is told it may "
                "take effect.",
            )
            return redirect(decision)
    return render(
        request,
        "callins/decision_waive.html",
        {"decision": decision, "form": form, "days_left": selectors.window_days_left(decision)},
    )


def decision_outcome(request, pk: int):
    decision = selectors.decision_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, DECISION_FLOW, decision, "reconsider")
    if done:
        return done
    form = OutcomeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_record_outcome(
                decision=decision,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                outcome_text=form.cleaned_data["outcome_text"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"The final outcome of {decision.reference} is recorded and the call-in is closed. It cannot be "
                "called in again.",
            )
            return redirect(decision)
    return render(
        request,
        "callins/decision_outcome.html",
        {"decision": decision, "callin": decision.callin_seen, "form": form},
    )
