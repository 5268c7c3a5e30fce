"""Delivery actions: added and changed on a draft, progress recorded on the agreed version."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from portal import permissions

from ... import rules
from .. import selectors, services
from ..forms import (
    ActionForm,
    ActionProgressForm,
)
from ..models import PlanVersion
from .common import _apply_errors, _past_due, _posted


def action_add(request, pk: int, number: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    version = selectors.version_get(user=request.user, plan=plan, number=number)
    permissions.check(request.user, rules.PLAN_MANAGE, plan)
    if version.status != PlanVersion.Status.DRAFT:
        messages.info(request, "Only a draft can be changed: this version is locked.")
        return redirect(version.get_absolute_url())
    form = ActionForm(_posted(request), partners=services.required_partners(plan), plan=plan)
    del form.fields["status"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_action_add(
                version=version,
                what=data["what"],
                owner=form.chosen_owner(),
                due_date=data["due_date"],
                target=form.chosen_target(),
                by=request.user,
                confirm_past=data.get("confirm_past", False),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The action is added.")
            return redirect(version.get_absolute_url() + "#actions")
    return render(
        request,
        "targets/plans/action_form.html",
        {"plan": plan, "version": version, "action": None, "form": form, "confirm_past": _past_due(form)},
    )


def _action_or_404(request, pk: int, number: int, key: str):
    """The plan, the version and its action named in the address, or 404 for any the person may not read."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    version = selectors.version_get(user=request.user, plan=plan, number=number)
    action = version.actions.select_related("owner").filter(key=key).first()
    if action is None:
        raise Http404
    return plan, version, action


def action_edit(request, pk: int, number: int, key: str):
    plan, version, action = _action_or_404(request, pk, number, key)
    if version.status != PlanVersion.Status.DRAFT:
        messages.info(request, "Only a draft can be changed: this version is locked.")
        return redirect(version.get_absolute_url())
    if not services.can_update_action(request.user, action, version):
        raise PermissionDenied(permissions.refusal(rules.PLAN_CONTRIBUTE))
    form = ActionForm(
        _posted(request),
        partners=[action.owner],
        plan=plan,
        initial={
            "what": action.what,
            "owner": action.owner_id,
            "due_date": action.due_date,
            "target": action.target_id,
            "status": action.status,
        },
    )
    del form.fields["owner"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_action_update(
                action=action,
                by=request.user,
                what=data["what"],
                due_date=data["due_date"],
                target=form.chosen_target(),
                status=data["status"],
                confirm_past=data.get("confirm_past", False),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The action is saved.")
            return redirect(version.get_absolute_url() + "#actions")
    return render(
        request,
        "targets/plans/action_form.html",
        {"plan": plan, "version": version, "action": action, "form": form, "confirm_past": _past_due(form)},
    )


def action_progress(request, pk: int, number: int, key: str):
    """The partner that does an action of the agreed plan records how it is going."""
    plan, version, action = _action_or_404(request, pk, number, key)
    if version.status != PlanVersion.Status.AGREED:
        messages.info(request, "Progress is recorded on the agreed version of a plan.")
        return redirect(version.get_absolute_url() + f"#action-{action.key}")
    if not services.can_record_progress(request.user, action, version):
        raise PermissionDenied(permissions.refusal(rules.PLAN_CONTRIBUTE))
    initial = {"status": action.status, "done_on": action.done_on, "progress_note": action.progress_note}
    form = ActionProgressForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_action_progress(
                action=action,
                by=request.user,
                status=data["status"],
                progress_note=data["progress_note"],
                done_on=data.get("done_on"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Progress on '{action.what}' is saved.")
            return redirect(version.get_absolute_url() + f"#action-{action.key}")
    return render(
        request,
        "targets/plans/action_progress.html",
        {"plan": plan, "version": version, "action": action, "form": form},
    )
