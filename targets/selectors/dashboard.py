"""The board's dashboard: a panel per priority with its targets, counts by status, filtered by area, period,
partner and priority, in a constant number of queries at any size (the targets' snapshots hold the figures).

Figures go only where the viewer may see the indicator's data (with_status); a target whose figures are hidden
still shows its status word, and the panel says how many of its targets have figures hidden from the viewer.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from partners.models import Area, Partner
from portal import permissions

from .. import rules
from ..models import Priority, Target
from .targets import STATUS_ORDER, _has_snapshot, status_counts, targets_visible_to, with_status, worst_first

PANEL_PREVIEW = 5  # targets shown in each priority's panel (the worst first); the rest on the priority's page
PERIODS_OFFERED = 24  # "as at" months offered in the period filter


@dataclass
class Filters:
    area: Area | None = None
    as_at: date | None = None  # the end of a month: figures as they stood then; None for the latest
    partner: Partner | None = None
    priority: Priority | None = None

    def describe(self) -> list[str]:
        """The filters in words (exports and the board pack carry them)."""
        return [
            f"Area: {self.area.name if self.area else 'All areas'}",
            f"Period: {'figures as at ' + format_day(self.as_at) if self.as_at else 'latest figures'}",
            f"Partner: {self.partner.name if self.partner else 'All partners'}",
            f"Priority: {self.priority.title if self.priority else 'All priorities'}",
        ]

    def query(self) -> dict[str, str]:
        out = {}
        if self.area:
            out["area"] = self.area.code
        if self.as_at:
            out["period"] = self.as_at.strftime("%Y-%m")
        if self.partner:
            out["partner"] = self.partner.slug
        if self.priority:
            out["priority"] = self.priority.slug
        return out


@dataclass
class Panel:
    priority: Priority
    counts: dict[str, int]
    targets: list[Target]  # the worst PANEL_PREVIEW, with status and figures (where shared)
    target_count: int = 0
    hidden_count: int = 0  # of those shown, how many have their figures hidden from the viewer


@dataclass
class Dashboard:
    filters: Filters
    counts: dict[str, int]
    panels: list[Panel] = field(default_factory=list)
    likely_to_miss: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def has_demo_data(self) -> bool:
        return any(t.has_demo_data for p in self.panels for t in p.targets)

    @property
    def status_rows(self) -> list[tuple[str, str, str, int]]:
        """(code, label, colour, count) worst first, for the counts at the top."""
        return [(s.value, s.label, Target.STATUS_TAG_COLOURS[s], self.counts.get(s.value, 0)) for s in STATUS_ORDER]


SPARK_POINTS = 12  # the sparkline shows the last 12 figures


def sparkline_points(series) -> str:
    """The last SPARK_POINTS figures as SVG polyline points in a 100 x 24 box ("" for fewer than two)."""
    values = [float(v) for _, v in series][-SPARK_POINTS:]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = 100 / (len(values) - 1)
    return " ".join(f"{n * step:.1f},{22 - (v - low) / span * 20:.1f}" for n, v in enumerate(values))


def format_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def month_ends(today: date, n: int = PERIODS_OFFERED) -> list[date]:
    """The last day of each of the n months before this one, newest first."""
    out = []
    year, month = today.year, today.month
    for _ in range(n):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(date(year, month, calendar.monthrange(year, month)[1]))
    return out


def filter_choices(*, user) -> dict:
    """What the filters offer: areas (the force area and its local authorities that have targets), partners that
    own a target the viewer may see, and the active priorities (3 queries)."""
    visible = targets_visible_to(user=user)
    areas = list(
        Area.objects.filter(
            pk__in=visible.values("area_id"), kind__in=[Area.Kind.FORCE_AREA, Area.Kind.LOCAL_AUTHORITY]
        )
        .order_by("kind", "name")
        .only("pk", "code", "name", "kind")
    )
    partners = list(
        Partner.objects.filter(pk__in=visible.values("owner_id")).order_by("name").only("pk", "slug", "name")
    )
    priorities = list(
        permissions.visible(user, rules.PRIORITY_VIEW, Priority.objects.filter(active=True)).order_by("order", "title")
    )
    return {"areas": areas, "partners": partners, "priorities": priorities}


def filtered_targets(*, user, filters: Filters) -> QuerySet[Target]:
    qs = targets_visible_to(user=user)
    if filters.area is not None:
        qs = qs.filter(area=filters.area)
    if filters.partner is not None:
        qs = qs.filter(owner=filters.partner)
    if filters.priority is not None:
        qs = qs.filter(priority=filters.priority)
    return qs


def dashboard(*, user, filters: Filters, preview: int = PANEL_PREVIEW) -> Dashboard:
    """The overview for these filters. Latest figures: counts and each panel's worst targets from the snapshots
    in the database. As at a past month: every filtered target's status worked out from its snapshot's series
    as it stood then (the last figure for a period starting on or before that day, against the trajectory)."""
    priorities = list(
        permissions.visible(user, rules.PRIORITY_VIEW, Priority.objects.filter(active=True)).order_by("order", "title")
    )
    priorities = [p for p in priorities if filters.priority is None or p.pk == filters.priority.pk]
    targets = filtered_targets(user=user, filters=filters).filter(priority__in=[p.pk for p in priorities])
    if filters.as_at is None:
        by_priority = status_counts(targets, by="priority")
        ranked = worst_first(targets).annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("priority_id")],
                order_by=[F("status_rank").asc(), F("indicator__code").asc(), F("area__name").asc(), F("pk").asc()],
            )
        )
        shown = with_status(user, list(ranked.filter(place__lte=preview)))
        grouped: dict[int, list[Target]] = {}
        for target in shown:
            grouped.setdefault(target.priority_id, []).append(target)
    else:
        everything = with_status(user, targets.order_by("pk"), trajectory=True)
        by_priority, grouped = {}, {}
        for target in everything:
            as_at(target, filters.as_at)
            counts = by_priority.setdefault(target.priority_id, {s.value: 0 for s in Target.Status})
            counts[target.status] += 1
            grouped.setdefault(target.priority_id, []).append(target)
        rank = {s.value: n for n, s in enumerate(STATUS_ORDER)}
        for pk, rows in grouped.items():
            rows.sort(key=lambda t: (rank[t.status], t.indicator.code, t.area.name, t.pk))
            grouped[pk] = rows[:preview]
    empty = {s.value: 0 for s in Target.Status}
    panels, totals = [], dict(empty)
    for priority in priorities:
        counts = by_priority.get(priority.pk, dict(empty))
        for status, n in counts.items():
            totals[status] += n
        rows = grouped.get(priority.pk, [])
        panels.append(
            Panel(
                priority=priority,
                counts=counts,
                targets=rows,
                target_count=sum(counts.values()),
                hidden_count=sum(1 for t in rows if not t.figures_shared),
            )
        )
    for rows in grouped.values():
        for target in rows:
            target.spark = sparkline_points(target.series)
    board = Dashboard(filters=filters, counts=totals, panels=[p for p in panels if p.target_count])
    board.likely_to_miss = sum(1 for p in board.panels for t in p.targets if t.likely_to_miss)
    return board


def as_at(target: Target, day: date) -> Target:
    """Put the target's figures and status back to how they stood on `day` (from its snapshot's series; the
    trajectory points prefetched). Hidden figures stay hidden; the status word is worked out all the same."""
    series = target.snapshot.series if _has_snapshot(target) else []
    points = [(date.fromisoformat(d), Decimal(v)) for d, v in series if date.fromisoformat(d) <= day]
    latest = points[-1] if points else None
    target.status = target.status_for(latest[1] if latest else None, latest[0] if latest else None)
    target.status_label = Target.Status(target.status).label
    target.status_colour = Target.STATUS_TAG_COLOURS[target.status]
    target.likely_to_miss = False  # the projection is made from the latest figures only
    target.projection = None
    if not target.figures_shared:
        return target
    target.series = points
    target.latest_value = latest[1] if latest else None
    target.latest_period_start = latest[0] if latest else None
    target.latest_period_end = None
    target.previous_value = points[-2][1] if len(points) > 1 else None
    target.expected_value = target.expected_on(latest[0]) if latest else None
    target.change = (
        target.latest_value - target.previous_value
        if target.latest_value is not None and target.previous_value is not None
        else None
    )
    return target


def dashboard_rows(*, user, filters: Filters) -> list[Target]:
    """Every filtered target with status and figures (the exports): worst first, paged through in chunks by
    the caller if need be."""
    targets = filtered_targets(user=user, filters=filters).filter(priority__active=True)
    rows = with_status(user, worst_first(targets), trajectory=filters.as_at is not None)
    if filters.as_at is not None:
        for target in rows:
            as_at(target, filters.as_at)
    return rows
