"""Builders for data-sharing tests: indicators with figures, and agreements in any status."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from partners import services
from partners.models import Area, DataSharingAgreement, Partner
from targets.models import Indicator, Observation
from targets.services import indicator_create

DSA = DataSharingAgreement


def make_indicator(code: str, provider: Partner, *, breakdowns=("sex",),
                   geography=Area.Kind.LOCAL_AUTHORITY) -> Indicator:
    return indicator_create(code=code, name=f"{code} indicator", unit=Indicator.Unit.RATE_1000,
                            polarity=Indicator.Polarity.LOWER_IS_BETTER, frequency=Indicator.Frequency.MONTHLY,
                            geography=geography, provider=provider, breakdowns=list(breakdowns))


def add_figures(indicator: Indicator, area: Area, *, total: str = "1.2500", female: str = "0.5000",
                male: str = "2.0000", start: date = date(2026, 9, 1)) -> list[Observation]:
    """A total and a breakdown by sex for one month (test data, written directly)."""
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    rows = [({}, total), ({"sex": "Female"}, female), ({"sex": "Male"}, male)]
    return [Observation.objects.create(
        indicator=indicator, area=area, period_start=start, period_end=end, provider=indicator.provider,
        breakdown=values, breakdown_key=";".join(f"{k}={v}" for k, v in values.items()), value=Decimal(value))
        for values, value in rows]


def terms(**overrides) -> dict:
    today = timezone.localdate()
    base = dict(
        title="Recorded violence for community safety", purpose="Plan community safety work together",
        lawful_basis=DSA.LawfulBasis.PUBLIC_TASK, level=DSA.Level.AGGREGATE,
        retention="Kept for 2 years, then deleted", security_measures="Portal access with two factors",
        contacts="Data protection officers of each party", start_date=today - timedelta(days=10),
        end_date=today + timedelta(days=365), review_date=today + timedelta(days=180),
    )
    base.update(overrides)
    return base


def make_dsa(provider: Partner, recipients, indicators, *, status: str = DSA.Status.ACTIVE, by=None,
             as_of: date | None = None, **overrides) -> DataSharingAgreement:
    """An agreement taken through the services (as the system) to the status asked for; sent and
    signed as of a day (today unless given)."""
    agreement = services.dsa_draft(provider=provider, recipients=list(recipients), indicators=list(indicators),
                                   by=by, **terms(**overrides))
    if status == DSA.Status.DRAFT:
        return agreement
    services.dsa_send(agreement=agreement, by=None, today=as_of)
    if status == DSA.Status.AWAITING_SIGNATURES:
        return refreshed(agreement)
    for party in [provider, *recipients]:
        services.dsa_sign(agreement=agreement, by=None, partner=party, today=as_of)
    if status == DSA.Status.SUSPENDED:
        services.dsa_suspend(agreement=agreement, by=None, reason="Data quality check")
    elif status == DSA.Status.REVOKED:
        services.dsa_revoke(agreement=agreement, by=None, reason="No longer needed")
    elif status == DSA.Status.ENDED:
        services.dsa_end_if_expired(agreement_id=agreement.pk, today=agreement.end_date + timedelta(days=1))
    agreement = refreshed(agreement)
    assert agreement.status == status, agreement.status
    return agreement


def refreshed(agreement: DataSharingAgreement) -> DataSharingAgreement:
    return DataSharingAgreement.objects.get(pk=agreement.pk)


def step_up(user):
    """What require_step_up tells the services after a recent second factor."""
    user._cjp_step_up_ok = True
    return user
