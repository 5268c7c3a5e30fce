"""Row-by-row checks of a partner's observations, shared by file uploads and API batches (pandas).

Columns: indicator_code, area_code, period_start, period_end, value (required); numerator,
denominator, age_band, sex, ethnicity (optional). Every check is vectorised over the whole
table, so 50,000 rows take a second or two.

Rules worth knowing:
- Periods: monthly = first to last day of a calendar month; quarterly = a calendar quarter
  (January–March, April–June, July–September, October–December); annual = a financial year,
  1 April to 31 March. Periods that have not ended yet are refused.
- Areas: an indicator reported by police force area takes force-area codes only; one reported
  by local authority takes local-authority codes and also the force-area total.
- Rates: when numerator and denominator are given, value must equal numerator ÷ denominator ×
  1,000 / 100,000 / 100 within 0.5%.
- Each error names the spreadsheet row (header = row 1, first data row = 2; for API batches,
  row 1 is the first item of "rows"), the column, what is wrong and what to do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners.models import Area

from .models import BREAKDOWN_DIMENSIONS, Indicator, Observation

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


# --- The checks -----------------------------------------------------------------------------------
class _Problems:
    """Collects errors (or warnings) for masked rows; remembers which rows have an error."""

    def __init__(self, rows: np.ndarray):
        self.rows = rows
        self.items: list[dict] = []
        self.bad = np.zeros(len(rows), dtype=bool)

    def add(self, mask, column: str, message, fix, *, mark: bool = True) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if mark:
            self.bad |= mask
        positions = np.flatnonzero(mask)
        messages = message if isinstance(message, (list, np.ndarray, pd.Series)) else None
        fixes = fix if isinstance(fix, (list, np.ndarray, pd.Series)) else None
        for i, pos in enumerate(positions):
            self.items.append({
                "row": int(self.rows[pos]),
                "column": column,
                "message": str(messages[i]) if messages is not None else message,
                "fix": str(fixes[i]) if fixes is not None else fix,
            })


def _fmt(series: pd.Series, mask) -> list[str]:
    return series[np.asarray(mask, dtype=bool)].astype(str).tolist()


def _number(x: float) -> str:
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def _normalise(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    df = df.copy()
    df.columns = [str(c).strip().lower().replace(" ", "_") for c in df.columns]
    unknown = [c for c in df.columns if c not in COLUMNS]
    for column in COLUMNS:
        if column in df.columns:
            df[column] = df[column].astype("string").fillna("").str.strip()
    # Spreadsheet dates read as text keep a midnight time: "2025-04-01 00:00:00".
    for column in ("period_start", "period_end"):
        if column in df.columns:
            df[column] = df[column].str.replace(r"[ T]00:00:00$", "", regex=True)
    known = [c for c in COLUMNS if c in df.columns]
    if known:
        df = df[(df[known] != "").any(axis=1)]
    return df, unknown


def validate_frame(df: pd.DataFrame, *, partner, progress: ProgressFn | None = None,
                   today: date | None = None) -> Report:
    """Check every row against the rules above; the report holds errors, warnings and the changes."""
    progress = progress or (lambda pct: None)
    today = today or timezone.localdate()
    header_row = int(df.index[0]) - 1 if len(df.index) else 1
    df, unknown = _normalise(df)
    report = Report(row_count=len(df))
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    for column in missing:
        report.errors.append({
            "row": header_row, "column": column, "message": f"The column {column} is missing",
            "fix": f"Add a column headed {column} (download the template to see every column)",
        })
    for column in unknown:
        report.warnings.append({
            "row": header_row, "column": column, "message": f"The column {column} is not used and will be ignored",
            "fix": "Remove the column, or rename it to one in the template if it holds data we need",
        })
    if missing:
        return report
    if df.empty:
        report.errors.append({"row": header_row + 1, "column": "", "message": "There are no rows of data",
                              "fix": "Add one row for each figure, under the header row"})
        return report
    for column in OPTIONAL_COLUMNS:
        if column not in df.columns:
            df[column] = ""
    progress(10)

    rows = df.index.to_numpy()
    errors = _Problems(rows)
    warnings = _Problems(rows)

    # Indicators this partner provides, as a small table joined onto every row.
    indicators = pd.DataFrame.from_records(
        list(Indicator.objects.filter(provider=partner, active=True)
             .values("id", "code", "unit", "frequency", "geography", "breakdowns")),
        columns=["id", "code", "unit", "frequency", "geography", "breakdowns"],
    )
    indicators["key"] = indicators["code"].str.upper()
    by_code = indicators.set_index("key")
    code = df["indicator_code"]
    known_codes = code.str.upper().isin(by_code.index)
    errors.add(code == "", "indicator_code", "Enter the indicator code",
               "Use a code from the template, for example " + (", ".join(indicators["code"][:3]) or "FTE10-17"))
    unknown_code = (code != "") & ~known_codes
    offered = ", ".join(indicators["code"]) or "none yet"
    errors.add(unknown_code, "indicator_code",
               [f"{c} is not an indicator your organisation provides" for c in _fmt(code, unknown_code)],
               f"Use one of your indicator codes: {offered}")
    ind = by_code.reindex(code.str.upper().where(known_codes, "")).reset_index(drop=True)
    ind.index = df.index
    has_ind = known_codes.to_numpy()

    # Areas
    areas = pd.DataFrame.from_records(list(Area.objects.values("id", "code", "kind")), columns=["id", "code", "kind"])
    areas["key"] = areas["code"].str.upper()
    by_area = areas.set_index("key")
    acode = df["area_code"]
    known_area = acode.str.upper().isin(by_area.index)
    errors.add(acode == "", "area_code", "Enter the area code", "Use an ONS area code, for example E08000025")
    errors.add((acode != "") & ~known_area, "area_code",
               [f"{a} is not an area code we know" for a in _fmt(acode, (acode != "") & ~known_area)],
               "Use the ONS code of a police force area or local authority, for example E08000025 for Birmingham")
    area = by_area.reindex(acode.str.upper().where(known_area, "")).reset_index(drop=True)
    area.index = df.index
    has_area = known_area.to_numpy()
    geography_ok = (area["kind"] == ind["geography"]) | (
        (ind["geography"] == Area.Kind.LOCAL_AUTHORITY) & (area["kind"] == Area.Kind.FORCE_AREA))
    wrong_geo = has_ind & has_area & ~geography_ok.to_numpy()
    geo_words = {Area.Kind.FORCE_AREA: "police force area", Area.Kind.LOCAL_AUTHORITY: "local authority"}
    errors.add(wrong_geo, "area_code",
               [f"{a} is a {geo_words.get(k, k)}, but {c} is reported by {geo_words.get(g, g)}"
                for a, k, c, g in zip(_fmt(acode, wrong_geo), _fmt(area["kind"], wrong_geo),
                                      _fmt(ind["code"], wrong_geo), _fmt(ind["geography"], wrong_geo))],
               "Use an area code at the indicator's level (local-authority indicators also take the force-area total)")
    progress(25)

    # Periods
    starts = pd.to_datetime(df["period_start"], format="%Y-%m-%d", errors="coerce")
    ends = pd.to_datetime(df["period_end"], format="%Y-%m-%d", errors="coerce")
    for column, parsed in (("period_start", starts), ("period_end", ends)):
        raw = df[column]
        errors.add(raw == "", column, f"Enter the {column.replace('_', ' ')}",
                   "Enter a date in the format YYYY-MM-DD, for example 2025-04-01")
        unreadable = (raw != "") & parsed.isna()
        errors.add(unreadable, column,
                   [f"{v} is not a date in the format YYYY-MM-DD" for v in _fmt(raw, unreadable)],
                   "Enter a real date as year-month-day, for example 2025-04-01")
    freq = ind["frequency"]
    fy_end = pd.to_datetime(pd.DataFrame({"year": starts.dt.year.fillna(2000).astype(int) + 1, "month": 3, "day": 31}))
    fy_end.index = df.index
    expected_end = pd.Series(pd.NaT, index=df.index, dtype=starts.dtype)
    monthly, quarterly, annual = (freq == Indicator.Frequency.MONTHLY, freq == Indicator.Frequency.QUARTERLY,
                                  freq == Indicator.Frequency.ANNUAL)
    expected_end = expected_end.mask(monthly, starts + pd.offsets.MonthEnd(0))
    expected_end = expected_end.mask(quarterly, starts + pd.offsets.QuarterEnd(0))
    expected_end = expected_end.mask(annual, fy_end.astype(starts.dtype))
    aligned = (starts.dt.day == 1) & (
        monthly | (quarterly & starts.dt.month.isin([1, 4, 7, 10])) | (annual & (starts.dt.month == 4)))
    dated = has_ind & starts.notna().to_numpy()
    misaligned = dated & ~aligned.to_numpy()
    errors.add(misaligned, "period_start",
               [f"{s} is not the start of a {FREQUENCY_WORDS[f][0]}, and {c} is {f}"
                for s, f, c in zip(_fmt(df["period_start"], misaligned), _fmt(freq, misaligned),
                                   _fmt(ind["code"], misaligned))],
               [f"Start the period on {FREQUENCY_WORDS[f][1]}, for example {FREQUENCY_WORDS[f][2]}"
                for f in _fmt(freq, misaligned)])
    wrong_end = dated & ~misaligned & ends.notna().to_numpy() & (ends != expected_end).to_numpy()
    errors.add(wrong_end, "period_end",
               [f"{e} does not end the {FREQUENCY_WORDS[f][0]} that starts on {s}"
                for e, f, s in zip(_fmt(df["period_end"], wrong_end), _fmt(freq, wrong_end),
                                   _fmt(df["period_start"], wrong_end))],
               [f"End the period on {d:%Y-%m-%d}" for d in expected_end[wrong_end]])
    not_ended = ends.notna().to_numpy() & (ends >= pd.Timestamp(today)).to_numpy()
    errors.add(not_ended, "period_end",
               [f"The period ending {e} has not ended yet" for e in _fmt(df["period_end"], not_ended)],
               "Send figures only for periods that have ended")
    progress(45)

    # Numbers
    value = pd.to_numeric(df["value"], errors="coerce")
    raw_value = df["value"]
    errors.add(raw_value == "", "value", "Enter the value", "Enter the figure for the period, for example 12.5")
    bad_value = (raw_value != "") & ~np.isfinite(value.fillna(np.nan).to_numpy(dtype=float, na_value=np.nan))
    errors.add(bad_value, "value", [f"{v} is not a number" for v in _fmt(raw_value, bad_value)],
               "Enter digits only, with a full stop for decimals and no commas, spaces or % signs")
    too_big = value.abs().to_numpy(dtype=float, na_value=0) >= MAX_ABS_VALUE
    errors.add(too_big, "value", "The value is too large to be a real figure", "Check the value and enter it again")
    numbers = {}
    for column in ("numerator", "denominator"):
        raw = df[column]
        parsed = pd.to_numeric(raw, errors="coerce")
        invalid = (raw != "") & ~np.isfinite(parsed.to_numpy(dtype=float, na_value=np.nan))
        errors.add(invalid, column, [f"{v} is not a number" for v in _fmt(raw, invalid)],
                   "Enter digits only, or leave it empty")
        negative = (parsed < 0).to_numpy(dtype=bool, na_value=False)
        errors.add(negative, column, f"The {column} cannot be negative", f"Enter the {column} as a positive number")
        numbers[column] = parsed
    num, den = numbers["numerator"], numbers["denominator"]
    v = value.to_numpy(dtype=float, na_value=np.nan)
    unit = ind["unit"]
    is_count = (unit == Indicator.Unit.COUNT).to_numpy()
    is_pct = (unit == Indicator.Unit.PERCENTAGE).to_numpy()
    negative_value = has_ind & (v < 0)
    errors.add(negative_value & is_count, "value", "A count cannot be negative",
               "Enter the number of things counted, 0 or more")
    errors.add(negative_value & ~is_count, "value", "The value cannot be negative",
               "Enter a value of 0 or more")
    fractional = has_ind & is_count & np.isfinite(v) & (v != np.round(v))
    errors.add(fractional, "value", "A count must be a whole number", "Enter the count without decimals")
    over_100 = has_ind & is_pct & (v > 100)
    errors.add(over_100, "value", [f"{x} is more than 100%" for x in _fmt(raw_value, over_100)],
               "Enter a percentage between 0 and 100")
    multiplier = unit.map({k: float(m) for k, m in Indicator.RATE_MULTIPLIERS.items()})
    is_rate = has_ind & multiplier.notna().to_numpy()
    has_num, has_den = (df["numerator"] != "").to_numpy(), (df["denominator"] != "").to_numpy()
    errors.add(has_ind & ~is_rate & (has_num | has_den), "numerator",
               "Numerator and denominator are only used for rates and percentages",
               "Leave numerator and denominator empty for counts and days")
    errors.add(is_rate & (has_num ^ has_den), "denominator" if True else "",
               "Enter both the numerator and the denominator, or neither",
               "Add the missing figure, or clear both")
    d = den.to_numpy(dtype=float, na_value=np.nan)
    n = num.to_numpy(dtype=float, na_value=np.nan)
    zero_den = is_rate & has_num & has_den & (d == 0)
    errors.add(zero_den, "denominator", "The denominator cannot be 0", "Enter the population or cohort size")
    m = multiplier.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = n / d * m
    checkable = is_rate & np.isfinite(implied) & np.isfinite(v) & (d > 0)
    mismatch = checkable & (np.abs(v - implied) > RATE_TOLERANCE * np.abs(implied) + 1e-9)
    errors.add(mismatch, "value",
               [f"{x} does not match numerator ÷ denominator × {int(mm):,} = {_number(i)}"
                for x, mm, i in zip(_fmt(raw_value, mismatch), m[mismatch], implied[mismatch])],
               "Check the value, numerator and denominator: the value must be within 0.5% of the rate they give")
    progress(60)

    # Breakdowns
    allowed = ind["breakdowns"].apply(lambda b: set(b) if isinstance(b, list) else set())
    key_parts = []
    for dim, (label, values) in BREAKDOWN_DIMENSIONS.items():
        raw = df[dim]
        given = (raw != "").to_numpy()
        permitted = allowed.apply(lambda s, d=dim: d in s).to_numpy()
        not_split = has_ind & given & ~permitted
        errors.add(not_split, dim,
                   [f"{c} is not broken down by {label.lower()}" for c in _fmt(ind["code"], not_split)],
                   f"Leave {dim} empty for this indicator")
        canonical = raw.str.lower().map({x.lower(): x for x in values})
        not_allowed = given & canonical.isna().to_numpy() & ~not_split
        errors.add(not_allowed, dim,
                   [f"{x} is not an allowed {label.lower()}" for x in _fmt(raw, not_allowed)],
                   f"Use one of: {', '.join(values)}")
        df[dim] = canonical.fillna("")
        key_parts.append(np.where(df[dim] != "", f"{dim}=" + df[dim], ""))
    key = pd.Series([";".join(p for p in parts if p) for parts in zip(*key_parts)], index=df.index, dtype=object) \
        if len(df) else pd.Series([], dtype=object)
    progress(70)

    # Duplicates within the file
    identity = pd.DataFrame({"ind": ind["id"], "area": area["id"], "start": starts, "key": key, "row": rows},
                            index=df.index)
    identifiable = has_ind & has_area & starts.notna().to_numpy()
    sub = identity[identifiable]
    dup = sub.duplicated(subset=["ind", "area", "start", "key"], keep="first")
    if dup.any():
        first = sub.groupby(["ind", "area", "start", "key"], sort=False)["row"].transform("first")
        dup_mask = identity.index.isin(sub.index[dup.to_numpy()])
        errors.add(dup_mask, "indicator_code",
                   [f"This row repeats row {r}: same indicator, area, period and breakdown" for r in first[dup]],
                   "Keep one of the two rows and delete the other")
    progress(80)

    # Changes against the figures we hold, and implausible jumps (warnings)
    good = ~errors.bad
    frame = pd.DataFrame({
        "indicator_id": ind["id"], "area_id": area["id"], "start": starts, "end": ends, "breakdown_key": key,
        "value": v, "numerator": n, "denominator": d, "row": rows,
    }, index=df.index)[good]
    current = _current_observations(frame)
    frame = frame.merge(current, how="left", on=["indicator_id", "area_id", "start", "breakdown_key"],
                        suffixes=("", "_held"))
    frame.index = df.index[good]
    held = frame["current_id"].notna()
    same = held & _same(frame["value"], frame["value_held"]) & _same(frame["numerator"], frame["numerator_held"]) \
        & _same(frame["denominator"], frame["denominator_held"])
    frame["change"] = np.where(~held, "new", np.where(same, "unchanged", "revised"))
    report.changes = {k: int((frame["change"] == k).sum()) for k in ("new", "revised", "unchanged")}
    _warn_spikes(frame, current, warnings, rows_index=df.index)
    progress(95)

    report.errors.extend(errors.items)
    report.errors.sort(key=lambda e: (e["row"], COLUMNS.index(e["column"]) if e["column"] in COLUMNS else 99))
    report.warnings.extend(warnings.items)
    if report.ok:
        frame["period_start"] = frame["start"].dt.date
        frame["period_end"] = frame["end"].dt.date
        for column in ("value", "numerator", "denominator", *BREAKDOWN_DIMENSIONS):
            frame[f"{column}_text"] = df.loc[frame.index, column].to_numpy()
        report.clean = frame
    return report


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    both_missing = a.isna() & b.isna()
    return both_missing | (np.round(a.astype(float), 4) == np.round(b.astype(float), 4))


def _current_observations(frame: pd.DataFrame) -> pd.DataFrame:
    """The current figures held for the indicators and areas in the frame, over its periods (one query)."""
    columns = ["current_id", "indicator_id", "area_id", "start", "breakdown_key", "value_held",
               "numerator_held", "denominator_held", "revision_held"]
    if frame.empty:
        return pd.DataFrame(columns=columns).astype({"start": "datetime64[us]"})
    lo, hi = frame["start"].min().date() - HISTORY_WINDOW, frame["start"].max().date()
    qs = Observation.objects.filter(
        indicator_id__in=frame["indicator_id"].dropna().unique().astype(int).tolist(),
        area_id__in=frame["area_id"].dropna().unique().astype(int).tolist(),
        is_current=True, period_start__range=(lo, hi),
    ).values_list("id", "indicator_id", "area_id", "period_start", "breakdown_key", "value", "numerator",
                  "denominator", "revision")
    held = pd.DataFrame.from_records(qs.iterator(chunk_size=5000), columns=columns)
    held["start"] = pd.to_datetime(held["start"]).astype(frame["start"].dtype)
    for column in ("value_held", "numerator_held", "denominator_held"):
        held[column] = pd.to_numeric(held[column].astype(object).map(lambda x: None if x is None else float(x)))
    for column in ("indicator_id", "area_id"):
        held[column] = held[column].astype(frame[column].dtype)
    held["breakdown_key"] = held["breakdown_key"].astype(object)
    return held


def _warn_spikes(frame: pd.DataFrame, held: pd.DataFrame, warnings: _Problems, *, rows_index) -> None:
    """Warn where a value is more than SPIKE_FACTOR times the latest figure held for the same series."""
    if frame.empty or held.empty:
        return
    left = frame[["indicator_id", "area_id", "breakdown_key", "start", "value", "row"]].sort_values("start")
    right = held[["indicator_id", "area_id", "breakdown_key", "start", "value_held"]].sort_values("start") \
        .rename(columns={"start": "held_start"})
    joined = pd.merge_asof(left, right, left_on="start", right_on="held_start",
                           by=["indicator_id", "area_id", "breakdown_key"], direction="backward")
    spike = (joined["value_held"] > 0) & (joined["value"] > SPIKE_FACTOR * joined["value_held"])
    if not spike.any():
        return
    flagged = joined[spike]
    positions = np.zeros(len(rows_index), dtype=bool)
    order = {row: i for i, row in enumerate(warnings.rows)}
    for row in flagged["row"]:
        positions[order[row]] = True
    by_row = flagged.set_index("row")
    rows = [r for r in warnings.rows[positions]]
    warnings.add(positions, "value",
                 [f"{_number(by_row.at[r, 'value'])} is more than {SPIKE_FACTOR} times the latest figure we hold "
                  f"({_number(by_row.at[r, 'value_held'])} for the period starting "
                  f"{by_row.at[r, 'held_start']:%Y-%m-%d})" for r in rows],
                 "Check the figure. If it is right, you can still apply the return", mark=False)


def decimal_or_none(text: str) -> Decimal | None:
    """A checked number as stored (4 decimal places), or None for an empty cell."""
    return Decimal(text).quantize(Decimal("0.0001")) if text else None
