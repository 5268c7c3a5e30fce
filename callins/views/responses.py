"""Call-ins after they are issued: the partner's response and its documents, submitting it, and the PCC
determining or withdrawing the call-in."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from portal.files import UploadRejected, attachment_response
from portal.formats import gov_date
from portal.security import require_step_up, step_up_confirmed_at

from .. import limits, selectors, services
from ..forms import DetermineForm, DocumentForm, ResponseForm, SubmitForm, WithdrawForm
from ..models import CallIn
from ..workflows import CALLIN_FLOW
from .common import CONTENT_TYPES, _apply_errors, _posted, _refuse_or_redirect


def callin_respond(request, pk: int):
    callin = selectors.callin_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, CALLIN_FLOW, callin, "respond")
    if done:
        return done
    adding = request.method == "POST" and "document-title" in request.POST
    form = ResponseForm(
        request.POST if request.method == "POST" and not adding else None,
        initial={"response_text": callin.response_text},
    )
    document_form = DocumentForm(request.POST, request.FILES) if adding else DocumentForm()
    if adding and document_form.is_valid():
        try:
            attachment = services.callin_attachment_add(
                callin=callin,
                by=request.user,
                title=document_form.cleaned_data["title"],
                uploaded_file=document_form.cleaned_data["file"],
            )
        except UploadRejected as exc:
            document_form.add_error("file", exc)
        except ValidationError as exc:
            _apply_errors(document_form, exc)
        else:
            messages.success(request, f"“{attachment.title}” is added to the response.")
            return redirect("callins:callin-respond", pk=callin.pk)
    elif request.method == "POST" and not adding and form.is_valid():
        try:
            services.callin_response_save(
                callin=callin, by=request.user, response_text=form.cleaned_data["response_text"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"Your response to {callin.reference} is saved. It is not submitted yet: your signatory submits "
                f"it by {gov_date(callin.response_due)}.",
            )
            return redirect(callin)
    return render(
        request,
        "callins/callin_respond.html",
        {
            "callin": callin,
            "decision": callin.decision,
            "form": form,
            "document_form": document_form,
            "attachments": callin.attachments.all(),
        },
    )


def callin_attachment(request, pk: int, attachment_id: int):
    callin = selectors.callin_get(user=request.user, pk=pk)
    attachment = callin.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment_response(
        attachment.file_path,
        missing="The document's file is missing. Ask the partner to add it again.",
        filename=attachment.original_filename,
        content_type=CONTENT_TYPES.get(attachment.kind, "application/octet-stream"),
    )


def callin_submit(request, pk: int):
    callin = selectors.callin_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, CALLIN_FLOW, callin, "submit")
    return done or _callin_submit_confirmed(request, callin)


@require_step_up
def _callin_submit_confirmed(request, callin):
    form = SubmitForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.callin_submit(callin=callin, by=request.user, confirmed_at=step_up_confirmed_at(request))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            callin.refresh_from_db()
            messages.success(
                request,
                f"You submitted {callin.partner.short_name}'s response to {callin.reference}. The PCC's "
                f"determination is due by {gov_date(callin.determination_due)}.",
            )
            return redirect(callin)
    return render(
        request,
        "callins/callin_submit.html",
        {"callin": callin, "decision": callin.decision, "form": form, "attachments": callin.attachments.all()},
    )


def callin_determine(request, pk: int):
    callin = selectors.callin_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, CALLIN_FLOW, callin, "determine")
    return done or _callin_determine_confirmed(request, callin)


@require_step_up
def _callin_determine_confirmed(request, callin):
    form = DetermineForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        referred = data["outcome"] == "referred_back"
        try:
            services.callin_determine(
                callin=callin,
                by=request.user,
                outcome=data["outcome"],
                reasons=data["reasons"],
                recommendations=data["recommendations"] if referred else "",
                reconsider_working_days=data["reconsider_working_days"] or limits.RECONSIDER_DEFAULT,
                confirmed_at=step_up_confirmed_at(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            callin.refresh_from_db()
            outcome = (
                f"referred back: {callin.partner.short_name} reconsiders it by {gov_date(callin.reconsider_by)}"
                if referred
                else "the decision stands"
            )
            messages.success(
                request,
                f"Call-in {callin.reference} is determined: {outcome}. It is recorded as PCC decision "
                f"{callin.pcc_decision.reference} and published.",
            )
            return redirect(callin)
    return render(
        request,
        "callins/callin_determine.html",
        {"callin": callin, "decision": callin.decision, "form": form, "attachments": callin.attachments.all()},
    )


def callin_withdraw(request, pk: int):
    callin = selectors.callin_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, CALLIN_FLOW, callin, "withdraw")
    return done or _callin_withdraw_confirmed(request, callin)


@require_step_up
def _callin_withdraw_confirmed(request, callin: CallIn):
    form = WithdrawForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.callin_withdraw(
                callin=callin,
                by=request.user,
                reasons=form.cleaned_data["reasons"],
                confirmed_at=step_up_confirmed_at(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            callin.refresh_from_db()
            messages.success(
                request,
                f"Call-in {callin.reference} is withdrawn and {callin.decision.reference} is released. It is "
                f"recorded as PCC decision {callin.pcc_decision.reference} and published.",
            )
            return redirect(callin)
    return render(
        request, "callins/callin_withdraw.html", {"callin": callin, "decision": callin.decision, "form": form}
    )
