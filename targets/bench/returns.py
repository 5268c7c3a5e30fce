"""Large data returns for the benchmarks: a 50,000-row return (tests/perf, make bench-ingest) and the
1,000,000-row history of the backfill benchmark, as CSV files with the template's columns."""

from __future__ import annotations

import csv
import itertools
from datetime import date
from pathlib import Path

from partners.models import Area, Partner

from ..models import AGE_BANDS, ETHNICITY, SEX, Indicator, periods_between

HEADER = [
    "indicator_code",
    "area_code",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "age_band",
    "sex",
    "ethnicity",
]
# Every combination of the three breakdowns, the total included: 126 rows a month and area.
KEYS = list(itertools.product([""] + AGE_BANDS, [""] + SEX, [""] + ETHNICITY))
FIRST_MONTH, LAST_MONTH = date(2000, 1, 1), date(2025, 10, 31)


def bench_indicator(code: str, provider: Partner, *, by) -> Indicator:
    """A monthly rate per 1,000 by local authority, split by age band, sex and ethnicity."""
    from ..services import indicator_create

    return indicator_create(
        code=code,
        name=f"Benchmark rate {code}",
        unit=Indicator.Unit.RATE_1000,
        polarity=Indicator.Polarity.LOWER_IS_BETTER,
        frequency=Indicator.Frequency.MONTHLY,
        geography=Area.Kind.LOCAL_AUTHORITY,
        provider=provider,
        breakdowns=["age_band", "sex", "ethnicity"],
        by=by,
    )


def write_return(
    path: Path, *, indicator_codes: list[str], area_codes: list[str], rows: int, months=None, bump: int = 0
) -> int:
    """Write up to `rows` figures (most recent months first, so a short file holds recent figures), newest
    month of each indicator, area and breakdown; `bump` changes every value (a file of revisions)."""
    months = months or list(reversed(periods_between(Indicator.Frequency.MONTHLY, FIRST_MONTH, LAST_MONTH)))
    written = 0
    with open(path, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for code, (start, end), area, (age, sex, ethnicity) in itertools.product(
            indicator_codes, months, area_codes, KEYS
        ):
            numerator = 50 + (written * 7919 + bump) % 400
            denominator = 100_000
            writer.writerow(
                [
                    code,
                    area,
                    start.isoformat(),
                    end.isoformat(),
                    f"{numerator / denominator * 1000:.4f}",
                    numerator,
                    denominator,
                    age,
                    sex,
                    ethnicity,
                ]
            )
            written += 1
            if written == rows:
                break
    return written
