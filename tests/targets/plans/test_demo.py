"""The demo's plans are what the issue asks for, and the notifications they sent are dated when they were sent."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from portal.demo import seed_all
from portal.models import Notification
from targets.plans.demo import DELIVERY_TITLE, STRATEGIC_TITLE
from targets.plans.models import Plan, PlanAction, PlanSignOff, PlanVersion

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
    plan = Plan.objects.get(title=DELIVERY_TITLE)
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
    plan = Plan.objects.get(title=DELIVERY_TITLE)
    first, second = plan.versions.order_by("number")
    mine = Notification.objects.filter(user=signatory)
    now = timezone.now()
    assert not Notification.objects.filter(created_at__gt=now).exists()
    # Version 1 was sent weeks ago and has been read; version 2's request and the reminder wait.
    sent_first = mine.get(kind="plan.signoff_requested", url=first.get_absolute_url())
    assert sent_first.created_at == first.sent_at and sent_first.read_at is not None
    sent_second = mine.get(kind="plan.signoff_requested", url=second.get_absolute_url())
    assert sent_second.created_at == second.sent_at and sent_second.read_at is None
    reminder = mine.get(kind="plan.signoff_due")
    assert reminder.read_at is None and timezone.localdate(reminder.created_at) == seeded
    assert "was due on" in reminder.title
    # Last year's agreement was long seen by everyone.
    strategic = Plan.objects.get(title=STRATEGIC_TITLE).versions.get()
    old = Notification.objects.filter(url__startswith=strategic.plan.get_absolute_url())
    assert old.exists() and not old.filter(read_at__isnull=True).exists()
    assert all(n.created_at.year == seeded.year - 1 for n in old)
    # Seeding again the same day sends nothing more.
    count = Notification.objects.count()
    seed_all()
    assert Notification.objects.count() == count
