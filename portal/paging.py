"""Pagination in the GOV.UK pattern."""

from __future__ import annotations

from django.core.paginator import Paginator


def paginate(request, queryset, per_page: int = 50) -> tuple:
    """The page of rows asked for, and the govukPagination parameters (None for one page)."""
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    if paginator.num_pages <= 1:
        return page, None
    query = request.GET.copy()

    def href(number: int) -> str:
        query["page"] = number
        return "?" + query.urlencode()

    items = []
    for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append({"number": number, "href": href(number), "current": number == page.number})
    params = {"items": items}
    if page.has_previous():
        params["previous"] = {"href": href(page.previous_page_number())}
    if page.has_next():
        params["next"] = {"href": href(page.next_page_number())}
    return page, params
