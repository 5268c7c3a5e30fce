"""Signing off and returning a version, for one's own partner (after a fresh code)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from portal.formats import gov_date
from portal.security import require_step_up, step_up_confirmed_at

from .. import selectors, services
from ..forms import (
    ReturnForm,
    SignForm,
)
from ..models import PlanVersion
from ..workflows import SIGNOFF_FLOW
from .common import _apply_errors, _posted


# --- Sign-off ---------------------------------------------------------------------------------------
def _signoff_or_redirect(request, pk, number, partner_slug, transition):
    plan = selectors.plan_get(user=request.user, pk=pk)
    signoff = selectors.signoff_get(user=request.user, plan=plan, number=number, partner_slug=partner_slug)
    if not SIGNOFF_FLOW.permitted(request.user, signoff, transition):
        raise PermissionDenied(SIGNOFF_FLOW.refusal(transition))
    decided = signoff.status in (signoff.Status.SIGNED, signoff.Status.RETURNED)
    if signoff.version.status != PlanVersion.Status.IN_SIGNOFF:
        return plan, signoff, _round_closed(request, plan, signoff)
    if decided:
        messages.info(
            request,
            f"{signoff.partner.short_name}'s decision on version {signoff.version.number} is already made: "
            f"{services.who_decided(signoff)}.",
        )
        return plan, signoff, redirect(signoff.version.get_absolute_url())
    return plan, signoff, None


def _round_closed(request, plan, signoff):
    """A sign-off link from an email or a bookmark, after the round closed: say what happened, and go on to
    the version that matters now (the one made from it, when the person may read it)."""
    version = signoff.version
    newer = selectors.version_after(user=request.user, plan=plan, version=version)
    returned = version.signoffs.filter(status="returned").select_related("partner").first()
    if version.status == PlanVersion.Status.AGREED:
        what = f"Version {version.number} is agreed: every partner signed it off."
    elif returned is not None:
        what = (
            f"Version {version.number} is no longer waiting for sign-off: the round closed when "
            f"{returned.partner.short_name} returned it on {gov_date(returned.decided_at)}."
        )
    else:
        what = (
            f"Version {version.number} is no longer waiting for sign-off: it is {version.get_status_display().lower()}."
        )
    if signoff.status in (signoff.Status.SIGNED, signoff.Status.RETURNED) and signoff != returned:
        what += f" {signoff.partner.short_name}'s own decision was made: {services.who_decided(signoff)}."
    if newer is not None and newer.status == PlanVersion.Status.DRAFT:
        what += (
            f" Version {newer.number}, made from it, is being revised; you will be asked to sign off when it is sent."
        )
    elif newer is not None:
        what += f" Version {newer.number} is {newer.get_status_display().lower()}."
    messages.info(request, what)
    return redirect((newer or version).get_absolute_url())


def signoff_sign(request, pk: int, number: int, partner: str):
    plan, signoff, done = _signoff_or_redirect(request, pk, number, partner, "sign")
    return done or _signoff_sign_confirmed(request, plan, signoff)


@require_step_up
def _signoff_sign_confirmed(request, plan, signoff):
    form = SignForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_signoff_sign(
                signoff=signoff,
                by=request.user,
                statement=form.cleaned_data["statement"],
                confirmed_at=step_up_confirmed_at(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            signoff.version.refresh_from_db()
            agreed = (
                " Every partner has now signed: the plan is agreed."
                if (signoff.version.status == PlanVersion.Status.AGREED)
                else ""
            )
            messages.success(
                request, f"You signed off version {signoff.version.number} for {signoff.partner.short_name}.{agreed}"
            )
            return redirect(signoff.version.get_absolute_url())
    return render(
        request, "targets/plans/decide.html", {"plan": plan, "signoff": signoff, "form": form, "decision": "sign"}
    )


def signoff_return(request, pk: int, number: int, partner: str):
    plan, signoff, done = _signoff_or_redirect(request, pk, number, partner, "return")
    return done or _signoff_return_confirmed(request, plan, signoff)


@require_step_up
def _signoff_return_confirmed(request, plan, signoff):
    form = ReturnForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.plan_signoff_return(
                signoff=signoff,
                by=request.user,
                reasons=form.cleaned_data["reasons"],
                confirmed_at=step_up_confirmed_at(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"You returned version {signoff.version.number} for "
                f"{signoff.partner.short_name}. Version {draft.number} is a new draft made "
                f"from it.",
            )
            return redirect(draft.get_absolute_url())
    return render(
        request, "targets/plans/decide.html", {"plan": plan, "signoff": signoff, "form": form, "decision": "return"}
    )
