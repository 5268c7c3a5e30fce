"""The workflow mechanism checks itself: a transition is finished only on a row this transaction locked
through the workflow, and only from a state it starts from."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from portal.models import AuditEvent
from portal.workflow import holds_lock
from targets.plans.models import PlanVersion
from targets.plans.workflows import PLAN_VERSION_FLOW
from tests.factories import SYSTEM, latest_version, make_plan

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def draft(police, probation):
    return latest_version(make_plan(police, [probation]))


def test_finish_refuses_a_row_not_locked_in_this_transaction(draft):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match="locked"), transaction.atomic():
        PLAN_VERSION_FLOW.finish(draft, "send", by=SYSTEM, summary="Sent")
    draft.refresh_from_db()
    assert draft.status == PlanVersion.Status.DRAFT and AuditEvent.objects.count() == before


def test_a_lock_lasts_only_as_long_as_its_transaction(draft):
    with transaction.atomic():
        locked = PLAN_VERSION_FLOW.lock(draft)
        assert holds_lock(locked)
    with transaction.atomic():
        assert not holds_lock(locked)
        with pytest.raises(RuntimeError, match="locked"):
            PLAN_VERSION_FLOW.finish(locked, "send", by=SYSTEM, summary="Sent")


def test_a_lock_taken_in_a_savepoint_rolled_back_is_not_held(draft):
    with transaction.atomic():
        try:
            with transaction.atomic():
                PLAN_VERSION_FLOW.lock(draft)
                raise ValueError("roll the savepoint back")
        except ValueError:
            pass
        assert not holds_lock(draft)


def test_finish_refuses_a_state_the_transition_does_not_start_from(draft):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError), transaction.atomic():
        locked = PLAN_VERSION_FLOW.lock(draft)
        PLAN_VERSION_FLOW.finish(locked, "agree", by=SYSTEM, summary="Agreed")  # a draft is never agreed
    draft.refresh_from_db()
    assert draft.status == PlanVersion.Status.DRAFT and AuditEvent.objects.count() == before


def test_begin_without_its_own_lock_needs_the_row_locked_first(draft):
    with pytest.raises(RuntimeError, match="lock"), transaction.atomic():
        PLAN_VERSION_FLOW.begin("send", draft, by=SYSTEM, lock=False)


def test_a_transition_finished_properly_is_audited_once_against_the_plan(draft):
    with transaction.atomic():
        locked = PLAN_VERSION_FLOW.begin("send", draft, by=SYSTEM)
        PLAN_VERSION_FLOW.finish(locked, "send", by=SYSTEM, summary="Sent")
    events = AuditEvent.objects.filter(action="plan.send")
    assert events.count() == 1 and events.get().object_type == "targets.plan"
