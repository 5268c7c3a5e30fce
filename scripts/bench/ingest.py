"""The ingest benchmark (`make bench-ingest`): the portal's apply of a 50,000-row return beside what PostgreSQL
itself needs for the same rows, on the benchmark data (1,000,000 observations at full scale), then a
1,000,000-row backfill through the same path.

    .venv/bin/python scripts/bench/ingest.py --scale 1          # full scale (about 6 minutes here)
    .venv/bin/python scripts/bench/ingest.py --scale 0.05 --backfill-rows 100000   # CI's run

It makes a new PostgreSQL database, migrates it and fills it with `manage.py bench_data --scale S` (or uses the
one a previous run left, --reuse-db), then, in this process with the production settings:

1. writes a 50,000-row return of a new indicator (8 areas, 126 breakdowns a month) and uploads and checks it
   as the worker would;
2. the floor: in a transaction that is rolled back, `COPY` of the same 50,000 rows (as the portal would store
   them, prepared beforehand) into a temporary table and one `INSERT … SELECT` into the observations table,
   its indexes and constraints in place (the foreign keys' checks, deferred to a commit, run before the
   rollback: the portal's commit runs them too);
3. the portal's apply of the return (`data_return_apply`: the checks again, then the write: COPY, UPDATE,
   INSERT … SELECT, the audit event), committed;
4. a second return revising all 50,000 figures, checked and applied (each retires the figure it replaces);
5. `manage.py backfill_observations` of a 1,000,000-row history (--backfill-rows) for four more indicators;
6. audited writes by 1 writer, by 20 at once, and by 20 beside a third 50,000-row apply (scripts/bench/audit.py).

It prints a table and the ratio of the apply to the floor (issue 20's goal: at most 1.5), and fails (exit 1)
when the ratio is above --max-ratio (default 1.5) or any step did not write what it should.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402

say = harness.say
harness.TAG[0] = "ingest"
RETURN_ROWS = 50_000


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE") or 1))
    parser.add_argument("--backfill-rows", type=int, default=int(os.environ.get("BACKFILL_ROWS") or 1_000_000))
    parser.add_argument("--max-ratio", type=float, default=1.5, help="the apply over the floor; above it fails")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="portal_ingestbench")
    parser.add_argument("--profile", action="store_true", help="print where the apply spends its time (cProfile)")
    parser.add_argument("--reuse-db", action="store_true", help="use the database a --keep-db run left")
    parser.add_argument(
        "--keep-db", action="store_true", help="leave the database (with this run's figures) for a look"
    )
    return parser.parse_args()


def environment(opts, scratch: Path) -> dict[str, str]:
    """The production settings on loopback (harness), with a Redis database of its own: the outbox hands the
    uploads' checks to it on commit, where no worker takes them (the checks run here, as the worker runs them)."""
    redis = os.environ.get("BENCH_INGEST_REDIS", "redis://127.0.0.1:6379/9")
    return harness.environment(postgres=opts.postgres, database=opts.database, redis=redis, port=0, scratch=scratch)


def database_prepare(opts, env) -> float:
    """A new database with the benchmark data (seconds it took), or the one left by --keep-db."""
    return harness.bench_database(
        postgres=opts.postgres, database=opts.database, env=env, scale=opts.scale, reuse=opts.reuse_db
    )


class Timer:
    def __init__(self):
        self.seconds = 0.0

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started


def measure(opts, scratch: Path, build_seconds: float) -> int:
    """Steps 1-5 in this process (Django set up on the benchmark database); returns the exit status."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from partners.models import Area, Partner
    from portal import permissions
    from portal.actors import system
    from targets import rules as target_rules
    from targets import services
    from targets.bench.returns import bench_indicator, write_return
    from targets.bench.shape import LOCAL_AUTHORITIES
    from targets.models import DataReturn, Observation
    from targets.services import ingest

    areas = [code for code, _ in LOCAL_AUTHORITIES]
    assert Area.objects.filter(code__in=areas).count() == len(areas), "the benchmark data has no areas"
    # an officer who may send the partner's returns (the benchmark data has some in every partner)
    provider, by = next(
        (partner, user)
        for partner in Partner.objects.order_by("pk")
        for user in get_user_model().objects.filter(memberships__partner=partner).order_by("pk")[:20]
        if permissions.can(user, target_rules.DATA_RETURN_SUBMIT, partner)
    )
    system_actor = system("ingest benchmark")
    held = Observation.objects.count()
    say(f"{held:,} observations held; writing a {RETURN_ROWS:,}-row return")
    stamp = secrets.token_hex(2).upper()
    code = f"INGEST-{stamp}"
    bench_indicator(code, provider, by=system_actor)
    path = scratch / "return.csv"
    write_return(path, indicator_codes=[code], area_codes=areas, rows=RETURN_ROWS)

    def upload_and_check(file: Path) -> tuple[DataReturn, float]:
        with Timer() as timer:
            with open(file, "rb") as handle:
                data_return = services.data_return_upload(
                    partner=provider, uploaded_file=File(handle, name=file.name), by=by
                )
            services.data_return_validate(data_return_id=data_return.pk, by=by)
        data_return.refresh_from_db()
        if data_return.status != DataReturn.Status.VALID:
            raise SystemExit(f"the return did not pass its checks: {data_return.errors[:3]}")
        return data_return, timer.seconds

    data_return, check_s = upload_and_check(path)

    # 2. The floor: COPY + INSERT … SELECT of the same rows (the CSV made beforehand), rolled back.
    report = services.returns._read_report(data_return)
    buffer = ingest.copy_text(report.clean[report.clean["change"] != "unchanged"])
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(ingest.temporary_table_sql("floor_rows"))
            with Timer() as timer:
                cursor.copy_expert(ingest.copy_sql("floor_rows"), buffer)
            copy_s = timer.seconds
            with Timer() as timer:
                cursor.execute(ingest.insert_select_sql("floor_rows"), [provider.pk, None, "", timezone.now(), None])
                floor_written = cursor.rowcount
                # the foreign keys' checks, deferred to the commit that the floor never makes: run them now
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            insert_s = timer.seconds
        transaction.set_rollback(True)
    floor_s = copy_s + insert_s

    # 3. The portal's apply.
    profile = None
    if opts.profile:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    with Timer() as timer:
        applied = services.data_return_apply(data_return=data_return, by=by)
    apply_s = timer.seconds
    if profile:
        import pstats

        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    written = Observation.objects.filter(data_return=applied, is_current=True).count()

    # 4. Every figure revised.
    revised_path = scratch / "revised.csv"
    write_return(revised_path, indicator_codes=[code], area_codes=areas, rows=RETURN_ROWS, bump=1)
    revision, revision_check_s = upload_and_check(revised_path)
    with Timer() as timer:
        revision = services.data_return_apply(data_return=revision, by=by, confirm_revisions=True)
    revise_s = timer.seconds
    retired = Observation.objects.filter(data_return=applied, is_current=False).count()

    # 6. Audited writes at once: the audit chain's lock (scripts/bench/audit.py).
    import audit as audit_bench

    # (partners other than the provider: its row is locked by the apply, which would be a wait of another kind)
    partner_ids = list(Partner.objects.exclude(pk=provider.pk).order_by("pk").values_list("pk", flat=True)[:20])
    alone = audit_bench.writers(threads=1, writes_each=100, partner_ids=partner_ids)
    together = audit_bench.writers(threads=20, writes_each=25, partner_ids=partner_ids)
    third = f"INGEST-{stamp}-B"
    bench_indicator(third, provider, by=system_actor)
    beside_path = scratch / "beside.csv"
    write_return(beside_path, indicator_codes=[third], area_codes=areas, rows=RETURN_ROWS)
    beside_return, _ = upload_and_check(beside_path)
    beside_apply = {}

    def apply_beside():
        with Timer() as timer:
            services.data_return_apply(data_return=DataReturn.objects.get(pk=beside_return.pk), by=by)
        beside_apply["seconds"] = timer.seconds

    during = audit_bench.writers(threads=20, writes_each=5, partner_ids=partner_ids, during=apply_beside)

    # 5. The backfill.
    backfill_s = 0.0
    backfilled = 0
    if opts.backfill_rows:
        codes = [f"BACKFILL-{stamp}-{n}" for n in range(1, 5)]
        for backfill_code in codes:
            bench_indicator(backfill_code, provider, by=system_actor)
        history = scratch / "history.csv"
        made = write_return(history, indicator_codes=codes, area_codes=areas, rows=opts.backfill_rows)
        say(f"backfilling {made:,} rows ({history.stat().st_size / 2**20:.0f} MiB)")
        before = Observation.objects.count()
        with Timer() as timer:
            call_command("backfill_observations", str(history), "--partner", provider.slug)
        backfill_s = timer.seconds
        backfilled = Observation.objects.count() - before

    ratio = apply_s / floor_s
    rows = [
        ("build the benchmark data (bench_data, VACUUM ANALYZE)", f"{held:,} observations", build_seconds),
        ("upload + checks of the 50,000-row return (as the worker)", f"{RETURN_ROWS:,} rows", check_s),
        ("floor: COPY into a temporary table", f"{RETURN_ROWS:,} rows", copy_s),
        ("floor: one INSERT … SELECT into the observations table, its checks run", f"{floor_written:,} rows", insert_s),
        ("portal: apply (checks again, COPY, UPDATE, INSERT … SELECT, audit)", f"{written:,} rows", apply_s),
        ("upload + checks of a return revising every figure", f"{RETURN_ROWS:,} rows", revision_check_s),
        ("portal: apply of the revisions (each retires what it replaces)", f"{retired:,} retired", revise_s),
        ("backfill_observations (checks + the same write, chunks of 50,000)", f"{backfilled:,} rows", backfill_s),
    ]
    print()
    print("| Audited writes (each its own transaction) | Writes | Writes a second | p50 ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, r in (
        ("1 writer", alone),
        ("20 writers at once", together),
        (f"20 writers beside a 50,000-row apply ({beside_apply.get('seconds', 0):.2f} s)", during),
    ):
        print(
            f"| {name} | {r['writes']:,} | {r['per_second']:,.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.0f} |"
        )
    print()
    print("| Step | Rows | Seconds |")
    print("| --- | ---: | ---: |")
    for name, n, seconds in rows:
        print(f"| {name} | {n} | {seconds:.2f} |")
    print(
        f"\nApply over the floor (COPY + INSERT … SELECT): {apply_s:.2f} / {floor_s:.2f} = {ratio:.2f} "
        f"(goal: at most {opts.max_ratio})"
    )
    if opts.backfill_rows and backfill_s:
        print(f"Backfill: {backfilled / backfill_s:,.0f} rows a second")
    problems = []
    if written != RETURN_ROWS or floor_written != RETURN_ROWS:
        problems.append(f"the apply wrote {written:,} rows and the floor {floor_written:,}, not {RETURN_ROWS:,}")
    if retired != RETURN_ROWS:
        problems.append(f"the revisions retired {retired:,} figures, not {RETURN_ROWS:,}")
    if opts.backfill_rows and backfilled != opts.backfill_rows:
        problems.append(f"the backfill wrote {backfilled:,} rows, not {opts.backfill_rows:,}")
    if ratio > opts.max_ratio:
        problems.append(f"the apply took {ratio:.2f} times the floor, above {opts.max_ratio}")
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main() -> None:
    opts = options()
    scratch = Path(tempfile.mkdtemp(prefix="portal-ingest-"))
    env = environment(opts, scratch)
    say(f"database {opts.database} at scale {opts.scale}")
    build_seconds = database_prepare(opts, env)
    say(f"benchmark data ready ({build_seconds:.0f} s)")
    os.environ.update(env)
    status = 1
    try:
        status = measure(opts, scratch, build_seconds)
    finally:
        from django.db import connections

        connections.close_all()
        if not opts.keep_db:
            harness.database_drop(postgres=opts.postgres, database=opts.database)
        shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
