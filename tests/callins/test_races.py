"""At the same moment (PostgreSQL, real threads): PCC decisions take consecutive numbers, and a call-in is
determined once."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from callins import services
from callins.models import CallIn, PccDecision
from tests.factories import just_now
from tests.targets.test_plan_races import run_together

from .conftest import LOGGED_ON, draft

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_pcc_decisions_signed_at_once_take_twenty_consecutive_numbers(pcc, pcc_officer):
    drafts = [
        services.pcc_decision_draft(by=pcc_officer, title=f"Decision {n}", summary="S", reasons="R") for n in range(20)
    ]
    User = get_user_model()

    def sign(decision_id):
        def call():
            decision = PccDecision.objects.get(pk=decision_id)
            return services.pcc_decision_sign(
                decision=decision, by=User.objects.get(pk=pcc.pk), confirmed_at=just_now()
            )

        return call

    results = run_together(*(sign(d.pk) for d in drafts))
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(PccDecision.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 21))
    assert len(set(PccDecision.objects.values_list("year", flat=True))) == 1


def test_ten_determinations_of_one_call_in_at_once_give_exactly_one(
    decision, pcc, pcc_officer, grounds, police_officer, police_signatory
):
    callin = draft(decision, pcc_officer, grounds)
    services.callin_issue(callin=callin, by=pcc, confirmed_at=just_now(), today=LOGGED_ON)
    services.callin_response_save(callin=callin, by=police_officer, response_text="Vans.")
    services.callin_submit(callin=callin, by=police_signatory, confirmed_at=just_now())
    User = get_user_model()

    def determine(n):
        def call():
            return services.callin_determine(
                callin=CallIn.objects.get(pk=callin.pk),
                by=User.objects.get(pk=pcc.pk),
                outcome="stands" if n % 2 else "referred_back",
                reasons=f"Reasons {n}",
                recommendations="Consult the courts.",
                confirmed_at=just_now(),
            )

        return call

    results = run_together(*(determine(n) for n in range(10)))
    done = [r for r in results if isinstance(r, CallIn)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(done) == 1 and len(refused) == 9, results
    assert all("response can be determined" in r.messages[0] for r in refused)
    assert PccDecision.objects.filter(kind=PccDecision.Kind.CALLIN_DETERMINATION).count() == 1
