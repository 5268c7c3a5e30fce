"""Sections, comments and documents of a version."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal import permissions
from portal.files import UploadRejected, attachment_response

from ... import rules
from .. import selectors, services
from ..forms import (
    AttachmentForm,
    CommentForm,
    SectionAddForm,
    SectionForm,
)
from ..models import PlanVersion
from .common import CONTENT_TYPES, _apply_errors, _partners_of, _posted


def _draft_section_or_404(request, pk, number, key):
    plan = selectors.plan_get(user=request.user, pk=pk)
    section = selectors.section_get(user=request.user, plan=plan, number=number, key=key)
    return plan, section


def section_edit(request, pk: int, number: int, key: str):
    plan, section = _draft_section_or_404(request, pk, number, key)
    if section.version.status != PlanVersion.Status.DRAFT:
        messages.info(request, "Only a draft can be changed: this version is locked.")
        return redirect(section.version.get_absolute_url())
    if not services.can_edit_section(request.user, section):
        raise PermissionDenied(permissions.refusal(rules.PLAN_CONTRIBUTE))
    form = SectionForm(_posted(request), initial={"title": section.title, "body": section.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_section_update(
                section=section, by=request.user, title=form.cleaned_data["title"], body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"'{form.cleaned_data['title']}' is saved.")
            return redirect(section.version.get_absolute_url() + f"#section-{section.key}")
    return render(
        request,
        "targets/plans/section_form.html",
        {"plan": plan, "version": section.version, "section": section, "form": form},
    )


def section_add(request, pk: int, number: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    version = selectors.version_get(user=request.user, plan=plan, number=number)
    permissions.check(request.user, rules.PLAN_MANAGE, plan)
    if version.status != PlanVersion.Status.DRAFT:
        messages.info(request, "Only a draft can be changed: this version is locked.")
        return redirect(version.get_absolute_url())
    form = SectionAddForm(_posted(request), partners=_partners_of(plan))
    if request.method == "POST" and form.is_valid():
        try:
            section = services.plan_section_add(
                version=version,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                assigned_to=form.chosen_partner(),
                by=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"'{section.title}' is added.")
            return redirect(version.get_absolute_url() + f"#section-{section.key}")
    return render(
        request, "targets/plans/section_form.html", {"plan": plan, "version": version, "section": None, "form": form}
    )


@require_POST
def comment_add(request, pk: int, number: int, key: str):
    plan, section = _draft_section_or_404(request, pk, number, key)
    form = CommentForm(request.POST)
    anchor = section.version.get_absolute_url() + f"#section-{section.key}"
    if not form.is_valid():
        too_long = form.errors.as_data().get("body", [])
        if too_long and too_long[0].code == "max_length":
            messages.error(request, f"{form.errors['body'][0]}: yours has {len(request.POST.get('body', '')):,}.")
        else:
            messages.error(request, "Enter your comment before you add it.")
        return redirect(anchor)
    parent = (
        section.comments.filter(pk=form.cleaned_data.get("parent")).first() if form.cleaned_data.get("parent") else None
    )
    try:
        services.plan_comment_add(section=section, body=form.cleaned_data["body"], parent=parent, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your comment is added.")
    return redirect(anchor)


@require_POST
def comment_resolve(request, pk: int, number: int, key: str, comment_id: int):
    plan, section = _draft_section_or_404(request, pk, number, key)
    comment = section.comments.filter(pk=comment_id, parent=None).first()
    if comment is None:
        raise Http404
    if not services.can_resolve_comment(request.user, comment, section):
        raise PermissionDenied(
            "You cannot resolve this comment: its author, the section's writers or the plan's owner can."
        )
    services.plan_comment_resolve(comment=comment, by=request.user)
    messages.success(request, f"{comment.author_label}'s comment is resolved: it stays with this version only.")
    return redirect(section.version.get_absolute_url() + f"#section-{section.key}")


def attachment_add(request, pk: int, number: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    version = selectors.version_get(user=request.user, plan=plan, number=number)
    permissions.check(request.user, rules.PLAN_MANAGE, plan)
    if version.status != PlanVersion.Status.DRAFT:
        messages.info(request, "Only a draft can be changed: this version is locked.")
        return redirect(version.get_absolute_url())
    form = AttachmentForm(request.POST or None, request.FILES or None) if request.method == "POST" else AttachmentForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_attachment_add(
                version=version,
                title=form.cleaned_data["title"],
                uploaded_file=form.cleaned_data["file"],
                by=request.user,
            )
        except UploadRejected as exc:
            form.add_error("file", exc)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The document is attached.")
            return redirect(version.get_absolute_url() + "#documents")
    return render(request, "targets/plans/attachment_form.html", {"plan": plan, "version": version, "form": form})


def attachment_download(request, pk: int, number: int, attachment_id: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    version = selectors.version_get(user=request.user, plan=plan, number=number)
    attachment = version.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment_response(
        attachment.file_path,
        missing="The document's file is missing. Ask the plan's owner to attach it again.",
        filename=attachment.original_filename,
        content_type=CONTENT_TYPES.get(attachment.kind, "application/octet-stream"),
    )
