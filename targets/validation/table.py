"""The shape of a return: its columns, reading it into a table of strings, and the report."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pandas as pd
from django.core.exceptions import ValidationError

from ..models import BREAKDOWN_DIMENSIONS, Indicator

REQUIRED_COLUMNS = ["indicator_code", "area_code", "period_start", "period_end", "value"]
OPTIONAL_COLUMNS = ["numerator", "denominator", *BREAKDOWN_DIMENSIONS]
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
RATE_TOLERANCE = 0.005          # 0.5%
SPIKE_FACTOR = 5                # a value this many times the latest figure held is worth a second look
MAX_ABS_VALUE = 1e14            # what DecimalField(18, 4) can hold
HISTORY_WINDOW = timedelta(days=400)  # how far back we look for the "latest figure held"
FREQUENCY_WORDS = {
    Indicator.Frequency.MONTHLY: ("calendar month", "the first day of a month", "2025-04-01 to 2025-04-30"),
    Indicator.Frequency.QUARTERLY: ("calendar quarter", "1 January, 1 April, 1 July or 1 October",
                                    "2025-04-01 to 2025-06-30"),
    Indicator.Frequency.ANNUAL: ("financial year (1 April to 31 March)", "1 April", "2024-04-01 to 2025-03-31"),
}

ProgressFn = Callable[[int], None]


class RowErrors(ValidationError):
    """Rows that failed the checks; nothing was saved. `row_errors` holds the row-numbered list."""

    def __init__(self, row_errors: list[dict]):
        super().__init__(f"{len(row_errors)} problems were found in the rows; nothing was saved.", code="invalid_rows")
        self.row_errors = row_errors


@dataclass
class Report:
    row_count: int
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    changes: dict = field(default_factory=lambda: {"new": 0, "revised": 0, "unchanged": 0})
    # The rows ready to apply (only when there are no errors): see _clean_frame for the columns.
    clean: pd.DataFrame | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Reading --------------------------------------------------------------------------------------
def read_return_file(path: Path, kind: str) -> pd.DataFrame:
    """A stored return as a table of strings, indexed by spreadsheet row number (header = row 1)."""
    # NOTE: not portal.files.read_table: that skips blank lines, which would shift the row numbers
    # we report. Blank rows are kept while reading and dropped here, keeping each row's number.
    if kind == "csv":
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=False)
    else:
        df = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    df.index = pd.RangeIndex(2, len(df) + 2)
    return df


def frame_from_rows(rows: list[dict]) -> pd.DataFrame:
    """API batch rows (dicts) as a table of strings, indexed from 1 (the first item is row 1)."""
    records = [{k: ("" if v is None else str(v)) for k, v in (row or {}).items()} if isinstance(row, dict) else {}
               for row in rows]
    df = pd.DataFrame.from_records(records, columns=None if records and any(records) else COLUMNS)
    for column in REQUIRED_COLUMNS:
        if column not in df.columns:
            df[column] = ""
    df.index = pd.RangeIndex(1, len(df) + 1)
    return df.fillna("")


def decimal_or_none(text: str) -> Decimal | None:
    """A checked number as stored (4 decimal places), or None for an empty cell."""
    return Decimal(text).quantize(Decimal("0.0001")) if text else None


def number_text(x: float) -> str:
    """A number as people write it: 1,234.5 (no trailing zeros)."""
    return f"{x:,.4f}".rstrip("0").rstrip(".")
