"""A victims' services partner applying to the PCC's rape victim support fund, and the people around it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from funding import services
from funding.models import Fund
from partners.models import Partner, Role
from tests.factories import SYSTEM, just_now, make_partner, make_person

# A Monday in the round's open weeks; the round closes on Friday 29 January 2027.
TODAY = date(2026, 12, 7)
# A Monday: the round is in assessment and the Commissioner awards.
AWARD_DAY = date(2027, 2, 1)
SCHEDULE = [(date(2027, 2, 15), "15000.00"), (date(2027, 5, 4), "25000.00")]


@pytest.fixture
def victims(db) -> Partner:
    return make_partner("victims-services", Partner.Kind.VICTIM_SERVICES, "Victim Support West Midlands")


@pytest.fixture
def victims_officer(victims):
    return make_person(victims, Role.OFFICER, "victims.officer")


@pytest.fixture
def organisation(victims, victims_officer):
    return services.organisation_register(
        by=SYSTEM,
        name="Victim Support West Midlands",
        org_id="GB-CHC-1234567",
        partner=victims,
        charity_number="1234567",
    )


@pytest.fixture
def fund(opcc, pcc, pcc_officer) -> Fund:
    return services.fund_create(
        by=pcc_officer,
        name="Rape victim support",
        kind=Fund.Kind.RAPE_VICTIM_SUPPORT,
        financial_year=2026,
        budget="100000.00",
        ring_fenced=True,
    )


@pytest.fixture
def round_(fund, pcc_officer):
    made = services.round_create(
        fund=fund,
        by=pcc_officer,
        title="Independent sexual violence advisers 2026-27",
        eligibility="Registered charities supporting victims in the West Midlands.",
        opens_on=date(2026, 12, 1),
        closes_on=date(2027, 1, 29),
        max_award="50000.00",
        criteria=[("Need", 50), ("Deliverability", 30), ("Value for money", 20)],
    )
    return services.round_open(round_=made, by=pcc_officer, today=TODAY)


def apply(round_, organisation, by, *, amount="40000.00", title="ISVA service", submit=True):
    application = services.application_draft(
        round_=round_,
        organisation=organisation,
        by=by,
        project_title=title,
        summary="Two advisers for survivors referred by the police.",
        amount_asked=amount,
        budget_lines=[("Advisers' salaries", Decimal(amount) - Decimal("5000.00")), ("Training", "5000.00")],
        today=TODAY,
    )
    if submit:
        application = services.application_submit(application=application, by=by, meets_eligibility=True, today=TODAY)
    return application


@pytest.fixture
def application(round_, organisation, victims_officer):
    return apply(round_, organisation, victims_officer)


@pytest.fixture
def in_assessment(application, round_, pcc_officer):
    services.round_close_for_applications(round_=round_, by=pcc_officer)
    application.refresh_from_db()
    return application


def award(application, pcc, *, amount="40000.00", schedule=SCHEDULE, **extra):
    return services.award_make(
        application=application,
        by=pcc,
        amount=amount,
        instalments=[(d, a) for d, a in schedule],
        conditions="Quarterly returns of survivors supported.",
        reasons="Strong need and a proven provider.",
        confirmed_at=extra.pop("confirmed_at", just_now()),
        today=AWARD_DAY,
        **extra,
    )


__all__ = ["SYSTEM", "TODAY", "AWARD_DAY", "SCHEDULE", "apply", "award"]
