"""Where a target's indicator is heading: a projection to the target date with an 80% interval.

The method, stated on every target page (METHOD): a straight line fitted by least squares to the last
FIT_PERIODS current totals (at least MIN_PERIODS), carried forward to the target date; the interval is the
line's 80% prediction interval (Student's t with n − 2 degrees of freedom), which widens the further ahead it
looks. It is deliberately simple: it reads a trend, not seasons, shocks or the effect of new work, and with
few periods or noisy figures its interval is wide. A target is "likely to miss" when the projection at the
target date is worse than the target value by more than the target's tolerance, whatever today's status.

`backtest` measures it on history: for each target with enough figures, the projection made from the figures up
to a year before its latest period is compared with what happened (met the target's trajectory value for that
period, or not). The page says how often it was right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

FIT_PERIODS = 24
MIN_PERIODS = 6
INTERVAL = 0.80
# Student's t, two-sided 80% (the 0.9 quantile), by degrees of freedom; 1.282 beyond the table (normal).
_T90 = {
    1: 3.078,
    2: 1.886,
    3: 1.638,
    4: 1.533,
    5: 1.476,
    6: 1.440,
    7: 1.415,
    8: 1.397,
    9: 1.383,
    10: 1.372,
    12: 1.356,
    15: 1.341,
    20: 1.325,
    25: 1.316,
    30: 1.310,
    40: 1.303,
    60: 1.296,
    120: 1.289,
}

METHOD = (
    "The projection is a straight line fitted to the latest figures (up to the last 24 periods, at least 6), "
    "carried forward to the target date, with an 80% prediction interval: if the trend holds, the figure is "
    "expected to fall inside the band 8 times in 10. It reads the trend only, not seasons, one-off events or "
    "the effect of new work; with few or noisy figures the band is wide. 'Likely to miss' means the projected "
    "figure at the target date is worse than the target by more than the target's tolerance."
)


def _t90(df: int) -> float:
    for limit in sorted(_T90):
        if df <= limit:
            return _T90[limit]
    return 1.282


@dataclass(frozen=True)
class Projection:
    value: float
    low: float
    high: float
    periods_used: int


def project(values: list[float], steps_ahead: float) -> Projection | None:
    """A linear projection `steps_ahead` periods past the last value, with its 80% interval (None: too few)."""
    y = np.asarray(values[-FIT_PERIODS:], dtype=float)
    n = len(y)
    if n < MIN_PERIODS or steps_ahead < 0:
        return None
    x = np.arange(n, dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    fitted = intercept + slope * x
    residual = float(np.sqrt(np.sum((y - fitted) ** 2) / (n - 2)))
    x0 = (n - 1) + steps_ahead
    spread = residual * np.sqrt(1 + 1 / n + (x0 - x.mean()) ** 2 / np.sum((x - x.mean()) ** 2))
    value = float(intercept + slope * x0)
    half = _t90(n - 2) * float(spread)
    return Projection(value=value, low=value - half, high=value + half, periods_used=n)


def periods_between(last_period_start: date, target_date: date, frequency: str) -> float:
    """How many periods of a frequency lie from the last figure's period to the period holding the target date
    (whole periods: the fit counts periods, so a quarter ending on the target date is one step, not 1⅔)."""
    months = (target_date.year - last_period_start.year) * 12 + (target_date.month - last_period_start.month)
    per = {"monthly": 1, "quarterly": 3, "annual": 12}.get(frequency, 1)
    return float(max(0, months // per))


def likely_to_miss(
    projected: float, target_value: Decimal, *, higher_is_better: bool, tolerance_percent: Decimal
) -> bool:
    """Worse than the target by more than its tolerance at the target date."""
    target = float(target_value)
    shortfall = (target - projected) if higher_is_better else (projected - target)
    return shortfall > abs(target) * float(tolerance_percent) / 100


@dataclass(frozen=True)
class Backtest:
    targets_tested: int
    called_right: int

    @property
    def share(self) -> float | None:
        return None if not self.targets_tested else self.called_right / self.targets_tested

    @property
    def words(self) -> str:
        if not self.targets_tested:
            return "There is not yet enough history to test the projection (it needs 18 periods of a target's figures)."
        pct = round(100 * self.share)
        return (
            f"Tested on history: made a year before each target's latest figure, the projection called whether the "
            f"figure would meet its trajectory correctly for {self.called_right} of {self.targets_tested} targets "
            f"({pct}%)."
        )


def backtest(cases: list[tuple[list[float], int, float, bool]]) -> Backtest:
    """cases: (values in period order, periods in a year, the trajectory value at the last period, higher is
    better). The projection from the values up to a year before the last one calls "meets it" or "misses it"."""
    tested = right = 0
    for values, per_year, expected, higher in cases:
        if len(values) < MIN_PERIODS + per_year:
            continue
        made = project(values[:-per_year], per_year)
        if made is None:
            continue
        predicted_meets = made.value >= expected if higher else made.value <= expected
        actual_meets = values[-1] >= expected if higher else values[-1] <= expected
        tested += 1
        right += predicted_meets == actual_meets
    return Backtest(targets_tested=tested, called_right=right)
