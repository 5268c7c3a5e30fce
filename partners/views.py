"""Partner directory, partner page and my account."""
from __future__ import annotations

from django.shortcuts import render

from portal import permissions
from portal.paging import paginate

from . import selectors
from .forms import PartnerFilterForm


def partner_list(request):
    permissions.check(request.user, permissions.PARTNER_VIEW)
    form = PartnerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    partners = selectors.partner_list_visible_to(user=request.user, search=filters.get("q", ""), kind=filters.get("kind", ""))
    page, pagination = paginate(request, partners, per_page=25)
    return render(request, "partners/list.html", {"filter_form": form, "page": page, "pagination": pagination})


def partner_detail(request, slug: str):
    partner = selectors.partner_get(user=request.user, slug=slug)
    context = {"partner": partner, "extra_sections": selectors.partner_sections(user=request.user, partner=partner)}
    return render(request, "partners/detail.html", context)


def my_account(request):
    return render(request, "partners/my_account.html", {
        "memberships": selectors.memberships_of(user=request.user),
    })
