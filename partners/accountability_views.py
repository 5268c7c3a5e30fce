"""Mutual accountability: one partner's duties and how it met them, and every partner's headline figures.

NOTE: both pages are open to everyone with a role, whichever partner they are at: the duties are mutual, and
the board holds every partner (the PCC office too) to account for them. What they count is not open to all:
each app's provider (portal/accountability.py) lists only the items the viewer may open on the app's own
pages, and says "Hidden" where the viewer may see none of them.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.shortcuts import render
from django.utils import timezone

from portal import permissions
from portal.accountability import STATE_WORDS, STATES, Period, duties_for, duties_for_partners, period_choices
from portal.files.exports import export_response
from portal.forms_govuk import GovukForm
from portal.paging import paginate

from . import rules, selectors


class PeriodForm(GovukForm):
    """Which financial year: this one (the default) or the one before."""

    year = forms.TypedChoiceField(label="Period", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = period_choices(today or timezone.localdate())
        self.fields["year"].choices = [(p.year, p.label) for p in self.periods]

    def period(self) -> Period:
        """The period chosen, or this financial year."""
        if self.is_bound and self.is_valid() and self.cleaned_data.get("year"):
            return Period(self.cleaned_data["year"])
        return self.periods[0]


def _headline_columns(duties_by_partner: dict) -> list[tuple[str, str]]:
    """(key, title) of the overview's duty columns, in the duties' order."""
    seen: dict[str, tuple[int, str]] = {}
    for duties in duties_by_partner.values():
        for duty in duties:
            if duty.headline:
                seen.setdefault(duty.key, (duty.order, duty.title))
    return [(key, title) for key, (_, title) in sorted(seen.items(), key=lambda kv: kv[1])]


def _export(request, *, period: Period, today: date, fmt: str):
    """Every partner's headline figures (not one page of them) as CSV or XLSX, "Hidden" where the viewer may
    see none of a duty's items."""
    partners = list(selectors.partner_list_visible_to(user=request.user))
    duties = duties_for_partners(partners=partners, user=request.user, period=period, today=today)
    columns = _headline_columns(duties)
    header = ["Partner"]
    for _, title in columns:
        header += [f"{title}: on time", f"{title}: late", f"{title}: overdue", f"{title}: not yet due"]
    rows = []
    for partner in partners:
        by_key = {d.key: d for d in duties[partner.pk]}
        row = [partner.name]
        for key, _ in columns:
            duty = by_key.get(key)
            if duty is None or duty.hidden:
                row += ["Hidden"] * 4
            else:
                row += [duty.on_time, duty.late, duty.overdue, duty.not_yet_due]
        rows.append(row)
    notes = [
        f"Partners' duties and how they met them, {period.label}",
        "Hidden: you may see none of that duty's items. Elsewhere only the items you may see are counted.",
    ]
    return export_response(
        header=header, rows=rows, filename=f"accountability-{period.year}", fmt=fmt, request=request, notes=notes
    )


def accountability_overview(request):
    permissions.check(request.user, rules.PARTNER_VIEW)
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, today=today)
    period = form.period()
    if request.GET.get("format") in ("csv", "xlsx"):
        return _export(request, period=period, today=today, fmt=request.GET["format"])
    page, pagination = paginate(request, selectors.partner_list_visible_to(user=request.user), per_page=25)
    duties = duties_for_partners(partners=page.object_list, user=request.user, period=period, today=today)
    rows = [{"partner": p, "duties": {d.key: d for d in duties[p.pk]}} for p in page.object_list]
    context = {
        "filter_form": form,
        "period": period,
        "page": page,
        "pagination": pagination,
        "rows": rows,
        "columns": _headline_columns(duties),
    }
    return render(request, "partners/accountability_overview.html", context)


def partner_accountability(request, slug: str):
    partner = selectors.partner_get(user=request.user, slug=slug)
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, today=today)
    period = form.period()
    duties = duties_for(partner=partner, user=request.user, period=period, today=today)
    context = {
        "filter_form": form,
        "partner": partner,
        "period": period,
        "duties": duties,
        "states": [(state, STATE_WORDS[state]) for state in STATES],
    }
    return render(request, "partners/accountability.html", context)
