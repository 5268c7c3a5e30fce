"""Fixtures for the targets tests: areas, indicators and helpers to build returns and figures."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partners.models import Area
from targets import services
from targets.models import Indicator, Observation

FORCE = "E23000014"
BIRMINGHAM = "E08000025"
COVENTRY = "E08000026"
HEADER = "indicator_code,area_code,period_start,period_end,value,numerator,denominator,age_band,sex,ethnicity"


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
        code="SV-1000", name="Serious violence per 1,000", unit=Indicator.Unit.RATE_1000,
        polarity=Indicator.Polarity.LOWER_IS_BETTER, frequency=Indicator.Frequency.MONTHLY,
        geography=Area.Kind.LOCAL_AUTHORITY, provider=police, breakdowns=["sex", "ethnicity"])


@pytest.fixture
def homicides(police, areas) -> Indicator:
    """Police, monthly count, force area, no breakdowns."""
    return services.indicator_create(
        code="HOM", name="Homicides", unit=Indicator.Unit.COUNT, polarity=Indicator.Polarity.LOWER_IS_BETTER,
        frequency=Indicator.Frequency.MONTHLY, geography=Area.Kind.FORCE_AREA, provider=police)


@pytest.fixture
def reoffending(probation, areas) -> Indicator:
    """Probation, quarterly percentage, force area."""
    return services.indicator_create(
        code="REOFF", name="Proven reoffending", unit=Indicator.Unit.PERCENTAGE,
        polarity=Indicator.Polarity.LOWER_IS_BETTER, frequency=Indicator.Frequency.QUARTERLY,
        geography=Area.Kind.FORCE_AREA, provider=probation)


@pytest.fixture
def juvenile(probation, areas) -> Indicator:
    """Probation, annual (April to March) percentage, force area."""
    return services.indicator_create(
        code="REOFF-JUV", name="Proven reoffending, children", unit=Indicator.Unit.PERCENTAGE,
        polarity=Indicator.Polarity.LOWER_IS_BETTER, frequency=Indicator.Frequency.ANNUAL,
        geography=Area.Kind.FORCE_AREA, provider=probation)


def csv_file(*rows: str, header: str = HEADER, name: str = "return.csv") -> SimpleUploadedFile:
    body = "\n".join([header, *rows]) + "\n"
    return SimpleUploadedFile(name, body.encode(), content_type="text/csv")


def xlsx_file(rows: list[list], name: str = "return.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def observe(indicator: Indicator, area: Area, start: date, end: date, value, *, key: str = "",
            breakdown: dict | None = None, revision: int = 1, is_current: bool = True) -> Observation:
    """A figure put straight in the table (for reads; writes go through the services)."""
    return Observation.objects.create(
        indicator=indicator, area=area, period_start=start, period_end=end, breakdown_key=key,
        breakdown=breakdown or {}, value=Decimal(str(value)), provider=indicator.provider, revision=revision,
        is_current=is_current)


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
