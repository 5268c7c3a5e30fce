"""An indicator's disparities by ethnicity (/indicators/<code>/disparities/): each group's rate and relative rate
index against the reference group, with its 95% confidence interval, small counts suppressed; the same table as
a CSV or XLSX download with ?format=csv or xlsx, carrying the filters."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from portal.files import export_response
from portal.forms_govuk import GovukForm
from portal.jinja2 import number

from .disparities import PER, SHOWN, THRESHOLD, GroupRow
from .selectors.disparities import Disparities, disparities_get
from .views import period_label

NOT_SHARED = "The breakdown of this indicator by ethnicity is not shared with your partner."
NOT_BY_ETHNICITY = "This indicator is not broken down by ethnicity, so there is no comparison between ethnic groups."
METHOD = (
    f"Rate per {PER:,}: the group's count divided by its population, times {PER:,}. Relative rate index (RRI): "
    "the group's rate divided by the reference group's rate. 95% confidence interval: Katz's log method, "
    "exp(ln(RRI) ± 1.96 × √(1/a − 1/n1 + 1/b − 1/n2)), a and n1 the group's count and population, "
    "b and n2 the reference group's."
)
SUPPRESSION = (
    f"Counts under {THRESHOLD} are not shown (“Fewer than {THRESHOLD}”), so that nobody can be identified. Where a "
    "hidden count could be worked out by taking the other counts from a total (the area's total, or the force "
    "area's total of the local authorities), the next smallest count is hidden too (“Suppressed”). A hidden "
    "count hides the rate and comparison worked out from it; if the reference group's count is hidden, no "
    "group is compared with it."
)
COLUMNS = [
    "Group",
    "Count",
    "Population",
    f"Rate per {PER:,}",
    "Relative rate index (RRI)",
    "95% confidence interval",
    "What it means",
]


class DisparityFilterForm(GovukForm):
    area = forms.ChoiceField(label="Area", required=False)
    period = forms.ChoiceField(label="Period", required=False)

    def __init__(self, *args, result: Disparities, **kwargs):
        super().__init__(*args, **kwargs)
        frequency = result.indicator.frequency
        self.fields["area"].choices = [(a.code, a.name) for a in result.areas]
        self.fields["period"].choices = [(s.isoformat(), period_label(frequency, s, e)) for s, e in result.periods]
        self.fields["area"].error_messages["invalid_choice"] = "Select an area from the list"
        self.fields["period"].error_messages["invalid_choice"] = "Select a period from the list"


def indicator_disparities(request, code: str):
    wanted = {k: request.GET[k] for k in ("area", "period") if request.GET.get(k)}
    result = disparities_get(
        user=request.user, code=code, area_code=wanted.get("area", ""), period_start=_day(wanted.get("period"))
    )
    if request.GET.get("format") in ("csv", "xlsx"):
        return _csv(request, result, fmt=request.GET["format"])
    chosen = _chosen(result)
    # (with no figures to choose between there is no form on the page, so nothing to refuse)
    form = DisparityFilterForm({**chosen, **wanted} if wanted and chosen else None, result=result, initial=chosen)
    if form.is_bound:
        form.is_valid()
    return render(
        request,
        "targets/disparities.html",
        {
            "result": result,
            "indicator": result.indicator,
            "form": form,
            "period_words": _period_words(result),
            "columns": COLUMNS,
            "cells": [_cells(row, result=result) for row in result.rows],
            "csv_url": _url(result, format="csv"),
            "xlsx_url": _url(result, format="xlsx"),
            "not_shared": NOT_SHARED,
            "not_by_ethnicity": NOT_BY_ETHNICITY,
            "method": METHOD,
            "suppression": SUPPRESSION,
        },
    )


def _csv(request, result: Disparities, fmt: str = "csv"):
    if not result.by_ethnicity:
        raise Http404
    if not result.shared:
        raise PermissionDenied(NOT_SHARED)
    if not result.has_figures:
        raise Http404
    notes = [
        f"{result.indicator.code}: {result.indicator.name}",
        f"Area: {result.area.name}",
        f"Period: {_period_words(result)}",
        f"Reference group: {result.reference}",
        METHOD,
        SUPPRESSION,
    ]
    if result.is_demo:
        notes.insert(0, f"{result.demo_label}: made up for the demonstration, not real figures.")
    if result.population_note:
        notes.append(result.population_note)
    rows = [
        [result.area.name, _period_words(result), *_cells(row, result=result, for_csv=True).values()]
        for row in result.rows
    ]
    start = result.period[0].isoformat()
    return export_response(
        header=["Area", "Period", *COLUMNS],
        rows=rows,
        filename=f"disparities-{result.indicator.code}-{result.area.code}-{start}",
        fmt=fmt,
        request=request,
        notes=notes,
    )


def _cells(row: GroupRow, *, result: Disparities, for_csv: bool = False) -> dict[str, str]:
    """The table's cells of one group in words and numbers, the same on the page and in the CSV."""

    def num(value: float, places: int) -> str:
        return f"{value:.{places}f}" if for_csv else number(value, places)

    hidden = row.suppressed != SHOWN
    not_applicable = "Not applicable"
    cells = {
        "group": f"{row.group} (reference group)" if row.is_reference else row.group,
        "count": row.suppressed_words if hidden else ("Not available" if row.count is None else num(row.count, 0)),
        "population": "Not available" if row.population is None else num(row.population, 0),
        "rate": "Suppressed" if hidden else ("Not available" if row.rate is None else num(row.rate, 2)),
    }
    if row.is_total:
        cells.update(rri=not_applicable, interval=not_applicable, reading=not_applicable)
    elif hidden:
        cells.update(rri="Suppressed", interval="Suppressed", reading="Not shown: the count is hidden")
    elif row.is_reference:
        cells.update(
            rri="Not available" if row.rri is None else num(row.rri, 2),
            interval=not_applicable,
            reading="The reference group",
        )
    elif result.reference_hidden:
        words = "Not shown: the reference group's count is hidden"
        cells.update(rri="Not shown", interval="Not shown", reading=words)
    elif row.rri is None:
        cells.update(rri="Not available", interval="Not available", reading="Not available")
    else:
        interval = not_applicable if row.low is None else f"{num(row.low, 2)} to {num(row.high, 2)}"
        cells.update(rri=num(row.rri, 2), interval=interval, reading=row.reading or "Not available")
    return cells


def _chosen(result: Disparities) -> dict[str, str]:
    if not result.period:
        return {}
    return {"area": result.area.code, "period": result.period[0].isoformat()}


def _period_words(result: Disparities) -> str:
    return period_label(result.indicator.frequency, *result.period) if result.period else ""


def _url(result: Disparities, **extra) -> str:
    path = reverse("targets:indicator-disparities", kwargs={"code": result.indicator.code})
    return f"{path}?{urlencode({**_chosen(result), **extra})}"


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
