"""Fixtures for the targets tests: areas, indicators and helpers to build returns and figures."""

from __future__ import annotations

import pytest

from partners.models import Area
from targets import services
from targets.models import Indicator
from tests.factories import HEADER, SYSTEM, csv_file, observe, xlsx_file  # noqa: F401 (for the tests here)

FORCE = "E23000014"
BIRMINGHAM = "E08000025"
COVENTRY = "E08000026"


@pytest.fixture
def areas(db) -> dict[str, Area]:
    return {
        FORCE: Area.objects.create(code=FORCE, name="West Midlands", kind=Area.Kind.FORCE_AREA),
        BIRMINGHAM: Area.objects.create(code=BIRMINGHAM, name="Birmingham", kind=Area.Kind.LOCAL_AUTHORITY),
        COVENTRY: Area.objects.create(code=COVENTRY, name="Coventry", kind=Area.Kind.LOCAL_AUTHORITY),
    }


@pytest.fixture
def sv(police, areas) -> Indicator:
    """Police, monthly, rate per 1,000, by local authority, split by sex and ethnicity."""
    return services.indicator_create(
        code="SV-1000",
        name="Serious violence per 1,000",
        unit=Indicator.Unit.RATE_1000,
        polarity=Indicator.Polarity.LOWER_IS_BETTER,
        frequency=Indicator.Frequency.MONTHLY,
        geography=Area.Kind.LOCAL_AUTHORITY,
        provider=police,
        breakdowns=["sex", "ethnicity"],
        by=SYSTEM,
    )


@pytest.fixture
def homicides(police, areas) -> Indicator:
    """Police, monthly count, force area, no breakdowns."""
    return services.indicator_create(
        code="HOM",
        name="Homicides",
        unit=Indicator.Unit.COUNT,
        polarity=Indicator.Polarity.LOWER_IS_BETTER,
        frequency=Indicator.Frequency.MONTHLY,
        geography=Area.Kind.FORCE_AREA,
        provider=police,
        by=SYSTEM,
    )


@pytest.fixture
def reoffending(probation, areas) -> Indicator:
    """Probation, quarterly percentage, force area."""
    return services.indicator_create(
        code="REOFF",
        name="Proven reoffending",
        unit=Indicator.Unit.PERCENTAGE,
        polarity=Indicator.Polarity.LOWER_IS_BETTER,
        frequency=Indicator.Frequency.QUARTERLY,
        geography=Area.Kind.FORCE_AREA,
        provider=probation,
        by=SYSTEM,
    )


@pytest.fixture
def juvenile(probation, areas) -> Indicator:
    """Probation, annual (April to March) percentage, force area."""
    return services.indicator_create(
        code="REOFF-JUV",
        name="Proven reoffending, children",
        unit=Indicator.Unit.PERCENTAGE,
        polarity=Indicator.Polarity.LOWER_IS_BETTER,
        frequency=Indicator.Frequency.ANNUAL,
        geography=Area.Kind.FORCE_AREA,
        provider=probation,
        by=SYSTEM,
    )


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
