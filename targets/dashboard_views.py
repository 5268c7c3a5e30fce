"""The board's dashboard (/dashboard/): the overview with its filters, its exports (CSV, XLSX), and the board
pack for a meeting (a print page, and the same page as a PDF through WeasyPrint, as plans are made)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from partners.models import Area
from portal import formats, pdf, permissions
from portal.files.exports import export_response
from portal.forms_govuk import GovukForm

from . import rules
from .plans.models import PlanAction, PlanSignOff, PlanVersion
from .plans.selectors import plans_visible_to
from .selectors.dashboard import Filters, dashboard, dashboard_rows, filter_choices, format_day, month_ends
from .views import period_label

BOARD_PACK_OFF_TRACK = 200  # off-track targets listed in the board pack (the rest counted)
BOARD_PACK_OVERDUE = 200  # overdue sign-offs and late actions listed in the board pack


class DashboardFilterForm(GovukForm):
    area = forms.ChoiceField(label="Area", required=False)
    period = forms.ChoiceField(label="Period", required=False)
    partner = forms.ChoiceField(label="Partner that owns the target", required=False)
    priority = forms.ChoiceField(label="Priority", required=False)

    def __init__(self, *args, choices: dict, today, **kwargs):
        super().__init__(*args, **kwargs)
        self._areas = {a.code: a for a in choices["areas"]}
        self._partners = {p.slug: p for p in choices["partners"]}
        self._priorities = {p.slug: p for p in choices["priorities"]}
        self._months = {d.strftime("%Y-%m"): d for d in month_ends(today)}
        self.fields["area"].choices = [("", "All areas")] + [
            (a.code, f"{a.name} ({'force area' if a.kind == Area.Kind.FORCE_AREA else 'local authority'})")
            for a in choices["areas"]
        ]
        self.fields["period"].choices = [("", "Latest figures")] + [
            (key, f"As at {format_day(day)}") for key, day in self._months.items()
        ]
        self.fields["partner"].choices = [("", "All partners")] + [(p.slug, p.name) for p in choices["partners"]]
        self.fields["priority"].choices = [("", "All priorities")] + [(p.slug, p.title) for p in choices["priorities"]]
        for name, message in (
            ("area", "Select an area from the list"),
            ("period", "Select a period from the list"),
            ("partner", "Select a partner from the list"),
            ("priority", "Select a priority from the list"),
        ):
            self.fields[name].error_messages["invalid_choice"] = message

    def filters(self) -> Filters:
        """The filters chosen (any that did not validate are left out: the page says which)."""
        data = self.cleaned_data if self.is_bound else {}
        return Filters(
            area=self._areas.get(data.get("area") or ""),
            as_at=self._months.get(data.get("period") or ""),
            partner=self._partners.get(data.get("partner") or ""),
            priority=self._priorities.get(data.get("priority") or ""),
        )


def _filters(request) -> tuple[DashboardFilterForm, Filters]:
    permissions.check(request.user, rules.PRIORITY_VIEW)
    choices = filter_choices(user=request.user)
    wanted = {k: v for k, v in request.GET.items() if k in ("area", "period", "partner", "priority")}
    form = DashboardFilterForm(wanted or None, choices=choices, today=timezone.localdate())
    if form.is_bound:
        form.is_valid()
    return form, form.filters()


def overview(request):
    form, filters = _filters(request)
    board = dashboard(user=request.user, filters=filters)
    query = filters.query()
    return render(
        request,
        "targets/dashboard.html",
        {
            "filter_form": form,
            "board": board,
            "query": query,
            "period_label": period_label,
        },
    )


EXPORT_HEADER = [
    "Priority",
    "Target",
    "Indicator",
    "Area",
    "Owner",
    "Status",
    "Likely to miss",
    "Latest figure",
    "Period",
    "Expected for that period",
    "Change since the last period",
    "Baseline",
    "Target value",
    "Target date",
    "Projected at the target date",
    "Projection low (80%)",
    "Projection high (80%)",
    "Figures",
]


def _export_row(target) -> list:
    shared = target.figures_shared
    projection = target.projection or (None, None, None)
    return [
        target.priority.title,
        target.display_title,
        target.indicator.code,
        target.area.name,
        target.owner.name,
        target.status_label,
        "Yes" if target.likely_to_miss else "No",
        target.latest_value if shared else None,
        period_label(target.indicator.frequency, target.latest_period_start, target.latest_period_end)
        if shared and target.latest_period_start
        else "",
        target.expected_value if shared else None,
        target.change if shared else None,
        target.baseline_value,
        target.target_value,
        target.target_date.isoformat(),
        projection[1],
        projection[0],
        projection[2],
        "Shared" if shared else "Hidden: not shared with your partner",
    ]


def export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form, filters = _filters(request)
    rows = dashboard_rows(user=request.user, filters=filters)
    notes = ["Board dashboard: targets and their status", *filters.describe()]
    notes.append(f"Made {formats.gov_datetime(timezone.localtime())} for {request.user.get_username()}")
    if any(t.has_demo_data for t in rows):
        notes.append(f"{settings.DEMO_DATA_LABEL}: these figures were made up for the demonstration")
    if any(not t.figures_shared for t in rows):
        notes.append("Figures marked Hidden are not shared with your partner; they are left out, never added in")
    return export_response(
        header=EXPORT_HEADER,
        rows=(_export_row(t) for t in rows),
        filename=f"dashboard-{timezone.localdate():%Y-%m-%d}",
        fmt=fmt,
        request=request,
        notes=notes,
    )


# --- The board pack --------------------------------------------------------------------------------------
def _overdue(user, today, filters: Filters) -> dict:
    """Overdue sign-offs and late actions on the plans the viewer may see, by partner (2 queries)."""
    plans = plans_visible_to(user=user)
    signoffs = (
        PlanSignOff.objects.filter(
            version__plan__in=plans,
            version__status=PlanVersion.Status.IN_SIGNOFF,
            status=PlanSignOff.Status.PENDING,
            due__lt=today,
        )
        .select_related("partner", "version__plan")
        .order_by("partner__name", "due")
    )
    actions = (
        PlanAction.objects.filter(
            version__plan__in=plans, version__status=PlanVersion.Status.AGREED, due_date__lt=today
        )
        .exclude(status=PlanAction.Status.DONE)
        .select_related("owner", "version__plan")
        .order_by("owner__name", "due_date")
    )
    if filters.partner is not None:
        signoffs = signoffs.filter(partner=filters.partner)
        actions = actions.filter(owner=filters.partner)
    return {
        "signoffs": list(signoffs[:BOARD_PACK_OVERDUE]),
        "actions": list(actions[:BOARD_PACK_OVERDUE]),
        "limit": BOARD_PACK_OVERDUE,
    }


def _pack(request) -> dict:
    form, filters = _filters(request)
    today = timezone.localdate()
    board = dashboard(user=request.user, filters=filters)
    off_track = [t for t in dashboard_rows(user=request.user, filters=filters) if t.status == "off_track"]
    return {
        "board": board,
        "filters": filters,
        "query": filters.query(),
        "off_track": off_track[:BOARD_PACK_OFF_TRACK],
        "off_track_count": len(off_track),
        "overdue": _overdue(request.user, today, filters),
        "today": today,
        "made_at": timezone.localtime(),
        "period_label": period_label,
    }


def board_pack(request):
    return render(request, "targets/board_pack.html", _pack(request))


def board_pack_pdf(request):
    from django.contrib.staticfiles import finders

    context = _pack(request) | {"as_pdf": True}
    html = render_to_string("targets/board_pack.html", context, request=request)
    css_path = finders.find("css/plan-print.css")  # the same paper styles as a plan
    try:
        document = pdf.render_pdf(html, stylesheets=[css_path] if css_path else [])
    except pdf.PdfTooLong:
        messages.info(
            request,
            "The board pack for these filters is too long to make into a PDF here. Narrow the filters, or print "
            "this page and save it as a PDF from your browser's print options.",
        )
        url = request.path.removesuffix("board-pack.pdf") + "board-pack/"
        return redirect(url + ("?" + request.GET.urlencode() if request.GET else ""))
    filename = f"board-pack-{context['today']:%Y-%m-%d}.pdf"
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    from portal.models import SecurityEvent
    from portal.security import security_log

    security_log(SecurityEvent.Kind.EXPORT, request=request, detail=filename)
    return response
