"""Benchmark data at a scale, on a new database only (targets/bench: what it makes and why)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partners.models import Partner

from ...bench import bench_build
from ...bench.shape import counts_at


class Command(BaseCommand):
    help = (
        "Benchmark data at a scale (1 = 60 partners, 300 indicators, 2,000 targets, 1,000,000 observations, 5,000 "
        "people, 300 agreements), on a new database only: it makes accounts with a known password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 is full scale; 0.05 a twentieth")
        parser.add_argument("--seed", type=int, default=2026, help="the same seed makes the same data")

    def handle(self, *args, scale: float, seed: int, **options):
        if scale <= 0:
            raise CommandError("Give a scale above 0, such as 1 (full scale) or 0.05.")
        # NOTE: every account it makes has the same known password: never on a database with anyone in it.
        people = get_user_model().objects.count()
        if people or Partner.objects.exists():
            raise CommandError(
                f"bench_data is refused: this database already holds {people} accounts, or partners. It makes "
                "accounts with a known password, so it runs only on a new database (scripts/bench/run.py makes one)."
            )
        counts = counts_at(scale)
        self.stdout.write(f"bench_data at scale {scale}: " + ", ".join(f"{n:,} {k}" for k, n in counts.items()))
        bench_build(counts=counts, seed=seed, say=self.stdout.write)
