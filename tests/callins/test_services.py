"""The PCC's powers through their services: a decision's window in working days, the call-in's steps in order
and by the right people only, determinations recorded as numbered PCC decisions, appointments waiting for the
PCC's view, and the daily reminders on working days only (fixed dates across Christmas, New Year and Easter)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from callins import selectors, services
from callins.models import Appointment, CallIn, PartnerDecision, PccDecision
from portal.models import AuditEvent, Notification
from portal.security import StepUpRequired
from tests.factories import SYSTEM, just_now

from .conftest import LOGGED_ON, draft

pytestmark = pytest.mark.django_db
D, C = PartnerDecision.Status, CallIn.Status


def _issue(decision, pcc, pcc_officer, grounds, today=LOGGED_ON):
    callin = draft(decision, pcc_officer, grounds)
    return services.callin_issue(callin=callin, by=pcc, confirmed_at=just_now(), today=today)


def test_logging_a_decision_opens_a_window_of_five_working_days_across_christmas(decision):
    # 22, 23, 24 December; 25 and 28 are bank holidays (Boxing Day falls on a Saturday); 29, 30.
    assert decision.window_closes_on == date(2026, 12, 30)
    assert decision.financial_value == __import__("decimal").Decimal("1250000.00")
    assert selectors.window_days_left(decision, today=date(2026, 12, 30)) == 1
    assert selectors.window_days_left(decision, today=date(2026, 12, 31)) is None
    assert AuditEvent.objects.filter(action="decision.log").count() == 1


@pytest.mark.parametrize(
    "logged_on,closes_on",
    [
        (date(2026, 12, 30), date(2027, 1, 7)),  # New Year's Day (Friday) is a bank holiday, then a weekend
        (date(2027, 3, 25), date(2027, 4, 5)),  # Good Friday 26 March and Easter Monday 29 March 2027
        (date(2027, 3, 27), date(2027, 4, 5)),  # logged on a Saturday: the same five working days
    ],
)
def test_the_window_counts_working_days_across_new_year_and_easter(police, police_officer, opcc, logged_on, closes_on):
    logged = services.decision_log(
        partner=police,
        by=police_officer,
        reference=f"WMP-{logged_on:%m%d}",
        title="Close the Digbeth custody suite",
        summary="Custody moves to Perry Barr and Oldbury.",
        reasons="The building is at the end of its life.",
        alternatives="Refurbish it.",
        decision_maker_name="Claire Bennett",
        decision_maker_post="Assistant Chief Constable",
        made_on=logged_on,
        takes_effect_on=date(2027, 6, 1),
        category="estates",
        financial_value="10.00",
        today=logged_on,
    )
    assert logged.window_closes_on == closes_on
    assert selectors.window_days_left(logged, today=closes_on) == 1


def test_money_is_never_a_float(police, police_officer, opcc):
    with pytest.raises(ValidationError, match="pounds and pence"):
        services.decision_log(
            partner=police,
            by=police_officer,
            reference="X-1",
            title="T",
            summary="S",
            reasons="R",
            decision_maker_name="N",
            decision_maker_post="P",
            made_on=LOGGED_ON,
            takes_effect_on=LOGGED_ON,
            category="policy",
            financial_value=10.5,
            today=LOGGED_ON,
        )


def test_another_partner_cannot_log_for_the_police_nor_see_their_decisions(decision, police, probation_officer_person):
    with pytest.raises(PermissionDenied):
        services.decision_log(
            partner=police,
            by=probation_officer_person,
            reference="X-2",
            title="T",
            summary="S",
            reasons="R",
            decision_maker_name="N",
            decision_maker_post="P",
            made_on=LOGGED_ON,
            takes_effect_on=LOGGED_ON,
            category="policy",
            today=LOGGED_ON,
        )
    assert list(selectors.decisions_visible_to(user=probation_officer_person)) == []


def test_a_decision_cannot_take_effect_while_its_window_is_open(decision, police_officer):
    with pytest.raises(ValidationError, match="called in until the end of 30 December 2026"):
        services.decision_take_effect(decision=decision, by=police_officer, today=date(2026, 12, 24))
    services.decision_take_effect(decision=decision, by=police_officer, today=date(2026, 12, 31))
    decision.refresh_from_db()
    assert decision.status == D.IN_EFFECT


def test_the_pcc_may_waive_the_call_in_and_then_it_may_take_effect(decision, pcc, pcc_officer, police_officer):
    with pytest.raises(PermissionDenied):
        services.decision_waive(decision=decision, by=pcc_officer, reasons="Urgent", confirmed_at=just_now())
    with pytest.raises(StepUpRequired):
        services.decision_waive(decision=decision, by=pcc, reasons="Urgent")
    services.decision_waive(
        decision=decision, by=pcc, reasons="Urgent for safety", confirmed_at=just_now(), today=LOGGED_ON
    )
    services.decision_take_effect(decision=decision, by=police_officer, today=date(2026, 12, 22))
    decision.refresh_from_db()
    assert decision.status == D.IN_EFFECT and decision.waiver_reasons == "Urgent for safety"


def test_only_the_commissioner_issues_and_the_decision_is_paused(decision, pcc, pcc_officer, grounds, police_officer):
    callin = draft(decision, pcc_officer, grounds)
    assert callin.reference == f"CI-{LOGGED_ON.year}-001" and callin.status == C.DRAFT
    with pytest.raises(PermissionDenied):
        services.callin_issue(callin=callin, by=pcc_officer, confirmed_at=just_now())
    with pytest.raises(StepUpRequired):
        services.callin_issue(callin=callin, by=pcc)
    callin = services.callin_issue(callin=callin, by=pcc, confirmed_at=just_now(), today=LOGGED_ON)
    assert callin.status == C.ISSUED
    # 10 working days: 22, 23, 24, 29, 30, 31 December, 4, 5, 6, 7 January (Christmas, Boxing Day and New Year skipped)
    assert callin.response_due == date(2027, 1, 7)
    decision.refresh_from_db()
    assert decision.status == D.CALLED_IN
    told = set(Notification.objects.filter(kind="callins.issued").values_list("user__username", flat=True))
    assert told == {"police.officer", "police.signatory"}


def test_a_call_in_cannot_be_issued_after_the_window_closes(decision, pcc, pcc_officer, grounds):
    callin = draft(decision, pcc_officer, grounds)
    with pytest.raises(ValidationError, match="closed on 30 December 2026"):
        services.callin_issue(callin=callin, by=pcc, confirmed_at=just_now(), today=date(2026, 12, 31))


def test_the_response_is_written_by_officers_and_submitted_by_the_signatory_only(
    decision, pcc, pcc_officer, grounds, police_officer, police_signatory, probation_officer_person
):
    callin = _issue(decision, pcc, pcc_officer, grounds)
    with pytest.raises(PermissionDenied):
        services.callin_response_save(callin=callin, by=probation_officer_person, response_text="Not ours")
    services.callin_response_save(callin=callin, by=police_officer, response_text="Transport by van.")
    with pytest.raises(PermissionDenied):
        services.callin_submit(callin=callin, by=police_officer, confirmed_at=just_now())
    callin = services.callin_submit(callin=callin, by=police_signatory, confirmed_at=just_now(), today=LOGGED_ON)
    assert callin.status == C.RESPONDED and callin.determination_due == date(2027, 1, 7)
    with pytest.raises(ValidationError, match="already been submitted"):
        services.callin_submit(callin=callin, by=police_signatory, confirmed_at=just_now())


def test_referred_back_the_partner_reconsiders_and_it_cannot_be_called_in_again(
    decision, pcc, pcc_officer, grounds, police_officer, police_signatory
):
    callin = _issue(decision, pcc, pcc_officer, grounds)
    services.callin_response_save(callin=callin, by=police_officer, response_text="Transport by van.")
    services.callin_submit(callin=callin, by=police_signatory, confirmed_at=just_now())
    callin = services.callin_determine(
        callin=callin,
        by=pcc,
        outcome="referred_back",
        reasons="The journey times for victims are not assessed.",
        recommendations="Assess journey times and consult the courts.",
        reconsider_working_days=10,
        confirmed_at=just_now(),
        today=date(2027, 1, 4),
    )
    assert callin.status == C.REFERRED_BACK and callin.reconsider_by == date(2027, 1, 18)
    assert callin.pcc_decision.reference == "001/2026" and callin.pcc_decision.kind == "callin_determination"
    decision.refresh_from_db()
    assert decision.status == D.REFERRED_BACK
    with pytest.raises(ValidationError, match="referred back"):
        services.decision_take_effect(decision=decision, by=police_officer)
    services.decision_record_outcome(
        decision=decision, by=police_officer, outcome="changed", outcome_text="Oldbury keeps 10 cells for the city."
    )
    decision.refresh_from_db()
    callin.refresh_from_db()
    assert (decision.status, callin.status) == (D.RECONSIDERED, C.CLOSED)
    with pytest.raises(ValidationError):
        draft(decision, pcc_officer, grounds)
    services.decision_take_effect(decision=decision, by=police_officer, today=date(2027, 2, 1))


def test_steps_only_in_order(decision, pcc, pcc_officer, grounds):
    callin = draft(decision, pcc_officer, grounds)
    with pytest.raises(ValidationError):
        services.callin_determine(callin=callin, by=pcc, outcome="stands", reasons="x", confirmed_at=just_now())
    with pytest.raises(ValidationError):
        services.callin_withdraw(callin=callin, by=pcc, reasons="x", confirmed_at=just_now())


def test_a_withdrawn_call_in_releases_the_decision_and_is_a_pcc_decision(decision, pcc, pcc_officer, grounds):
    callin = _issue(decision, pcc, pcc_officer, grounds)
    callin = services.callin_withdraw(callin=callin, by=pcc, reasons="Assurances given", confirmed_at=just_now())
    decision.refresh_from_db()
    assert (callin.status, decision.status) == (C.WITHDRAWN, D.LOGGED)
    assert callin.pcc_decision.status == PccDecision.Status.SIGNED


def test_pcc_decisions_are_numbered_by_financial_year_when_signed(pcc, pcc_officer):
    def sign(today):
        decision = services.pcc_decision_draft(by=pcc_officer, title="Grant", summary="S", reasons="R")
        assert decision.reference == "Draft"
        return services.pcc_decision_sign(decision=decision, by=pcc, confirmed_at=just_now(), today=today).reference

    assert [sign(date(2027, 3, 31)), sign(date(2027, 3, 31)), sign(date(2027, 4, 1))] == [
        "001/2026",
        "002/2026",
        "001/2027",
    ]
    with pytest.raises(PermissionDenied):
        services.pcc_decision_sign(
            decision=services.pcc_decision_draft(by=pcc_officer, title="T", summary="S", reasons="R"),
            by=pcc_officer,
            confirmed_at=just_now(),
        )


def test_an_appointment_waits_for_the_pccs_view_or_its_deadline(police, police_officer, pcc_officer, opcc):
    appointment = services.appointment_open(partner=police, by=police_officer, post="Deputy Chief Constable")
    services.appointment_consult(
        appointment=appointment, by=police_officer, candidate="A. Person", today=date(2027, 3, 22)
    )
    appointment.refresh_from_db()
    assert appointment.view_due == date(2027, 4, 7)  # 10 working days: Good Friday and Easter Monday skipped
    with pytest.raises(ValidationError, match="due by 7 April 2027"):
        services.appointment_confirm(appointment=appointment, by=police_officer, today=date(2027, 4, 7))
    services.appointment_confirm(appointment=appointment, by=police_officer, today=date(2027, 4, 8))
    appointment.refresh_from_db()
    assert appointment.stage == Appointment.Stage.APPOINTED and appointment.appointed_without_view


def test_a_recorded_view_lets_the_appointment_be_confirmed_at_once(police, police_officer, pcc_officer, opcc):
    appointment = services.appointment_open(partner=police, by=police_officer, post="Director of Intelligence")
    services.appointment_consult(appointment=appointment, by=police_officer, candidate="B. Person")
    with pytest.raises(ValidationError, match="reasons"):
        services.appointment_record_view(appointment=appointment, by=pcc_officer, view="concerns")
    with pytest.raises(PermissionDenied):
        services.appointment_record_view(appointment=appointment, by=police_officer, view="support")
    services.appointment_record_view(appointment=appointment, by=pcc_officer, view="support")
    services.appointment_confirm(appointment=appointment, by=police_officer)
    appointment.refresh_from_db()
    assert appointment.stage == Appointment.Stage.APPOINTED and not appointment.appointed_without_view


@pytest.mark.parametrize("day", [date(2027, 1, 2), date(2027, 1, 1), date(2026, 12, 28), date(2027, 3, 29)])
def test_no_reminder_on_a_weekend_or_a_bank_holiday(decision, pcc, pcc_officer, grounds, day):
    _issue(decision, pcc, pcc_officer, grounds)
    CallIn.objects.update(response_due=day - timedelta(days=1))
    assert set(services.callins_daily(today=day, by=SYSTEM).values()) == {0}
    assert not Notification.objects.filter(kind__in=["callins.response_due", "callins.response_late"]).exists()


def test_a_late_response_is_escalated_to_the_commissioner_once(decision, pcc, pcc_officer, grounds):
    _issue(decision, pcc, pcc_officer, grounds)
    start = date(2027, 1, 4)
    for n in range(30):
        services.callins_daily(today=start + timedelta(days=n), by=SYSTEM)
    late = Notification.objects.filter(kind="callins.response_late")
    assert list(late.values_list("user__username", flat=True)) == ["pcc"]
    assert CallIn.objects.get().escalated_at is not None


def test_reminders_go_once_a_working_day_before_and_after_the_due_date(decision, pcc, pcc_officer, grounds):
    _issue(decision, pcc, pcc_officer, grounds)  # response due 7 January 2027
    for _ in range(2):
        services.callins_daily(today=date(2027, 1, 4), by=SYSTEM)
    reminded = Notification.objects.filter(kind="callins.response_due", user__username="police.officer")
    assert reminded.count() == 1 and "is due by 7 January 2027" in reminded.get().title
    services.callins_daily(today=date(2026, 12, 22), by=SYSTEM)  # 8 working days before: nothing yet
    assert reminded.count() == 1


def test_each_transition_is_audited_once(decision, pcc, pcc_officer, grounds):
    _issue(decision, pcc, pcc_officer, grounds)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    for action in ("decision.log", "callin.draft", "callin.issue", "decision.pause"):
        assert actions.count(action) == 1, action


def test_the_start_pages_say_what_waits(decision, pcc, pcc_officer, grounds, police_officer, police_signatory):
    texts = [w.text for w in selectors.waiting_for(user=pcc_officer, today=LOGGED_ON)]
    assert any("call-in window closes in 6 working days" in t or "call-in window closes" in t for t in texts)
    _issue(decision, pcc, pcc_officer, grounds)
    assert any("write the response" in w.text for w in selectors.waiting_for(user=police_officer))
    assert any("submit the response" in w.text for w in selectors.waiting_for(user=police_signatory))
    late = [w for w in selectors.waiting_for(user=pcc_officer, today=date(2027, 1, 8)) if "response" in w.text]
    assert late and late[0].tag == "Overdue"
    assert timezone.localdate()  # (the clock is only read by the defaults above)
