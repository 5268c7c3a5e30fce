"""Priorities, indicators, targets and the data return journey (upload → check → report → apply)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from partners.selectors import partners_acting_for
from portal import permissions, ratelimit
from portal.files import UploadRejected, export_response
from portal.paging import paginate

from . import rules, selectors, services
from .forms import DataReturnApplyForm, DataReturnUploadForm, IndicatorFilterForm
from .models import DataReturn, period_containing
from .services.returns import revisions_confirm_text

FIGURES_HIDDEN = "The figures behind this status are not shared with your partner."
ERRORS_PER_PAGE = 100


def period_label(frequency: str, start: date, end: date | None = None, *, short: bool = False) -> str:
    """'April 2025', 'April to June 2025' or 'April 2024 to March 2025' by the period's length;
    short: 'Apr 2025', 'Apr to Jun 2025', 'Apr 2024 to Mar 2025' (for tables beside charts)."""
    if start is None:
        return ""
    if end is None:
        start, end = period_containing(frequency, start)
    month = "%b" if short else "%B"
    if start.year == end.year and start.month == end.month:
        return start.strftime(f"{month} %Y")
    if start.year == end.year:
        return f"{start.strftime(month)} to {end.strftime(f'{month} %Y')}"
    return f"{start.strftime(f'{month} %Y')} to {end.strftime(f'{month} %Y')}"


def _submitting_partners(user) -> list:
    return partners_acting_for(user=user, action=rules.DATA_RETURN_SUBMIT)


# --- Priorities and targets ---------------------------------------------------------------------
TARGETS_PER_PAGE = 25


def priority_list(request):
    permissions.check(request.user, rules.PRIORITY_VIEW)
    return render(request, "targets/priorities.html", {"priorities": selectors.priority_list(user=request.user)})


def priority_detail(request, slug: str):
    priority = selectors.priority_get(user=request.user, slug=slug)
    page, pagination = paginate(request, priority.target_rows, per_page=TARGETS_PER_PAGE)
    shown = selectors.with_status(request.user, list(page))
    return render(
        request,
        "targets/priority.html",
        {
            "priority": priority,
            "targets_shown": shown,
            "page": page,
            "pagination": pagination,
            "period_label": period_label,
            "has_demo_data": any(t.has_demo_data for t in shown),
        },
    )


def _chart_data(detail, frequency: str) -> dict:
    """The series against the trajectory, the target and, when there is one, the projection with its 80% range
    (a band) over the periods after the latest figure, for static/js/charts.js (numbers as floats, gaps as null)."""
    rows = detail.series

    def values(key: str) -> list[float | None]:
        return [None if r[key] is None else float(r[key]) for r in rows]

    series = [
        {"label": "Actual", "values": values("value")},
        {"label": "Trajectory (expected)", "dashed": True, "values": values("expected")},
        {"label": "Target", "points_only": True, "values": values("target")},
    ]
    if detail.projection:
        # NOTE: not joined to the latest figure: the projection carries on the fitted line, which need not pass
        # through it; a joining stroke would draw a step the method does not make.
        series += [
            {"label": "Projection", "dotted": True, "values": values("projected")},
            {"label": "80% range, low", "band": "low", "values": values("low")},
            {
                "label": "80% range of the projection",
                "tooltip": "80% range, high",
                "band": "high",
                "values": values("high"),
            },
        ]
    return {
        "labels": [period_label(frequency, r["period_start"], r["period_end"], short=True) for r in rows],
        "unit": detail.target.indicator.get_unit_display(),
        "series": series,
    }


TARGET_EXPORT_HEADER = ["Period", "Actual", "Expected (trajectory)", "Target", "Projected", "80% low", "80% high"]


def _target_export(request, detail, fmt: str):
    """The target's figures as the page's table (CSV or XLSX), only for those who may see the indicator's data."""
    target = detail.target
    permissions.check(request.user, rules.INDICATOR_DATA_VIEW, target.indicator)
    frequency = target.indicator.frequency
    notes = [
        f"{target.display_title} ({target.indicator.code}, {target.indicator.get_unit_display().lower()})",
        f"Area: {target.area.name}; owner: {target.owner.name}",
        f"Target: {target.target_value} by {target.target_date.isoformat()}",
    ]
    if detail.has_demo_data:
        notes.append(f"{settings.DEMO_DATA_LABEL}: these figures were made up for the demonstration")
    rows = (
        [period_label(frequency, r["period_start"], r["period_end"])]
        + [r.get(key) for key in ("value", "expected", "target", "projected", "low", "high")]
        for r in detail.series
    )
    return export_response(
        header=TARGET_EXPORT_HEADER,
        rows=rows,
        filename=f"target-{target.pk}-figures",
        fmt=fmt,
        request=request,
        notes=notes,
    )


def target_detail(request, pk: int):
    detail = selectors.target_get(user=request.user, pk=pk)
    if request.GET.get("format") in ("csv", "xlsx"):
        return _target_export(request, detail, request.GET["format"])
    frequency = detail.target.indicator.frequency
    return render(
        request,
        "targets/target.html",
        {
            "detail": detail,
            "target": detail.target,
            "period_label": period_label,
            "frequency": frequency,
            "chart": _chart_data(detail, frequency) if detail.figures_shared else None,
            "figures_hidden": FIGURES_HIDDEN,
            "comparison": selectors.targets.target_area_comparison(user=request.user, target=detail.target),
            "backtest": selectors.targets.projection_backtest_cached(),
        },
    )


# --- Indicators ---------------------------------------------------------------------------------
def indicator_list(request):
    permissions.check(request.user, rules.PRIORITY_VIEW)
    catalogue = selectors.indicator_list(user=request.user)
    providers = sorted({i.provider for i in catalogue}, key=lambda p: p.name)
    form = IndicatorFilterForm(request.GET or None, providers=providers)
    filters = form.cleaned_data if form.is_valid() else {}
    indicators = selectors.indicator_list(
        user=request.user,
        search=filters.get("q", ""),
        provider=filters.get("provider"),
        frequency=filters.get("frequency", ""),
    )
    page, pagination = paginate(request, indicators, per_page=25)
    return render(request, "targets/indicators.html", {"filter_form": form, "page": page, "pagination": pagination})


def indicator_detail(request, code: str):
    indicator = selectors.indicator_get(user=request.user, code=code)
    series = selectors.indicators.indicator_series(
        user=request.user, indicator=indicator, area_code=request.GET.get("area", "")
    )
    chart = None
    if series and series.rows:
        chart = {
            "labels": [
                period_label(indicator.frequency, o.period_start, o.period_end, short=True) for o in series.rows
            ],
            "unit": indicator.get_unit_display(),
            "series": [{"label": series.area.name, "values": [float(o.value) for o in series.rows]}],
        }
    return render(
        request,
        "targets/indicator.html",
        {
            "indicator": indicator,
            "series": series,
            "chart": chart,
            "period_label": period_label,
            "has_demo_data": any(o.is_demo for o in [*indicator.latest, *(series.rows if series else [])]),
        },
    )


# --- Data returns -------------------------------------------------------------------------------
def data_return_list(request):
    permissions.check(request.user, rules.DATA_RETURN_VIEW)
    page, pagination = paginate(request, selectors.data_returns_visible_to(user=request.user), per_page=25)
    return render(
        request,
        "targets/returns.html",
        {
            "page": page,
            "pagination": pagination,
            "partners": _submitting_partners(request.user),
            "reviews_all": permissions.can(request.user, rules.DATA_RETURN_REVIEW_ALL),
        },
    )


def data_return_template(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    partners = _submitting_partners(request.user)
    chosen = request.GET.get("partner")
    partner = next((p for p in partners if p.slug == chosen), None) if chosen else (partners[0] if partners else None)
    if partner is None:
        raise PermissionDenied(permissions.refusal(rules.DATA_RETURN_SUBMIT))
    header, rows = selectors.data_return_template(partner=partner)
    return export_response(
        header=header, rows=rows, filename=f"data-return-template-{partner.slug}", fmt=fmt, request=request
    )


def data_return_upload(request):
    partners = _submitting_partners(request.user)
    if not partners:
        raise PermissionDenied(permissions.refusal(rules.DATA_RETURN_SUBMIT))
    if request.method == "POST":
        form = DataReturnUploadForm(request.POST, request.FILES, partners=partners)
        if form.is_valid():
            try:
                ratelimit.hit(ratelimit.UPLOADS, by=request.user)
                data_return = services.data_return_upload(
                    partner=form.chosen_partner(), uploaded_file=form.cleaned_data["file"], by=request.user
                )
            except (UploadRejected, ratelimit.RateLimited) as exc:
                form.add_error("file", exc)
            else:
                return redirect("targets:data-return-progress", pk=data_return.pk)
    else:
        form = DataReturnUploadForm(partners=partners)
    return render(request, "targets/upload.html", {"form": form, "partners": partners})


def data_return_progress(request, pk: int):
    data_return = selectors.data_return_get(user=request.user, pk=pk)
    if data_return.is_finished:
        return redirect(data_return)
    return render(request, "targets/progress.html", {"data_return": data_return})


def data_return_detail(request, pk: int):
    data_return = selectors.data_return_get(user=request.user, pk=pk)
    if not data_return.is_finished:
        return redirect("targets:data-return-progress", pk=pk)
    # NOTE: a return either has errors or (passing its checks) may list revisions, so one page number serves.
    shows_revisions = data_return.status in (DataReturn.Status.VALID, DataReturn.Status.APPLIED)
    revisions = selectors.data_return_revisions(data_return=data_return) if shows_revisions else []
    errors, pagination = paginate(request, data_return.errors or [], per_page=ERRORS_PER_PAGE)
    if revisions:
        revisions, pagination = paginate(request, revisions, per_page=ERRORS_PER_PAGE)
    may_submit = permissions.can(request.user, rules.DATA_RETURN_SUBMIT, data_return.partner)
    return render(
        request,
        "targets/report.html",
        {
            "data_return": data_return,
            "errors": errors,
            "revisions": revisions,
            "pagination": pagination,
            "period_label": period_label,
            "can_apply": data_return.can_be_applied and may_submit,
            "can_upload": may_submit,
        },
    )


def data_return_report_download(request, pk: int):
    data_return = selectors.data_return_get(user=request.user, pk=pk)
    header, rows = selectors.data_return_report_table(data_return=data_return)
    return export_response(
        header=header, rows=rows, filename=f"data-return-{data_return.pk}-report", fmt="csv", request=request
    )


def data_return_revisions_download(request, pk: int):
    data_return = selectors.data_return_get(user=request.user, pk=pk)
    header, rows = selectors.data_return_revisions_table(data_return=data_return)
    return export_response(
        header=header, rows=rows, filename=f"data-return-{data_return.pk}-revised-figures", fmt="csv", request=request
    )


def data_return_apply(request, pk: int):
    data_return = selectors.data_return_get(user=request.user, pk=pk)
    permissions.check(request.user, rules.DATA_RETURN_SUBMIT, data_return.partner)
    if data_return.status == DataReturn.Status.APPLIED:
        return redirect("targets:data-return-applied", pk=pk)
    if not data_return.can_be_applied:
        return redirect(data_return)
    count = data_return.revision_count
    form = DataReturnApplyForm(
        request.POST if request.method == "POST" else None, revisions=count, confirm_text=revisions_confirm_text(count)
    )
    if request.method == "POST" and form.is_valid():
        try:
            data_return = services.data_return_apply(
                data_return=data_return, by=request.user, confirm_revisions=form.confirms_revisions
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(data_return)
        if data_return.status == DataReturn.Status.APPLIED:
            return redirect("targets:data-return-applied", pk=pk)
        if data_return.status == DataReturn.Status.VALID:
            messages.error(
                request,
                "The figures were not applied: the figures we hold changed since the checks. "
                "The report now lists what applying would revise. Check it and apply again.",
            )
        else:
            messages.error(
                request,
                "The figures were not applied: the file no longer passes its checks. The report shows what to fix.",
            )
        return redirect(data_return)
    return render(request, "targets/apply.html", {"data_return": data_return, "form": form})


def data_return_applied(request, pk: int):
    data_return = selectors.data_return_get(user=request.user, pk=pk)
    if data_return.status != DataReturn.Status.APPLIED:
        return redirect(data_return)
    return render(request, "targets/applied.html", {"data_return": data_return})
