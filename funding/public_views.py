"""The public grants page and the 360Giving downloads, under the public register: for anyone, without signing in
(portal.middleware lets the /register/ prefix through). Every view is a portal.public page: the same for
everybody, cached briefly and limited per client address. The reads are funding.public's, which give published
awards only and of each only what is public."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.shortcuts import render

from portal.files import export_response
from portal.paging import paginate
from portal.public import public_page

from . import public, threesixty
from .public_forms import GrantFilterForm

PER_PAGE = 25
FILENAME = "360giving-grants"


@public_page
def index(request):
    form = GrantFilterForm(request.GET or None)
    chosen = form.filters() if form.is_bound else {}
    rows = public.awards_searched(
        public.awards_published(), search=chosen.get("q", ""), fund=chosen.get("fund"), year=chosen.get("year")
    )
    page, pagination = paginate(request, rows, per_page=PER_PAGE)
    return render(
        request,
        "funding/public/grants.html",
        {
            "form": form,
            "page": page,
            "rows": [public.grant_public(a) for a in page.object_list],
            "pagination": pagination,
            "filtered": bool(chosen),
            "summary": public.grants_summary(rows),
        },
    )


@public_page
def json_download(request):
    body = json.dumps(threesixty.package(), ensure_ascii=False, indent=2)
    response = HttpResponse(body.encode(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{FILENAME}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@public_page
def csv_download(request):
    # NOTE: public information: the download is not recorded in the security log (no request given). As every
    # export, a cell starting =, +, - or @ gets a leading quote, so that no spreadsheet runs it as a formula.
    header, rows = threesixty.csv_table()
    return export_response(header=header, rows=rows, filename=FILENAME, fmt="csv")
