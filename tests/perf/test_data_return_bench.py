"""Benchmark: a 50,000-row data return uploaded, checked and applied (make bench).

Prints wall time and peak memory for each step; asserts only that the data landed.
"""

from __future__ import annotations

import resource
import time

import pytest
from django.core.files import File

from partners.models import Area
from targets import services
from targets.bench.returns import bench_indicator, write_return
from targets.models import DataReturn, Observation
from tests.factories import SYSTEM

ROWS = 50_000
AREAS = [("E23000014", "West Midlands", Area.Kind.FORCE_AREA)] + [
    (f"E080000{25 + i}", f"Borough {i}", Area.Kind.LOCAL_AUTHORITY) for i in range(7)
]


class Step:
    """Wall time and memory of one step. Memory is the process's peak RSS (getrusage): tracemalloc
    would slow pandas and the ORM down several times and distort the timings."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        seconds = time.perf_counter() - self.started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  {self.name:<30} {seconds:7.2f} s   peak RSS {rss:7.1f} MiB (+{rss - self.rss_before:.1f} MiB)")


@pytest.mark.perf
@pytest.mark.django_db
def test_a_50000_row_return_is_checked_and_applied(
    tmp_path, settings, police, police_officer, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    for code, name, kind in AREAS:
        Area.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    bench_indicator("BENCH", police, by=SYSTEM)
    path = tmp_path / "bench.csv"
    rows = write_return(path, indicator_codes=["BENCH"], area_codes=[code for code, _, _ in AREAS], rows=ROWS)
    print(f"\n{rows:,} rows, {path.stat().st_size / 2**20:.1f} MiB CSV")

    with Step("upload + check (task)"), django_capture_on_commit_callbacks(execute=True):
        with open(path, "rb") as handle:
            data_return = services.data_return_upload(
                partner=police, uploaded_file=File(handle, name="bench.csv"), by=police_officer
            )
    data_return.refresh_from_db()
    assert data_return.status == DataReturn.Status.VALID, data_return.errors[:5]
    assert data_return.changes == {"new": ROWS, "revised": 0, "unchanged": 0}

    with Step("apply (check again + write)"):
        data_return = services.data_return_apply(data_return=data_return, by=police_officer)
    assert data_return.status == DataReturn.Status.APPLIED
    assert Observation.objects.filter(data_return=data_return, is_current=True).count() == ROWS

    with Step("same file again (unchanged)"), django_capture_on_commit_callbacks(execute=True):
        with open(path, "rb") as handle:
            again = services.data_return_upload(
                partner=police, uploaded_file=File(handle, name="bench.csv"), by=police_officer
            )
    again.refresh_from_db()
    assert again.changes == {"new": 0, "revised": 0, "unchanged": ROWS}
