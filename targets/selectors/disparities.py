"""Disparities by ethnicity for one indicator, area and period, for the viewer: each group's rate and its relative
rate index against the reference group, small counts suppressed (targets/disparities.py has the statistics).

Only through the permission rules: whether the viewer may see the indicator's breakdowns is indicator_get's
answer (`breakdowns_shared`, with the hint of what would open them), and the figures are read through
observations_visible_to, which applies the observation and breakdown rules row by row. A viewer without the
breakdowns gets no figures at all, only the hint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from django.db.models import Q

from partners.models import Area

from ..demo_populations import POPULATION_NOTE, demo_population
from ..disparities import REFERENCE_GROUP, SHOWN, GroupRow, group_rows, suppress
from ..models import DEMO_SOURCE_LABEL, ETHNICITY, Indicator, Observation
from .indicators import indicator_get, observations_visible_to
from .sharing import SharingHint

DIMENSION = "ethnicity"
KEY_PREFIX = f"{DIMENSION}="
TOTAL = "All groups"


@dataclass
class Disparities:
    """What the disparities page shows. Without `by_ethnicity` or `shared` it holds no figures at all."""

    indicator: Indicator
    by_ethnicity: bool
    shared: bool
    hint: SharingHint | None
    reference: str = REFERENCE_GROUP
    areas: list[Area] = field(default_factory=list)  # the areas with figures by ethnicity
    periods: list[tuple[date, date]] = field(default_factory=list)  # the periods with them, latest first
    area: Area | None = None
    period: tuple[date, date] | None = None
    rows: list[GroupRow] = field(default_factory=list)
    is_demo: bool = False
    demo_label: str = DEMO_SOURCE_LABEL
    population_note: str = ""  # how populations the figures did not bring were found (demo only)

    @property
    def has_figures(self) -> bool:
        return bool(self.rows)

    @property
    def reference_hidden(self) -> bool:
        """The reference group's count is hidden, so no group can be compared with it."""
        return any(r.is_reference and r.suppressed != SHOWN for r in self.rows)

    @property
    def suppressed(self) -> set[str]:
        """The kinds of suppression in the table (primary, secondary)."""
        return {r.suppressed for r in self.rows if r.suppressed != SHOWN}

    @property
    def missing_population(self) -> bool:
        return any(r.count is not None and r.population is None for r in self.rows)


def disparities_get(*, user, code: str, area_code: str = "", period_start: date | None = None) -> Disparities:
    """The disparities table of an indicator for an area and period (the latest period and the first area when
    not given or not found), suppressed across every area of the period so that no total gives a cell away.
    404 when the viewer may not know the indicator."""
    indicator = indicator_get(user=user, code=code)
    result = Disparities(
        indicator=indicator,
        by_ethnicity=DIMENSION in (indicator.breakdowns or []),
        shared=indicator.breakdowns_shared,
        hint=indicator.sharing_hint,
    )
    if not (result.by_ethnicity and result.shared):
        return result
    figures = observations_visible_to(user=user, filters={"indicator": indicator.code}).order_by()
    by_group = figures.filter(breakdown_key__startswith=KEY_PREFIX)
    result.periods = sorted(set(by_group.values_list("period_start", "period_end")), reverse=True)
    result.areas = list(Area.objects.filter(pk__in=by_group.values("area_id")).order_by("kind", "name"))
    if not result.periods:
        return result
    result.period = next((p for p in result.periods if p[0] == period_start), result.periods[0])
    result.area = next((a for a in result.areas if a.code == area_code), result.areas[0])
    rows = list(
        figures.filter(Q(breakdown_key="") | Q(breakdown_key__startswith=KEY_PREFIX), period_start=result.period[0])
        .select_related("area")
        .order_by("area__code", "breakdown_key")
    )
    _fill_table(result, rows)
    return result


def _fill_table(result: Disparities, rows: list[Observation]) -> None:
    indicator = result.indicator
    counts: dict[str, dict[str, float]] = {}
    populations: dict[str, dict[str, float]] = {}
    derived = False
    for obs in rows:
        group = obs.breakdown_key[len(KEY_PREFIX) :] if obs.breakdown_key else TOTAL
        count = obs.numerator if obs.numerator is not None else (obs.value if _is_count(indicator) else None)
        population = obs.denominator
        if population is None and obs.is_demo:
            population = demo_population(
                indicator_code=indicator.code, area_code=obs.area.code, group=None if group == TOTAL else group
            )
            derived = derived or population is not None
        if count is not None:
            counts.setdefault(obs.area.code, {})[group] = float(count)
        if population is not None:
            populations.setdefault(obs.area.code, {})[group] = float(population)
        if obs.area_id == result.area.pk and obs.is_demo:
            result.is_demo = True
    groups = list(ETHNICITY) + sorted({g for c in counts.values() for g in c} - {*ETHNICITY, TOTAL})
    table = pd.DataFrame.from_dict(counts, orient="index").reindex(
        index=sorted(counts), columns=[*groups, TOTAL], fill_value=None
    )
    table = table.astype(float)
    has_total = table[TOTAL].notna().any()
    status = suppress(
        table,
        total_row=_total_row(result.areas, table),
        total_col=TOTAL if has_total else None,
        protect=[result.reference],
    )
    code = result.area.code
    if not any(obs.area_id == result.area.pk for obs in rows):
        return  # no figures for this area in this period: the page says so
    area_status = status.loc[code].to_dict() if code in status.index else {g: SHOWN for g in table.columns}
    area_counts = table.loc[code].to_dict() if code in table.index else {}
    result.rows = group_rows(
        area_counts,
        populations.get(code, {}),
        area_status,
        groups=groups,
        reference=result.reference,
        total=TOTAL if has_total else None,
    )
    if derived and result.is_demo:
        result.population_note = POPULATION_NOTE


def _is_count(indicator: Indicator) -> bool:
    return indicator.unit == Indicator.Unit.COUNT


def _total_row(areas: list[Area], table: pd.DataFrame) -> str | None:
    """The force area's row, as the sum of the local authorities' (the portal serves one force area)."""
    forces = [a.code for a in areas if a.kind == Area.Kind.FORCE_AREA and a.code in table.index]
    locals_ = [a for a in areas if a.kind == Area.Kind.LOCAL_AUTHORITY and a.code in table.index]
    return forces[0] if len(forces) == 1 and locals_ else None
