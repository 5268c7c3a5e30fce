"""A partner's data returns, their reports and revisions, the template, and the partner page's remits and targets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from partners.models import Area, Partner
from partners.selectors import partner_section
from portal import permissions

from .. import rules
from ..models import (
    DataReturn,
    Indicator,
    last_complete_period,
)
from ..validation import COLUMNS, EXAMPLE_MARK, TEMPLATE_EXAMPLES, TEMPLATE_MARKER_COLUMN
from .targets import target_list_visible_to


# --- Data returns --------------------------------------------------------------------------------
def data_returns_visible_to(*, user, partner: Partner | None = None, status: str = "") -> QuerySet[DataReturn]:
    """Returns the user may see: their partners' own, or every one for the PCC office."""
    # NOTE: the listed revisions (up to 10,000) are read only where they are shown: data_return_revisions.
    qs = permissions.visible(user, rules.DATA_RETURN_VIEW, DataReturn.objects.defer("revisions"))
    qs = data_returns_narrowed(qs, partner=partner, status=status)
    return qs.select_related("partner", "uploaded_by", "applied_by").order_by("-uploaded_at", "-id")


def data_returns_narrowed(
    qs: QuerySet[DataReturn], *, partner: Partner | None = None, status: str = ""
) -> QuerySet[DataReturn]:
    """Narrow returns already filtered for the viewer (data_returns_visible_to and the API's FilterSet)."""
    if partner is not None:
        qs = qs.filter(partner=partner)
    if status:
        qs = qs.filter(status=status)
    return qs


def data_return_get(*, user, pk: int) -> DataReturn:
    """One data return, or 404 for one the user may not know exists."""
    qs = DataReturn.objects.select_related("partner", "uploaded_by", "applied_by").defer("revisions")
    return permissions.get_visible_or_404(user, rules.DATA_RETURN_VIEW, qs, pk=pk)


@dataclass(frozen=True)
class RevisedFigure:
    """One figure held that a return revises (or revised): what it was, what it becomes."""

    row: int
    indicator: str
    area: str
    area_name: str
    period_start: date
    period_end: date
    breakdown: str
    old: float
    new: float
    change_pct: float | None  # None: the old value was 0
    note: str = ""


class RevisedFigures(Sequence):
    """The stored list, each item made a RevisedFigure only when read (a page of 100 out of 10,000)."""

    def __init__(self, stored: list[dict]):
        self._stored = stored

    def __len__(self) -> int:
        return len(self._stored)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._figure(r) for r in self._stored[index]]
        return self._figure(self._stored[index])

    @staticmethod
    def _figure(r: dict) -> RevisedFigure:
        return RevisedFigure(
            row=r["row"],
            indicator=r["indicator"],
            area=r["area"],
            area_name=r.get("area_name", ""),
            period_start=date.fromisoformat(r["period_start"]),
            period_end=date.fromisoformat(r["period_end"]),
            breakdown=r["breakdown"],
            old=r["old"],
            new=r["new"],
            change_pct=r["change_pct"],
            note=r.get("note", ""),
        )


def data_return_revisions(*, data_return: DataReturn) -> RevisedFigures:
    """The revised figures listed on a return's report (at most DataReturn.MAX_STORED_REVISIONS), by row."""
    return RevisedFigures(data_return.revisions or [])  # one query when deferred, as data_return_get leaves it


def data_return_revisions_table(*, data_return: DataReturn) -> tuple[list[str], list[list]]:
    """The revised figures as a table for CSV download (numbers as numbers)."""
    header = [
        "Row",
        "Indicator",
        "Area code",
        "Area",
        "Period start",
        "Period end",
        "Breakdown",
        "Value held now" if data_return.status != DataReturn.Status.APPLIED else "Value before",
        "Value in this return",
        "Change (%)",
        "Note",
    ]
    rows = [
        [
            f.row,
            f.indicator,
            f.area,
            f.area_name,
            f.period_start.isoformat(),
            f.period_end.isoformat(),
            f.breakdown,
            _plain(f.old),
            _plain(f.new),
            "" if f.change_pct is None else f.change_pct,
            f.note or ("The figure held was 0" if f.change_pct is None else ""),
        ]
        for f in data_return_revisions(data_return=data_return)
    ]
    return header, rows


def _plain(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def data_returns_awaiting_action(*, user) -> list[DataReturn]:
    """The user's partners' returns that need them: ready to apply, or the newest upload that failed its checks."""
    partner_ids = permissions.acting_partner_ids(user, rules.DATA_RETURN_SUBMIT)
    if not partner_ids:
        return []
    newer = DataReturn.objects.filter(partner_id=OuterRef("partner_id"), uploaded_at__gt=OuterRef("uploaded_at"))
    failed = [DataReturn.Status.INVALID, DataReturn.Status.FAILED]
    qs = (
        data_returns_visible_to(user=user)
        .filter(partner_id__in=partner_ids)
        .filter(
            Q(status=DataReturn.Status.VALID)
            | Q(status__in=failed, uploaded_at__gte=timezone.now() - timedelta(days=30)) & ~Exists(newer)
        )
    )
    return list(qs[:10])


def data_return_report_table(*, data_return: DataReturn) -> tuple[list[str], list[list]]:
    """The error and warning report as a table for CSV/XLSX download."""
    header = ["Row", "Column", "Problem", "What to do", "Type"]
    rows = [[e["row"], e["column"], e["message"], e["fix"], "Error"] for e in data_return.errors or []]
    rows += [[w["row"], w["column"], w["message"], w["fix"], "Warning"] for w in data_return.warnings or []]
    rows.sort(key=lambda r: (r[0], r[4]))
    return header, rows


# --- The template a partner fills in -------------------------------------------------------------
def data_return_template(*, partner: Partner, today: date | None = None) -> tuple[list[str], list[list]]:
    """Header and one example row per indicator the partner provides (for export_response), each marked
    "example" in the last column: numbers as numbers, so that a spreadsheet keeps them as numbers."""
    today = today or timezone.localdate()
    indicators = list(Indicator.objects.filter(provider=partner, active=True).order_by("code"))
    partner_areas = list(partner.areas.all())
    any_area = {kind: Area.objects.filter(kind=kind).order_by("name").first() for kind in Area.Kind.values}
    rows = []
    for indicator in indicators:
        area = next((a for a in partner_areas if a.kind == indicator.geography), None) or any_area.get(
            indicator.geography
        )
        start, end = last_complete_period(indicator.frequency, today)
        value, numerator, denominator = (
            _plain(x) if x is not None else None for x in TEMPLATE_EXAMPLES[indicator.unit]
        )
        rows.append(
            [
                indicator.code,
                area.code if area else "",
                start.isoformat(),
                end.isoformat(),
                value,
                numerator,
                denominator,
                None,
                None,
                None,
                EXAMPLE_MARK,
            ]
        )
    return [*COLUMNS, TEMPLATE_MARKER_COLUMN], rows


# --- The partner page section -------------------------------------------------------------------
@partner_section
def partner_remits_and_targets(user, partner: Partner) -> dict | None:
    """The partner's remit and the targets it owns (status words; figures where shared)."""
    if not permissions.can(user, rules.PRIORITY_VIEW):
        return None
    remits = list(partner.remits.all())
    targets = target_list_visible_to(user=user, owner=partner)
    if not remits and not targets:
        return None
    return {
        "title": "Remit and targets",
        "template": "targets/_partner_remits_targets.html",
        "remits": remits,
        "targets": targets,
    }
