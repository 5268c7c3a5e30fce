"""Comparing a table with the figures already held: new, revised or unchanged, the revisions listed, and
implausible jumps and big revisions (warnings)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.db.models import FloatField
from django.db.models.functions import Cast

from ..models import DataReturn, Observation, breakdown_label
from .table import DECIMAL_PLACES, HISTORY_WINDOW, SPIKE_FACTOR, number_text


def same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Equal to 4 decimal places (as stored), or both missing."""
    both_missing = a.isna() & b.isna()
    return both_missing | (np.round(a.astype(float), 4) == np.round(b.astype(float), 4))


def current_observations(frame: pd.DataFrame) -> pd.DataFrame:
    """The current figures held for the indicators and areas in the frame, over its periods (one query)."""
    columns = [
        "current_id",
        "indicator_id",
        "area_id",
        "start",
        "breakdown_key",
        "value_held",
        "numerator_held",
        "denominator_held",
        "revision_held",
    ]
    records = []
    if not frame.empty:
        lo, hi = frame["start"].min().date() - HISTORY_WINDOW, frame["start"].max().date()
        qs = (
            Observation.objects.filter(
                indicator_id__in=frame["indicator_id"].dropna().unique().astype(int).tolist(),
                area_id__in=frame["area_id"].dropna().unique().astype(int).tolist(),
                is_current=True,
                period_start__range=(lo, hi),
            )
            .annotate(
                # floats straight from the database: building 50,000 Decimals costs seconds
                value_f=Cast("value", FloatField()),
                numerator_f=Cast("numerator", FloatField()),
                denominator_f=Cast("denominator", FloatField()),
            )
            .values_list(
                "id",
                "indicator_id",
                "area_id",
                "period_start",
                "breakdown_key",
                "value_f",
                "numerator_f",
                "denominator_f",
                "revision",
            )
        )
        records = qs.iterator(chunk_size=5000)
    held = pd.DataFrame.from_records(records, columns=columns)
    held["start"] = pd.to_datetime(held["start"]).astype(frame["start"].dtype)
    for column in ("value_held", "numerator_held", "denominator_held"):
        held[column] = pd.to_numeric(held[column], errors="coerce").astype(float)
    for column in ("indicator_id", "area_id"):
        held[column] = held[column].astype(frame[column].dtype)
    held["breakdown_key"] = held["breakdown_key"].astype(object)
    return held


def warn_spikes(frame: pd.DataFrame, held: pd.DataFrame, warnings, *, skip_rows=()) -> None:
    """Warn where a value is more than SPIKE_FACTOR times the latest figure held for the same series
    (that period's own figure when revising, else the latest earlier one). warnings: rules._Problems;
    skip_rows: rows already warned about (a big revision), which need not be told twice."""
    if frame.empty or held.empty:
        return
    left = frame[["indicator_id", "area_id", "breakdown_key", "start", "value", "row"]].sort_values("start")
    right = (
        held[["indicator_id", "area_id", "breakdown_key", "start", "value_held"]]
        .sort_values("start")
        .rename(columns={"start": "held_start"})
    )
    joined = pd.merge_asof(
        left,
        right,
        left_on="start",
        right_on="held_start",
        by=["indicator_id", "area_id", "breakdown_key"],
        direction="backward",
    )
    spike = (
        (joined["value_held"] > 0)
        & (joined["value"] > SPIKE_FACTOR * joined["value_held"])
        & ~joined["row"].isin(skip_rows)
    )
    if not spike.any():
        return
    flagged = joined[spike]
    positions = np.isin(warnings.rows, flagged["row"].to_numpy())
    by_row = flagged.set_index("row")
    rows = warnings.rows[positions].tolist()
    warnings.add(
        positions,
        "value",
        [
            f"{number_text(by_row.at[r, 'value'])} is more than {SPIKE_FACTOR} times the latest figure we hold "
            f"({number_text(by_row.at[r, 'value_held'])} for the period starting "
            f"{by_row.at[r, 'held_start']:%Y-%m-%d})"
            for r in rows
        ],
        "Check the figure. If it is right, you can still apply the return",
        mark=False,
    )


def _change_pct(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """The change from old to new as a percentage of old (inf when old is 0 and new is not)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = (new - old) / np.abs(old) * 100
    return np.where(old == 0, np.where(new == 0, 0.0, np.inf), pct)


def warn_big_revisions(frame: pd.DataFrame, warnings) -> np.ndarray:
    """Warn where a revision moves a figure by more than its indicator's threshold; returns those rows."""
    revised = frame[frame["change"] == "revised"]
    if revised.empty:
        return np.array([], dtype=int)
    old, new = revised["value_held"].to_numpy(dtype=float), revised["value"].to_numpy(dtype=float)
    threshold = revised["threshold"].to_numpy(dtype=float)
    pct = _change_pct(np.round(old, DECIMAL_PLACES), np.round(new, DECIMAL_PLACES))
    big = np.abs(pct) > threshold
    flagged = revised[big]
    words = {
        row: (
            f"This revises the figure we hold from {number_text(o)} to {number_text(nw)} "
            f"({_pct_text(p)}), more than the {int(t)}% expected of a revision to {code}"
        )
        for row, o, nw, p, t, code in zip(
            flagged["row"], old[big], new[big], pct[big], threshold[big], flagged["indicator_code"]
        )
    }
    positions = np.isin(warnings.rows, flagged["row"].to_numpy())
    warnings.add(
        positions,
        "value",
        [words[r] for r in warnings.rows[positions].tolist()],
        "Check the figure. If it is right, you can still apply the return",
        mark=False,
    )
    return flagged["row"].to_numpy()


def _pct_text(pct: float) -> str:
    if np.isinf(pct):
        return "up from 0"
    return f"{pct:+,.0f}%"


def revisions_listed(frame: pd.DataFrame) -> list[dict]:
    """The figures held that the rows would revise, as stored on the return (see Report.revisions)."""
    revised = frame[frame["change"] == "revised"].sort_values("row").head(DataReturn.MAX_STORED_REVISIONS)
    if revised.empty:
        return []
    labels = {
        k: breakdown_label(dict(part.split("=", 1) for part in k.split(";") if part))
        for k in revised["breakdown_key"].unique()
    }
    old = np.round(revised["value_held"].to_numpy(dtype=float), DECIMAL_PLACES)
    new = np.round(revised["value"].to_numpy(dtype=float), DECIMAL_PLACES)
    pct = _change_pct(old, new)
    return [
        {
            "row": int(row),
            "indicator": code,
            "area": area,
            "area_name": name,
            "period_start": start.date().isoformat(),
            "period_end": end.date().isoformat(),
            "breakdown": labels[key],
            "old": float(o),
            "new": float(nw),
            "change_pct": None if np.isinf(p) else round(float(p), 1),
            "note": "" if o != nw else "The value is the same: its numerator or denominator changes",
        }
        for row, code, area, name, start, end, key, o, nw, p in zip(
            revised["row"],
            revised["indicator_code"],
            revised["area_code"],
            revised["area_name"],
            revised["start"],
            revised["end"],
            revised["breakdown_key"],
            old,
            new,
            pct,
        )
    ]
