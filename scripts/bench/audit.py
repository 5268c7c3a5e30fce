"""Concurrent audited writes (run by scripts/bench/ingest.py, in its process, on its database).

Every audited write takes the audit chain's advisory lock (portal/audit.py) and holds it until its transaction
commits, so audited writes are serialised. This measures what that costs: audited writes, each its own
transaction (a row locked and updated, one audit event), by 1 writer and by 20 at once, and by 20 while a
50,000-row apply runs beside them. Each write's time is from the start of its transaction to its commit.
"""

from __future__ import annotations

import statistics
import threading
import time


def _one_write(n: int, partner_id: int) -> float:
    from django.db import transaction

    from partners.models import Partner
    from portal.actors import system
    from portal.audit import audit_record

    started = time.perf_counter()
    with transaction.atomic():
        partner = Partner.objects.select_for_update().only("pk", "short_name").get(pk=partner_id)
        audit_record(
            actor=system("audit benchmark"),
            partner=partner,
            action="bench.audited_write",
            object_type="partners.partner",
            object_id=partner.pk,
            summary=f"Audited write {n} of the benchmark",
            after={"n": n},
        )
    return time.perf_counter() - started


def writers(*, threads: int, writes_each: int, partner_ids: list[int], during=None) -> dict:
    """`threads` writers, each `writes_each` audited writes in a row (each on its own partner's row, so that
    only the audit chain's lock is shared); `during`, if given, runs in another thread meanwhile, and the
    writers go on until it has finished.
    Returns writes a second, p50, p95 and max in milliseconds."""
    from django.db import connection

    times: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads + (1 if during else 0))

    done = threading.Event()

    def writer(k: int) -> None:
        try:
            barrier.wait()
            mine, i = [], 0
            while i < writes_each or (during and not done.is_set()):  # beside `during`: for as long as it runs
                mine.append(_one_write(i, partner_ids[k % len(partner_ids)]))
                i += 1
            with lock:
                times.extend(mine)
        finally:
            connection.close()

    def other() -> None:
        try:
            barrier.wait()
            during()
        finally:
            done.set()
            connection.close()

    pool = [threading.Thread(target=writer, args=(k,)) for k in range(threads)]
    if during:
        pool.append(threading.Thread(target=other))
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    ms = sorted(t * 1000 for t in times)
    return {
        "writes": len(ms),
        "per_second": len(ms) / elapsed,
        "p50": statistics.median(ms),
        "p95": ms[int(len(ms) * 0.95) - 1],
        "max": ms[-1],
    }
