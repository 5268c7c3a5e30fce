"""Awards: the list and its export, an award's page (instalments, payments, spend returns), recording a payment,
a spend return, and the Commissioner's cancellation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from portal import permissions
from portal.files.exports import export_response
from portal.formats import gov_date
from portal.paging import paginate
from portal.security import require_step_up, step_up_confirmed_at

from .. import rules, selectors, services
from ..forms import AwardFilterForm, PaymentForm, ReasonsForm, SpendReturnForm
from ..workflows import AWARD_FLOW
from .common import _apply_errors, _filtered, _filters, _lists_for, _posted, _refuse_or_redirect

EXPORT_FORMATS = ("csv", "xlsx")


def _narrowed(request):
    visible = selectors.awards_visible_to(user=request.user, cancelled=True)
    funds = list(selectors.funds_visible_to(user=request.user)) or sorted(
        {a.fund for a in visible}, key=lambda f: (-f.financial_year, f.name)
    )
    form = AwardFilterForm(request.GET or None, funds=funds)
    filters = _filters(form)
    awards = visible.order_by("-awarded_on", "-pk")
    if filters.get("q"):
        q = filters["q"]
        awards = awards.filter(Q(application__project_title__icontains=q) | Q(organisation__name__icontains=q))
    if filters.get("status"):
        awards = awards.filter(status=filters["status"])
    else:
        awards = awards.exclude(status="cancelled")
    if filters.get("fund"):
        awards = awards.filter(fund_id=filters["fund"])
    return form, awards


def award_list(request):
    permissions.check(request.user, rules.AWARD_VIEW)
    form, awards = _narrowed(request)
    page, pagination = paginate(request, awards, per_page=25)
    return render(
        request,
        "funding/awards.html",
        {
            "filter_form": form,
            "filtered": _filtered(form),
            "page": page,
            "pagination": pagination,
            "query": request.GET.urlencode(),
            "lists": _lists_for(request.user),
        },
    )


def award_export(request, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    permissions.check(request.user, rules.AWARD_VIEW)
    _, awards = _narrowed(request)
    header = [
        "Award",
        "Recipient",
        "Organisation identifier",
        "Project",
        "Fund",
        "Programme",
        "Awarded on",
        "Amount awarded",
        "Paid",
        "Status",
        "PCC decision",
    ]
    rows = [
        [
            a.pk,
            a.organisation.name,
            a.organisation.org_id,
            a.application.project_title,
            str(a.fund),
            a.application.programme.name if a.application.programme else "",
            a.awarded_on.isoformat(),
            a.amount,
            a.paid,
            a.get_status_display(),
            a.pcc_decision.reference,
        ]
        for a in awards.select_related("application__programme")
    ]
    return export_response(header=header, rows=rows, filename="awards", fmt=fmt, request=request)


def award_detail(request, pk: int):
    award = selectors.award_get(user=request.user, pk=pk)
    today = timezone.localdate()
    returns = list(award.spend_returns.all())
    return render(
        request,
        "funding/award.html",
        {
            "award": award,
            "application": award.application,
            "instalments": list(award.instalments.all()),
            "returns": returns,
            "today": today,
            "returned": sum((r.spend for r in returns if r.spend is not None), start=0),
            "lists": _lists_for(request.user),
        },
    )


def instalment_pay(request, pk: int, instalment_id: int):
    award = selectors.award_get(user=request.user, pk=pk)
    instalment = award.instalments.filter(pk=instalment_id).first()
    if instalment is None:
        raise Http404
    done = _refuse_or_redirect(request, AWARD_FLOW, award, "pay")
    if done:
        return done
    if instalment.paid_on is not None:
        messages.info(request, f"This instalment was paid on {gov_date(instalment.paid_on)}.")
        return redirect(award)
    form = PaymentForm(_posted(request), initial={"paid_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.instalment_pay(
                instalment=instalment, by=request.user, paid_on=data["paid_on"], paid_amount=data["paid_amount"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The payment is recorded.")
            return redirect(award)
    return render(request, "funding/instalment_pay.html", {"award": award, "instalment": instalment, "form": form})


def spend_return(request, pk: int, return_id: int):
    award = selectors.award_get(user=request.user, pk=pk)
    row = award.spend_returns.filter(pk=return_id).first()
    if row is None:
        raise Http404
    if not permissions.can(request.user, rules.SPEND_RETURN_SUBMIT, award):
        raise PermissionDenied(permissions.refusal(rules.SPEND_RETURN_SUBMIT))
    today = timezone.localdate()
    why_not = ""
    if row.submitted_at is not None:
        why_not = "This spend return has already been submitted."
    elif award.status == award.Status.CANCELLED:
        why_not = "The award was cancelled: no return is due."
    elif today <= row.period_end:
        why_not = f"The return can be submitted once the quarter ends on {gov_date(row.period_end)}."
    if why_not:
        messages.info(request, why_not)
        return redirect(award)
    form = SpendReturnForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.spend_return_submit(
                spend_return=row,
                by=request.user,
                spend=form.cleaned_data["spend"],
                outcomes=form.cleaned_data["outcomes"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Your spend return is submitted. The PCC office is told.")
            return redirect(award)
    return render(request, "funding/spend_return.html", {"award": award, "row": row, "form": form, "today": today})


def award_cancel(request, pk: int):
    award = selectors.award_get(user=request.user, pk=pk)
    done = _refuse_or_redirect(request, AWARD_FLOW, award, "cancel")
    return done or _cancel_confirmed(request, award)


@require_step_up
def _cancel_confirmed(request, award):
    form = ReasonsForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.award_cancel(
                award=award,
                by=request.user,
                reasons=form.cleaned_data["reasons"],
                confirmed_at=step_up_confirmed_at(request),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, "The award is cancelled. What was not paid is back in the fund; the grantee is told."
            )
            return redirect(award)
    return render(request, "funding/award_cancel.html", {"award": award, "form": form})
