"""At the same moment (PostgreSQL, real threads): twenty awards against a fund that can afford five make
exactly five, and what the fund has available never drops below zero."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from callins.models import PccDecision
from funding import services
from funding.models import Application, Award, Fund
from tests.factories import just_now
from tests.targets.test_plan_races import run_together

from .conftest import AWARD_DAY, apply

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_awards_at_once_against_a_fund_for_five_make_exactly_five(
    fund, round_, organisation, victims_officer, pcc, pcc_officer
):
    applications = [
        apply(round_, organisation, victims_officer, amount="20000.00", title=f"Project {n}") for n in range(20)
    ]
    services.round_close_for_applications(round_=round_, by=pcc_officer)
    User = get_user_model()
    seen: list[Decimal] = []

    def make(application_id):
        def call():
            return services.award_make(
                application=Application.objects.get(pk=application_id),
                by=User.objects.get(pk=pcc.pk),
                amount="20000.00",
                instalments=[(date(2027, 3, 1), "20000.00")],
                reasons="Strong need.",
                confirmed_at=just_now(),
                today=AWARD_DAY,
            )

        return call

    def watch():
        try:
            for _ in range(200):
                row = Fund.objects.values("budget", "income_total", "committed").get(pk=fund.pk)
                seen.append(row["budget"] + row["income_total"] - row["committed"])
                time.sleep(0.01)
        finally:
            connection.close()

    results = run_together(watch, *(make(a.pk) for a in applications))[1:]
    made = [r for r in results if isinstance(r, Award)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 5 and len(refused) == 15, results
    assert all("available" in r.message_dict["amount"][0] for r in refused)
    fund.refresh_from_db()
    assert fund.committed == Decimal("100000.00") and fund.available == Decimal("0.00")
    assert seen and min(seen) >= 0
    assert Award.objects.count() == 5
    assert sorted(PccDecision.objects.filter(kind=PccDecision.Kind.FUNDING_AWARD).values_list("number", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert Application.objects.filter(status=Application.Status.AWARDED).count() == 5
