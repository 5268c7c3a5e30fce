"""The demo's plans are what the issue asks for, and the notifications they sent are dated when they were sent."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from partners.selectors import partners_without_signers
from portal.demo import seed_all
from portal.models import Notification
from portal.working_days import is_working_day
from targets.plans import services
from targets.plans.demo import STRATEGIC_TITLE, delivery_title
from targets.plans.models import Plan, PlanAction, PlanSection, PlanSignOff, PlanVersion
from tests.factories import just_now

V, S = PlanVersion.Status, PlanSignOff.Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    seed_all()
    return timezone.localdate()


def test_the_strategic_plan_was_agreed_last_year_with_every_signature(seeded):
    plan = Plan.objects.get(title=STRATEGIC_TITLE)
    version = plan.versions.get()
    assert (plan.kind, plan.owner, version.status) == (Plan.Kind.STRATEGIC, None, V.AGREED)
    assert version.agreed_at.year == seeded.year - 1
    signoffs = list(version.signoffs.all())
    assert len(signoffs) >= 5 and {s.status for s in signoffs} == {S.SIGNED}
    assert all(s.decided_at <= version.agreed_at and s.decided_by_label for s in signoffs)


def test_the_delivery_plan_is_in_sign_off_with_one_return_and_one_overdue(seeded):
    plan = Plan.objects.get(title=delivery_title(seeded))
    first, second = plan.versions.order_by("number")
    assert (first.status, second.status) == (V.RETURNED, V.IN_SIGNOFF)
    returned = first.signoffs.get(status=S.RETURNED)
    assert returned.partner.slug == "probation-west-midlands" and "funding" in returned.reasons
    statuses = dict(second.signoffs.values_list("partner__slug", "status"))
    assert statuses.pop("birmingham-yjs") == S.PENDING
    assert set(statuses.values()) == {S.SIGNED}
    assert second.signoffs.get(partner__slug="birmingham-yjs").due < seeded  # overdue
    actions = list(PlanAction.objects.filter(version=second))
    assert {a.status for a in actions} == {"done", "in_progress", "not_started"}
    assert any(a.is_late() for a in actions) and not all(a.is_late() for a in actions)


def test_what_the_demo_sent_is_dated_when_it_happened_and_this_mornings_reminder_waits(seeded):
    User = get_user_model()
    signatory = User.objects.get(username="yjs.birmingham.signatory")
    plan = Plan.objects.get(title=delivery_title(seeded))
    first, second = plan.versions.order_by("number")
    mine = Notification.objects.filter(user=signatory)
    now = timezone.now()
    assert not Notification.objects.filter(created_at__gt=now).exists()
    # Version 1 was sent weeks ago and has been read; version 2's request and the reminder wait.
    sent_first = mine.get(kind="plan.signoff_requested", url=first.get_absolute_url())
    assert sent_first.created_at == first.sent_at and sent_first.read_at is not None
    sent_second = mine.get(kind="plan.signoff_requested", url=second.get_absolute_url())
    assert sent_second.created_at == second.sent_at and sent_second.read_at is None
    # This morning's reminder, as beat sends it: on working days only.
    reminders = mine.filter(kind="plan.signoff_due")
    if is_working_day(seeded):
        reminder = reminders.get()
        assert reminder.read_at is None and timezone.localdate(reminder.created_at) == seeded
        assert "was due on" in reminder.title
    else:
        assert not reminders.exists()
    # Last year's agreement was long seen by everyone.
    strategic = Plan.objects.get(title=STRATEGIC_TITLE).versions.get()
    old = Notification.objects.filter(url__startswith=strategic.plan.get_absolute_url())
    assert old.exists() and not old.filter(read_at__isnull=True).exists()
    assert all(n.created_at.year == seeded.year - 1 for n in old)
    # Seeding again the same day sends nothing more.
    count = Notification.objects.count()
    seed_all()
    assert Notification.objects.count() == count


def test_every_version_was_started_before_it_was_sent_and_written_before_it_went_out(seeded):
    for version in PlanVersion.objects.exclude(sent_at=None):
        assert version.created_at <= version.sent_at, version
        for section in version.sections.all():
            assert section.updated_at <= version.sent_at, (version, section.title)


def test_every_partner_the_demo_plans_need_has_someone_who_can_sign(seeded):
    for version in PlanVersion.objects.exclude(sent_at=None):
        partners = [s.partner for s in version.signoffs.select_related("partner")]
        assert partners_without_signers(partners) == [], version


def _person(username):
    return get_user_model().objects.get(username=username)


def test_the_demo_delivery_plan_is_agreed_when_its_last_signatory_signs(seeded):
    second = Plan.objects.get(title=delivery_title(seeded)).versions.get(number=2)
    pending = second.signoffs.get(status=S.PENDING)
    services.plan_signoff_sign(signoff=pending, by=_person("yjs.birmingham.signatory"), confirmed_at=just_now())
    second.refresh_from_db()
    assert second.status == V.AGREED


def test_a_returned_demo_plan_goes_round_again_to_agreed_with_the_demo_people(seeded):
    plan = Plan.objects.get(title=delivery_title(seeded))
    second = plan.versions.get(number=2)
    third = services.plan_signoff_return(
        signoff=second.signoffs.get(status=S.PENDING),
        by=_person("yjs.birmingham.signatory"),
        reasons="Say who screens the children who come to notice out of hours.",
        confirmed_at=just_now(),
    )
    services.plan_version_send(version=third, by=_person("police.officer"), working_days=10)
    signers = {
        "west-midlands-police": "police.signatory",
        "probation-west-midlands": "probation.signatory",
        "west-midlands-vrp": "vrp.signatory",
        "birmingham-council": "council.birmingham.signatory",
        "birmingham-yjs": "yjs.birmingham.signatory",
    }
    signoffs = list(third.signoffs.select_related("partner"))
    assert {s.partner.slug for s in signoffs} == set(signers)
    for signoff in signoffs:
        services.plan_signoff_sign(signoff=signoff, by=_person(signers[signoff.partner.slug]), confirmed_at=just_now())
    third.refresh_from_db()
    assert third.status == V.AGREED
    assert PlanSection.objects.filter(version=third).count() == second.sections.count()
