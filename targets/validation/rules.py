"""The row-by-row rules, each vectorised over the whole table."""

from __future__ import annotations

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


def validate_frame(
    df: pd.DataFrame, *, partner, header_row: int = 1, progress: ProgressFn | None = None, today: date | None = None
) -> Report:
    """Check every row against the rules above; the report holds errors, warnings and the changes.

    df is indexed by row number (read_return_file, frame_from_rows); header_row is 1 for files
    and 0 for API batches (which have no header row).
    """
    progress = progress or (lambda pct: None)
    today = today or timezone.localdate()
    df, unknown = _normalise(df)
    report = Report(row_count=len(df))
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
        return report
    if df.empty:
        report.errors.append(
            {
                "row": header_row + 1,
                "column": "",
                "message": "There are no rows of data",
                "fix": "Add one row for each figure, under the header row",
            }
        )
        return report
    for column in OPTIONAL_COLUMNS:
        if column not in df.columns:
            df[column] = ""
    progress(10)

    rows = df.index.to_numpy()
    errors = _Problems(rows)
    warnings = _Problems(rows)

    # Indicators this partner provides, as a small table joined onto every row.
    indicator_fields = ["id", "code", "unit", "frequency", "geography", "breakdowns", "revision_warning_percent"]
    indicators = pd.DataFrame.from_records(
        list(Indicator.objects.filter(provider=partner, active=True).values(*indicator_fields)),
        columns=indicator_fields,
    )
    indicators["key"] = indicators["code"].str.upper()
    by_code = indicators.set_index("key")
    code = df["indicator_code"]
    known_codes = code.str.upper().isin(by_code.index)
    errors.add(
        code == "",
        "indicator_code",
        "Enter the indicator code",
        "Use a code from the template, for example " + (", ".join(indicators["code"][:3]) or "FTE10-17"),
    )
    unknown_code = (code != "") & ~known_codes
    offered = ", ".join(indicators["code"]) or "none yet"
    errors.add(
        unknown_code,
        "indicator_code",
        [f"{c} is not an indicator your organisation provides" for c in _fmt(code, unknown_code)],
        f"Use one of your indicator codes: {offered}",
    )
    ind = by_code.reindex(code.str.upper().where(known_codes, "")).reset_index(drop=True)
    ind.index = df.index
    has_ind = known_codes.to_numpy()

    # Areas
    areas = pd.DataFrame.from_records(
        list(Area.objects.values("id", "code", "name", "kind")), columns=["id", "code", "name", "kind"]
    )
    areas["key"] = areas["code"].str.upper()
    by_area = areas.set_index("key")
    acode = df["area_code"]
    known_area = acode.str.upper().isin(by_area.index)
    errors.add(acode == "", "area_code", "Enter the area code", "Use an ONS area code, for example E08000025")
    errors.add(
        (acode != "") & ~known_area,
        "area_code",
        [f"{a} is not an area code we know" for a in _fmt(acode, (acode != "") & ~known_area)],
        "Use the ONS code of a police force area or local authority, for example E08000025 for Birmingham",
    )
    area = by_area.reindex(acode.str.upper().where(known_area, "")).reset_index(drop=True)
    area.index = df.index
    has_area = known_area.to_numpy()
    geography_ok = (area["kind"] == ind["geography"]) | (
        (ind["geography"] == Area.Kind.LOCAL_AUTHORITY) & (area["kind"] == Area.Kind.FORCE_AREA)
    )
    wrong_geo = has_ind & has_area & ~geography_ok.to_numpy()
    geo_words = {Area.Kind.FORCE_AREA: "police force area", Area.Kind.LOCAL_AUTHORITY: "local authority"}
    errors.add(
        wrong_geo,
        "area_code",
        [
            f"{a} is a {geo_words.get(k, k)}, but {c} is reported by {geo_words.get(g, g)}"
            for a, k, c, g in zip(
                _fmt(acode, wrong_geo),
                _fmt(area["kind"], wrong_geo),
                _fmt(ind["code"], wrong_geo),
                _fmt(ind["geography"], wrong_geo),
            )
        ],
        "Use an area code at the indicator's level (local-authority indicators also take the force-area total)",
    )
    progress(25)

    # Periods
    starts = pd.to_datetime(df["period_start"], format="%Y-%m-%d", errors="coerce")
    ends = pd.to_datetime(df["period_end"], format="%Y-%m-%d", errors="coerce")
    for column, parsed in (("period_start", starts), ("period_end", ends)):
        raw = df[column]
        errors.add(
            raw == "",
            column,
            f"Enter the {column.replace('_', ' ')}",
            "Enter a date in the format YYYY-MM-DD, for example 2025-04-01",
        )
        unreadable = (raw != "") & parsed.isna()
        errors.add(
            unreadable,
            column,
            [f"{v} is not a date in the format YYYY-MM-DD" for v in _fmt(raw, unreadable)],
            "Enter a real date as year-month-day, for example 2025-04-01",
        )
    freq = ind["frequency"]
    fy_end = pd.to_datetime(pd.DataFrame({"year": starts.dt.year.fillna(2000).astype(int) + 1, "month": 3, "day": 31}))
    fy_end.index = df.index
    expected_end = pd.Series(pd.NaT, index=df.index, dtype=starts.dtype)
    monthly, quarterly, annual = (
        freq == Indicator.Frequency.MONTHLY,
        freq == Indicator.Frequency.QUARTERLY,
        freq == Indicator.Frequency.ANNUAL,
    )
    expected_end = expected_end.mask(monthly, starts + pd.offsets.MonthEnd(0))
    expected_end = expected_end.mask(quarterly, starts + pd.offsets.QuarterEnd(0))
    expected_end = expected_end.mask(annual, fy_end.astype(starts.dtype))
    aligned = (starts.dt.day == 1) & (
        monthly | (quarterly & starts.dt.month.isin([1, 4, 7, 10])) | (annual & (starts.dt.month == 4))
    )
    dated = has_ind & starts.notna().to_numpy()
    misaligned = dated & ~aligned.to_numpy()
    errors.add(
        misaligned,
        "period_start",
        [
            f"{s} is not the start of a {FREQUENCY_WORDS[f][0]}, and {c} is {f}"
            for s, f, c in zip(
                _fmt(df["period_start"], misaligned), _fmt(freq, misaligned), _fmt(ind["code"], misaligned)
            )
        ],
        [
            f"Start the period on {FREQUENCY_WORDS[f][1]}, for example {FREQUENCY_WORDS[f][2]}"
            for f in _fmt(freq, misaligned)
        ],
    )
    wrong_end = dated & ~misaligned & ends.notna().to_numpy() & (ends != expected_end).to_numpy()
    errors.add(
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
    not_ended = ends.notna().to_numpy() & (ends >= pd.Timestamp(today)).to_numpy()
    errors.add(
        not_ended,
        "period_end",
        [f"The period ending {e} has not ended yet" for e in _fmt(df["period_end"], not_ended)],
        "Send figures only for periods that have ended",
    )
    progress(45)

    # Numbers
    v = _floats(df["value"])
    raw_value = df["value"]
    errors.add(raw_value == "", "value", "Enter the value", "Enter the figure for the period, for example 12.5")
    bad_value = (raw_value != "").to_numpy() & ~np.isfinite(v)
    errors.add(
        bad_value,
        "value",
        [f"{v} is not a number" for v in _fmt(raw_value, bad_value)],
        "Enter digits only, with a full stop for decimals and no commas, spaces or % signs",
    )
    numbers = {}
    for column in ("value", "numerator", "denominator"):
        raw = df[column]
        parsed = v if column == "value" else _floats(raw)
        if column != "value":
            invalid = (raw != "").to_numpy() & ~np.isfinite(parsed)
            errors.add(
                invalid,
                column,
                [f"{x} is not a number" for x in _fmt(raw, invalid)],
                "Enter digits only, or leave it empty",
            )
            negative = parsed < 0
            errors.add(negative, column, f"The {column} cannot be negative", f"Enter the {column} as a positive number")
        # NOTE: what the database column holds (DecimalField(18, 4)); beyond it the write fails, so refuse here.
        too_big = np.isfinite(parsed) & (np.abs(parsed) >= MAX_ABS_VALUE)
        errors.add(
            too_big,
            column,
            [TOO_BIG.format(x=x, column=column) for x in _fmt(raw, too_big)],
            TOO_BIG_FIX.format(column=column),
        )
        rounded = _more_decimals(raw, np.isfinite(parsed) & ~too_big)
        warnings.add(
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
        numbers[column] = parsed
    n, d = numbers["numerator"], numbers["denominator"]
    unit = ind["unit"]
    is_count = (unit == Indicator.Unit.COUNT).to_numpy()
    is_pct = (unit == Indicator.Unit.PERCENTAGE).to_numpy()
    negative_value = has_ind & (v < 0)
    errors.add(
        negative_value & is_count,
        "value",
        "A count cannot be negative",
        "Enter the number of things counted, 0 or more",
    )
    errors.add(negative_value & ~is_count, "value", "The value cannot be negative", "Enter a value of 0 or more")
    fractional = has_ind & is_count & np.isfinite(v) & (v != np.round(v))
    errors.add(fractional, "value", "A count must be a whole number", "Enter the count without decimals")
    over_100 = has_ind & is_pct & (v > 100)
    errors.add(
        over_100,
        "value",
        [f"{x} is more than 100%" for x in _fmt(raw_value, over_100)],
        "Enter a percentage between 0 and 100",
    )
    multiplier = unit.map({k: float(m) for k, m in Indicator.RATE_MULTIPLIERS.items()})
    is_rate = has_ind & multiplier.notna().to_numpy()
    has_num, has_den = (df["numerator"] != "").to_numpy(), (df["denominator"] != "").to_numpy()
    errors.add(
        has_ind & ~is_rate & (has_num | has_den),
        "numerator",
        "Numerator and denominator are only used for rates and percentages",
        "Leave numerator and denominator empty for counts and days",
    )
    errors.add(
        is_rate & has_num & ~has_den,
        "denominator",
        "Enter the denominator as well as the numerator",
        "Add the population or cohort size, or clear the numerator",
    )
    errors.add(
        is_rate & has_den & ~has_num,
        "numerator",
        "Enter the numerator as well as the denominator",
        "Add the number counted, or clear the denominator",
    )
    zero_den = is_rate & has_num & has_den & (d == 0)
    errors.add(zero_den, "denominator", "The denominator cannot be 0", "Enter the population or cohort size")
    m = multiplier.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = n / d * m
    checkable = is_rate & np.isfinite(implied) & np.isfinite(v) & (d > 0)
    mismatch = checkable & (np.abs(v - implied) > RATE_TOLERANCE * np.abs(implied) + 1e-9)
    errors.add(
        mismatch,
        "value",
        [
            f"{x} does not match numerator ÷ denominator × {int(mm):,} = {number_text(i)}"
            for x, mm, i in zip(_fmt(raw_value, mismatch), m[mismatch], implied[mismatch])
        ],
        "Check the value, numerator and denominator: the value must be within 0.5% of the rate they give",
    )
    _check_template_examples(df, ind, has_ind, v, n, d, rows, errors, warnings)
    progress(60)

    # Breakdowns
    allowed = ind["breakdowns"].apply(lambda b: set(b) if isinstance(b, list) else set())
    key_parts = []
    for dim, (label, values) in BREAKDOWN_DIMENSIONS.items():
        raw = df[dim]
        given = (raw != "").to_numpy()
        permitted = allowed.apply(lambda s, d=dim: d in s).to_numpy()
        not_split = has_ind & given & ~permitted
        errors.add(
            not_split,
            dim,
            [f"{c} is not broken down by {label.lower()}" for c in _fmt(ind["code"], not_split)],
            f"Leave {dim} empty for this indicator",
        )
        canonical = raw.str.lower().map({x.lower(): x for x in values})
        not_allowed = given & canonical.isna().to_numpy() & ~not_split
        errors.add(
            not_allowed,
            dim,
            [f"{x} is not an allowed {label.lower()}" for x in _fmt(raw, not_allowed)],
            f"Use one of: {', '.join(values)}",
        )
        df[dim] = canonical.fillna("")
        key_parts.append(np.where(df[dim] != "", f"{dim}=" + df[dim], ""))
    key = (
        pd.Series([";".join(p for p in parts if p) for parts in zip(*key_parts)], index=df.index, dtype=object)
        if len(df)
        else pd.Series([], dtype=object)
    )
    progress(70)

    # Duplicates within the file
    identity = pd.DataFrame(
        {"ind": ind["id"], "area": area["id"], "start": starts, "key": key, "row": rows}, index=df.index
    )
    identifiable = has_ind & has_area & starts.notna().to_numpy()
    sub = identity[identifiable]
    dup = sub.duplicated(subset=["ind", "area", "start", "key"], keep="first")
    if dup.any():
        first = sub.groupby(["ind", "area", "start", "key"], sort=False)["row"].transform("first")
        dup_mask = identity.index.isin(sub.index[dup.to_numpy()])
        errors.add(
            dup_mask,
            "indicator_code",
            [f"This row repeats row {r}: same indicator, area, period and breakdown" for r in first[dup]],
            "Keep one of the two rows and delete the other",
        )
    progress(80)

    # Changes against the figures we hold, and implausible jumps (warnings)
    good = ~errors.bad
    frame = pd.DataFrame(
        {
            "indicator_id": ind["id"],
            "area_id": area["id"],
            "start": starts,
            "end": ends,
            "breakdown_key": key,
            "value": v,
            "numerator": n,
            "denominator": d,
            "row": rows,
            "indicator_code": ind["code"],
            "area_code": area["code"],
            "area_name": area["name"],
            "threshold": ind["revision_warning_percent"],
        },
        index=df.index,
    )[good]
    current = current_observations(frame)
    frame = frame.merge(
        current, how="left", on=["indicator_id", "area_id", "start", "breakdown_key"], suffixes=("", "_held")
    )
    frame.index = df.index[good]
    held = frame["current_id"].notna()
    identical = (
        held
        & same(frame["value"], frame["value_held"])
        & same(frame["numerator"], frame["numerator_held"])
        & same(frame["denominator"], frame["denominator_held"])
    )
    frame["change"] = np.where(~held, "new", np.where(identical, "unchanged", "revised"))
    report.changes = {k: int((frame["change"] == k).sum()) for k in ("new", "revised", "unchanged")}
    big_revisions = warn_big_revisions(frame, warnings)
    report.revisions = revisions_listed(frame)
    warn_spikes(frame, current, warnings, skip_rows=big_revisions)
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


def _check_template_examples(df, ind, has_ind, v, n, d, rows, errors, warnings) -> None:
    """Refuse a row still marked as the template's example that holds its example figures; warn about
    any other value equal to the example's (an example overwritten in one column only, or copied)."""
    examples = {
        unit: [np.nan if x is None else float(x) for x in figures] for unit, figures in TEMPLATE_EXAMPLES.items()
    }
    unit = ind["unit"]
    ex_v, ex_n, ex_d = (
        unit.map({u: f[i] for u, f in examples.items()}).to_numpy(dtype=float, na_value=np.nan) for i in range(3)
    )

    def equal(a, b):
        return (np.isnan(a) & np.isnan(b)) | (np.round(a, DECIMAL_PLACES) == np.round(b, DECIMAL_PLACES))

    same_value = has_ind & np.isfinite(v) & equal(v, ex_v)
    marked = np.zeros(len(df), dtype=bool)
    if TEMPLATE_MARKER_COLUMN in df.columns:
        marked = (df[TEMPLATE_MARKER_COLUMN].str.lower() == EXAMPLE_MARK).to_numpy(dtype=bool, na_value=False)
    example = marked & same_value & equal(n, ex_n) & equal(d, ex_d)
    errors.add(
        example,
        "",
        [f"Row {r} is the template's example: delete it" for r in rows[example]],
        "Delete the example row. If it holds your own figures, delete the word example from its example column",
    )
    copied = same_value & ~example
    warnings.add(
        copied,
        "value",
        [
            f"{x} is the value in the template's example row for {c}"
            for x, c in zip(_fmt(df["value"], copied), _fmt(ind["code"], copied))
        ],
        "Check this is your own figure, not the example left in. If it is right, you can still apply the return",
        mark=False,
    )
