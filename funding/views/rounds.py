"""Funding rounds: the list, a round's page, opening one, moving it through its life, the moderation view and
its export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from callins.forms.common import ConfirmForm
from portal import permissions
from portal.files.exports import export_response
from portal.formats import gov_date
from portal.paging import paginate

from .. import rules, selectors, services
from ..forms import RoundForm
from ..models import Application, Round
from ..workflows import ROUND_FLOW
from .common import _apply_errors, _lists_for, _posted, _refuse_or_redirect

EXPORT_FORMATS = ("csv", "xlsx")


def round_list(request):
    rounds = selectors.rounds_visible_to(user=request.user).order_by("-opens_on", "-pk")
    status = request.GET.get("status", "")
    if status in Round.Status.values:
        rounds = rounds.filter(status=status)
    page, pagination = paginate(request, rounds, per_page=25)
    return render(
        request,
        "funding/rounds.html",
        {
            "page": page,
            "pagination": pagination,
            "status": status if status in Round.Status.values else "",
            "statuses": Round.Status.choices,
            "today": timezone.localdate(),
            "lists": _lists_for(request.user),
        },
    )


def round_create(request, pk: int):
    permissions.check(request.user, rules.FUND_MANAGE)
    fund = selectors.fund_get(user=request.user, pk=pk)
    form = RoundForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_create(
                fund=fund,
                by=request.user,
                title=data["title"],
                eligibility=data["eligibility"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                max_award=data["max_award"],
                criteria=form.criteria(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, f"The round “{round_.title}” is saved as a draft. Open it for applications when it is ready."
            )
            return redirect(round_)
    return render(request, "funding/round_form.html", {"form": form, "fund": fund})


def round_detail(request, pk: int):
    round_ = selectors.round_get(user=request.user, pk=pk)
    user = request.user
    today = timezone.localdate()
    organisations = selectors.organisations_applying_for(user=user)
    mine = list(selectors.applications_visible_to(user=user).filter(round=round_).order_by("-drafted_at"))
    office = permissions.can(user, rules.APPLICATION_ASSESS)
    counts = {}
    if office:
        for status in round_.applications.values_list("status", flat=True):
            counts[status] = counts.get(status, 0) + 1
    return render(
        request,
        "funding/round.html",
        {
            "round": round_,
            "criteria": list(round_.criteria.all()),
            "may_apply": bool(organisations) and round_.accepts_on(today),
            "applications": mine,
            "office": office,
            "counts": [(Application.Status(s).label, n) for s, n in sorted(counts.items())],
            "today": today,
            "lists": _lists_for(user),
        },
    )


WORDS = {
    "open": (
        "Open “{title}” for applications?",
        "Applicants' officers can apply until {closes}.",
        "The round is open for applications.",
    ),
    "assess": (
        "Close “{title}” for applications and assess?",
        "No more applications can be made or submitted. Drafts not submitted stay drafts. The PCC office scores "
        "the submitted ones, and the Commissioner awards or declines each.",
        "The round is closed for applications: its applications are in assessment.",
    ),
    "close": (
        "Close the round “{title}”?",
        "Every application must be decided (awarded, declined or withdrawn) first. A closed round cannot be reopened.",
        "The round is closed.",
    ),
}
SERVICES = {
    "open": lambda round_, by: services.round_open(round_=round_, by=by),
    "assess": lambda round_, by: services.round_close_for_applications(round_=round_, by=by),
    "close": lambda round_, by: services.round_close(round_=round_, by=by),
}


def _round_step(request, pk: int, name: str):
    round_ = selectors.round_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, ROUND_FLOW, round_, name)
    if done:
        return done
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            SERVICES[name](round_, request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, WORDS[name][2])
            return redirect(round_)
    heading, body, _ = WORDS[name]
    return render(
        request,
        "funding/round_step.html",
        {
            "round": round_,
            "form": form,
            "heading": heading.format(title=round_.title),
            "body": body.format(closes=gov_date(round_.closes_on)),
            "button": ROUND_FLOW.transition(name).label,
        },
    )


def round_open(request, pk: int):
    return _round_step(request, pk, "open")


def round_assess(request, pk: int):
    return _round_step(request, pk, "assess")


def round_close(request, pk: int):
    return _round_step(request, pk, "close")


def moderation(request, pk: int):
    round_ = selectors.round_get(user=request.user, pk=pk)
    ranked = selectors.moderation(round_=round_, user=request.user)
    return render(
        request,
        "funding/moderation.html",
        {"round": round_, "ranked": ranked, "criteria": list(round_.criteria.all()), "lists": _lists_for(request.user)},
    )


def moderation_export(request, pk: int, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    round_ = selectors.round_get(user=request.user, pk=pk)
    ranked = selectors.moderation(round_=round_, user=request.user)
    header = [
        "Rank",
        "Application",
        "Applicant",
        "Organisation identifier",
        "Project",
        "Amount asked",
        "Weighted score (1 to 5)",
        "Per cent",
        "Criteria scored",
        "Criteria",
        "Assessors",
        "Status",
    ]
    rows = [
        [
            r.rank,
            r.application.pk,
            r.application.organisation.name,
            r.application.organisation.org_id,
            r.application.project_title,
            r.application.amount_asked,
            r.weighted_total,
            r.percentage,
            r.criteria_scored,
            r.criteria,
            r.assessors,
            r.application.get_status_display(),
        ]
        for r in ranked
    ]
    return export_response(
        header=header,
        rows=rows,
        filename=f"round-{round_.pk}-moderation",
        fmt=fmt,
        request=request,
        notes=[f"{round_.title}: applications ranked by weighted score (each criterion's mean score times its weight)"],
    )
