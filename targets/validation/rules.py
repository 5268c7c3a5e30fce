"""The row-by-row rules, each vectorised over the whole table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
from django.utils import timezone

from partners.models import Area

from ..models import BREAKDOWN_DIMENSIONS, Indicator
from .held import current_observations, revisions_listed, same, warn_big_revisions, warn_spikes
from .table import (
    COLUMNS,
    DECIMAL_PLACES,
    EXAMPLE_MARK,
    FREQUENCY_WORDS,
    MAX_ABS_VALUE,
    OPTIONAL_COLUMNS,
    RATE_TOLERANCE,
    REQUIRED_COLUMNS,
    TEMPLATE_EXAMPLES,
    TEMPLATE_MARKER_COLUMN,
    ProgressFn,
    Report,
    number_text,
)

TOO_BIG = "{x} is too large: the {column} must be less than 100,000,000,000,000"
TOO_BIG_FIX = "Check the {column} and enter it in digits, without a power of ten such as e20"


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
            self.items.append(
                {
                    "row": int(self.rows[pos]),
                    "column": column,
                    "message": str(messages[i]) if messages is not None else message,
                    "fix": str(fixes[i]) if fixes is not None else fix,
                }
            )


def _fmt(series: pd.Series, mask) -> list[str]:
    return series[np.asarray(mask, dtype=bool)].astype(str).tolist()


def _normalise(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    df = df.copy()
    df.columns = [str(c).strip().lower().replace(" ", "_") for c in df.columns]
    unknown = [c for c in df.columns if c not in COLUMNS and c != TEMPLATE_MARKER_COLUMN]
    for column in [*COLUMNS, TEMPLATE_MARKER_COLUMN]:
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


@dataclass
class Rows:
    """One table being checked, and what each check found out about it for the checks after it."""

    df: pd.DataFrame
    partner: object
    today: date
    errors: _Problems
    warnings: _Problems
    rows: np.ndarray
    ind: pd.DataFrame | None = None  # the indicator of each row (its code known)
    has_ind: np.ndarray | None = None
    area: pd.DataFrame | None = None
    has_area: np.ndarray | None = None
    starts: pd.Series | None = None
    ends: pd.Series | None = None
    v: np.ndarray | None = None  # value, numerator, denominator as floats (NaN where empty or unreadable)
    n: np.ndarray | None = None
    d: np.ndarray | None = None
    key: pd.Series | None = None  # the breakdown key ("sex=Female;age_band=10-14")
    own_codes: pd.DataFrame = field(default_factory=pd.DataFrame)


def validate_frame(
    df: pd.DataFrame, *, partner, header_row: int = 1, progress: ProgressFn | None = None, today: date | None = None
) -> Report:
    """Check every row against the rules (CHECKS, in order); the report holds errors, warnings and the
    changes against the figures held.

    df is indexed by row number (read_return_file, frame_from_rows); header_row is 1 for files
    and 0 for API batches (which have no header row).
    """
    progress = progress or (lambda pct: None)
    df, unknown = _normalise(df)
    report = Report(row_count=len(df))
    if not _header_ok(df, unknown, report, header_row):
        return report
    for column in OPTIONAL_COLUMNS:
        if column not in df.columns:
            df[column] = ""
    progress(10)
    rows = df.index.to_numpy()
    t = Rows(
        df=df,
        partner=partner,
        today=today or timezone.localdate(),
        errors=_Problems(rows),
        warnings=_Problems(rows),
        rows=rows,
    )
    for check, done in CHECKS:
        check(t)
        progress(done)
    frame = _compare_with_held(t, report)
    progress(95)
    report.errors.extend(t.errors.items)
    report.errors.sort(key=lambda e: (e["row"], COLUMNS.index(e["column"]) if e["column"] in COLUMNS else 99))
    report.warnings.extend(t.warnings.items)
    if report.ok:
        frame["period_start"] = frame["start"].dt.date
        frame["period_end"] = frame["end"].dt.date
        for column in ("value", "numerator", "denominator", *BREAKDOWN_DIMENSIONS):
            frame[f"{column}_text"] = df.loc[frame.index, column].to_numpy()
        report.clean = frame
    return report


def _header_ok(df: pd.DataFrame, unknown: list[str], report: Report, header_row: int) -> bool:
    """Every required column there and at least one row; unknown columns are warned about."""
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    for column in missing:
        report.errors.append(
            {
                "row": header_row,
                "column": column,
                "message": f"The column {column} is missing",
                "fix": f"Add a column headed {column} (download the template to see every column)",
            }
        )
    for column in unknown:
        report.warnings.append(
            {
                "row": header_row,
                "column": column,
                "message": f"The column {column} is not used and will be ignored",
                "fix": "Remove the column, or rename it to one in the template if it holds data we need",
            }
        )
    if missing:
        return False
    if df.empty:
        report.errors.append(
            {
                "row": header_row + 1,
                "column": "",
                "message": "There are no rows of data",
                "fix": "Add one row for each figure, under the header row",
            }
        )
        return False
    return True


# --- The checks, in order ---------------------------------------------------------------------------
def check_indicators(t: Rows) -> None:
    """A code of an indicator this partner provides, joined onto every row."""
    fields = ["id", "code", "unit", "frequency", "geography", "breakdowns", "revision_warning_percent"]
    indicators = pd.DataFrame.from_records(
        list(Indicator.objects.filter(provider=t.partner, active=True).values(*fields)), columns=fields
    )
    indicators["key"] = indicators["code"].str.upper()
    by_code = indicators.set_index("key")
    code = t.df["indicator_code"]
    known = code.str.upper().isin(by_code.index)
    t.errors.add(
        code == "",
        "indicator_code",
        "Enter the indicator code",
        "Use a code from the template, for example " + (", ".join(indicators["code"][:3]) or "FTE10-17"),
    )
    unknown = (code != "") & ~known
    offered = ", ".join(indicators["code"]) or "none yet"
    t.errors.add(
        unknown,
        "indicator_code",
        [f"{c} is not an indicator your organisation provides" for c in _fmt(code, unknown)],
        f"Use one of your indicator codes: {offered}",
    )
    t.ind = by_code.reindex(code.str.upper().where(known, "")).reset_index(drop=True)
    t.ind.index = t.df.index
    t.has_ind = known.to_numpy()


def check_areas(t: Rows) -> None:
    """A known ONS area code, at the indicator's level (local-authority indicators take the force total too)."""
    areas = pd.DataFrame.from_records(
        list(Area.objects.values("id", "code", "name", "kind")), columns=["id", "code", "name", "kind"]
    )
    areas["key"] = areas["code"].str.upper()
    by_area = areas.set_index("key")
    acode = t.df["area_code"]
    known = acode.str.upper().isin(by_area.index)
    t.errors.add(acode == "", "area_code", "Enter the area code", "Use an ONS area code, for example E08000025")
    t.errors.add(
        (acode != "") & ~known,
        "area_code",
        [f"{a} is not an area code we know" for a in _fmt(acode, (acode != "") & ~known)],
        "Use the ONS code of a police force area or local authority, for example E08000025 for Birmingham",
    )
    t.area = by_area.reindex(acode.str.upper().where(known, "")).reset_index(drop=True)
    t.area.index = t.df.index
    t.has_area = known.to_numpy()
    ind, area = t.ind, t.area
    geography_ok = (area["kind"] == ind["geography"]) | (
        (ind["geography"] == Area.Kind.LOCAL_AUTHORITY) & (area["kind"] == Area.Kind.FORCE_AREA)
    )
    wrong = t.has_ind & t.has_area & ~geography_ok.to_numpy()
    words = {Area.Kind.FORCE_AREA: "police force area", Area.Kind.LOCAL_AUTHORITY: "local authority"}
    t.errors.add(
        wrong,
        "area_code",
        [
            f"{a} is a {words.get(k, k)}, but {c} is reported by {words.get(g, g)}"
            for a, k, c, g in zip(
                _fmt(acode, wrong), _fmt(area["kind"], wrong), _fmt(ind["code"], wrong), _fmt(ind["geography"], wrong)
            )
        ],
        "Use an area code at the indicator's level (local-authority indicators also take the force-area total)",
    )


def check_dates(t: Rows) -> None:
    """Both dates given, as YYYY-MM-DD."""
    t.starts = pd.to_datetime(t.df["period_start"], format="%Y-%m-%d", errors="coerce")
    t.ends = pd.to_datetime(t.df["period_end"], format="%Y-%m-%d", errors="coerce")
    for column, parsed in (("period_start", t.starts), ("period_end", t.ends)):
        raw = t.df[column]
        t.errors.add(
            raw == "",
            column,
            f"Enter the {column.replace('_', ' ')}",
            "Enter a date in the format YYYY-MM-DD, for example 2025-04-01",
        )
        unreadable = (raw != "") & parsed.isna()
        t.errors.add(
            unreadable,
            column,
            [f"{v} is not a date in the format YYYY-MM-DD" for v in _fmt(raw, unreadable)],
            "Enter a real date as year-month-day, for example 2025-04-01",
        )


def check_periods(t: Rows) -> None:
    """A whole period of the indicator's frequency (a calendar month or quarter, a financial year)."""
    df, starts, ends, freq = t.df, t.starts, t.ends, t.ind["frequency"]
    fy_end = pd.to_datetime(pd.DataFrame({"year": starts.dt.year.fillna(2000).astype(int) + 1, "month": 3, "day": 31}))
    fy_end.index = df.index
    monthly, quarterly, annual = (
        freq == Indicator.Frequency.MONTHLY,
        freq == Indicator.Frequency.QUARTERLY,
        freq == Indicator.Frequency.ANNUAL,
    )
    expected_end = pd.Series(pd.NaT, index=df.index, dtype=starts.dtype)
    expected_end = expected_end.mask(monthly, starts + pd.offsets.MonthEnd(0))
    expected_end = expected_end.mask(quarterly, starts + pd.offsets.QuarterEnd(0))
    expected_end = expected_end.mask(annual, fy_end.astype(starts.dtype))
    aligned = (starts.dt.day == 1) & (
        monthly | (quarterly & starts.dt.month.isin([1, 4, 7, 10])) | (annual & (starts.dt.month == 4))
    )
    dated = t.has_ind & starts.notna().to_numpy()
    misaligned = dated & ~aligned.to_numpy()
    t.errors.add(
        misaligned,
        "period_start",
        [
            f"{s} is not the start of a {FREQUENCY_WORDS[f][0]}, and {c} is {f}"
            for s, f, c in zip(
                _fmt(df["period_start"], misaligned), _fmt(freq, misaligned), _fmt(t.ind["code"], misaligned)
            )
        ],
        [
            f"Start the period on {FREQUENCY_WORDS[f][1]}, for example {FREQUENCY_WORDS[f][2]}"
            for f in _fmt(freq, misaligned)
        ],
    )
    wrong_end = dated & ~misaligned & ends.notna().to_numpy() & (ends != expected_end).to_numpy()
    t.errors.add(
        wrong_end,
        "period_end",
        [
            f"{e} does not end the {FREQUENCY_WORDS[f][0]} that starts on {s}"
            for e, f, s in zip(
                _fmt(df["period_end"], wrong_end), _fmt(freq, wrong_end), _fmt(df["period_start"], wrong_end)
            )
        ],
        [f"End the period on {d:%Y-%m-%d}" for d in expected_end[wrong_end]],
    )


def check_periods_ended(t: Rows) -> None:
    """Figures only for periods that have ended."""
    not_ended = t.ends.notna().to_numpy() & (t.ends >= pd.Timestamp(t.today)).to_numpy()
    t.errors.add(
        not_ended,
        "period_end",
        [f"The period ending {e} has not ended yet" for e in _fmt(t.df["period_end"], not_ended)],
        "Send figures only for periods that have ended",
    )


def check_numbers(t: Rows) -> None:
    """A value; numbers readable, not negative, within what the database holds (rounding warned about)."""
    t.v = _floats(t.df["value"])
    raw_value = t.df["value"]
    t.errors.add(raw_value == "", "value", "Enter the value", "Enter the figure for the period, for example 12.5")
    bad_value = (raw_value != "").to_numpy() & ~np.isfinite(t.v)
    t.errors.add(
        bad_value,
        "value",
        [f"{v} is not a number" for v in _fmt(raw_value, bad_value)],
        "Enter digits only, with a full stop for decimals and no commas, spaces or % signs",
    )
    parsed = {"value": t.v}
    for column in ("numerator", "denominator"):
        raw = t.df[column]
        parsed[column] = _floats(raw)
        invalid = (raw != "").to_numpy() & ~np.isfinite(parsed[column])
        t.errors.add(
            invalid,
            column,
            [f"{x} is not a number" for x in _fmt(raw, invalid)],
            "Enter digits only, or leave it empty",
        )
        t.errors.add(
            parsed[column] < 0, column, f"The {column} cannot be negative", f"Enter the {column} as a positive number"
        )
    for column, numbers in parsed.items():
        _check_fits(t, column, numbers)
    t.n, t.d = parsed["numerator"], parsed["denominator"]


def _check_fits(t: Rows, column: str, parsed: np.ndarray) -> None:
    raw = t.df[column]
    # NOTE: what the database column holds (DecimalField(18, 4)); beyond it the write fails, so refuse here.
    too_big = np.isfinite(parsed) & (np.abs(parsed) >= MAX_ABS_VALUE)
    t.errors.add(
        too_big,
        column,
        [TOO_BIG.format(x=x, column=column) for x in _fmt(raw, too_big)],
        TOO_BIG_FIX.format(column=column),
    )
    rounded = _more_decimals(raw, np.isfinite(parsed) & ~too_big)
    t.warnings.add(
        rounded,
        column,
        [
            f"{x} has more than {DECIMAL_PLACES} decimal places: we will store {number_text(r)}"
            for x, r in zip(_fmt(raw, rounded), np.round(parsed[rounded], DECIMAL_PLACES))
        ],
        f"Round the {column} to {DECIMAL_PLACES} decimal places yourself if you want a different "
        f"figure; otherwise you can still apply the return",
        mark=False,
    )


def check_units(t: Rows) -> None:
    """What the indicator's unit allows: counts whole and not negative, percentages at most 100."""
    v, unit, raw_value = t.v, t.ind["unit"], t.df["value"]
    is_count = (unit == Indicator.Unit.COUNT).to_numpy()
    is_pct = (unit == Indicator.Unit.PERCENTAGE).to_numpy()
    negative = t.has_ind & (v < 0)
    t.errors.add(
        negative & is_count, "value", "A count cannot be negative", "Enter the number of things counted, 0 or more"
    )
    t.errors.add(negative & ~is_count, "value", "The value cannot be negative", "Enter a value of 0 or more")
    fractional = t.has_ind & is_count & np.isfinite(v) & (v != np.round(v))
    t.errors.add(fractional, "value", "A count must be a whole number", "Enter the count without decimals")
    over_100 = t.has_ind & is_pct & (v > 100)
    t.errors.add(
        over_100,
        "value",
        [f"{x} is more than 100%" for x in _fmt(raw_value, over_100)],
        "Enter a percentage between 0 and 100",
    )


def check_rates(t: Rows) -> None:
    """Numerator and denominator only for rates, both or neither, and the value their rate within 0.5%."""
    v, n, d = t.v, t.n, t.d
    multiplier = t.ind["unit"].map({k: float(m) for k, m in Indicator.RATE_MULTIPLIERS.items()})
    is_rate = t.has_ind & multiplier.notna().to_numpy()
    has_num, has_den = (t.df["numerator"] != "").to_numpy(), (t.df["denominator"] != "").to_numpy()
    t.errors.add(
        t.has_ind & ~is_rate & (has_num | has_den),
        "numerator",
        "Numerator and denominator are only used for rates and percentages",
        "Leave numerator and denominator empty for counts and days",
    )
    t.errors.add(
        is_rate & has_num & ~has_den,
        "denominator",
        "Enter the denominator as well as the numerator",
        "Add the population or cohort size, or clear the numerator",
    )
    t.errors.add(
        is_rate & has_den & ~has_num,
        "numerator",
        "Enter the numerator as well as the denominator",
        "Add the number counted, or clear the denominator",
    )
    zero_den = is_rate & has_num & has_den & (d == 0)
    t.errors.add(zero_den, "denominator", "The denominator cannot be 0", "Enter the population or cohort size")
    m = multiplier.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = n / d * m
    checkable = is_rate & np.isfinite(implied) & np.isfinite(v) & (d > 0)
    mismatch = checkable & (np.abs(v - implied) > RATE_TOLERANCE * np.abs(implied) + 1e-9)
    t.errors.add(
        mismatch,
        "value",
        [
            f"{x} does not match numerator ÷ denominator × {int(mm):,} = {number_text(i)}"
            for x, mm, i in zip(_fmt(t.df["value"], mismatch), m[mismatch], implied[mismatch])
        ],
        "Check the value, numerator and denominator: the value must be within 0.5% of the rate they give",
    )


def check_template_examples(t: Rows) -> None:
    """Refuse a row still marked as the template's example that holds its example figures; warn about
    any other value equal to the example's (an example overwritten in one column only, or copied)."""
    df, v, n, d = t.df, t.v, t.n, t.d
    examples = {
        unit: [np.nan if x is None else float(x) for x in figures] for unit, figures in TEMPLATE_EXAMPLES.items()
    }
    unit = t.ind["unit"]
    ex_v, ex_n, ex_d = (
        unit.map({u: f[i] for u, f in examples.items()}).to_numpy(dtype=float, na_value=np.nan) for i in range(3)
    )

    def equal(a, b):
        return (np.isnan(a) & np.isnan(b)) | (np.round(a, DECIMAL_PLACES) == np.round(b, DECIMAL_PLACES))

    same_value = t.has_ind & np.isfinite(v) & equal(v, ex_v)
    marked = np.zeros(len(df), dtype=bool)
    if TEMPLATE_MARKER_COLUMN in df.columns:
        marked = (df[TEMPLATE_MARKER_COLUMN].str.lower() == EXAMPLE_MARK).to_numpy(dtype=bool, na_value=False)
    example = marked & same_value & equal(n, ex_n) & equal(d, ex_d)
    t.errors.add(
        example,
        "",
        [f"Row {r} is the template's example: delete it" for r in t.rows[example]],
        "Delete the example row. If it holds your own figures, delete the word example from its example column",
    )
    copied = same_value & ~example
    t.warnings.add(
        copied,
        "value",
        [
            f"{x} is the value in the template's example row for {c}"
            for x, c in zip(_fmt(df["value"], copied), _fmt(t.ind["code"], copied))
        ],
        "Check this is your own figure, not the example left in. If it is right, you can still apply the return",
        mark=False,
    )


def check_breakdowns(t: Rows) -> None:
    """Only the dimensions the indicator is broken down by, with allowed values; builds each row's key."""
    df = t.df
    allowed = t.ind["breakdowns"].apply(lambda b: set(b) if isinstance(b, list) else set())
    key_parts = []
    for dim, (label, values) in BREAKDOWN_DIMENSIONS.items():
        raw = df[dim]
        given = (raw != "").to_numpy()
        permitted = allowed.apply(lambda s, d=dim: d in s).to_numpy()
        not_split = t.has_ind & given & ~permitted
        t.errors.add(
            not_split,
            dim,
            [f"{c} is not broken down by {label.lower()}" for c in _fmt(t.ind["code"], not_split)],
            f"Leave {dim} empty for this indicator",
        )
        canonical = raw.str.lower().map({x.lower(): x for x in values})
        not_allowed = given & canonical.isna().to_numpy() & ~not_split
        t.errors.add(
            not_allowed,
            dim,
            [f"{x} is not an allowed {label.lower()}" for x in _fmt(raw, not_allowed)],
            f"Use one of: {', '.join(values)}",
        )
        df[dim] = canonical.fillna("")
        key_parts.append(np.where(df[dim] != "", f"{dim}=" + df[dim], ""))
    t.key = (
        pd.Series([";".join(p for p in parts if p) for parts in zip(*key_parts)], index=df.index, dtype=object)
        if len(df)
        else pd.Series([], dtype=object)
    )


def check_duplicates(t: Rows) -> None:
    """One row for each indicator, area, period and breakdown in the file."""
    identity = pd.DataFrame(
        {"ind": t.ind["id"], "area": t.area["id"], "start": t.starts, "key": t.key, "row": t.rows}, index=t.df.index
    )
    sub = identity[t.has_ind & t.has_area & t.starts.notna().to_numpy()]
    dup = sub.duplicated(subset=["ind", "area", "start", "key"], keep="first")
    if dup.any():
        first = sub.groupby(["ind", "area", "start", "key"], sort=False)["row"].transform("first")
        t.errors.add(
            identity.index.isin(sub.index[dup.to_numpy()]),
            "indicator_code",
            [f"This row repeats row {r}: same indicator, area, period and breakdown" for r in first[dup]],
            "Keep one of the two rows and delete the other",
        )


# (check, the percentage done after it): each reads what the checks before it found (Rows).
CHECKS = [
    (check_indicators, 18),
    (check_areas, 25),
    (check_dates, 35),
    (check_periods, 42),
    (check_periods_ended, 45),
    (check_numbers, 50),
    (check_units, 54),
    (check_rates, 58),
    (check_template_examples, 60),
    (check_breakdowns, 70),
    (check_duplicates, 80),
]


def _compare_with_held(t: Rows, report: Report) -> pd.DataFrame:
    """The rows without errors against the figures the board holds: new, revised or unchanged (report.changes
    and report.revisions), with warnings about big revisions and implausible jumps."""
    good = ~t.errors.bad
    frame = pd.DataFrame(
        {
            "indicator_id": t.ind["id"],
            "area_id": t.area["id"],
            "start": t.starts,
            "end": t.ends,
            "breakdown_key": t.key,
            "value": t.v,
            "numerator": t.n,
            "denominator": t.d,
            "row": t.rows,
            "indicator_code": t.ind["code"],
            "area_code": t.area["code"],
            "area_name": t.area["name"],
            "threshold": t.ind["revision_warning_percent"],
        },
        index=t.df.index,
    )[good]
    current = current_observations(frame)
    frame = frame.merge(
        current, how="left", on=["indicator_id", "area_id", "start", "breakdown_key"], suffixes=("", "_held")
    )
    frame.index = t.df.index[good]
    held = frame["current_id"].notna()
    identical = (
        held
        & same(frame["value"], frame["value_held"])
        & same(frame["numerator"], frame["numerator_held"])
        & same(frame["denominator"], frame["denominator_held"])
    )
    frame["change"] = np.where(~held, "new", np.where(identical, "unchanged", "revised"))
    report.changes = {k: int((frame["change"] == k).sum()) for k in ("new", "revised", "unchanged")}
    big_revisions = warn_big_revisions(frame, t.warnings)
    report.revisions = revisions_listed(frame)
    warn_spikes(frame, current, t.warnings, skip_rows=big_revisions)
    return frame


def _floats(raw: pd.Series) -> np.ndarray:
    """Numbers parsed from text (NaN where empty or not a number)."""
    return pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _more_decimals(raw: pd.Series, numeric: np.ndarray) -> np.ndarray:
    """Where a number has a non-zero digit past the 4th decimal place (it will be stored rounded)."""
    plain = raw.str.contains(r"\.\d{4}\d*[1-9]", regex=True).to_numpy(dtype=bool, na_value=False)
    exponent = raw.str.contains("e", case=False, regex=False).to_numpy(dtype=bool, na_value=False)
    mask = numeric & plain & ~exponent
    step = Decimal(1).scaleb(-DECIMAL_PLACES)
    for pos in np.flatnonzero(numeric & exponent):  # rare: 1.23456e2 and the like
        number = Decimal(raw.iloc[pos])
        mask[pos] = number.quantize(step) != number
    return mask
