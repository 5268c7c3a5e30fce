"""A plan's pages: the list, starting one, its page and details, history, comparison, a new version."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from partners.models import Partner
from portal import permissions
from portal.paging import paginate

from ... import rules
from .. import selectors, services
from ..forms import (
    PlanEditForm,
    PlanFilterForm,
    PlanForm,
)
from ..models import PlanVersion
from .common import _apply_errors, _posted


# --- Plans -----------------------------------------------------------------------------------------
def plan_list(request):
    permissions.check(request.user, rules.PLAN_VIEW)
    form = PlanFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    plans = selectors.plan_list(user=request.user, kind=filters.get("kind", ""), search=filters.get("q", ""))
    page, pagination = paginate(request, plans, per_page=25)
    owners, board = _creatable_owners(request.user)
    return render(
        request,
        "targets/plans/list.html",
        {"filter_form": form, "page": page, "pagination": pagination, "can_create": bool(owners) or board},
    )


def _creatable_owners(user) -> tuple[list[Partner], bool]:
    owners = list(
        permissions.visible(
            user, rules.PLAN_CREATE, Partner.objects.filter(active=True).exclude(kind=Partner.Kind.PCC_OFFICE)
        ).order_by("name")
    )
    board = any(
        permissions.can(user, rules.PLAN_CREATE, p)
        for p in Partner.objects.filter(kind=Partner.Kind.PCC_OFFICE, active=True)
    )
    return owners, board


def plan_create(request):
    owners, board = _creatable_owners(request.user)
    if not owners and not board:
        raise PermissionDenied(permissions.refusal(rules.PLAN_CREATE))
    form = PlanForm(_posted(request), owners=owners, board_allowed=board)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                kind=data["kind"],
                title=data["title"],
                summary=data["summary"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                owner=form.chosen_owner(),
                contributors=list(data["contributors"]),
                priorities=list(data.get("priorities") or []),
                by=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"'{plan.title}' is started. Add its sections, then send it for sign-off.")
            return redirect(plan.versions.get().get_absolute_url())
    return render(request, "targets/plans/plan_form.html", {"form": form, "plan": None})


def plan_detail(request, pk: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    return render(
        request,
        "targets/plans/plan.html",
        {
            "plan": plan,
            "can_manage": permissions.can(request.user, rules.PLAN_MANAGE, plan),
            "open_version": plan.versions.filter(status__in=PlanVersion.OPEN_STATUSES).first(),
        },
    )


def plan_edit(request, pk: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    permissions.check(request.user, rules.PLAN_MANAGE, plan)
    if not plan.versions.filter(status=PlanVersion.Status.DRAFT).exists():
        messages.info(request, "Start a new version to change the plan's details: the current one is not a draft.")
        return redirect(plan)
    initial = {
        "title": plan.title,
        "summary": plan.summary,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "contributors": [p.pk for p in plan.contributors.all()],
        "priorities": [p.pk for p in plan.priorities.all()],
    }
    leaving, heirs = _leaving_and_heirs(request, plan)
    form = PlanEditForm(_posted(request), initial=initial, plan=plan, leaving=leaving, heirs=heirs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(
                plan=plan,
                by=request.user,
                title=data["title"],
                summary=data["summary"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                contributors=list(data["contributors"]),
                priorities=list(data.get("priorities") or []),
                reassign=form.reassign(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The plan's details are saved.")
            return redirect(plan)
    return render(request, "targets/plans/plan_form.html", {"form": form, "plan": plan})


def _leaving_and_heirs(request, plan) -> tuple[list[Partner], list[Partner]]:
    """The contributors a posted change would remove that still have work in the draft, and who may take it."""
    if request.method != "POST":
        return [], []
    try:
        kept_ids = {int(v) for v in request.POST.getlist("contributors")}
    except ValueError:
        return [], []
    kept = list(Partner.objects.filter(pk__in=kept_ids, active=True))
    leaving = services.plan_contributors_leaving(plan=plan, contributors=kept)
    if not leaving:
        return [], []
    heirs = {p.pk: p for p in [*_runners_of(plan), *kept]}
    return leaving, sorted(heirs.values(), key=lambda p: p.name)


def _runners_of(plan) -> list[Partner]:
    return [plan.owner] if plan.owner else list(Partner.objects.filter(kind=Partner.Kind.PCC_OFFICE, active=True))


def plan_history(request, pk: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    if not plan.drafts_visible:
        raise Http404  # the history of drafts is for those who write them
    page, pagination = paginate(request, selectors.plan_history(plan=plan), per_page=50)
    return render(request, "targets/plans/history.html", {"plan": plan, "page": page, "pagination": pagination})


def plan_compare(request, pk: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    readable = {v.number: v for v in plan.versions_readable}
    numbers = sorted(readable)
    try:
        newer = int(request.GET.get("to") or (numbers[-1] if numbers else 0))
        older = int(request.GET.get("from") or (numbers[-2] if len(numbers) > 1 else newer))
    except ValueError:
        older = newer = 0
    error = ""
    if older not in readable or newer not in readable:
        error = "Choose two versions of this plan that you can read"
        diffs = []
    else:
        if older > newer:
            older, newer = newer, older
        diffs = selectors.versions_compare(older=readable[older], newer=readable[newer])
    return render(
        request,
        "targets/plans/compare.html",
        {"plan": plan, "numbers": numbers, "older": older, "newer": newer, "diffs": diffs, "error": error},
    )


@require_POST
def plan_version_start(request, pk: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    permissions.check(request.user, rules.PLAN_MANAGE, plan)
    try:
        version = services.plan_version_start(plan=plan, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(plan)
    messages.success(request, f"Version {version.number} is a new draft made from the latest version.")
    return redirect(version.get_absolute_url())
