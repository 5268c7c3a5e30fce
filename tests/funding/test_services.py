"""Devolved funds through their services: the fund's position to the penny, money never a float, refusals that
name the field, assessment without conflicts, awards through a signed PCC decision with step-up and never
beyond what the fund has, one audit event per action, and late spend returns reminded on working days only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from callins.models import PccDecision
from funding import selectors, services
from funding.models import Application, Award, Fund, SpendReturn
from partners.models import Role
from partners.services import membership_add
from portal.models import AuditEvent, Notification
from portal.security import StepUpRequired
from tests.factories import SYSTEM, just_now, make_person

from .conftest import TODAY, apply, award

pytestmark = pytest.mark.django_db
A = Application.Status


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- The fund's position ------------------------------------------------------------------------------
def test_the_position_adds_income_and_takes_awards_and_payments_to_the_penny(fund, in_assessment, pcc, pcc_officer):
    services.income_record(
        fund=fund, by=pcc_officer, source="Ministry of Justice grant", received_on=TODAY, amount="2500.55", today=TODAY
    )
    services.income_record(
        fund=fund, by=pcc_officer, source="Fines retained", received_on=TODAY, amount=Decimal("0.10"), today=TODAY
    )
    made = award(in_assessment, pcc)
    services.instalment_pay(
        instalment=made.instalments.first(), by=pcc_officer, paid_on=date(2027, 2, 15), today=date(2027, 2, 15)
    )
    fund.refresh_from_db()
    position = selectors.fund_position(fund)
    assert position.budget == Decimal("100000.00")
    assert position.income == Decimal("2500.65")
    assert position.means == Decimal("102500.65")
    assert position.committed == Decimal("40000.00")
    assert position.paid == Decimal("15000.00")
    assert position.available == Decimal("62500.65")
    assert all(isinstance(v, Decimal) for v in (position.means, position.available, position.paid))
    assert events("fund.income") == 2


def test_an_award_beyond_what_is_available_is_refused_naming_the_amount(
    fund, round_, organisation, victims_officer, pcc, pcc_officer
):
    first = apply(round_, organisation, victims_officer, amount="50000.00", title="One")
    second = apply(round_, organisation, victims_officer, amount="50000.00", title="Two")
    third = apply(round_, organisation, victims_officer, amount="50000.00", title="Three")
    services.round_close_for_applications(round_=round_, by=pcc_officer)
    schedule = [(date(2027, 3, 1), "50000.00")]
    award(first, pcc, amount="50000.00", schedule=schedule)
    award(second, pcc, amount="50000.00", schedule=schedule)
    with pytest.raises(ValidationError) as refused:
        award(third, pcc, amount="0.01", schedule=[(date(2027, 3, 1), "0.01")])
    assert field_errors(refused)["amount"] == ["Rape victim support 2026-27 has £0.00 available: it cannot award £0.01"]
    third.refresh_from_db()
    fund.refresh_from_db()
    assert third.status == A.IN_ASSESSMENT and fund.committed == Decimal("100000.00") and fund.available == 0
    assert PccDecision.objects.filter(kind=PccDecision.Kind.FUNDING_AWARD).count() == 2


def test_the_database_refuses_a_commitment_beyond_budget_and_income(fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(committed=F("budget") + F("income_total") + Decimal("0.01"))


# --- Money -----------------------------------------------------------------------------------------------
def test_money_is_never_a_float(opcc, pcc_officer, fund, round_, organisation, victims_officer):
    with pytest.raises(ValidationError) as refused:
        services.fund_create(
            by=pcc_officer, name="Fines", kind=Fund.Kind.FIXED_PENALTIES, financial_year=2026, budget=100.5
        )
    assert field_errors(refused) == {"budget": ["Give the budget as exact pounds and pence, not a float"]}
    with pytest.raises(ValidationError) as refused:
        services.income_record(fund=fund, by=pcc_officer, source="Fines", received_on=TODAY, amount=0.1, today=TODAY)
    assert "amount" in field_errors(refused)
    with pytest.raises(ValidationError) as refused:
        apply(round_, organisation, victims_officer, amount=40000.0, submit=False)
    assert field_errors(refused) == {
        "amount_asked": ["Give the amount asked for as exact pounds and pence, not a float"]
    }


@pytest.mark.parametrize("value", ["12.345", "-5.00", "0", "lots", "1e20"])
def test_money_must_be_pounds_and_pence_more_than_nothing(fund, pcc_officer, value):
    with pytest.raises(ValidationError) as refused:
        services.income_record(fund=fund, by=pcc_officer, source="Fines", received_on=TODAY, amount=value, today=TODAY)
    assert list(field_errors(refused)) == ["amount"]


# --- Applications ----------------------------------------------------------------------------------------
def test_an_application_asks_no_more_than_the_maximum_and_its_budget_adds_up(round_, organisation, victims_officer):
    with pytest.raises(ValidationError) as refused:
        apply(round_, organisation, victims_officer, amount="50000.01", submit=False)
    assert field_errors(refused) == {
        "amount_asked": ["The amount asked for must be £50,000.00 or less, the round's maximum"]
    }
    draft = apply(round_, organisation, victims_officer, submit=False)
    services.application_update(
        application=draft,
        by=victims_officer,
        project_title="ISVA service",
        summary="Two advisers.",
        amount_asked="40000.00",
        budget_lines=[("Salaries", "30000.00")],
        today=TODAY,
    )
    with pytest.raises(ValidationError) as refused:
        services.application_submit(application=draft, by=victims_officer, meets_eligibility=True, today=TODAY)
    assert "add up to £30,000.00" in field_errors(refused)["budget_lines"][0]
    with pytest.raises(ValidationError) as refused:
        services.application_submit(application=draft, by=victims_officer, meets_eligibility=False, today=TODAY)
    assert list(field_errors(refused)) == ["meets_eligibility"]


def test_applications_are_taken_only_while_the_round_is_open(round_, organisation, victims_officer, pcc_officer):
    draft = apply(round_, organisation, victims_officer, submit=False)
    with pytest.raises(ValidationError, match="is not open for applications"):
        services.application_submit(
            application=draft, by=victims_officer, meets_eligibility=True, today=date(2027, 1, 30)
        )
    services.round_close_for_applications(round_=round_, by=pcc_officer)
    with pytest.raises(ValidationError, match="is not open for applications"):
        services.application_submit(application=draft, by=victims_officer, meets_eligibility=True, today=TODAY)


def test_only_the_applicants_officers_draft_and_see_their_applications(
    round_, organisation, application, police_officer, pcc_officer, board_member, victims_officer
):
    with pytest.raises(PermissionDenied, match="apply for this organisation"):
        apply(round_, organisation, police_officer, submit=False)
    with pytest.raises(PermissionDenied):
        apply(round_, organisation, pcc_officer, submit=False)
    assert list(selectors.applications_visible_to(user=police_officer)) == []
    assert list(selectors.applications_visible_to(user=board_member)) == []
    assert list(selectors.applications_visible_to(user=victims_officer)) == [application]
    assert list(selectors.applications_visible_to(user=pcc_officer)) == [application]
    assert list(selectors.funds_visible_to(user=victims_officer)) == []
    assert list(selectors.funds_visible_to(user=board_member)) == [round_.fund]


def test_submitting_tells_the_pcc_office_and_audits_once(application, pcc_officer, pcc):
    assert application.status == A.SUBMITTED and application.submitted_at is not None
    assert events("application.draft") == 1 and events("application.submit") == 1
    assert set(Notification.objects.filter(kind="funding.application_submitted").values_list("user", flat=True)) == {
        pcc_officer.pk,
        pcc.pk,
    }


def test_an_org_id_must_be_in_360giving_form(opcc, pcc_officer):
    with pytest.raises(ValidationError) as refused:
        services.organisation_register(by=pcc_officer, name="Women's Aid", org_id="charity 1234")
    assert field_errors(refused) == {
        "org_id": ["Enter the organisation identifier in 360Giving's form, like GB-CHC-1234567"]
    }
    registered = services.organisation_register(by=pcc_officer, name="Women's Aid", org_id="GB-COH-01234567")
    assert registered.partner is None and events("organisation.register") == 1


# --- Assessment ----------------------------------------------------------------------------------------
def test_a_conflicted_assessor_cannot_score_and_their_scores_go(in_assessment, round_, pcc_officer):
    need = round_.criteria.get(name="Need")
    services.score_record(application=in_assessment, criterion=need, by=pcc_officer, score=4, rationale="Clear need")
    services.conflict_declare(application=in_assessment, by=pcc_officer, reason="My sister chairs its board")
    assert in_assessment.scores.count() == 0
    with pytest.raises(ValidationError, match="declared a conflict of interest"):
        services.score_record(application=in_assessment, criterion=need, by=pcc_officer, score=4, rationale="Again")
    assert events("application.conflict") == 1 and events("application.score") == 1


def test_the_applicants_own_people_cannot_score_it(in_assessment, round_, opcc, victims):
    assessor = make_person(opcc, Role.PCC_OFFICER, "seconded.assessor")
    membership_add(user=assessor, partner=victims, role=Role.OFFICER, by=SYSTEM)
    with pytest.raises(ValidationError, match="You work for Victim Support West Midlands"):
        services.score_record(
            application=in_assessment, criterion=round_.criteria.first(), by=assessor, score=3, rationale="R"
        )


@pytest.mark.parametrize("score", [0, 6, True, "3"])
def test_scores_run_from_one_to_five(in_assessment, round_, pcc_officer, score):
    with pytest.raises(ValidationError) as refused:
        services.score_record(
            application=in_assessment, criterion=round_.criteria.first(), by=pcc_officer, score=score, rationale="R"
        )
    assert field_errors(refused) == {"score": ["Give a score from 1 to 5"]}


def test_only_the_pcc_office_assesses(in_assessment, round_, victims_officer, board_member):
    for person in (victims_officer, board_member):
        with pytest.raises(PermissionDenied, match="assess applications"):
            services.score_record(
                application=in_assessment, criterion=round_.criteria.first(), by=person, score=3, rationale="R"
            )


def test_moderation_ranks_by_weighted_total(round_, organisation, victims_officer, pcc_officer, pcc, opcc):
    strong = apply(round_, organisation, victims_officer, title="Strong")
    weak = apply(round_, organisation, victims_officer, title="Weak")
    services.round_close_for_applications(round_=round_, by=pcc_officer)
    second = make_person(opcc, Role.PCC_OFFICER, "second.assessor")
    scores = {"Need": (5, 4), "Deliverability": (4, 4), "Value for money": (3, 5)}
    for criterion in round_.criteria.all():
        mine, theirs = scores[criterion.name]
        services.score_record(application=strong, criterion=criterion, by=pcc_officer, score=mine, rationale="R")
        services.score_record(application=strong, criterion=criterion, by=second, score=theirs, rationale="R")
        services.score_record(application=weak, criterion=criterion, by=pcc_officer, score=2, rationale="R")
    ranked = selectors.moderation(round_=round_, user=pcc_officer)
    # Need 4.5 x 50 + Deliverability 4 x 30 + Value 4 x 20 = 425 of 100 weight: 4.25.
    assert [(r.application, r.rank, r.weighted_total, r.percentage) for r in ranked] == [
        (strong, 1, Decimal("4.25"), Decimal("85.0")),
        (weak, 2, Decimal("2.00"), Decimal("40.0")),
    ]
    assert ranked[0].assessors == 2 and ranked[0].criteria_scored == 3
    with pytest.raises(PermissionDenied):
        selectors.moderation(round_=round_, user=victims_officer)


# --- Awards and declines -------------------------------------------------------------------------------
def test_an_award_needs_the_commissioner_and_a_fresh_second_factor(in_assessment, pcc, pcc_officer):
    with pytest.raises(PermissionDenied, match="the Commissioner does"):
        award(in_assessment, pcc_officer)
    with pytest.raises(StepUpRequired):
        award(in_assessment, pcc, confirmed_at=None)
    assert not Award.objects.exists()


def test_an_award_is_a_signed_pcc_decision_committing_the_money_audited_once(in_assessment, pcc, victims_officer, fund):
    made = award(in_assessment, pcc)
    decision = made.pcc_decision
    assert decision.kind == PccDecision.Kind.FUNDING_AWARD and decision.status == PccDecision.Status.SIGNED
    assert decision.reference == "001/2026" and decision.partner == in_assessment.organisation.partner
    assert [(i.due_on, i.amount) for i in made.instalments.all()] == [
        (date(2027, 2, 15), Decimal("15000.00")),
        (date(2027, 5, 4), Decimal("25000.00")),
    ]
    # Quarterly returns from the award's quarter to the last instalment's, each due 20 working days after.
    assert [(r.period_start, r.period_end, r.due_on) for r in made.spend_returns.all()] == [
        (date(2027, 1, 1), date(2027, 3, 31), date(2027, 4, 28)),
        (date(2027, 4, 1), date(2027, 6, 30), date(2027, 7, 28)),
    ]
    in_assessment.refresh_from_db()
    fund.refresh_from_db()
    assert in_assessment.status == A.AWARDED and fund.committed == Decimal("40000.00")
    assert events("application.award") == 1 and events("pcc_decision.sign") == 1
    assert Notification.objects.filter(kind="funding.awarded", user=victims_officer).count() == 1
    assert list(selectors.awards_visible_to(user=victims_officer)) == [made]


def test_the_instalments_must_add_up_exactly_to_the_award(in_assessment, pcc):
    with pytest.raises(ValidationError) as refused:
        award(in_assessment, pcc, schedule=[(date(2027, 3, 1), "20000.00"), (date(2027, 6, 1), "19999.99")])
    assert field_errors(refused) == {
        "instalments": ["The instalments add up to £39,999.99: they must add up to the award, £40,000.00"]
    }
    with pytest.raises(ValidationError) as refused:
        award(in_assessment, pcc, amount="40000.01")
    assert field_errors(refused) == {"amount": ["The award must be no more than the £40,000.00 asked for"]}


def test_a_decline_carries_reasons_and_is_told(in_assessment, pcc, victims_officer):
    with pytest.raises(ValidationError) as refused:
        services.application_decline(application=in_assessment, by=pcc, reasons=" ", confirmed_at=just_now())
    assert list(field_errors(refused)) == ["reasons"]
    services.application_decline(
        application=in_assessment, by=pcc, reasons="Outside the fund's area", confirmed_at=just_now()
    )
    in_assessment.refresh_from_db()
    assert in_assessment.status == A.DECLINED and in_assessment.decline_reasons == "Outside the fund's area"
    told = Notification.objects.get(kind="funding.declined", user=victims_officer)
    assert "Outside the fund's area" in told.body
    assert events("application.decline") == 1
    with pytest.raises(ValidationError, match="Only a submitted application can be awarded"):
        award(in_assessment, pcc)


def test_payments_complete_the_award(in_assessment, pcc, pcc_officer, fund):
    made = award(in_assessment, pcc)
    first, second = made.instalments.all()
    services.instalment_pay(instalment=first, by=pcc_officer, paid_on=date(2027, 2, 15), today=date(2027, 2, 15))
    with pytest.raises(ValidationError, match="was paid on 15 February 2027"):
        services.instalment_pay(instalment=first, by=pcc_officer, paid_on=date(2027, 2, 15), today=date(2027, 2, 15))
    made.refresh_from_db()
    assert made.status == Award.Status.PAYING
    services.instalment_pay(instalment=second, by=pcc_officer, paid_on=date(2027, 5, 4), today=date(2027, 5, 4))
    made.refresh_from_db()
    fund.refresh_from_db()
    assert made.status == Award.Status.COMPLETED and made.paid == fund.paid == Decimal("40000.00")
    assert events("award.pay") == 2


# --- Spend returns and reminders -----------------------------------------------------------------------
def test_the_grantee_submits_a_spend_return_once_the_quarter_ends(in_assessment, pcc, victims_officer, police_officer):
    made = award(in_assessment, pcc)
    spend_return = made.spend_returns.first()
    with pytest.raises(ValidationError, match="once the quarter ends on 31 March 2027"):
        services.spend_return_submit(
            spend_return=spend_return,
            by=victims_officer,
            spend="9000.00",
            outcomes="40 survivors",
            today=date(2027, 3, 31),
        )
    with pytest.raises(PermissionDenied):
        services.spend_return_submit(
            spend_return=spend_return, by=police_officer, spend="9000.00", outcomes="40", today=date(2027, 4, 6)
        )
    with pytest.raises(ValidationError) as refused:
        services.spend_return_submit(
            spend_return=spend_return, by=victims_officer, spend=9000.0, outcomes="40", today=date(2027, 4, 6)
        )
    assert list(field_errors(refused)) == ["spend"]
    services.spend_return_submit(
        spend_return=spend_return, by=victims_officer, spend="9000.00", outcomes="40 survivors", today=date(2027, 4, 6)
    )
    spend_return.refresh_from_db()
    assert spend_return.spend == Decimal("9000.00") and events("spend_return.submit") == 1


@pytest.mark.parametrize(
    "day,sent",
    [
        (date(2027, 4, 28), 0),  # the day it is due: not late yet
        (date(2027, 4, 29), 1),  # a Thursday, late
        (date(2027, 5, 1), 0),  # a Saturday
        (date(2027, 5, 3), 0),  # the early May bank holiday
        (date(2027, 5, 4), 1),
    ],
)
def test_late_spend_returns_are_reminded_on_working_days_only(in_assessment, pcc, victims_officer, day, sent):
    award(in_assessment, pcc)
    assert services.funding_daily(by=SYSTEM, today=day) == {"late_returns": sent}
    assert Notification.objects.filter(kind="funding.spend_return_late", user=victims_officer).count() == sent
    assert events("spend_return.reminder") == sent
    # Once a day, however often the job runs.
    assert services.funding_daily(by=SYSTEM, today=day) == {"late_returns": 0}
    if sent:
        assert SpendReturn.objects.get(reminded_on=day).period_end == date(2027, 3, 31)


def test_a_round_closes_only_once_every_application_is_decided(in_assessment, round_, pcc, pcc_officer):
    with pytest.raises(ValidationError, match="1 is still in assessment"):
        services.round_close(round_=round_, by=pcc_officer)
    award(in_assessment, pcc)
    services.round_close(round_=round_, by=pcc_officer)
    round_.refresh_from_db()
    assert round_.status == "closed"
    assert (
        events("funding_round.open") == 1 and events("funding_round.assess") == 1 and events("funding_round.close") == 1
    )


def test_the_daily_task_runs_the_reminders_and_records_its_run(db):
    from funding.tasks import funding_daily
    from portal.models import ScheduledRun

    assert set(funding_daily.apply().get()) == {"late_returns"}
    assert ScheduledRun.objects.get(name="funding.daily").last_finished_at is not None


def test_board_members_see_fund_positions_and_awards_but_set_nothing_up(
    in_assessment, pcc, board_member, police_officer
):
    made = award(in_assessment, pcc)
    assert list(selectors.awards_visible_to(user=board_member)) == [made]
    assert list(selectors.awards_visible_to(user=police_officer)) == []
    for person in (board_member, police_officer):
        with pytest.raises(PermissionDenied, match="set up funds"):
            services.fund_create(
                by=person, name="Proceeds", kind=Fund.Kind.PROCEEDS_OF_CRIME, financial_year=2026, budget="1.00"
            )


def test_the_applicant_may_withdraw_an_undecided_application(application, victims_officer, police_officer):
    with pytest.raises(PermissionDenied):
        services.application_withdraw(application=application, by=police_officer)
    services.application_withdraw(application=application, by=victims_officer)
    application.refresh_from_db()
    assert application.status == A.WITHDRAWN and events("application.withdraw") == 1
