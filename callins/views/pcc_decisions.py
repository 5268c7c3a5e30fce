"""The PCC's decision log: the list, preparing a draft, a decision's page, changing the draft and signing it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from portal import permissions
from portal.paging import paginate
from portal.security import require_step_up, step_up_confirmed_at

from .. import rules, selectors, services
from ..forms import PccDecisionFilterForm, PccDecisionForm, SignForm
from ..models import PccDecision, financial_year_of
from ..workflows import PCC_DECISION_FLOW
from .common import _apply_errors, _filtered, _filters, _lists_for, _posted, _refuse_or_redirect


def pcc_decision_list(request):
    visible = selectors.pcc_decisions_visible_to(user=request.user)
    partners = list(selectors.partners_among(visible))
    form = PccDecisionFilterForm(request.GET or None, years=selectors.pcc_decision_years(visible), partners=partners)
    filters = _filters(form)
    decisions = selectors.pcc_decisions_narrowed(
        visible,
        search=filters.get("q", ""),
        year=filters.get("year"),
        partner=form.chosen_partner() if filters else None,
        kind=filters.get("kind", ""),
    )
    page, pagination = paginate(request, decisions, per_page=25)
    return render(
        request,
        "callins/pcc_decisions.html",
        {
            "filter_form": form,
            "filtered": _filtered(form),
            "lists": _lists_for(request.user),
            "page": page,
            "pagination": pagination,
            "many_partners": len(partners) > 1,
            "can_draft": permissions.can(request.user, rules.PCC_DECISION_DRAFT),
            "sees_drafts": permissions.can(request.user, rules.PCC_DECISION_VIEW),
        },
    )


def _given(form) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "summary": data["summary"],
        "reasons": data["reasons"],
        "financial_implications": data["financial_implications"],
        "interests_declared": data["interests_declared"],
        "confidential": data["confidential"] == "yes",
        "partner": form.chosen_partner(),
    }


def pcc_decision_draft(request):
    permissions.check(request.user, rules.PCC_DECISION_DRAFT)
    form = PccDecisionForm(_posted(request), partners=selectors.pcc_decision_subjects())
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.pcc_decision_draft(by=request.user, **_given(form))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, f"The draft “{decision.title}” is saved. The Commissioner signs it to number and publish it."
            )
            return redirect(decision)
    return render(request, "callins/pcc_decision_form.html", {"form": form, "decision": None})


def pcc_decision_detail(request, pk: int):
    decision = selectors.pcc_decision_get(user=request.user, pk=pk)
    callin = getattr(decision, "callin", None) if decision.kind == PccDecision.Kind.CALLIN_DETERMINATION else None
    if callin is not None and not selectors.callins_visible_to(user=request.user).filter(pk=callin.pk).exists():
        callin = None
    return render(request, "callins/pcc_decision.html", {"decision": decision, "callin": callin})


def pcc_decision_edit(request, pk: int):
    decision = selectors.pcc_decision_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, PCC_DECISION_FLOW, decision, "edit")
    if done:
        return done
    initial = {
        "title": decision.title,
        "summary": decision.summary,
        "reasons": decision.reasons,
        "financial_implications": decision.financial_implications,
        "interests_declared": decision.interests_declared,
        "confidential": "yes" if decision.confidential else "no",
        "partner": decision.partner_id,
    }
    form = PccDecisionForm(_posted(request), initial=initial, partners=selectors.pcc_decision_subjects())
    if request.method == "POST" and form.is_valid():
        try:
            services.pcc_decision_update(decision=decision, by=request.user, **_given(form))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The draft is saved.")
            return redirect(decision)
    return render(request, "callins/pcc_decision_form.html", {"form": form, "decision": decision})


def pcc_decision_sign(request, pk: int):
    decision = selectors.pcc_decision_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, PCC_DECISION_FLOW, decision, "sign")
    return done or _pcc_decision_sign_confirmed(request, decision)


@require_step_up
def _pcc_decision_sign_confirmed(request, decision):
    form = SignForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.pcc_decision_sign(decision=decision, by=request.user, confirmed_at=step_up_confirmed_at(request))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            decision.refresh_from_db()
            messages.success(
                request,
                f"You signed PCC decision {decision.reference}. It is published on the public register"
                + (" (its number, date and partner only: it is confidential)." if decision.confidential else "."),
            )
            return redirect(decision)
    year = financial_year_of(timezone.localdate())
    return render(request, "callins/pcc_decision_sign.html", {"decision": decision, "form": form, "year": year})
