"""The shape of a return: its columns, reading it into a table of strings, and the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pandas as pd
from django.core.exceptions import ValidationError

from ..models import BREAKDOWN_DIMENSIONS, Indicator

REQUIRED_COLUMNS = ["indicator_code", "area_code", "period_start", "period_end", "value"]
OPTIONAL_COLUMNS = ["numerator", "denominator", *BREAKDOWN_DIMENSIONS]
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
RATE_TOLERANCE = 0.005  # 0.5%
SPIKE_FACTOR = 5  # a value this many times the latest figure held is worth a second look
MAX_ABS_VALUE = 1e14  # what DecimalField(18, 4) can hold: 14 digits before the point
DECIMAL_PLACES = 4  # ... and 4 after it; numbers with more are stored rounded (a warning says so)
HISTORY_WINDOW = timedelta(days=400)  # how far back we look for the "latest figure held"
FREQUENCY_WORDS = {
    Indicator.Frequency.MONTHLY: ("calendar month", "the first day of a month", "2025-04-01 to 2025-04-30"),
    Indicator.Frequency.QUARTERLY: (
        "calendar quarter",
        "1 January, 1 April, 1 July or 1 October",
        "2025-04-01 to 2025-06-30",
    ),
    Indicator.Frequency.ANNUAL: ("financial year (1 April to 31 March)", "1 April", "2024-04-01 to 2025-03-31"),
}

# The template's example rows: one per indicator, with these figures, marked "example" in the column
# of that name. A marked row still holding these figures was never filled in and is refused; a row
# whose figures were overwritten is taken, whatever its mark says.
TEMPLATE_MARKER_COLUMN = "example"
EXAMPLE_MARK = "example"
TEMPLATE_EXAMPLES: dict[str, tuple[Decimal, Decimal | None, Decimal | None]] = {
    Indicator.Unit.COUNT: (Decimal("12"), None, None),
    Indicator.Unit.RATE_1000: (Decimal("2.5"), Decimal("250"), Decimal("100000")),
    Indicator.Unit.RATE_100000: (Decimal("45"), Decimal("45"), Decimal("100000")),
    Indicator.Unit.PERCENTAGE: (Decimal("25"), Decimal("50"), Decimal("200")),
    Indicator.Unit.DAYS: (Decimal("180"), None, None),
}
# Columns read from a spreadsheet: the template has 11; further ones only hold notes. NOTE: without
# a limit one cell far to the right (XFD1) would make every row 16,384 cells wide in memory.
XLSX_MAX_COLUMNS = 40

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
    # The figures held that the rows would revise, in row order (at most DataReturn.MAX_STORED_REVISIONS):
    # {"row", "indicator", "area", "area_name", "period_start", "period_end", "breakdown", "old", "new",
    #  "change_pct" (None when the old value is 0), "note"}
    revisions: list[dict] = field(default_factory=list)
    # The rows ready to apply (only when there are no errors): see _clean_frame for the columns.
    clean: pd.DataFrame | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Reading --------------------------------------------------------------------------------------
def read_return_file(source, kind: str) -> pd.DataFrame:
    """A stored return (a path or a binary file opened from the uploads storage) as a table of strings,
    indexed by spreadsheet row number (header = row 1)."""
    # NOTE: not portal.files.read_table: that skips blank lines, which would shift the row numbers
    # we report. Blank rows are kept while reading and dropped here, keeping each row's number.
    if kind == "csv":
        df = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=False)
    else:
        df = _read_xlsx(source)
    df.index = pd.RangeIndex(2, len(df) + 2)
    return df


def _read_xlsx(source) -> pd.DataFrame:
    """The first sheet as a table of strings, at most XLSX_MAX_COLUMNS wide (numbers and dates as typed)."""
    from openpyxl import load_workbook

    workbook = load_workbook(source, read_only=True, data_only=True, keep_links=False)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # NOTE: the sheet's own <dimension> may say anything; read what is there
        rows = sheet.iter_rows(max_col=XLSX_MAX_COLUMNS, values_only=True)
        header = list(next(rows, ()))
        while header and header[-1] in (None, ""):
            header.pop()
        names = _column_names([cell_text(v) for v in header])
        records = [[cell_text(v) for v in row[: len(names)]] for row in rows]
    finally:
        workbook.close()
    while records and not any(records[-1]):
        records.pop()
    return pd.DataFrame.from_records(records, columns=names) if names else pd.DataFrame(index=range(len(records)))


def _column_names(header: list[str]) -> list[str]:
    """Header cells as column names: blanks and repeats made unique, as pandas does ('value', 'value.1')."""
    names, seen = [], set()
    for i, text in enumerate(header):
        name = text.strip() or f"Unnamed: {i}"
        base, n = name, 0
        while name in seen:
            n += 1
            name = f"{base}.{n}"
        seen.add(name)
        names.append(name)
    return names


def cell_text(value) -> str:
    """A spreadsheet cell as the text a person typed: 12 not 12.0, a date as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def frame_from_rows(rows: list[dict]) -> pd.DataFrame:
    """API batch rows (dicts) as a table of strings, indexed from 1 (the first item is row 1)."""
    records = [
        {k: ("" if v is None else str(v)) for k, v in (row or {}).items()} if isinstance(row, dict) else {}
        for row in rows
    ]
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
