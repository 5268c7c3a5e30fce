"""Sign-offs at the same moment (PostgreSQL, real threads): one decision per partner per version."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from partners.models import Partner, Role
from targets.plans import services
from targets.plans.models import Plan, PlanSignOff, PlanVersion
from tests.factories import SYSTEM, make_partner, make_person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 — the test looks at what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_twenty_simultaneous_sign_offs_for_one_partner_record_exactly_one_decision(police, probation):
    signatories = [make_person(police, Role.SIGNATORY) for _ in range(20)]
    make_person(probation, Role.SIGNATORY)
    plan = services.plan_create(
        kind=Plan.Kind.DELIVERY,
        title="Race plan",
        owner=police,
        contributors=[probation],
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
        by=SYSTEM,
        sections=[("One", "Text", None)],
    )
    version = plan.versions.get()
    services.plan_version_send(version=version, by=SYSTEM, working_days=10)
    signoff_id = PlanSignOff.objects.get(version=version, partner=police).pk
    User = get_user_model()

    def decide(n, user_id):
        def call():
            signoff = PlanSignOff.objects.get(pk=signoff_id)
            user = User.objects.get(pk=user_id)
            if n % 2:
                return services.plan_signoff_return(
                    signoff=signoff, by=user, reasons=f"Reasons {n}", confirmed_at=timezone.now()
                )
            return services.plan_signoff_sign(signoff=signoff, by=user, confirmed_at=timezone.now())

        return call

    results = run_together(*(decide(n, person.pk) for n, person in enumerate(signatories)))
    decided = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(decided) == 1, results
    assert len(refused) == 19, [r for r in results if isinstance(r, Exception) and not isinstance(r, ValidationError)]
    assert all("already" in r.messages[0] or "no longer waiting" in r.messages[0] for r in refused)
    signoff = PlanSignOff.objects.get(pk=signoff_id)
    assert signoff.status in (PlanSignOff.Status.SIGNED, PlanSignOff.Status.RETURNED)
    assert PlanSignOff.objects.filter(version=version, partner=police).count() == 1
    # a return made exactly one new draft; a sign-off left the round open
    open_versions = PlanVersion.objects.filter(plan=plan, status__in=PlanVersion.OPEN_STATUSES).count()
    assert open_versions == 1


def _sender(version_id: int, user_id: int):
    def send():
        user = get_user_model().objects.get(pk=user_id)
        return services.plan_version_send(version=PlanVersion.objects.get(pk=version_id), by=user, working_days=10)

    return send


def _adder(plan_id: int, user_id: int, contributors):
    def add():
        user = get_user_model().objects.get(pk=user_id)
        return services.plan_update(plan=Plan.objects.get(pk=plan_id), by=user, contributors=contributors)

    return add


def test_a_change_of_contributors_racing_a_send_gives_one_winner(police, probation, opcc):
    """Tried in the review: both were accepted in 5 rounds of 6, and the version went out without the new
    contributor, to a signatory who then got 404. Sending locks the plan; so does a change of its details."""
    council = make_partner("birmingham-council", Partner.Kind.LOCAL_AUTHORITY, "Birmingham City Council")
    officer = make_person(police, Role.OFFICER)
    for partner in (police, probation, council):
        make_person(partner, Role.SIGNATORY)
    for attempt in range(6):
        plan = services.plan_create(
            kind=Plan.Kind.DELIVERY,
            title=f"Race plan {attempt}",
            owner=police,
            contributors=[probation],
            period_start=date(2026, 4, 1),
            period_end=date(2027, 3, 31),
            by=SYSTEM,
            sections=[("One", "Text", None)],
        )
        version = plan.versions.get()
        results = run_together(_sender(version.pk, officer.pk), _adder(plan.pk, officer.pk, [probation, council]))
        version.refresh_from_db()
        signing = set(version.signoffs.values_list("partner__slug", flat=True))
        recorded = set(version.contributors.values_list("slug", flat=True))
        if isinstance(results[1], Exception):  # the send won: the change is refused, as the version is out
            assert isinstance(results[1], ValidationError) and "not a draft" in results[1].messages[0]
            assert signing == {"west-midlands-police", "probation-west-midlands"} and recorded == {
                "probation-west-midlands"
            }
        else:  # the change won: the version went out with the new contributor
            assert not isinstance(results[0], Exception), results
            assert signing == {"west-midlands-police", "probation-west-midlands", "birmingham-council"}
            assert recorded == {"probation-west-midlands", "birmingham-council"}
        assert version.status == PlanVersion.Status.IN_SIGNOFF
