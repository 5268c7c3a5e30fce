"""The demo seed: a mix of statuses, synthetic figures marked as such, and nothing changed on a second run."""

from __future__ import annotations

import pytest

from portal.demo import seed_all
from portal.models import AuditEvent
from targets import rules as target_rules
from targets.models import Observation, PartnerRemit, Priority, Target
from targets.selectors import with_status


@pytest.mark.django_db
def test_the_demo_seed_is_complete_and_idempotent():
    seed_all()
    events, figures = AuditEvent.objects.count(), Observation.objects.count()
    seed_all()
    assert (AuditEvent.objects.count(), Observation.objects.count()) == (events, figures)

    assert Priority.objects.count() == 5
    assert all(p.targets.exists() for p in Priority.objects.all())
    assert figures > 1000 and not Observation.objects.filter(is_demo=False).exists()
    assert Observation.objects.first().source_label == "Synthetic demo data"
    assert PartnerRemit.objects.filter(partner__slug="bsol-icb").count() == 4
    from django.contrib.auth import get_user_model

    statuses = {
        t.status for t in with_status(get_user_model().objects.get(username="pcc.officer"), Target.objects.all())
    }
    assert statuses == {"on_track", "at_risk", "off_track", "no_data"}


@pytest.mark.django_db
def test_each_youth_justice_service_shares_its_first_time_entrants_with_the_police():
    from django.contrib.auth import get_user_model
    from django.db.models import Sum

    from partners.demo import LOCAL_AUTHORITIES
    from partners.models import DataSharingAgreement
    from portal import permissions
    from targets.models import Indicator

    seed_all()
    User = get_user_model()
    police, probation = User.objects.get(username="police.officer"), User.objects.get(username="probation.officer")
    own_service, other_service = (
        User.objects.get(username="yjs.birmingham.officer"),
        User.objects.get(username="yjs.coventry.officer"),
    )
    codes = {
        Indicator.objects.get(code=f"YJS-FTE-{name[:3].upper()}").pk: (code, name) for code, name in LOCAL_AUTHORITIES
    }
    for indicator in Indicator.objects.filter(pk__in=codes).select_related("provider"):
        area_code, name = codes[indicator.pk]
        assert indicator.provider.slug == f"{name.lower()}-yjs"
        assert indicator.breakdowns == ["age_band", "sex", "ethnicity"]
        figures = Observation.objects.filter(indicator=indicator)
        assert set(figures.values_list("area__code", flat=True)) == {area_code}
        assert figures.filter(breakdown_key="").count() >= 11  # 36 months of quarters
        latest = figures.filter(breakdown_key="").latest("period_start")
        for dimension in ("age_band", "sex", "ethnicity"):
            split = figures.filter(period_start=latest.period_start, breakdown_key__startswith=f"{dimension}=")
            assert split.aggregate(total=Sum("value"))["total"] == latest.value
        # (the board's performance framework shares the same indicator's totals with the OPCC as well)
        agreement = DataSharingAgreement.objects.exclude(title__startswith="LCJB performance framework").get(
            coverage__indicator=indicator
        )
        assert agreement.status == DataSharingAgreement.Status.ACTIVE and agreement.allows_breakdowns
        assert agreement.provider == indicator.provider
        assert [p.slug for p in agreement.recipients.all()] == ["west-midlands-police"]
        assert permissions.can(police, target_rules.INDICATOR_BREAKDOWNS_VIEW, indicator)
        assert not permissions.can(probation, target_rules.INDICATOR_DATA_VIEW, indicator)
    birmingham = Indicator.objects.get(code="YJS-FTE-BIR")
    assert permissions.can(own_service, target_rules.INDICATOR_BREAKDOWNS_VIEW, birmingham)
    assert not permissions.can(other_service, target_rules.INDICATOR_DATA_VIEW, birmingham)
    assert not permissions.can(probation, target_rules.INDICATOR_BREAKDOWNS_VIEW, birmingham)
    # The police's own area-wide rate still goes to the services, who own targets on it.
    assert permissions.can(own_service, target_rules.INDICATOR_BREAKDOWNS_VIEW, Indicator.objects.get(code="FTE10-17"))


@pytest.mark.django_db
def test_the_board_chair_sees_every_targeted_indicators_totals_through_the_performance_framework():
    from django.contrib.auth import get_user_model

    from partners.models import DataSharingAgreement
    from portal import permissions
    from portal.demo import seed_all
    from targets import rules
    from targets.models import Indicator, Target

    seed_all()
    chair = get_user_model().objects.get(username="board.chair")
    targeted = Indicator.objects.filter(pk__in=Target.objects.values("indicator_id")).exclude(provider__slug="opcc")
    assert targeted.exists()
    for indicator in targeted:
        assert permissions.can(chair, rules.INDICATOR_DATA_VIEW, indicator), indicator.code
        assert not permissions.can(chair, rules.INDICATOR_BREAKDOWNS_VIEW, indicator), indicator.code
    framework = DataSharingAgreement.objects.filter(title__startswith="LCJB performance framework")
    assert framework.count() == targeted.values("provider").distinct().count()
    assert set(framework.values_list("status", flat=True)) == {DataSharingAgreement.Status.ACTIVE}
