"""The public register's pages, feed and download: for anyone, without signing in (portal.middleware lets the
/register/ prefix through). Every view is a portal.public page: the same for everybody, cached briefly and
limited per client address. The reads are callins.public's, which show a confidential item's number or
reference, date and partner and nothing else."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from portal.files import export_response
from portal.paging import paginate
from portal.public import public_page

from . import public
from .public_forms import CallInFilterForm, PccDecisionFilterForm

PER_PAGE = 25


@public_page
def index(request):
    return render(
        request,
        "callins/public/index.html",
        {"counts": public.register_counts(), "latest": public.latest_pcc_decisions(5)},
    )


@public_page
def pcc_decisions(request):
    form = PccDecisionFilterForm(request.GET or None)
    chosen = form.filters() if form.is_bound else {}
    rows = public.pcc_decisions_searched(
        public.pcc_decisions_published(),
        search=chosen.get("search", ""),
        partner=chosen.get("partner"),
        kind=chosen.get("kind", ""),
        signed_from=chosen.get("date_from"),
        signed_to=chosen.get("date_to"),
    )
    page, pagination = paginate(request, rows, per_page=PER_PAGE)
    return render(
        request,
        "callins/public/pcc_decisions.html",
        {
            "form": form,
            "page": page,
            "rows": [public.pcc_decision_public(d) for d in page.object_list],
            "pagination": pagination,
            "filtered": bool(chosen),
        },
    )


@public_page
def pcc_decision(request, year: int, number: int):
    return render(
        request,
        "callins/public/pcc_decision.html",
        {"decision": public.pcc_decision_published_get(year=year, number=number)},
    )


@public_page
def callins(request):
    form = CallInFilterForm(request.GET or None)
    chosen = form.filters() if form.is_bound else {}
    rows = public.callins_searched(
        public.callins_published(),
        search=chosen.get("search", ""),
        partner=chosen.get("partner"),
        status=chosen.get("status", ""),
        issued_from=chosen.get("date_from"),
        issued_to=chosen.get("date_to"),
    )
    page, pagination = paginate(request, rows, per_page=PER_PAGE)
    return render(
        request,
        "callins/public/callins.html",
        {
            "form": form,
            "page": page,
            "rows": [public.callin_public(c) for c in page.object_list],
            "pagination": pagination,
            "filtered": bool(chosen),
        },
    )


@public_page
def callin(request, reference: str):
    return render(request, "callins/public/callin.html", {"callin": public.callin_published_get(reference=reference)})


class RegisterFeed(Feed):
    """The latest signed PCC decisions, determinations of call-ins among them (Atom)."""

    feed_type = Atom1Feed
    title = "Decisions of the Police and Crime Commissioner"
    subtitle = (
        "Formal decisions signed by the Police and Crime Commissioner, including determinations of call-ins of "
        "partners' decisions, from the public register."
    )
    author_name = "Office of the Police and Crime Commissioner"

    def link(self) -> str:
        return reverse("register:pcc-decisions")

    def feed_url(self) -> str:
        return reverse("register:feed")

    def items(self) -> list[public.PublicPccDecision]:
        return public.latest_pcc_decisions()

    def item_title(self, item: public.PublicPccDecision) -> str:
        return item.heading

    def item_description(self, item: public.PublicPccDecision) -> str:
        if item.confidential:
            return "This decision is confidential: the register publishes only its number, date and partner."
        return item.summary

    def item_link(self, item: public.PublicPccDecision) -> str:
        return item.url

    def item_pubdate(self, item: public.PublicPccDecision):
        return item.signed_at

    def item_updateddate(self, item: public.PublicPccDecision):
        return item.signed_at

    def item_categories(self, item: public.PublicPccDecision) -> tuple[str, ...]:
        return (item.kind_label,) if item.kind_label else ()


feed = public_page(RegisterFeed())


@public_page
def csv_export(request):
    # NOTE: public information: the download is not recorded in the security log (no request given).
    return export_response(
        header=public.CSV_HEADER,
        rows=public.register_rows(request.build_absolute_uri),
        filename="public-register",
        fmt="csv",
    )
