"""The demo's call-ins are what the issue asks for, dated so that "overdue" is true on the day it is seeded."""

from __future__ import annotations

import pytest
from django.utils import timezone

from callins.models import Appointment, CallIn, PartnerDecision, PccDecision
from portal.demo import seed_all

pytestmark = pytest.mark.django_db
C = CallIn.Status


@pytest.fixture
def seeded():
    seed_all()
    return timezone.localdate()


def test_the_demo_has_every_stage_of_a_call_in(seeded):
    by_partner = {c.partner.slug: c for c in CallIn.objects.select_related("partner")}
    assert by_partner["probation-west-midlands"].status == C.ISSUED
    assert by_partner["probation-west-midlands"].response_due >= seeded
    assert by_partner["cps-west-midlands"].status == C.ISSUED
    assert by_partner["cps-west-midlands"].response_due < seeded  # overdue
    assert by_partner["coventry-yjs"].status == C.REFERRED_BACK and by_partner["coventry-yjs"].reconsider_by >= seeded
    assert by_partner["west-midlands-vrp"].status == C.WITHDRAWN


def test_the_demo_has_decisions_in_and_out_of_their_window(seeded):
    police = PartnerDecision.objects.get(partner__slug="west-midlands-police")
    council = PartnerDecision.objects.get(partner__slug="birmingham-council")
    assert police.window_open(seeded) and not CallIn.objects.filter(decision=police).exists()
    assert not council.window_open(seeded) and council.why_not_in_effect(seeded) == ""


def test_the_demo_has_published_pcc_decisions_one_confidential_and_numbered_in_date_order(seeded):
    signed = list(PccDecision.objects.filter(status=PccDecision.Status.SIGNED).order_by("year", "number"))
    assert len(signed) >= 5 and any(d.confidential for d in signed)
    dates = [d.signed_at for d in signed]
    assert dates == sorted(dates)
    assert PccDecision.objects.filter(status=PccDecision.Status.DRAFT).count() == 1


def test_the_demo_appointment_waits_for_the_pccs_view(seeded):
    appointment = Appointment.objects.get()
    assert appointment.stage == Appointment.Stage.PCC_CONSULTED and appointment.view_due > seeded


def test_seeding_again_changes_nothing(seeded):
    counts = (PartnerDecision.objects.count(), CallIn.objects.count(), PccDecision.objects.count())
    seed_all()
    assert (PartnerDecision.objects.count(), CallIn.objects.count(), PccDecision.objects.count()) == counts
