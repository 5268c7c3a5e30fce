"""Comparing a table with the figures already held: new, revised or unchanged, and implausible jumps."""
from __future__ import annotations

import numpy as np
import pandas as pd
from django.db.models import FloatField
from django.db.models.functions import Cast

from ..models import Observation
from .table import HISTORY_WINDOW, SPIKE_FACTOR, number_text


def same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Equal to 4 decimal places (as stored), or both missing."""
    both_missing = a.isna() & b.isna()
    return both_missing | (np.round(a.astype(float), 4) == np.round(b.astype(float), 4))


def current_observations(frame: pd.DataFrame) -> pd.DataFrame:
    """The current figures held for the indicators and areas in the frame, over its periods (one query)."""
    columns = ["current_id", "indicator_id", "area_id", "start", "breakdown_key", "value_held",
               "numerator_held", "denominator_held", "revision_held"]
    records = []
    if not frame.empty:
        lo, hi = frame["start"].min().date() - HISTORY_WINDOW, frame["start"].max().date()
        qs = Observation.objects.filter(
            indicator_id__in=frame["indicator_id"].dropna().unique().astype(int).tolist(),
            area_id__in=frame["area_id"].dropna().unique().astype(int).tolist(),
            is_current=True, period_start__range=(lo, hi),
        ).annotate(
            # floats straight from the database: building 50,000 Decimals costs seconds
            value_f=Cast("value", FloatField()), numerator_f=Cast("numerator", FloatField()),
            denominator_f=Cast("denominator", FloatField()),
        ).values_list("id", "indicator_id", "area_id", "period_start", "breakdown_key", "value_f", "numerator_f",
                      "denominator_f", "revision")
        records = qs.iterator(chunk_size=5000)
    held = pd.DataFrame.from_records(records, columns=columns)
    held["start"] = pd.to_datetime(held["start"]).astype(frame["start"].dtype)
    for column in ("value_held", "numerator_held", "denominator_held"):
        held[column] = pd.to_numeric(held[column], errors="coerce").astype(float)
    for column in ("indicator_id", "area_id"):
        held[column] = held[column].astype(frame[column].dtype)
    held["breakdown_key"] = held["breakdown_key"].astype(object)
    return held


def warn_spikes(frame: pd.DataFrame, held: pd.DataFrame, warnings) -> None:
    """Warn where a value is more than SPIKE_FACTOR times the latest figure held for the same series
    (that period's own figure when revising, else the latest earlier one). warnings: rules._Problems."""
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
    positions = np.isin(warnings.rows, flagged["row"].to_numpy())
    by_row = flagged.set_index("row")
    rows = warnings.rows[positions].tolist()
    warnings.add(positions, "value",
                 [f"{number_text(by_row.at[r, 'value'])} is more than {SPIKE_FACTOR} times the latest figure we hold "
                  f"({number_text(by_row.at[r, 'value_held'])} for the period starting "
                  f"{by_row.at[r, 'held_start']:%Y-%m-%d})" for r in rows],
                 "Check the figure. If it is right, you can still apply the return", mark=False)
