"""A police decision and the people around it: the PCC office, the police's officer and signatory, another partner."""

from __future__ import annotations

from datetime import date

import pytest

from callins import services
from callins.models import CallInGround
from partners.models import Role
from tests.factories import SYSTEM, make_person

# A Monday; the 5 working days after it cross Christmas and the Boxing Day holiday (28 December 2026).
LOGGED_ON = date(2026, 12, 21)


@pytest.fixture
def grounds(db):
    return [
        CallInGround.objects.create(name=name, order=n)
        for n, name in enumerate(
            [
                "Outside the agreed strategic plan",
                "Conflicts with a board target",
                "Value for money",
                "Equality impact",
                "Insufficient consultation",
            ]
        )
    ]


@pytest.fixture
def probation_officer_person(probation):
    return make_person(probation, Role.OFFICER, "probation.officer")


@pytest.fixture
def decision(police, police_officer, police_signatory, opcc, pcc, pcc_officer, grounds):
    return services.decision_log(
        partner=police,
        by=police_officer,
        reference="WMP-2026-031",
        title="Close the Digbeth custody suite",
        summary="Custody moves to Perry Barr and Oldbury.",
        reasons="The building is at the end of its life.",
        alternatives="Refurbish it.",
        decision_maker_name="Claire Bennett",
        decision_maker_post="Assistant Chief Constable",
        made_on=date(2026, 12, 18),
        takes_effect_on=date(2027, 2, 1),
        category="estates",
        financial_value="1250000.00",
        today=LOGGED_ON,
    )


def draft(decision, pcc_officer, grounds, **extra):
    return services.callin_draft(
        decision=decision,
        by=pcc_officer,
        grounds=grounds[:2],
        questions="How will detainees from the city centre be transported?",
        today=LOGGED_ON,
        **extra,
    )


__all__ = ["SYSTEM", "draft", "LOGGED_ON"]
