"""A version's pages: the version, sending it for sign-off, what changed, print and PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from partners.selectors import partners_without_signers
from portal import pdf, permissions

from ... import rules
from .. import limits, selectors, services
from ..forms import (
    CommentForm,
    SendForm,
    VersionNoteForm,
)
from ..models import PlanVersion
from ..workflows import PLAN_VERSION_FLOW
from .common import _apply_errors, _posted


# --- A version -----------------------------------------------------------------------------------
def version_detail(request, pk: int, number: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    data = selectors.version_page(user=request.user, plan=plan, number=number)
    return render(
        request,
        "targets/plans/version.html",
        {
            "page_data": data,
            "plan": plan,
            "version": data.version,
            "comment_form": CommentForm(),
            "comment_limit": limits.COMMENT,
        },
    )


def version_send(request, pk: int, number: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    version = selectors.version_get(user=request.user, plan=plan, number=number)
    if not PLAN_VERSION_FLOW.permitted(request.user, version, "send"):
        raise PermissionDenied(PLAN_VERSION_FLOW.refusal("send"))
    if not PLAN_VERSION_FLOW.in_source_state(version, "send"):
        messages.info(
            request,
            f"Version {version.number} is {version.get_status_display().lower()}: only a draft "
            f"can be sent for sign-off.",
        )
        return redirect(version.get_absolute_url())
    form = SendForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_version_send(version=version, by=request.user, working_days=form.cleaned_data["working_days"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            version.refresh_from_db()
            messages.success(
                request,
                f"Version {version.number} is sent. Each partner's signatory has been asked to "
                f"sign it off by {version.signoff_due.day} {version.signoff_due:%B %Y}.",
            )
            return redirect(version.get_absolute_url())
    partners = services.required_partners(plan)
    unsignable = partners_without_signers(partners)
    return render(
        request,
        "targets/plans/send.html",
        {
            "plan": plan,
            "version": version,
            "form": form,
            "partners": partners,
            "unsignable": unsignable,
            "unsignable_message": services.unsignable_message(unsignable) if unsignable else "",
        },
    )


def version_note(request, pk: int, number: int):
    """The owner writes what changed in a draft, for the signatories."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    version = selectors.version_get(user=request.user, plan=plan, number=number)
    permissions.check(request.user, rules.PLAN_MANAGE, plan)
    if version.status != PlanVersion.Status.DRAFT:
        messages.info(request, "Only a draft can be changed: this version is locked.")
        return redirect(version.get_absolute_url())
    form = VersionNoteForm(_posted(request), initial={"change_note": version.change_note})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_version_note(version=version, note=form.cleaned_data["change_note"], by=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "What changed in this version is saved.")
            return redirect(version.get_absolute_url())
    return render(request, "targets/plans/version_note.html", {"plan": plan, "version": version, "form": form})


# --- Print and PDF -------------------------------------------------------------------------------
def _printable(request, pk, number):
    plan = selectors.plan_get(user=request.user, pk=pk)
    data = selectors.version_page(user=request.user, plan=plan, number=number)
    return plan, data


def version_print(request, pk: int, number: int):
    plan, data = _printable(request, pk, number)
    return render(request, "targets/plans/print.html", {"plan": plan, "version": data.version, "page_data": data})


def version_pdf(request, pk: int, number: int):
    """The print page's HTML, made into a PDF by WeasyPrint (with the print stylesheet, read from disk;
    nothing fetched, the work bounded: portal/pdf.py)."""
    from django.contrib.staticfiles import finders

    plan, data = _printable(request, pk, number)
    html = render_to_string(
        "targets/plans/print.html",
        {"plan": plan, "version": data.version, "page_data": data, "as_pdf": True},
        request=request,
    )
    css_path = finders.find("css/plan-print.css")
    try:
        document = pdf.render_pdf(html, stylesheets=[css_path] if css_path else [])
    except pdf.PdfTooLong:
        messages.info(
            request,
            f"Version {data.version.number} is too long to make into a PDF here. Print this page instead, or save "
            "it as a PDF from your browser's print options.",
        )
        return redirect("targets:plan-version-print", pk=plan.pk, number=data.version.number)
    response = HttpResponse(document, content_type="application/pdf")
    filename = f"plan-{plan.pk}-version-{data.version.number}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    from portal.models import SecurityEvent
    from portal.security import security_log

    security_log(SecurityEvent.Kind.EXPORT, request=request, detail=filename)
    return response
