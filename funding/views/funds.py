"""Funds: the funding start page, the funds and their positions, a fund's dashboard and its export, setting up a
fund, recording income; the applicants (organisations) and programmes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify

from partners.models import Partner
from portal import permissions
from portal.files.exports import export_response
from portal.formats import money
from portal.paging import paginate

from .. import rules, selectors, services
from ..forms import FundForm, IncomeForm, OrganisationForm, ProgrammeForm
from ..models import Organisation, Round
from .common import _apply_errors, _lists_for, _posted

EXPORT_FORMATS = ("csv", "xlsx")


def _financial_year(day) -> int:
    return day.year if day.month >= 4 else day.year - 1


def index(request):
    """Funding: what this person may do with the devolved funds, from one page."""
    user = request.user
    today = timezone.localdate()
    funds = list(selectors.funds_visible_to(user=user).filter(financial_year__gte=_financial_year(today) - 1))
    open_rounds = list(
        selectors.rounds_visible_to(user=user)
        .filter(status=Round.Status.OPEN, closes_on__gte=today)
        .order_by("closes_on")
    )
    organisations = selectors.organisations_applying_for(user=user)
    applications = selectors.applications_visible_to(user=user)
    return render(
        request,
        "funding/index.html",
        {
            "funds": [selectors.fund_position(f) for f in funds],
            "open_rounds": open_rounds,
            "organisations": organisations,
            "drafts": list(applications.filter(status="draft").order_by("-drafted_at")[:10]) if organisations else [],
            "late": list(selectors.late_returns(user=user, today=today)[:10]),
            "lists": _lists_for(user),
            "can_manage": permissions.can(user, rules.FUND_MANAGE),
        },
    )


def fund_list(request):
    permissions.check(request.user, rules.FUND_VIEW)
    funds = selectors.funds_visible_to(user=request.user)
    page, pagination = paginate(request, funds, per_page=25)
    return render(
        request,
        "funding/funds.html",
        {
            "positions": [selectors.fund_position(f) for f in page.object_list],
            "page": page,
            "pagination": pagination,
            "lists": _lists_for(request.user),
            "can_manage": permissions.can(request.user, rules.FUND_MANAGE),
        },
    )


def fund_create(request):
    permissions.check(request.user, rules.FUND_MANAGE)
    this_year = _financial_year(timezone.localdate())
    form = FundForm(
        _posted(request), years=[this_year - 1, this_year, this_year + 1], initial={"financial_year": this_year}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fund = services.fund_create(
                by=request.user,
                name=data["name"],
                kind=data["kind"],
                financial_year=data["financial_year"],
                budget=data["budget"],
                ring_fenced=data["ring_fenced"] == "yes",
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, f"{fund} is set up. Record income as it arrives, and open a round to award grants."
            )
            return redirect("funding:fund", pk=fund.pk)
    return render(request, "funding/fund_form.html", {"form": form})


def fund_detail(request, pk: int):
    fund = selectors.fund_get(user=request.user, pk=pk)
    position = selectors.fund_position(fund)
    breakdown = selectors.fund_breakdown(fund)
    rounds = list(selectors.rounds_visible_to(user=request.user).filter(fund=fund))
    return render(
        request,
        "funding/fund.html",
        {
            "fund": fund,
            "position": position,
            "breakdown": breakdown,
            "receipts": list(fund.receipts.all()[:50]),
            "rounds": rounds,
            "can_manage": permissions.can(request.user, rules.FUND_MANAGE),
            "sees_every_award": permissions.is_pcc_office(request.user),
            "lists": _lists_for(request.user),
        },
    )


def fund_export(request, pk: int, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    fund = selectors.fund_get(user=request.user, pk=pk)
    visible = set(selectors.awards_visible_to(user=request.user).filter(fund=fund).values_list("pk", flat=True))
    breakdown = selectors.fund_breakdown(fund)
    position = selectors.fund_position(fund)
    header = [
        "Award",
        "Recipient",
        "Project",
        "Programme",
        "Awarded on",
        "Amount awarded",
        "Paid",
        "Spend returned",
        "Returns submitted",
        "PCC decision",
    ]
    rows = []
    for award, spent, returns in breakdown["spend"]:
        if award.pk not in visible:
            continue
        programme = award.application.programme.name if award.application.programme else ""
        rows.append(
            [
                award.pk,
                award.organisation.name,
                award.application.project_title,
                programme,
                award.awarded_on.isoformat(),
                award.amount,
                award.paid,
                spent,
                returns,
                award.pcc_decision.reference,
            ]
        )
    notes = [
        f"{fund}: budget {position.budget}, income {position.income}, committed {position.committed}, "
        f"paid {position.paid}, available {position.available} (GBP)",
    ]
    if len(visible) < len(breakdown["spend"]):
        notes.append("Only the awards you may see are listed; the position counts every award.")
    return export_response(
        header=header, rows=rows, filename=f"fund-{fund.pk}-awards", fmt=fmt, request=request, notes=notes
    )


def income_record(request, pk: int):
    permissions.check(request.user, rules.FUND_MANAGE)
    fund = selectors.fund_get(user=request.user, pk=pk)
    form = IncomeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            receipt = services.income_record(
                fund=fund,
                by=request.user,
                source=data["source"],
                received_on=data["received_on"],
                amount=data["amount"],
                reference=data["reference"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"{money(receipt.amount)} from {receipt.source} is added to {fund}.")
            return redirect("funding:fund", pk=fund.pk)
    return render(request, "funding/income_form.html", {"form": form, "fund": fund})


# --- Applicants -----------------------------------------------------------------------------------------
def organisation_list(request):
    permissions.check(request.user, rules.FUND_MANAGE)
    q = (request.GET.get("q") or "")[:200].strip()
    organisations = Organisation.objects.select_related("partner").order_by("name")
    if q:
        organisations = organisations.filter(name__icontains=q) | organisations.filter(org_id__icontains=q)
    page, pagination = paginate(request, organisations, per_page=50)
    return render(
        request,
        "funding/organisations.html",
        {"page": page, "pagination": pagination, "q": q, "lists": _lists_for(request.user)},
    )


def organisation_register(request):
    permissions.check(request.user, rules.FUND_MANAGE)
    partners = list(Partner.objects.filter(funding_organisation__isnull=True).order_by("name"))
    form = OrganisationForm(_posted(request), partners=partners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.organisation_register(
                by=request.user,
                name=data["name"],
                org_id=data["org_id"],
                partner=form.chosen_partner(),
                charity_number=data["charity_number"],
                company_number=data["company_number"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"{organisation.name} ({organisation.org_id}) may now apply.")
            return redirect("funding:organisations")
    return render(request, "funding/organisation_form.html", {"form": form})


# --- Programmes -----------------------------------------------------------------------------------------
def programme_list(request):
    return render(
        request,
        "funding/programmes.html",
        {
            "programmes": list(selectors.programmes()),
            "lists": _lists_for(request.user),
            "can_manage": permissions.can(request.user, rules.FUND_MANAGE),
        },
    )


def programme_create(request):
    from targets.selectors import targets_visible_to

    permissions.check(request.user, rules.FUND_MANAGE)
    targets = list(targets_visible_to(user=request.user).select_related("indicator").order_by("pk")[:200])
    form = ProgrammeForm(_posted(request), partners=list(Partner.objects.order_by("name")), targets=targets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = form.chosen()
        try:
            programme = services.programme_create(
                by=request.user,
                name=data["name"],
                slug=slugify(data["name"])[:80] or "programme",
                lead_partner=chosen["lead_partner"],
                description=data["description"],
                targets=chosen["targets"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"The programme “{programme.name}” is set up.")
            return redirect(programme)
    return render(request, "funding/programme_form.html", {"form": form})


def programme_detail(request, slug: str):
    from targets.selectors import targets_visible_to

    programme = selectors.programme_get(slug=slug)
    awards = list(
        selectors.awards_visible_to(user=request.user)
        .filter(application__programme=programme)
        .select_related("application__round")
        .order_by("-awarded_on", "pk")
    )
    every = programme.applications.filter(award__isnull=False).exclude(award__status="cancelled").count()
    targets = list(targets_visible_to(user=request.user).filter(programmes=programme))
    return render(
        request,
        "funding/programme.html",
        {
            "programme": programme,
            "awards": awards,
            "hidden": every - len(awards),
            "awarded": sum((a.amount for a in awards), start=0),
            "paid": sum((a.paid for a in awards), start=0),
            "targets": targets,
            "lists": _lists_for(request.user),
        },
    )
