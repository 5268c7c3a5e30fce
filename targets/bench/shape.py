"""The shape of the benchmark data: how many of each thing a scale makes, and who may see what."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from partners.models import Area, Partner

from ..models import AGE_BANDS, SEX, Indicator, Priority

FULL_SCALE = {
    "partners": 60,
    "indicators": 300,
    "targets": 2_000,
    "observations": 1_000_000,
    "users": 5_000,
    "agreements": 300,
}
# The least that keeps the shape: a tenth of the indicators is at least two, every partner has people.
MINIMUM = {"partners": 12, "indicators": 20, "targets": 20, "observations": 2_000, "users": 40, "agreements": 10}
PRIORITIES = 10
VISIBLE_SHARE = Decimal("0.1")  # of the indicators (and so of the observations) the viewers may see
VIEWER_PARTNER_SLUG = "bench-viewers"
VIEWER_USERNAMES = [f"bench-viewer-{n}" for n in range(1, 9)]  # one for each of the load test's clients
PCC_USERNAME = "bench-pcc"
# NOTE: every benchmark account has this password (and the generator runs only on a database with no one in it).
BENCH_PASSWORD = "bench-only password, never a real account"
FORCE_AREA = ("E23000014", "West Midlands")
LOCAL_AUTHORITIES = [
    ("E08000025", "Birmingham"),
    ("E08000026", "Coventry"),
    ("E08000027", "Dudley"),
    ("E08000028", "Sandwell"),
    ("E08000029", "Solihull"),
    ("E08000030", "Walsall"),
    ("E08000031", "Wolverhampton"),
    ("E08000032", "Worcester Road"),
]
# Each figure comes as a total and broken down by age band and by sex: nine rows a month and area.
BREAKDOWNS = [{}] + [{"age_band": a} for a in AGE_BANDS] + [{"sex": s} for s in SEX]
BATCH = 5_000


def counts_at(scale: float) -> dict[str, int]:
    """How many of each thing a scale makes (full scale, shrunk in proportion, never below MINIMUM)."""
    if scale <= 0:
        raise ValueError("the scale must be above 0")
    return {name: max(MINIMUM[name], round(full * scale)) for name, full in FULL_SCALE.items()}


def visible_indicator_count(indicators: int) -> int:
    """How many indicators the benchmark viewers may see the figures of: a tenth, at least one."""
    return max(1, int((indicators * VISIBLE_SHARE).to_integral_value()))


@dataclass
class Bench:
    """What is being made: the counts asked for, and what each step has made for the next ones."""

    counts: dict[str, int]
    rng: random.Random
    today: date
    now: datetime
    areas: list[Area] = field(default_factory=list)  # the local authorities (targets and figures are theirs)
    partners: list[Partner] = field(default_factory=list)  # the PCC office, the viewers' partner, the providers
    priorities: list[Priority] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    base: dict[int, Decimal] = field(default_factory=dict)  # each indicator's usual level

    @property
    def pcc_office(self) -> Partner:
        return self.partners[0]

    @property
    def viewers(self) -> Partner:
        return self.partners[1]

    @property
    def providers(self) -> list[Partner]:
        return self.partners[2:]
