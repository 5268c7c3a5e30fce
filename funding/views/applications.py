"""Applications: the list, applying to a round, an application's page, changing a draft and adding documents,
submitting and withdrawing; assessing (scores and conflicts); the Commissioner's award or decline."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from callins.forms.common import ConfirmForm
from partners.models import Area
from portal import permissions
from portal.files import UploadRejected, attachment_response
from portal.formats import gov_date, money
from portal.paging import paginate
from portal.security import require_step_up, step_up_confirmed_at

from .. import rules, selectors, services
from ..forms import (
    ApplicationFilterForm,
    ApplicationForm,
    AwardForm,
    ConflictForm,
    DocumentForm,
    ReasonsForm,
    ScoresForm,
    SubmitApplicationForm,
)
from ..models import Application, ConflictDeclaration, Score
from ..workflows import APPLICATION_FLOW
from .common import CONTENT_TYPES, _apply_errors, _filtered, _filters, _lists_for, _posted, _refuse_or_redirect


def application_list(request):
    permissions.check(request.user, rules.APPLICATION_VIEW)
    visible = selectors.applications_visible_to(user=request.user)
    rounds = list(selectors.rounds_visible_to(user=request.user).filter(applications__in=visible).distinct())
    form = ApplicationFilterForm(request.GET or None, rounds=rounds)
    filters = _filters(form)
    applications = visible.order_by("-drafted_at", "-pk")
    if filters.get("q"):
        q = filters["q"]
        applications = applications.filter(Q(project_title__icontains=q) | Q(organisation__name__icontains=q))
    if filters.get("status"):
        applications = applications.filter(status=filters["status"])
    if filters.get("round"):
        applications = applications.filter(round_id=filters["round"])
    page, pagination = paginate(request, applications, per_page=25)
    return render(
        request,
        "funding/applications.html",
        {
            "filter_form": form,
            "filtered": _filtered(form),
            "page": page,
            "pagination": pagination,
            "office": permissions.is_pcc_office(request.user),
            "lists": _lists_for(request.user),
        },
    )


def _choices(user):
    from targets.selectors import targets_visible_to

    return {
        "programmes": list(selectors.programmes()),
        "targets": list(targets_visible_to(user=user).select_related("indicator").order_by("pk")[:200]),
        "areas": list(Area.objects.order_by("name")),
    }


def application_draft(request, pk: int):
    round_ = selectors.round_get(user=request.user, pk=pk)
    organisations = selectors.organisations_applying_for(user=request.user)
    if not organisations:
        raise PermissionDenied(permissions.refusal(rules.APPLICATION_DRAFT))
    if not round_.accepts_on(timezone.localdate()):
        messages.info(request, f"{round_.title} is not open for applications.")
        return redirect(round_)
    form = ApplicationForm(_posted(request), organisations=organisations, **_choices(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_draft(
                round_=round_, organisation=form.chosen_organisation(), by=request.user, **form.given()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"Your draft “{application.project_title}” is saved. Add any documents, then submit it before "
                f"{gov_date(round_.closes_on)}.",
            )
            return redirect(application)
    return render(request, "funding/application_form.html", {"form": form, "round": round_, "application": None})


def application_detail(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    user = request.user
    office = permissions.can(user, rules.APPLICATION_ASSESS)
    scores = list(application.scores.select_related("criterion", "assessor")) if office else []
    conflicts = list(application.conflicts.select_related("assessor")) if office else []
    my_conflict = next((c for c in conflicts if c.assessor_id == user.pk), None)
    return render(
        request,
        "funding/application.html",
        {
            "application": application,
            "round": application.round,
            "budget_lines": list(application.budget_lines.all()),
            "attachments": list(application.attachments.all()),
            "targets": list(application.targets.select_related("indicator")),
            "areas": list(application.areas.all()),
            "award": selectors.application_award(user=user, application=application),
            "office": office,
            "scores": scores,
            "conflicts": conflicts,
            "may_assess": office
            and my_conflict is None
            and application.status in (Application.Status.SUBMITTED, Application.Status.IN_ASSESSMENT),
            "my_conflict": my_conflict,
            "lists": _lists_for(user),
        },
    )


def application_edit(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, APPLICATION_FLOW, application, "edit")
    if done:
        return done
    organisations = [application.organisation]
    form = ApplicationForm(
        _posted(request),
        initial=ApplicationForm.initial_from(application),
        organisations=organisations,
        **_choices(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(application=application, by=request.user, **form.given())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Your draft is saved.")
            return redirect(application)
    return render(
        request, "funding/application_form.html", {"form": form, "round": application.round, "application": application}
    )


def application_documents(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, APPLICATION_FLOW, application, "edit")
    if done:
        return done
    form = DocumentForm(request.POST, request.FILES) if request.method == "POST" else DocumentForm()
    if request.method == "POST" and form.is_valid():
        try:
            attachment = services.application_attachment_add(
                application=application,
                by=request.user,
                title=form.cleaned_data["title"],
                uploaded_file=form.cleaned_data["file"],
            )
        except UploadRejected as exc:
            form.add_error("file", exc)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"“{attachment.title}” is added to the application.")
            return redirect(application)
    return render(
        request,
        "funding/application_documents.html",
        {"application": application, "form": form, "attachments": list(application.attachments.all())},
    )


def application_attachment(request, pk: int, attachment_id: int):
    application = selectors.application_get(user=request.user, pk=pk)
    attachment = application.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment_response(
        attachment.file_path,
        missing="The document's file is missing. Ask the applicant to add it again.",
        filename=attachment.original_filename,
        content_type=CONTENT_TYPES.get(attachment.kind, "application/octet-stream"),
    )


def application_submit(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, APPLICATION_FLOW, application, "submit")
    if done:
        return done
    form = SubmitApplicationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(application=application, by=request.user, meets_eligibility=True)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"Your application “{application.project_title}” is submitted. The PCC office assesses it once "
                "the round closes, and you will be told the Commissioner's decision.",
            )
            return redirect(application)
    return render(
        request,
        "funding/application_submit.html",
        {
            "application": application,
            "round": application.round,
            "form": form,
            "budget_lines": list(application.budget_lines.all()),
            "attachments": list(application.attachments.all()),
        },
    )


def application_withdraw(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, APPLICATION_FLOW, application, "withdraw")
    if done:
        return done
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(application=application, by=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The application is withdrawn.")
            return redirect(application)
    return render(request, "funding/application_withdraw.html", {"application": application, "form": form})


# --- Assessment -----------------------------------------------------------------------------------------
def application_assess(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    permissions.check(request.user, rules.APPLICATION_ASSESS)
    if ConflictDeclaration.objects.filter(application=application, assessor=request.user).exists():
        messages.info(request, "You declared a conflict of interest on this application, so you cannot score it.")
        return redirect(application)
    if application.status not in (Application.Status.SUBMITTED, Application.Status.IN_ASSESSMENT):
        messages.info(
            request,
            f"Only a submitted application is assessed: this one is {application.get_status_display().lower()}.",
        )
        return redirect(application)
    criteria = list(application.round.criteria.all())
    mine = {s.criterion_id: s for s in Score.objects.filter(application=application, assessor=request.user)}
    initial = {}
    for c in criteria:
        if c.pk in mine:
            initial[f"score_{c.pk}"], initial[f"rationale_{c.pk}"] = str(mine[c.pk].score), mine[c.pk].rationale
    form = ScoresForm(_posted(request), initial=initial, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                for c in criteria:
                    services.score_record(
                        application=application,
                        criterion=c,
                        by=request.user,
                        score=data[f"score_{c.pk}"],
                        rationale=data[f"rationale_{c.pk}"],
                    )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Your scores for “{application.project_title}” are saved.")
            return redirect("funding:moderation", pk=application.round_id)
    return render(request, "funding/application_assess.html", {"application": application, "form": form})


def application_conflict(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    permissions.check(request.user, rules.APPLICATION_ASSESS)
    form = ConflictForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_declare(application=application, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Your conflict of interest is recorded. You will not score this application.")
            return redirect(application)
    return render(request, "funding/application_conflict.html", {"application": application, "form": form})


# --- The Commissioner's decision ------------------------------------------------------------------------
def application_award(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, APPLICATION_FLOW, application, "award")
    return done or _award_confirmed(request, application)


@require_step_up
def _award_confirmed(request, application):
    fund = application.round.fund
    form = AwardForm(
        _posted(request),
        initial={"amount": application.amount_asked, "instalment_1_amount": application.amount_asked},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            award = services.award_make(
                application=application,
                by=request.user,
                amount=data["amount"],
                instalments=form.instalments(),
                conditions=data["conditions"],
                reasons=data["reasons"],
                confirmed_at=step_up_confirmed_at(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"You awarded {money(award.amount)} to {award.organisation.name} (PCC decision "
                f"{award.pcc_decision.reference}). The grantee is told.",
            )
            return redirect(award)
    fund.refresh_from_db()
    return render(
        request,
        "funding/application_award.html",
        {"application": application, "form": form, "position": selectors.fund_position(fund)},
    )


def application_decline(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, APPLICATION_FLOW, application, "decline")
    return done or _decline_confirmed(request, application)


@require_step_up
def _decline_confirmed(request, application):
    form = ReasonsForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_decline(
                application=application,
                by=request.user,
                reasons=form.cleaned_data["reasons"],
                confirmed_at=step_up_confirmed_at(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, f"You declined “{application.project_title}”. The applicant is told, with your reasons."
            )
            return redirect(application)
    return render(request, "funding/application_decline.html", {"application": application, "form": form})
