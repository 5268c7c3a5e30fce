"""The benchmark data generator (manage.py bench_data): counts in proportion to the scale, every figure's
indicator with the same share, and the benchmark viewers seeing a tenth of the figures through agreements."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import DataSharingAgreement, Membership, Partner
from portal import permissions
from targets import rules, selectors
from targets.bench.shape import (
    FULL_SCALE,
    MINIMUM,
    VIEWER_PARTNER_SLUG,
    VIEWER_USERNAMES,
    counts_at,
    visible_indicator_count,
)
from targets.models import Indicator, Observation, Target, TargetSnapshot
from tests.factories import make_partner

SCALE = 0.002  # (2,000 observations, 4 targets, 10 people: the least of each, MINIMUM, applies to most)


def test_the_counts_are_in_proportion_to_the_scale_and_never_below_the_least():
    assert counts_at(1) == FULL_SCALE
    assert counts_at(0.5) == {name: n // 2 for name, n in FULL_SCALE.items()}
    assert counts_at(0.05) == {
        "partners": 12,  # (3 at a twentieth: the least is 12)
        "indicators": 20,  # (15)
        "targets": 100,
        "observations": 50_000,
        "users": 250,
        "agreements": 15,
    }
    assert counts_at(0.000001) == MINIMUM
    with pytest.raises(ValueError):
        counts_at(0)


@pytest.fixture
def generated(db):
    out = StringIO()
    call_command("bench_data", scale=SCALE, stdout=out)
    return out.getvalue()


def test_it_makes_what_the_scale_asks_for(generated):
    expected = counts_at(SCALE)
    assert Partner.objects.count() == expected["partners"]
    assert Indicator.objects.count() == expected["indicators"]
    assert Target.objects.count() == expected["targets"] == TargetSnapshot.objects.count()
    assert Observation.objects.count() == expected["observations"]
    assert get_user_model().objects.count() == expected["users"] == Membership.objects.count()
    assert DataSharingAgreement.objects.count() == expected["agreements"]
    per_indicator = Observation.objects.values("indicator").distinct().count()
    assert per_indicator == expected["indicators"]  # every indicator has its share of the figures
    assert "observations" in generated and "snapshots" in generated


def test_the_viewers_may_see_a_tenth_of_the_figures_through_active_agreements(generated):
    viewers = Partner.objects.get(slug=VIEWER_PARTNER_SLUG)
    people = get_user_model().objects.filter(username__in=VIEWER_USERNAMES)
    assert people.count() == len(VIEWER_USERNAMES)
    assert TOTPDevice.objects.filter(user__in=people, confirmed=True).count() == len(VIEWER_USERNAMES)
    viewer = people.get(username=VIEWER_USERNAMES[0])
    seen = selectors.observations_visible_to(user=viewer).count()
    assert seen == Observation.objects.count() // 10
    shared = permissions.visible(viewer, rules.INDICATOR_DATA_VIEW, Indicator.objects.all())
    assert shared.count() == visible_indicator_count(Indicator.objects.count())
    assert not shared.filter(provider=viewers).exists()  # (it provides none: all it sees is shared with it)
    active = DataSharingAgreement.objects.filter(recipients=viewers, status=DataSharingAgreement.Status.ACTIVE)
    assert set(shared) == {c.indicator for a in active for c in a.coverage.all()}
    others = DataSharingAgreement.objects.filter(recipients=viewers).exclude(status=DataSharingAgreement.Status.ACTIVE)
    assert others.exists()  # (agreements that give nothing: awaiting signatures, suspended, ended or draft)


def test_the_pcc_office_sees_every_figure_and_a_provider_its_own(generated):
    pcc = get_user_model().objects.get(username="bench-pcc")
    assert selectors.observations_visible_to(user=pcc).count() == Observation.objects.count()
    provider = Partner.objects.get(slug="bench-partner-001")
    officer = get_user_model().objects.filter(memberships__partner=provider).first()
    own = Observation.objects.filter(provider=provider).count()
    assert own and selectors.observations_visible_to(user=officer).count() >= own


def test_it_refuses_a_database_with_anyone_in_it(db):
    make_partner("someone-real")
    with pytest.raises(CommandError, match="new database"):
        call_command("bench_data", scale=SCALE, stdout=StringIO())
    assert not Observation.objects.exists()
