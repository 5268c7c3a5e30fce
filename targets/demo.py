"""Demo priorities, indicators, 36 months of synthetic figures, targets and partner remits.

Idempotent: each thing is created only when missing, so a second run writes nothing (and
no audit events). Figures are synthetic but plausible (seeded, so the same every time) and
flagged is_demo, which pages show as "Synthetic demo data".
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.utils import timezone

from partners.demo import FORCE_AREA, LOCAL_AUTHORITIES
from partners.models import Area, Partner
from portal.audit import audit_record
from portal.seeding import SEED, seed_step

from . import services
from .models import (
    AGE_BANDS,
    ETHNICITY,
    SEX,
    Indicator,
    Observation,
    PartnerRemit,
    Priority,
    Target,
    breakdown_key,
    last_complete_period,
    period_containing,
    periods_between,
)

Unit, Pol, Freq, Geo = Indicator.Unit, Indicator.Polarity, Indicator.Frequency, Area.Kind
MONTHS = 36
Q4 = Decimal("0.0001")

PRIORITIES = [
    (
        "reduce-violence-and-neighbourhood-crime",
        "Reduce homicide, serious violence and neighbourhood crime",
        "Fewer people killed or seriously hurt, and fewer burglaries, robberies and vehicle crimes in our "
        "neighbourhoods.",
        ["west-midlands-police", "west-midlands-vrp"],
    ),
    (
        "fewer-first-time-entrants",
        "Fewer first-time entrants, especially children and young people",
        "Divert children and young adults away from the justice system, through early help and "
        "out-of-court alternatives, and close the gaps between ethnic groups.",
        ["west-midlands-police"] + [f"{name.lower()}-yjs" for _, name in LOCAL_AUTHORITIES],
    ),
    (
        "shorter-waits-for-victims",
        "Shorter waits for victims",
        "Cut the time from offence to the end of a case, and keep victims informed and supported throughout.",
        ["hmcts-west-midlands", "cps-west-midlands", "victim-support-west-midlands"],
    ),
    (
        "less-reoffending",
        "Less reoffending",
        "Fewer people reoffend after a caution, a community sentence or release from prison.",
        ["probation-west-midlands", "hmpps-west-midlands-prisons"],
    ),
    (
        "tackle-domestic-abuse-and-vawg",
        "Tackle domestic abuse and violence against women and girls",
        "Protect victims, pursue perpetrators and keep victims engaged until justice is done.",
        ["west-midlands-police", "opcc", "victim-support-west-midlands"],
    ),
]

# Mid-2021 populations (rounded) and each area's relative level of offending.
POPULATION = {
    "E08000025": 1_144_900,
    "E08000026": 345_300,
    "E08000027": 323_500,
    "E08000028": 341_800,
    "E08000029": 216_200,
    "E08000030": 284_100,
    "E08000031": 263_700,
}
AREA_FACTOR = {
    "E08000025": 1.25,
    "E08000026": 1.0,
    "E08000027": 0.8,
    "E08000028": 1.1,
    "E08000029": 0.7,
    "E08000030": 1.0,
    "E08000031": 1.1,
}
AGE_SHARE = {"10-17": 0.105, "18-25": 0.115}
ETHNIC_SHARE = {"Asian": 0.30, "Black": 0.08, "Mixed": 0.08, "White": 0.50, "Other": 0.04}
ETHNIC_RATE = {"Asian": 0.8, "Black": 2.2, "Mixed": 1.7, "White": 1.0, "Other": 1.0}  # disparities to make visible
SEX_SHARE = {"Female": 0.49, "Male": 0.51}
SEX_RATE = {"Female": 0.35, "Male": 1.6}
CHILD_AGE_SHARE = {"10-14": 0.62, "15-17": 0.38}  # of children aged 10 to 17
CHILD_AGE_RATE = {"10-14": 0.4, "15-17": 2.0}
FTE_CHILDREN_PER_100000 = 38  # the FTE10-17 level, per quarter


@dataclass
class Spec:
    code: str
    name: str
    definition: str
    unit: str
    polarity: str
    frequency: str
    geography: str
    provider: str
    level: float  # typical value for one period
    trend: float = 0.0  # change per year, as a fraction
    breakdowns: list[str] = field(default_factory=list)
    lag: str = ""
    population: str = ""  # age group for rate denominators ("" = everyone)
    cohort: int = 0  # cohort size for percentages
    with_data: bool = True
    area: str = ""  # one local authority only (a partner's own caseload)
    # A revision moving a figure by more than this (%) gets a warning: small counts swing more than
    # rates over large populations, and a percentage of a large cohort hardly moves when revised.
    revision_warning_percent: int = 50


def yjs_fte_code(name: str) -> str:
    """The code of a youth justice service's own first-time-entrant count: YJS-FTE-BIR for Birmingham."""
    return f"YJS-FTE-{name[:3].upper()}"


def _yjs_fte(code: str, name: str) -> Spec:
    children = POPULATION[code] * AGE_SHARE["10-17"]
    return Spec(
        yjs_fte_code(name),
        f"First-time entrants to {name} Youth Justice Service",
        f"Children aged 10 to 17 living in {name} who received their first youth caution or court conviction "
        f"and came onto the youth justice service's caseload in the quarter (a count, from the case management "
        f"system).",
        Unit.COUNT,
        Pol.LOWER_IS_BETTER,
        Freq.QUARTERLY,
        Geo.LOCAL_AUTHORITY,
        f"{name.lower()}-yjs",
        level=round(FTE_CHILDREN_PER_100000 * AREA_FACTOR[code] * children / 100_000, 1),
        trend=-0.06,
        breakdowns=["age_band", "sex", "ethnicity"],
        area=code,
        revision_warning_percent=100,
        lag="Case management system extract, about 1 month after the quarter ends",
    )


INDICATORS = [
    Spec(
        "FTE10-17",
        "First-time entrants aged 10 to 17",
        "Children aged 10 to 17 receiving their first youth caution or court conviction (Police National "
        "Computer), per 100,000 children aged 10 to 17 living in the area, in the quarter.",
        Unit.RATE_100000,
        Pol.LOWER_IS_BETTER,
        Freq.QUARTERLY,
        Geo.LOCAL_AUTHORITY,
        "west-midlands-police",
        level=38,
        trend=-0.06,
        breakdowns=["sex", "ethnicity"],
        population="10-17",
        lag="Police National Computer extract, about 3 months in arrears",
    ),
    Spec(
        "FTE18-25",
        "First-time entrants aged 18 to 25",
        "Young adults aged 18 to 25 receiving their first caution or conviction, per 100,000 people aged "
        "18 to 25 living in the area, in the quarter.",
        Unit.RATE_100000,
        Pol.LOWER_IS_BETTER,
        Freq.QUARTERLY,
        Geo.LOCAL_AUTHORITY,
        "west-midlands-police",
        level=95,
        trend=-0.01,
        breakdowns=["sex"],
        population="18-25",
        lag="Police National Computer extract, about 3 months in arrears",
    ),
    Spec(
        "OTC-DAYS",
        "Days from offence to completion (Crown Court)",
        "Mean number of days from the offence to the completion of the case, for cases completed in the "
        "Crown Court in the quarter.",
        Unit.DAYS,
        Pol.LOWER_IS_BETTER,
        Freq.QUARTERLY,
        Geo.FORCE_AREA,
        "hmcts-west-midlands",
        level=680,
        trend=0.03,
        revision_warning_percent=25,
        lag="HMCTS management information, published quarterly",
    ),
    Spec(
        "REOFF-ADULT",
        "Proven reoffending rate, adults",
        "Percentage of adults released from custody or starting a court order, or cautioned, in the quarter "
        "who commit a proven reoffence within 12 months (and are convicted within a further 6).",
        Unit.PERCENTAGE,
        Pol.LOWER_IS_BETTER,
        Freq.QUARTERLY,
        Geo.FORCE_AREA,
        "probation-west-midlands",
        level=24.5,
        trend=-0.015,
        breakdowns=["sex"],
        cohort=5200,
        revision_warning_percent=20,
        lag="Ministry of Justice statistics: a cohort is published about 15 months after it starts",
    ),
    Spec(
        "REOFF-JUV",
        "Proven reoffending rate, children",
        "Percentage of children aged 10 to 17 cautioned, convicted or released from custody in the financial "
        "year who commit a proven reoffence within 12 months.",
        Unit.PERCENTAGE,
        Pol.LOWER_IS_BETTER,
        Freq.ANNUAL,
        Geo.FORCE_AREA,
        "probation-west-midlands",
        level=32.0,
        trend=-0.02,
        cohort=1900,
        revision_warning_percent=20,
        lag="Ministry of Justice statistics, published about 18 months after the year starts",
    ),
    Spec(
        "HOM",
        "Homicides",
        "Offences of murder, manslaughter, corporate manslaughter and infanticide recorded in the month.",
        Unit.COUNT,
        Pol.LOWER_IS_BETTER,
        Freq.MONTHLY,
        Geo.FORCE_AREA,
        "west-midlands-police",
        level=3.8,
        revision_warning_percent=100,
        lag="Recorded crime, revised as cases are reclassified",
    ),
    Spec(
        "SV-1000",
        "Serious violence offences per 1,000 people",
        "Violence with injury, robbery of personal property and offences involving a knife or sharp "
        "instrument recorded in the month, per 1,000 residents.",
        Unit.RATE_1000,
        Pol.LOWER_IS_BETTER,
        Freq.MONTHLY,
        Geo.LOCAL_AUTHORITY,
        "west-midlands-police",
        level=1.15,
        trend=-0.04,
        revision_warning_percent=30,
        lag="Recorded crime, about 1 month in arrears",
    ),
    Spec(
        "NC-1000",
        "Neighbourhood crime per 1,000 people",
        "Domestic burglary, personal robbery, theft from the person and vehicle offences recorded in the "
        "month, per 1,000 residents.",
        Unit.RATE_1000,
        Pol.LOWER_IS_BETTER,
        Freq.MONTHLY,
        Geo.LOCAL_AUTHORITY,
        "west-midlands-police",
        level=1.6,
        trend=0.02,
        revision_warning_percent=30,
        lag="Recorded crime, about 1 month in arrears",
    ),
    Spec(
        "DA-1000",
        "Domestic-abuse-related incidents and crimes per 1,000 people",
        "Incidents and crimes flagged as domestic-abuse-related in the month, per 1,000 residents "
        "(about 26 a year across the region).",
        Unit.RATE_1000,
        Pol.LOWER_IS_BETTER,
        Freq.MONTHLY,
        Geo.LOCAL_AUTHORITY,
        "west-midlands-police",
        level=2.2,
        trend=-0.03,
        revision_warning_percent=30,
        lag="Recorded crime and incidents, about 1 month in arrears",
    ),
    Spec(
        "VICTIM-ATTR",
        "Victim attrition",
        "Percentage of crimes closed in the month because the victim does not support (or withdraws "
        "support for) police action.",
        Unit.PERCENTAGE,
        Pol.LOWER_IS_BETTER,
        Freq.MONTHLY,
        Geo.FORCE_AREA,
        "west-midlands-police",
        level=27.0,
        trend=0.02,
        cohort=21000,
        revision_warning_percent=20,
        lag="Crime outcomes, about 2 months in arrears",
    ),
    Spec(
        "VS-CONTACT",
        "Victims contacted within 2 working days",
        "Percentage of victims referred in the month whom the victim service contacted within 2 working "
        "days of the referral.",
        Unit.PERCENTAGE,
        Pol.HIGHER_IS_BETTER,
        Freq.MONTHLY,
        Geo.FORCE_AREA,
        "victim-support-west-midlands",
        level=82.0,
        cohort=3000,
        with_data=False,
        revision_warning_percent=20,
        lag="First return due next month",
    ),
] + [_yjs_fte(code, name) for code, name in LOCAL_AUTHORITIES]  # shared with the police (partners.demo)

# priority slug, indicator, area ("*" = force area), owner, the status the demo should show
TARGETS = [
    ("reduce-violence-and-neighbourhood-crime", "SV-1000", "*", "west-midlands-vrp", Target.Status.ON_TRACK),
    ("reduce-violence-and-neighbourhood-crime", "NC-1000", "*", "west-midlands-police", Target.Status.OFF_TRACK),
    ("reduce-violence-and-neighbourhood-crime", "HOM", "*", "west-midlands-police", None),
    ("fewer-first-time-entrants", "FTE10-17", "*", "west-midlands-police", Target.Status.ON_TRACK),
    ("fewer-first-time-entrants", "FTE10-17", "E08000025", "birmingham-yjs", Target.Status.AT_RISK),
    ("fewer-first-time-entrants", "FTE18-25", "*", "probation-west-midlands", Target.Status.AT_RISK),
    ("fewer-first-time-entrants", "YJS-FTE-BIR", "E08000025", "birmingham-yjs", Target.Status.ON_TRACK),
    ("fewer-first-time-entrants", "YJS-FTE-COV", "E08000026", "coventry-yjs", Target.Status.OFF_TRACK),
    ("shorter-waits-for-victims", "OTC-DAYS", "*", "hmcts-west-midlands", Target.Status.OFF_TRACK),
    ("shorter-waits-for-victims", "VS-CONTACT", "*", "victim-support-west-midlands", None),
    ("less-reoffending", "REOFF-ADULT", "*", "probation-west-midlands", Target.Status.ON_TRACK),
    ("less-reoffending", "REOFF-JUV", "*", "probation-west-midlands", Target.Status.AT_RISK),
    ("tackle-domestic-abuse-and-vawg", "DA-1000", "*", "west-midlands-police", Target.Status.ON_TRACK),
    ("tackle-domestic-abuse-and-vawg", "VICTIM-ATTR", "*", "west-midlands-police", Target.Status.OFF_TRACK),
]
# How far the expected value sits from the latest figure, to show each status (tolerance 5%).
STATUS_GAP = {Target.Status.ON_TRACK: 0.04, Target.Status.AT_RISK: -0.025, Target.Status.OFF_TRACK: -0.15}
TOLERANCE = Decimal("5")

HEALTH_REMITS = [
    (
        "Secure facilities",
        "Commissions secure mental health services and health care in custody suites and the region's prisons.",
    ),
    (
        "Offender skills",
        "Works with prisons and probation on education, skills and employment support for "
        "people in and leaving custody.",
    ),
    (
        "Health and resettlement",
        "Makes sure people leaving prison are registered with a GP and continue their treatment in the community.",
    ),
    (
        "Drug safety testing",
        "Runs drug checking and early warning of dangerous substances with public health and the police.",
    ),
]


# breakdown -> {value: (share of the population, relative rate)}: the same disparities as the FTE series.
CASELOAD_SPLITS = {
    "age_band": {band: (CHILD_AGE_SHARE[band], CHILD_AGE_RATE[band]) for band in AGE_BANDS if band in CHILD_AGE_SHARE},
    "sex": {sex: (SEX_SHARE[sex], SEX_RATE[sex]) for sex in SEX},
    "ethnicity": {group: (ETHNIC_SHARE[group], ETHNIC_RATE[group]) for group in ETHNICITY},
}


def _window(today: date) -> tuple[date, date]:
    _, last = last_complete_period(Freq.MONTHLY, today)
    first = last.replace(day=1)
    for _ in range(MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, last


def _q(x: float) -> Decimal:
    return Decimal(repr(float(x))).quantize(Q4)


@seed_step(order=20)
@transaction.atomic
def seed_priorities_and_indicators() -> None:
    partners = {p.slug: p for p in Partner.objects.all()}
    for order, (slug, title, description, leads) in enumerate(PRIORITIES, start=1):
        if not Priority.objects.filter(slug=slug).exists():
            services.priority_create(
                title=title,
                slug=slug,
                description=description,
                order=order,
                lead_partners=[partners[s] for s in leads if s in partners],
                by=SEED,
            )
    for spec in INDICATORS:
        if not Indicator.objects.filter(code=spec.code).exists():
            services.indicator_create(
                code=spec.code,
                name=spec.name,
                definition=spec.definition,
                unit=spec.unit,
                polarity=spec.polarity,
                frequency=spec.frequency,
                geography=spec.geography,
                provider=partners[spec.provider],
                breakdowns=spec.breakdowns,
                data_lag_note=spec.lag,
                revision_warning_percent=spec.revision_warning_percent,
                by=SEED,
            )
    for slug in ("bsol-icb", "black-country-icb"):
        partner = partners.get(slug)
        for order, (title, description) in enumerate(HEALTH_REMITS, start=1):
            if partner and not PartnerRemit.objects.filter(partner=partner, title=title).exists():
                services.remit_add(partner=partner, title=title, description=description, order=order, by=SEED)


def _series(spec: Spec, periods: list[tuple[date, date]], rng: np.random.Generator, first: date):
    """Yield (area_code, start, end, breakdown dict, value, numerator, denominator) for one indicator."""
    force = FORCE_AREA[0]
    for start, end in periods:
        years = (start - first).days / 365.25
        season = 1 + 0.08 * math.sin(2 * math.pi * (start.month - 4) / 12) if spec.frequency == Freq.MONTHLY else 1
        level = spec.level * (1 + spec.trend) ** years * season
        multiplier = Indicator.RATE_MULTIPLIERS.get(spec.unit)
        if spec.unit in (Unit.RATE_1000, Unit.RATE_100000):
            share = AGE_SHARE.get(spec.population, 1.0)
            cells: dict[tuple, list[float]] = {}
            for code, people in POPULATION.items():
                denominator = round(people * share)
                expected = level * AREA_FACTOR[code] * denominator / multiplier
                groups = [({}, 1.0, 1.0)]
                if "ethnicity" in spec.breakdowns:
                    groups += [({"ethnicity": e}, ETHNIC_SHARE[e], ETHNIC_RATE[e]) for e in ETHNICITY]
                if "sex" in spec.breakdowns:
                    groups += [({"sex": s}, SEX_SHARE[s], SEX_RATE[s]) for s in SEX]
                for values, pop_share, rate in groups:
                    den = round(denominator * pop_share)
                    num = int(rng.poisson(expected * pop_share * rate))
                    key = breakdown_key(values)
                    cells.setdefault(key, [0, 0])
                    cells[key][0] += num
                    cells[key][1] += den
                    yield code, start, end, values, num / den * multiplier, num, den
            for key, (num, den) in cells.items():
                values = dict(part.split("=") for part in key.split(";")) if key else {}
                yield force, start, end, values, num / den * multiplier, num, den
        elif spec.unit == Unit.PERCENTAGE:
            groups = [({}, 1.0, 1.0)]
            if "sex" in spec.breakdowns:
                groups += [({"sex": "Female"}, 0.2, 0.8), ({"sex": "Male"}, 0.8, 1.05)]
            for values, share, rate in groups:
                den = round(spec.cohort * share)
                num = int(rng.binomial(den, min(0.99, level / 100 * rate)))
                yield force, start, end, values, num / den * 100, num, den
        elif spec.unit == Unit.COUNT and spec.area:
            # One partner's own caseload: the total, then each breakdown splitting it (so they add up).
            total = int(rng.poisson(level))
            yield spec.area, start, end, {}, float(total), None, None
            for dimension, groups in CASELOAD_SPLITS.items():
                if dimension not in spec.breakdowns:
                    continue
                weights = np.array([share * rate for share, rate in groups.values()])
                for value, count in zip(groups, rng.multinomial(total, weights / weights.sum())):
                    yield spec.area, start, end, {dimension: value}, float(count), None, None
        elif spec.unit == Unit.COUNT:
            yield force, start, end, {}, float(rng.poisson(level)), None, None
        else:  # days
            yield force, start, end, {}, round(float(rng.normal(level, level * 0.03)), 1), None, None


@seed_step(order=30)
@transaction.atomic
def seed_observations() -> None:
    first, last = _window(timezone.localdate())
    areas = {a.code: a for a in Area.objects.all()}
    for spec in INDICATORS:
        indicator = Indicator.objects.filter(code=spec.code).select_related("provider").first()
        if indicator is None or not spec.with_data or indicator.observations.exists():
            continue
        rng = np.random.default_rng(zlib.crc32(spec.code.encode()))
        periods = periods_between(spec.frequency, first, last)
        rows = [
            Observation(
                indicator=indicator,
                area=areas[code],
                period_start=start,
                period_end=end,
                breakdown_key=breakdown_key(values),
                breakdown=values,
                value=_q(value),
                numerator=None if num is None else Decimal(num),
                denominator=None if den is None else Decimal(den),
                provider=indicator.provider,
                is_demo=True,
            )
            for code, start, end, values, value, num, den in _series(spec, periods, rng, first)
            if code in areas
        ]
        Observation.objects.bulk_create(rows, batch_size=2000)
        audit_record(
            actor=SEED,
            partner=indicator.provider,
            action="observations.demo_load",
            obj=indicator,
            summary=f"{len(rows)} synthetic demo figures loaded for {spec.code}",
            after={"rows": len(rows), "from": first.isoformat(), "to": last.isoformat()},
        )


def _latest_total(indicator: Indicator, area: Area) -> Observation | None:
    return (
        Observation.objects.filter(indicator=indicator, area=area, breakdown_key="", is_current=True)
        .order_by("-period_start")
        .first()
    )


@seed_step(order=40)
@transaction.atomic
def seed_targets() -> None:
    today = timezone.localdate()
    first, _ = _window(today)
    baseline_start, baseline_end = periods_between(Freq.ANNUAL, first, first + timedelta(days=800))[0]
    target_date = period_containing(Freq.ANNUAL, today)[1].replace(
        year=period_containing(Freq.ANNUAL, today)[1].year + 1
    )
    areas = {a.code: a for a in Area.objects.all()}
    force = areas.get(FORCE_AREA[0])
    for slug, code, area_code, owner_slug, wanted in TARGETS:
        priority = Priority.objects.filter(slug=slug).first()
        indicator = Indicator.objects.filter(code=code).first()
        owner = Partner.objects.filter(slug=owner_slug).first()
        area = force if area_code == "*" else areas.get(area_code)
        if None in (priority, indicator, owner, area):
            continue
        if Target.objects.filter(priority=priority, indicator=indicator, area=area).exists():
            continue
        totals = Observation.objects.filter(
            indicator=indicator,
            area=area,
            breakdown_key="",
            is_current=True,
            period_start__gte=baseline_start,
            period_end__lte=baseline_end,
        )
        values = [o.value for o in totals]
        spec = next(s for s in INDICATORS if s.code == code)
        baseline = (sum(values) / len(values)).quantize(Q4) if values else _q(spec.level)
        better = 1 if indicator.higher_is_better else -1
        target_value = (baseline * (1 + better * Decimal("0.10"))).quantize(Decimal("0.01"))
        latest = _latest_total(indicator, area)
        if wanted is not None and latest is not None:
            # Choose the target so that the straight-line trajectory expects, for the latest period,
            # a value that gives the status the demo should show.
            periods = [
                p for p in periods_between(indicator.frequency, baseline_end, target_date) if p[0] > baseline_end
            ]
            k = next((i for i, p in enumerate(periods, start=1) if p[0] == latest.period_start), None)
            gap = Decimal(str(STATUS_GAP[wanted]))
            expected = latest.value * (1 - better * gap)
            if (
                wanted == Target.Status.ON_TRACK
                and (expected - baseline) * better <= 0 < (latest.value - baseline) * better
            ):
                expected = (latest.value + baseline) / 2  # already better than baseline: expect half of the gain
            if k:
                candidate = (baseline + (expected - baseline) * len(periods) / k).quantize(Decimal("0.01"))
                if (candidate - baseline) * better > 0:
                    target_value = candidate
        services.target_create(
            priority=priority,
            indicator=indicator,
            area=area,
            owner=owner,
            baseline_value=baseline,
            baseline_period_start=baseline_start,
            baseline_period_end=baseline_end,
            target_value=target_value,
            target_date=target_date,
            tolerance_percent=TOLERANCE,
            title=indicator.name
            if area.name in indicator.name
            else f"{indicator.name} in {area.name if area.kind == Area.Kind.LOCAL_AUTHORITY else 'the West Midlands'}",
            by=SEED,
        )


from . import demo_sharing  # noqa: E402,F401  (the demo's data-sharing agreements: step 50)
from .plans import demo as plans_demo  # noqa: E402,F401  (the demo plans: step 60)


@seed_step(order=65)
def seed_target_snapshots() -> None:
    """Every target's status and projection, once the demo's figures are in (the nightly job does it after)."""
    from .services.snapshots import target_snapshots_refresh

    target_snapshots_refresh(everything=True)
