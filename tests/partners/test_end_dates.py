"""Agreement end dates hold without the scheduler: access ends on the end date even if the nightly task
did not run; signing refuses an agreement past its end; a missed nightly run shows."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from partners.models import DataSharingAgreement
from partners.services import dsa_sign
from portal import permissions
from portal.models import ScheduledRun
from targets import rules as target_rules
from tests.conftest import signed_in
from tests.factories import SYSTEM, make_dsa, refreshed

DSA = DataSharingAgreement
pytestmark = pytest.mark.django_db


def _on(day):
    """Pretend today is `day` (the permissions engine reads today's date)."""
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def test_access_ends_on_the_end_date_even_if_the_nightly_task_never_runs(
    police, probation, probation_officer, violence
):
    agreement = make_dsa(police, [probation], [violence])
    assert permissions.can(probation_officer, target_rules.INDICATOR_DATA_VIEW, violence)
    with _on(agreement.end_date):
        probation_officer._cjp_seats = None
        assert permissions.can(probation_officer, target_rules.INDICATOR_DATA_VIEW, violence)  # the last day shared
    with _on(agreement.end_date + timedelta(days=1)):
        assert not permissions.can(probation_officer, target_rules.INDICATOR_DATA_VIEW, violence)
        from targets.models import Indicator

        visible = permissions.visible(probation_officer, target_rules.INDICATOR_DATA_VIEW, Indicator.objects.all())
        assert violence not in visible
    assert refreshed(agreement).status == DSA.Status.ACTIVE  # nothing ran: the grant itself ran out


def test_signing_refuses_an_agreement_past_its_end_date(police, probation, police_signatory, violence):
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    with pytest.raises(ValidationError, match="end date has passed"):
        dsa_sign(
            agreement=agreement,
            by=police_signatory,
            confirmed_at=timezone.now(),
            today=agreement.end_date + timedelta(days=1),
        )
    assert not refreshed(agreement).signatures.exists()


def test_a_missed_nightly_run_shows_on_healthz_and_to_the_pcc_office(pcc_officer):
    from portal.schedule import scheduled_run_done, scheduled_runs_sync

    scheduled_runs_sync()
    run = ScheduledRun.objects.get(name="partners.end_expired_dsas")
    # every other job on time (a flush after an earlier test may have made their rows minutes ago)
    ScheduledRun.objects.exclude(pk=run.pk).update(last_finished_at=timezone.now())
    ScheduledRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=3))
    body = Client().get("/healthz").json()
    assert body["status"] == "degraded"
    assert [late["job"] for late in body["scheduled_jobs_late"]] == ["partners.end_expired_dsas"]
    home = signed_in(pcc_officer).get("/").content.decode()
    assert "The nightly check of agreements&#39; start and end dates: has not run yet" in home
    scheduled_run_done(name="partners.end_expired_dsas", by=SYSTEM)
    assert Client().get("/healthz").json()["scheduled_jobs_late"] == []


def test_the_nightly_task_records_that_it_ran(db):
    from partners.tasks import end_expired_dsas

    end_expired_dsas.apply().get()
    assert ScheduledRun.objects.get(name="partners.end_expired_dsas").last_finished_at is not None
