"""The plan pages: load → check → form → service → redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from partners.models import Partner
from partners.selectors import partners_without_signers
from portal import pdf, permissions
from portal.files import UploadRejected, attachment_response, stored_path
from portal.formats import gov_date
from portal.paging import paginate
from portal.security import require_step_up, step_up_confirmed_at

from .. import rules
from . import limits, selectors, services
from .forms import (
    ActionForm,
    ActionProgressForm,
    AttachmentForm,
    CommentForm,
    PlanEditForm,
    PlanFilterForm,
    PlanForm,
    ReturnForm,
    SectionAddForm,
    SectionForm,
    SendForm,
    SignForm,
    VersionNoteForm,
)
from .models import PlanVersion
from .workflows import PLAN_VERSION_FLOW, SIGNOFF_FLOW

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _posted(request):
    return request.POST if request.method == "POST" else None


def _apply_errors(form, exc: ValidationError) -> None:
    """The service's refusal on the form: on its field where the form has one (codes kept)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _partners_of(plan) -> list[Partner]:
    return services.required_partners(plan) if plan.owner else list(plan.contributors.order_by("name"))


def _past_due(form) -> bool:
    """Whether to offer "the due date is right": the date entered has passed (the service said so), or the
    person already ticked it."""
    errors = form.errors.as_data().get("due_date", []) if form.is_bound else []
    return any(e.code == services.PAST_DUE for e in errors) or bool(form.data.get("confirm_past"))


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
    path = stored_path(attachment.file_path)
    if not path.is_file():  # the shared upload volume lost it: say so, never a 500
        raise Http404("The document's file is missing. Ask the plan's owner to attach it again.")
    return attachment_response(
        path,
        filename=attachment.original_filename,
        content_type=CONTENT_TYPES.get(attachment.kind, "application/octet-stream"),
    )


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
