"""Two people at once (PostgreSQL, real threads): one signature per partner; no grant left behind."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from partners import services
from partners.models import DataSharingAgreement, DsaSignature, Role
from portal import permissions
from targets import rules as target_rules
from tests.factories import just_now, make_dsa, make_person

DSA = DataSharingAgreement
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls) -> list:
    """Run the calls in threads started at the same moment; returns each one's result or exception."""
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
        thread.join(30)
    return results


def test_two_signatories_of_one_partner_signing_at_once_give_one_signature(police, probation, violence):
    from django.contrib.auth import get_user_model

    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.AWAITING_SIGNATURES)
    first, second = (make_person(police, Role.SIGNATORY) for _ in range(2))
    User = get_user_model()

    def sign(user_id):
        return lambda: services.dsa_sign(agreement=agreement, by=User.objects.get(pk=user_id), confirmed_at=just_now())

    results = run_together(sign(first.pk), sign(second.pk))
    assert sum(isinstance(r, DsaSignature) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert DsaSignature.objects.filter(agreement=agreement, partner=police).count() == 1


def test_agreements_suspended_at_once_leave_no_grant(police, probation, police_signatory, probation_officer, violence):
    from django.contrib.auth import get_user_model

    agreements = [make_dsa(police, [probation], [violence]) for _ in range(6)]
    User = get_user_model()

    def suspend(agreement):
        return lambda: services.dsa_suspend(
            agreement=agreement, reason="Checking", by=User.objects.get(pk=police_signatory.pk), confirmed_at=just_now()
        )

    results = run_together(*(suspend(a) for a in agreements))
    assert all(isinstance(r, DSA) for r in results), results
    assert not permissions.can(User.objects.get(pk=probation_officer.pk), target_rules.INDICATOR_DATA_VIEW, violence)
