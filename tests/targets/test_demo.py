"""The demo seed: a mix of statuses, synthetic figures marked as such, and nothing changed on a second run."""
from __future__ import annotations

import pytest

from portal.demo import seed_all
from portal.models import AuditEvent
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

    statuses = {t.status for t in with_status(get_user_model().objects.get(username="pcc.officer"),
                                              Target.objects.all())}
    assert statuses == {"on_track", "at_risk", "off_track", "no_data"}
