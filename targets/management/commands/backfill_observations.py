"""Load a partner's history from one large CSV, all or nothing (targets.services.backfill)."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partners.models import Partner
from portal.actors import system

from ...services.backfill import BACKFILL_CHUNK_ROWS, observations_backfill
from ...validation import RowErrors


class Command(BaseCommand):
    help = (
        "Check and load a CSV of a partner's figures (the data return's columns) too large to upload: "
        "every row or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="a CSV with the data return template's header row")
        parser.add_argument("--partner", required=True, help="the providing partner's slug, e.g. west-midlands-police")
        parser.add_argument("--chunk-rows", type=int, default=BACKFILL_CHUNK_ROWS, help="rows checked at a time")

    def handle(self, *args, file: Path, partner: str, chunk_rows: int, **options):
        if not file.is_file():
            raise CommandError(f"There is no file at {file}.")
        found = Partner.objects.filter(slug=partner).first()
        if found is None:
            raise CommandError(f"There is no partner with the slug '{partner}'.")
        if chunk_rows < 1000:
            raise CommandError("--chunk-rows must be at least 1000.")
        started = time.perf_counter()
        try:
            result = observations_backfill(
                partner=found, path=file, by=system(f"backfill of {file.name}"), chunk_rows=chunk_rows
            )
        except RowErrors as exc:
            lines = [f"  row {e['row']}, {e['column'] or 'row'}: {e['message']}. {e['fix']}" for e in exc.row_errors]
            raise CommandError("Nothing was loaded. The file has problems:\n" + "\n".join(lines)) from exc
        self.stdout.write(
            f"Loaded {result['rows']:,} rows for {found.short_name} in {time.perf_counter() - started:.1f} s: "
            f"{result['new']:,} new, {result['revised']:,} revised, {result['unchanged']:,} unchanged."
        )
