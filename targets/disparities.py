"""Disparities between ethnic groups: rates, relative rate indices and their 95% confidence intervals, and
the suppression of small counts. Pure statistics: numbers in, numbers out, no database.

The method (the disparities page says it in words):
- A group's rate per 1,000 is its count divided by its population, times 1,000.
- Its relative rate index (RRI) is its rate divided by the reference group's rate (REFERENCE_GROUP).
- The 95% confidence interval of an RRI is Katz's log method (Katz et al., 1978): with a and n1 the group's
  count and population, b and n2 the reference group's,
      exp( ln(RRI) ± 1.96 × sqrt(1/a − 1/n1 + 1/b − 1/n2) ).
- Primary suppression: every count under THRESHOLD (0 to 4) is hidden ("Fewer than 5").
- Secondary suppression: wherever a total is published with the cells that add up to it (an area's groups
  add up to its "All" figure; the local authorities' figures for a group add up to the force area's), a line
  with exactly one hidden cell would give it away by subtraction, so the line's next smallest count is hidden
  too ("Suppressed"), over and over until no line has exactly one. A hidden count also hides every figure
  worked out from it (its rate, RRI and interval), and a hidden reference count hides every RRI, because
  each would give it away.

NOTE: this protects against working a cell out by one subtraction, the attack a reader of the table can
make. It is not a full audit against every combination of totals (linear programming), which a table of
five groups by eight areas does not need.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

REFERENCE_GROUP = "White"  # every group's rate is compared with this group's
THRESHOLD = 5  # counts under this are hidden
Z_95 = 1.96
PER = 1000  # rates per 1,000 people

PRIMARY = "primary"  # under THRESHOLD: "Fewer than 5"
SECONDARY = "secondary"  # hidden so that no total gives away a primary cell: "Suppressed"
SHOWN = ""

SUPPRESSED_WORDS = {PRIMARY: f"Fewer than {THRESHOLD}", SECONDARY: "Suppressed"}


# --- Rates and the relative rate index ------------------------------------------------------------
def rate(count: float | None, population: float | None, *, per: int = PER) -> float | None:
    """Count per `per` people; None when either is unknown or the population is not positive."""
    if _missing(count) or _missing(population) or population <= 0:
        return None
    return count / population * per


def rri(a: float, n1: float, b: float, n2: float) -> float | None:
    """The relative rate index (a/n1) / (b/n2); None when the reference rate is zero or unknown."""
    group, reference = rate(a, n1, per=1), rate(b, n2, per=1)
    if group is None or not reference:
        return None
    return group / reference


def rri_interval(a: float, n1: float, b: float, n2: float, *, z: float = Z_95) -> tuple[float, float] | None:
    """The confidence interval of an RRI by Katz's log method; None when a count is zero (no logarithm)."""
    ratio = rri(a, n1, b, n2)
    if not ratio or a <= 0 or b <= 0:
        return None
    variance = 1 / a - 1 / n1 + 1 / b - 1 / n2
    half_width = z * math.sqrt(max(variance, 0.0))
    centre = math.log(ratio)
    return math.exp(centre - half_width), math.exp(centre + half_width)


def reading(ratio: float, low: float, high: float) -> str:
    """An RRI in plain words: '2.1 times as likely (1.6 to 2.8)', saying when the range includes 1."""
    words = f"{ratio:.1f} times as likely ({low:.1f} to {high:.1f})"
    if low <= 1 <= high:
        words += "; the range includes 1, so the difference may be chance"
    return words


# --- Suppression ------------------------------------------------------------------------------------
def suppress(
    counts: pd.DataFrame,
    *,
    total_row: str | None = None,
    total_col: str | None = None,
    protect: Iterable[str] = (),
    threshold: int = THRESHOLD,
) -> pd.DataFrame:
    """Which cells of a table of counts to hide: a frame of its shape holding SHOWN, PRIMARY or SECONDARY.

    total_row / total_col name the row and column that are the sums of the others (each optional). Missing
    counts (NaN) are neither hidden nor hiding: they are left out of every choice. Secondary cells are
    chosen smallest first, cells of the `protect` columns (the reference group) and totals last.
    """
    present = counts.notna()
    status = pd.DataFrame(SHOWN, index=counts.index, columns=counts.columns)
    status[present & (counts < threshold)] = PRIMARY
    lines = _lines(counts, total_row=total_row, total_col=total_col)
    protected = set(protect)
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [cell for cell in line if status.at[cell] != SHOWN]
            if len(hidden) != 1:
                continue
            candidates = [cell for cell in line if status.at[cell] == SHOWN and present.at[cell]]
            if not candidates:
                continue
            chosen = min(
                candidates,
                key=lambda cell: (
                    cell[0] == total_row or cell[1] == total_col,
                    cell[1] in protected,
                    counts.at[cell],
                ),
            )
            status.at[chosen] = SECONDARY
            changed = True
    return status


def _lines(counts: pd.DataFrame, *, total_row: str | None, total_col: str | None) -> list[list[tuple]]:
    """Each set of cells tied by a published total (the total's cell included), whose total is present."""
    lines = []
    if total_col is not None:
        for row in counts.index:
            if pd.notna(counts.at[row, total_col]):
                lines.append([(row, col) for col in counts.columns])
    if total_row is not None:
        for col in counts.columns:
            if pd.notna(counts.at[total_row, col]):
                lines.append([(row, col) for row in counts.index])
    return lines


# --- The table of one area ----------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupRow:
    """One line of the disparities table. Figures are None where hidden or unknown."""

    group: str
    count: float | None
    population: float | None
    rate: float | None
    rri: float | None
    low: float | None
    high: float | None
    suppressed: str  # SHOWN, PRIMARY or SECONDARY
    is_reference: bool = False
    is_total: bool = False
    reading: str = ""

    @property
    def suppressed_words(self) -> str:
        return SUPPRESSED_WORDS.get(self.suppressed, "")


def group_rows(
    counts: Mapping[str, float | None],
    populations: Mapping[str, float | None],
    status: Mapping[str, str],
    *,
    groups: Iterable[str],
    reference: str = REFERENCE_GROUP,
    total: str | None = None,
    per: int = PER,
) -> list[GroupRow]:
    """The table of one area: each group's count, population, rate, RRI against the reference group and its
    interval, with hidden counts (status from `suppress`) hiding everything worked out from them; then the
    total's line (count, population and rate only) when `total` names one."""
    ref_count, ref_pop = counts.get(reference), populations.get(reference)
    comparable = status.get(reference, SHOWN) == SHOWN and not _missing(ref_count) and not _missing(ref_pop)
    rows = []
    for group in [*groups, *([total] if total else [])]:
        count, population = counts.get(group), populations.get(group)
        hidden = status.get(group, SHOWN)
        is_total = group == total
        if hidden or _missing(count):
            rows.append(GroupRow(group, None, population, None, None, None, None, hidden, group == reference, is_total))
            continue
        row_rate = rate(count, population, per=per)
        if group == reference:
            ratio = 1.0 if row_rate is not None else None
            rows.append(GroupRow(group, count, population, row_rate, ratio, None, None, SHOWN, True, False))
            continue
        ratio = interval = None
        if comparable and not is_total and row_rate is not None:
            ratio = rri(count, population, ref_count, ref_pop)
            interval = rri_interval(count, population, ref_count, ref_pop)
        low, high = interval or (None, None)
        words = reading(ratio, low, high) if ratio is not None and interval else ""
        rows.append(GroupRow(group, count, population, row_rate, ratio, low, high, SHOWN, False, is_total, words))
    return rows


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
