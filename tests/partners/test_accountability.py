"""Mutual accountability (portal/accountability.py and each app's accountability module): each partner's duties,
hand-worked on a pinned clock, what each viewer is told, and the two pages.

The pinned clock: the financial year April 2025 to March 2026, looked at on 15 January 2026 (`today` is an
argument of every provider, as STYLE.md asks of code that depends on the date). Dates in the data are written
straight into the rows the services made, so the figures do not depend on the day the suite runs.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from callins import services as callin_services
from callins.models import CallIn, CallInGround, PartnerDecision
from partners import services as partner_services
from partners.accountability import signature_due
from partners.models import DataSharingAgreement, DsaSignature, Partner, Role
from portal import permissions
from portal.accountability import (
    LATE,
    NOT_YET_DUE,
    ON_TIME,
    OVERDUE,
    Period,
    duties_for,
    duties_for_partners,
    financial_year_of,
    period_choices,
)
from targets.accountability import data_lag, return_due
from targets.models import Indicator, Observation
from targets.plans.models import PlanSignOff
from targets.services.catalogue import INDICATOR_PERMS
from tests.conftest import signed_in
from tests.factories import (
    SYSTEM,
    just_now,
    make_dsa,
    make_indicator,
    make_partner,
    make_person,
    make_plan,
    plan_sign,
)

pytestmark = pytest.mark.django_db

DSA = DataSharingAgreement
FY = Period(2025)  # April 2025 to March 2026
TODAY = date(2026, 1, 15)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A moment on a day, UK time."""
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def duty(partner, user, key, *, period=FY, today=TODAY):
    found = {d.key: d for d in duties_for(partner=partner, user=user, period=period, today=today)}
    return found[key]


def figures(d) -> tuple:
    """(on time, late, overdue, not yet due, per cent on time), or "Hidden"."""
    if d.hidden:
        return "Hidden"
    return (d.on_time, d.late, d.overdue, d.not_yet_due, d.percent_on_time)


# --- The period -----------------------------------------------------------------------------------------
def test_the_financial_year_runs_april_to_march():
    assert financial_year_of(date(2026, 3, 31)) == Period(2025)
    assert financial_year_of(date(2026, 4, 1)) == Period(2026)
    assert (Period(2025).start, Period(2025).end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert period_choices(TODAY) == [Period(2025), Period(2024)]


# --- Data returns -----------------------------------------------------------------------------------------
def unaudited_indicator(code, provider, *, frequency=Indicator.Frequency.MONTHLY, lag=""):
    """An indicator put straight in the catalogue with its provider's grants, as an import would leave it: no
    audited "indicator.create", so it is owed from its first period with figures."""
    indicator = Indicator.objects.create(
        code=code,
        name=f"{code} indicator",
        unit=Indicator.Unit.COUNT,
        polarity=Indicator.Polarity.LOWER_IS_BETTER,
        frequency=frequency,
        geography="local_authority",
        provider=provider,
        data_lag_note=lag,
    )
    for codename in INDICATOR_PERMS:
        permissions.grant(codename, provider.group, indicator)
    return indicator


def figure(indicator, area, start: date, end: date, received: datetime, *, revision=1, current=True):
    return Observation.objects.create(
        indicator=indicator,
        area=area,
        period_start=start,
        period_end=end,
        value=1,
        provider=indicator.provider,
        revision=revision,
        is_current=current,
        created_at=received,
    )


def month(year, number) -> tuple[date, date]:
    start = date(year, number, 1)
    return start, (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@pytest.mark.parametrize(
    "frequency,note,start,end,due",
    [
        # N months after the period's last month, to the end of that month
        (
            "monthly",
            "Recorded crime, about 2 months in arrears",
            date(2025, 3, 1),
            date(2025, 3, 31),
            date(2025, 5, 31),
        ),
        (
            "monthly",
            "Recorded crime, about 1 month in arrears",
            date(2025, 12, 1),
            date(2025, 12, 31),
            date(2026, 1, 31),
        ),
        (
            "quarterly",
            "Case management system extract, about 1 month after the quarter ends",
            date(2025, 1, 1),
            date(2025, 3, 31),
            date(2025, 4, 30),
        ),
        # counted from the period's first month where the note counts from its start
        (
            "annual",
            "Ministry of Justice statistics, published about 18 months after the year starts",
            date(2024, 4, 1),
            date(2025, 3, 31),
            date(2025, 10, 31),
        ),
        (
            "annual",
            "Ministry of Justice statistics: a cohort is published about 15 months after it starts",
            date(2024, 4, 1),
            date(2025, 3, 31),
            date(2025, 7, 31),
        ),
        # no number of months: one month after the period
        (
            "quarterly",
            "HMCTS management information, published quarterly",
            date(2025, 7, 1),
            date(2025, 9, 30),
            date(2025, 10, 31),
        ),
        ("monthly", "", date(2025, 2, 1), date(2025, 2, 28), date(2025, 3, 31)),
    ],
)
def test_a_returns_due_date_comes_from_the_indicators_data_lag_note(frequency, note, start, end, due):
    indicator = Indicator(frequency=frequency, data_lag_note=note)
    assert return_due(indicator, start, end) == due
    assert data_lag(indicator)[0] >= 1


@pytest.fixture
def police_figures(police, birmingham):
    """Police VIO-M, monthly, 2 months in arrears, first figures for January 2025: in the year, figures for
    February 2025 to January 2026 fall due (30 April 2025 to 31 March 2026)."""
    indicator = unaudited_indicator("VIO-M", police, lag="Recorded crime, about 2 months in arrears")
    received = {
        (2025, 1): at(date(2025, 3, 10)),  # due 31 March 2025: before the year
        (2025, 2): at(date(2025, 4, 20)),  # due 30 April: on time
        (2025, 3): at(date(2025, 6, 2)),  # due 31 May: late
        (2025, 4): at(date(2025, 6, 30), 23, 30),  # due 30 June, at 11:30pm UK time (22:30 UTC): on time
        (2025, 10): at(date(2025, 12, 1)),  # due 31 December: on time
    }
    for (year, number), moment in received.items():
        figure(indicator, birmingham, *month(year, number), moment)
    # a revision later on does not move the day February's figures first came
    first = Observation.objects.get(indicator=indicator, period_start=date(2025, 2, 1))
    Observation.objects.filter(pk=first.pk).update(is_current=False)
    figure(indicator, birmingham, *month(2025, 2), at(date(2025, 8, 1)), revision=2)
    # May to September 2025 (due 31 July to 30 November): none; November 2025 to January 2026: not yet due
    return indicator


def test_data_returns_on_time_late_overdue_and_not_yet_due(police, police_officer, police_figures):
    d = duty(police, police_officer, "data-returns")
    assert figures(d) == (3, 1, 5, 3, 33)
    assert [i.text for i in d.items_in(ON_TIME)] == ["VIO-M: February 2025", "VIO-M: April 2025", "VIO-M: October 2025"]
    assert [i.text for i in d.items_in(LATE)] == ["VIO-M: March 2025"]
    assert [(i.text, i.due) for i in d.items_in(OVERDUE)] == [
        ("VIO-M: May 2025", date(2025, 7, 31)),
        ("VIO-M: June 2025", date(2025, 8, 31)),
        ("VIO-M: July 2025", date(2025, 9, 30)),
        ("VIO-M: August 2025", date(2025, 10, 31)),
        ("VIO-M: September 2025", date(2025, 11, 30)),
    ]
    assert [i.text for i in d.items_in(NOT_YET_DUE)] == [
        "VIO-M: November 2025",
        "VIO-M: December 2025",
        "VIO-M: January 2026",
    ]
    assert d.items_in(ON_TIME)[0].done == date(2025, 4, 20)
    assert all(i.href == "/indicators/VIO-M/" for i in d.items)


def test_a_quarterly_indicators_returns_count_with_the_monthly_ones(police, police_officer, police_figures, birmingham):
    quarterly = unaudited_indicator(
        "VIO-Q",
        police,
        frequency="quarterly",
        lag="Case management system extract, about 1 month after the quarter ends",
    )
    figure(quarterly, birmingham, date(2025, 1, 1), date(2025, 3, 31), at(date(2025, 4, 28)))  # due 30 April
    # April to June (due 31 July) and July to September (due 31 October): none; October to December: due 31 January
    d = duty(police, police_officer, "data-returns")
    assert figures(d) == (4, 1, 7, 4, 33)
    assert "VIO-Q: January to March 2025" in [i.text for i in d.items_in(ON_TIME)]
    assert "VIO-Q: October to December 2025" in [i.text for i in d.items_in(NOT_YET_DUE)]


def test_an_indicator_added_to_the_catalogue_owes_only_the_periods_ending_after_it_was_added(police, police_officer):
    make_indicator("NEW-1", police)  # audited now: no figures yet, due a month after each month ends
    added = timezone.localdate()
    now = duty(police, police_officer, "data-returns", period=financial_year_of(added), today=added)
    assert now.due < 12 and all(i.due >= added for i in now.items)
    later = added + timedelta(days=400)
    then = duty(police, police_officer, "data-returns", period=financial_year_of(later), today=later)
    assert then.due == 12 and (then.on_time, then.late) == (0, 0)


def test_an_indicator_with_no_figures_and_no_record_of_being_added_owes_nothing(police, police_officer):
    unaudited_indicator("IMPORTED", police)
    assert duty(police, police_officer, "data-returns").due == 0


def test_an_inactive_indicator_owes_nothing(police, police_officer, police_figures):
    Indicator.objects.filter(pk=police_figures.pk).update(active=False)
    assert duty(police, police_officer, "data-returns").due == 0


def test_data_returns_are_counted_for_those_who_may_see_the_figures(
    police, council, council_officer, probation_officer, pcc_officer, board_member, police_figures, birmingham
):
    other = unaudited_indicator("VIO-X", police, lag="about 1 month in arrears")
    figure(other, birmingham, *month(2025, 1), at(date(2025, 2, 1)))
    assert figures(duty(police, pcc_officer, "data-returns")) == (3, 1, 5 + 9, 3 + 3, 17)
    # an agreement shares VIO-M with the council: its officers see that indicator's returns, and only that
    make_dsa(police, [council], [police_figures])
    shared = duty(police, council_officer, "data-returns")
    assert shared.partial and figures(shared) == (3, 1, 5, 3, 33)
    assert {i.text.split(":")[0] for i in shared.items} == {"VIO-M"}
    # nothing shared with probation, nor with the board member's partner (the PCC office holds no figures)
    assert duty(police, probation_officer, "data-returns").hidden
    assert duty(police, board_member, "data-returns").hidden


# --- Plan sign-offs -----------------------------------------------------------------------------------
@pytest.fixture
def signoff_rounds(police, probation):
    """A: police and probation, sent 2 June 2025, due 16 June: police signed 10 June (on time), probation 20 June
    (late). B: sent 1 December, due 15 December, nobody decided (overdue). C: probation's, sent 12 January 2026,
    due 26 January (not yet due)."""
    agreed = make_plan(police, [probation], title="Plan A", status="in_signoff", today=date(2025, 6, 2))
    plan_sign(agreed, police)
    plan_sign(agreed, probation)
    version = agreed.versions.get(number=1)
    assert version.status == "agreed"
    PlanSignOff.objects.filter(version=version, partner=police).update(decided_at=at(date(2025, 6, 10)))
    PlanSignOff.objects.filter(version=version, partner=probation).update(decided_at=at(date(2025, 6, 20)))
    make_plan(police, [probation], title="Plan B", status="in_signoff", today=date(2025, 12, 1))
    make_plan(probation, [police], title="Plan C", status="in_signoff", today=date(2026, 1, 12))
    return agreed


def test_plan_sign_offs_on_time_late_overdue_and_not_yet_due(police, probation, police_officer, signoff_rounds):
    own = duty(police, police_officer, "plan-sign-offs")
    assert not own.partial and figures(own) == (1, 0, 1, 1, 50)
    record = duty(probation, police_officer, "plan-sign-offs")
    assert figures(record) == (0, 1, 1, 1, 0)
    assert [(i.text, i.due, i.done) for i in record.items] == [
        ("Plan A, version 1", date(2025, 6, 16), date(2025, 6, 20)),
        ("Plan B, version 1", date(2025, 12, 15), None),
        ("Plan C, version 1", date(2026, 1, 26), None),
    ]


def test_a_sign_off_the_round_no_longer_needs_is_not_counted(police, probation, police_officer, signoff_rounds):
    PlanSignOff.objects.filter(version__plan__title="Plan B").update(status=PlanSignOff.Status.CLOSED)
    assert figures(duty(police, police_officer, "plan-sign-offs")) == (1, 0, 0, 1, 100)


def test_the_board_sees_every_sign_off_linked_only_where_it_may_read_the_version(
    police, council_officer, board_member, signoff_rounds
):
    whole = duty(police, board_member, "plan-sign-offs")
    assert not whole.partial and figures(whole) == (1, 0, 1, 1, 50)
    assert [bool(i.href) for i in whole.items] == [True, False, False]  # B and C are still in sign-off
    # anyone else: the sign-offs on versions they may read (the agreed one)
    seen = duty(police, council_officer, "plan-sign-offs")
    assert seen.partial and figures(seen) == (1, 0, 0, 0, 100)


# --- Call-ins -----------------------------------------------------------------------------------------
@pytest.fixture
def ground(db):
    return CallInGround.objects.create(name="Value for money")


def call_in(police, officer, pcc_officer, pcc, ground, reference: str, issued_on: date) -> CallIn:
    decision = callin_services.decision_log(
        partner=police,
        by=officer,
        reference=reference,
        title=f"Decision {reference}",
        summary="Summary",
        reasons="Reasons",
        decision_maker_name="A Person",
        decision_maker_post="Director",
        made_on=issued_on,
        takes_effect_on=issued_on + timedelta(days=60),
        category="policy",
        today=issued_on,
    )
    callin = callin_services.callin_draft(
        decision=decision, by=pcc_officer, grounds=[ground], questions="Why?", today=issued_on
    )
    return callin_services.callin_issue(callin=callin, by=pcc, confirmed_at=just_now(), today=issued_on)


def respond(callin, officer, signatory, on: date) -> CallIn:
    callin_services.callin_response_save(callin=callin, by=officer, response_text="Because.")
    callin = callin_services.callin_submit(callin=callin, by=signatory, confirmed_at=just_now(), today=on)
    CallIn.objects.filter(pk=callin.pk).update(responded_at=at(on))
    return CallIn.objects.get(pk=callin.pk)


def determine(callin, pcc, on: date, outcome="stands") -> CallIn:
    callin = callin_services.callin_determine(
        callin=callin,
        by=pcc,
        outcome=outcome,
        reasons="Reasons",
        recommendations="Think again." if outcome == "referred_back" else "",
        confirmed_at=just_now(),
        today=on,
    )
    CallIn.objects.filter(pk=callin.pk).update(determined_at=at(on))
    return CallIn.objects.get(pk=callin.pk)


@pytest.fixture
def callins(police, police_officer, police_signatory, opcc, pcc_officer, pcc, ground):
    """CI 1: issued 2 June 2025, response due 16 June, submitted 13 June (on time); determination due 27 June,
    made 20 June (on time). CI 2: issued 1 September, due 15 September, submitted 18 September (late);
    determination due 2 October, made 6 October (late), referred back: reconsider by 27 October, outcome
    recorded 10 October (on time). CI 3: issued 3 November, due 17 November, no response (overdue).
    CI 4: issued 5 January 2026, due 19 January (not yet due)."""
    args = (police, police_officer, pcc_officer, pcc, ground)
    first = determine(
        respond(call_in(*args, "D-1", date(2025, 6, 2)), police_officer, police_signatory, date(2025, 6, 13)),
        pcc,
        date(2025, 6, 20),
    )
    second = respond(call_in(*args, "D-2", date(2025, 9, 1)), police_officer, police_signatory, date(2025, 9, 18))
    second = determine(second, pcc, date(2025, 10, 6), outcome="referred_back")
    callin_services.decision_record_outcome(
        decision=second.decision, by=police_officer, outcome="changed", outcome_text="We changed it."
    )
    PartnerDecision.objects.filter(pk=second.decision_id).update(outcome_recorded_at=at(date(2025, 10, 10)))
    third = call_in(*args, "D-3", date(2025, 11, 3))
    fourth = call_in(*args, "D-4", date(2026, 1, 5))
    return [first, second, third, fourth]


def test_call_in_responses_and_final_outcomes_on_time_late_and_overdue(police, police_officer, callins):
    first, second, third, fourth = callins
    assert [c.response_due for c in callins] == [
        date(2025, 6, 16),
        date(2025, 9, 15),
        date(2025, 11, 17),
        date(2026, 1, 19),
    ]
    responses = duty(police, police_officer, "callin-responses")
    assert figures(responses) == (1, 1, 1, 1, 33)
    assert [i.text for i in responses.items_in(OVERDUE)] == [f"{third.reference}: Decision D-3"]
    assert responses.items_in(LATE)[0].done == date(2025, 9, 18)
    assert second.reconsider_by == date(2025, 10, 27)
    assert figures(duty(police, police_officer, "final-outcomes")) == (1, 0, 0, 0, 100)


def test_the_pcc_office_is_held_to_its_determinations(police, opcc, police_officer, pcc_officer, callins):
    first, second, *_ = callins
    assert (first.determination_due, second.determination_due) == (date(2025, 6, 27), date(2025, 10, 2))
    assert figures(duty(opcc, pcc_officer, "determinations")) == (1, 1, 0, 0, 50)
    # the police see the determinations of their own call-ins: all of them here, but counted as theirs only
    theirs = duty(opcc, police_officer, "determinations")
    assert theirs.partial and figures(theirs) == (1, 1, 0, 0, 50)
    assert "determinations" not in {
        d.key for d in duties_for(partner=police, user=police_officer, period=FY, today=TODAY)
    }


def test_a_call_in_withdrawn_before_its_response_was_due_is_not_owed_and_after_it_is_overdue(
    police, police_officer, pcc, callins
):
    third, fourth = callins[2], callins[3]
    for callin in (third, fourth):
        callin_services.callin_withdraw(callin=callin, by=pcc, reasons="No longer needed", confirmed_at=just_now())
    CallIn.objects.filter(pk=third.pk).update(closed_at=at(date(2025, 12, 1)))  # after 17 November
    CallIn.objects.filter(pk=fourth.pk).update(closed_at=at(date(2026, 1, 8)))  # before 19 January
    responses = duty(police, police_officer, "callin-responses")
    assert figures(responses) == (1, 1, 1, 0, 33)
    assert responses.items_in(OVERDUE)[0].note.startswith("Never done: the call-in was withdrawn")


def test_only_the_deciding_partner_and_the_pcc_office_see_its_call_in_figures(
    police, probation_officer, board_member, pcc_officer, pcc, police_signatory, callins
):
    assert figures(duty(police, pcc_officer, "callin-responses")) == (1, 1, 1, 1, 33)
    assert figures(duty(police, pcc, "callin-responses")) == (1, 1, 1, 1, 33)
    assert figures(duty(police, police_signatory, "final-outcomes")) == (1, 0, 0, 0, 100)
    for viewer in (probation_officer, board_member):
        assert duty(police, viewer, "callin-responses").hidden
        assert duty(police, viewer, "final-outcomes").hidden
        assert duty(police, viewer, "callin-responses").items == []


# --- Agreements -------------------------------------------------------------------------------------------
def sent_on(agreement, day: date, **fields) -> None:
    DSA.objects.filter(pk=agreement.pk).update(sent_at=at(day), **fields)


def signed_on(agreement, partner, day: date) -> None:
    DsaSignature.objects.filter(agreement=agreement, partner=partner).update(signed_at=at(day))


@pytest.fixture
def agreements(police, probation, council, birmingham):
    """A: police to the council, sent and starting 1 May 2025, signatures due 16 May (10 working days, the early
    May bank holiday skipped): police signed 2 May, the council 20 May; active, review date 3 November (passed).
    B: probation to the police, sent 1 December, starting 8 December, due 15 December: probation signed
    2 December, the police not yet. C: police to probation, sent 12 January 2026, starting 2 February (due
    then). D: the council to the police, sent 2 June, due 16 June, the council signed 3 June, revoked 1 July
    with no police signature. E: the council to the police, sent 1 September, due 15 September, revoked 5
    September."""
    vio = make_indicator("VIO-A", police)
    reoff = make_indicator("REOFF-A", probation)
    asb = make_indicator("ASB-A", council)
    dates = dict(end_date=date(2027, 3, 31))
    a = make_dsa(
        police,
        [council],
        [vio],
        as_of=date(2025, 5, 1),
        start_date=date(2025, 5, 1),
        review_date=date(2025, 11, 3),
        **dates,
    )
    sent_on(a, date(2025, 5, 1), activated_at=at(date(2025, 5, 20)))
    signed_on(a, police, date(2025, 5, 2))
    signed_on(a, council, date(2025, 5, 20))
    b = make_dsa(
        probation,
        [police],
        [reoff],
        status=DSA.Status.AWAITING_SIGNATURES,
        as_of=date(2025, 12, 1),
        start_date=date(2025, 12, 8),
        review_date=date(2026, 6, 1),
        **dates,
    )
    partner_services.dsa_sign(agreement=b, by=SYSTEM, partner=probation, today=date(2025, 12, 2))
    sent_on(b, date(2025, 12, 1))
    signed_on(b, probation, date(2025, 12, 2))
    c = make_dsa(
        police,
        [probation],
        [vio],
        status=DSA.Status.AWAITING_SIGNATURES,
        as_of=date(2026, 1, 12),
        start_date=date(2026, 2, 2),
        review_date=date(2026, 6, 1),
        **dates,
    )
    sent_on(c, date(2026, 1, 12))
    made = {"a": a, "b": b, "c": c}
    for name, sent, revoked in (("d", date(2025, 6, 2), date(2025, 7, 1)), ("e", date(2025, 9, 1), date(2025, 9, 5))):
        agreement = make_dsa(
            council,
            [police],
            [asb],
            status=DSA.Status.AWAITING_SIGNATURES,
            as_of=sent,
            start_date=sent,
            review_date=sent + timedelta(days=90),
            **dates,
        )
        partner_services.dsa_sign(agreement=agreement, by=SYSTEM, partner=council, today=sent)
        partner_services.dsa_revoke(agreement=agreement, by=SYSTEM, reason="Not needed")
        sent_on(agreement, sent, closed_at=at(revoked))
        signed_on(agreement, council, sent + timedelta(days=1))
        made[name] = agreement
    return {k: DSA.objects.get(pk=v.pk) for k, v in made.items()}


def test_signature_due_dates(agreements):
    assert {k: signature_due(a) for k, a in agreements.items()} == {
        "a": date(2025, 5, 16),
        "b": date(2025, 12, 15),
        "c": date(2026, 2, 2),
        "d": date(2025, 6, 16),
        "e": date(2025, 9, 15),
    }


def test_agreements_signed_on_time_late_overdue_and_not_yet_due(police, council, pcc_officer, agreements):
    police_signing = duty(police, pcc_officer, "agreements-signed")
    assert figures(police_signing) == (1, 0, 2, 1, 33)
    refs = {a.pk: k for k, a in agreements.items()}
    by_state = {
        state: sorted(refs[int(i.href.rstrip("/").split("/")[-1])] for i in police_signing.items_in(state))
        for state in (ON_TIME, LATE, OVERDUE, NOT_YET_DUE)
    }
    assert by_state == {ON_TIME: ["a"], LATE: [], OVERDUE: ["b", "d"], NOT_YET_DUE: ["c"]}  # e: revoked before due
    assert figures(duty(council, pcc_officer, "agreements-signed")) == (2, 1, 0, 0, 67)


def test_agreement_reviews_count_review_dates_only(police, pcc_officer, agreements):
    reviews = duty(police, pcc_officer, "agreement-reviews")
    assert not reviews.records_completion and reviews.percent_on_time is None
    assert [(i.due, i.state) for i in reviews.items] == [(date(2025, 11, 3), OVERDUE)]  # A's; B to E never active


def test_a_partner_sees_the_agreement_figures_of_agreements_it_is_party_to(
    police, probation_officer, council_officer, police_officer, board_member, agreements
):
    assert figures(duty(police, police_officer, "agreements-signed")) == (1, 0, 2, 1, 33)
    theirs = duty(police, probation_officer, "agreements-signed")  # B and C
    assert theirs.partial and figures(theirs) == (0, 0, 1, 1, 0)
    council_sees = duty(police, council_officer, "agreements-signed")  # A, D (E no longer owed)
    assert council_sees.partial and figures(council_sees) == (1, 0, 1, 0, 50)
    # the board member's partner (the PCC office) is party to none, and holds no all-rows permission
    assert duty(police, board_member, "agreements-signed").hidden


# --- All the duties, and the pages ---------------------------------------------------------------------------
def test_every_partner_has_its_duties_in_order(police, opcc, police_officer):
    keys = [d.key for d in duties_for(partner=police, user=police_officer, period=FY, today=TODAY)]
    assert keys == [
        "data-returns",
        "plan-sign-offs",
        "callin-responses",
        "final-outcomes",
        "agreements-signed",
        "agreement-reviews",
    ]
    office = [d.key for d in duties_for(partner=opcc, user=police_officer, period=FY, today=TODAY)]
    assert "determinations" in office


def this_year_agreement(police, council):
    """An agreement from the police to the council sent and signed early in this financial year (both on time)."""
    fy = financial_year_of(timezone.localdate())
    vio = make_indicator("VIO-P", police)
    agreement = make_dsa(police, [council], [vio])
    sent_on(agreement, fy.start + timedelta(days=1), start_date=fy.start + timedelta(days=14))
    for partner in (police, council):
        signed_on(agreement, partner, fy.start + timedelta(days=2))
    return agreement


def test_the_partner_page_links_each_figure_to_its_items(police, council, police_officer):
    agreement = this_year_agreement(police, council)
    page = signed_in(police_officer).get(f"/partners/{police.slug}/accountability/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="#agreements-signed-on-time"' in html
    assert 'id="agreements-signed-on-time"' in html
    assert f'href="{agreement.get_absolute_url()}"' in html
    assert 'data-item="agreements-signed:on-time"' in html


def test_another_partners_page_says_hidden_rather_than_a_number(police, council, probation_officer):
    this_year_agreement(police, council)
    page = signed_in(probation_officer).get(f"/partners/{police.slug}/accountability/")
    assert page.status_code == 200
    html = page.content.decode()
    row = html[html.index('data-duty="agreements-signed"') :]
    row = row[: row.index("</tr>")]
    assert row.count("Hidden") == 5 and "agreements-signed-on-time" not in html


def test_the_period_filter_offers_this_year_and_last(police, police_officer):
    this = financial_year_of(timezone.localdate())
    client = signed_in(police_officer)
    assert this.label in client.get(f"/partners/{police.slug}/accountability/").content.decode()
    last = client.get(f"/partners/{police.slug}/accountability/?year={this.year - 1}").content.decode()
    assert Period(this.year - 1).label in last
    # a year not offered: this year, and the question says what went wrong
    wrong = client.get(f"/partners/{police.slug}/accountability/?year=1999").content.decode()
    assert f'<h2 class="govuk-heading-l" id="summary">{this.label}</h2>' in wrong


def test_a_partners_own_people_see_none_due_rather_than_hidden(police, police_officer):
    own = duty(police, police_officer, "plan-sign-offs")
    assert not own.hidden and figures(own) == (0, 0, 0, 0, None)


def test_an_unknown_partner_is_not_found(police_officer):
    assert signed_in(police_officer).get("/partners/no-such-partner/accountability/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(police, anonymous):
    for path in ("/partners/accountability/", f"/partners/{police.slug}/accountability/"):
        response = anonymous.get(path)
        assert response.status_code == 302 and response["Location"].split("?")[0] == reverse("portal:login")


def test_the_overview_shows_each_partner_and_links_to_its_page(police, council, probation, council_officer):
    this_year_agreement(police, council)
    html = signed_in(council_officer).get("/partners/accountability/").content.decode()
    for partner in (police, council, probation):
        assert f'data-partner="{partner.slug}"' in html
    year = financial_year_of(timezone.localdate()).year
    assert f"/partners/{police.slug}/accountability/?year={year}#agreements-signed" in html
    probation_row = html[html.index(f'data-partner="{probation.slug}"') :]
    assert "Hidden" in probation_row[: probation_row.index("</tr>")]


def _grow(n: int, pcc_officer, ground) -> None:
    """n more partners, each with an indicator and figures, an agreement with the last, a plan out for sign-off
    and a call-in: data of every kind the overview counts."""
    this = financial_year_of(timezone.localdate())
    partners = [make_partner(kind=Partner.Kind.OTHER) for _ in range(n)]
    from tests.factories import AreaFactory

    area = AreaFactory()
    pcc = make_person(Partner.objects.get(slug="opcc"), Role.PCC)
    for i, partner in enumerate(partners):
        officer = make_person(partner, Role.OFFICER)
        indicator = make_indicator(f"GROW-{partner.pk}", partner)
        for number in range(1, 4):
            start = this.start + timedelta(days=31 * number)
            figure(indicator, area, start.replace(day=1), start.replace(day=28), at(start))
        if i:
            make_dsa(partner, [partners[i - 1]], [indicator])
        make_plan(partner, [], status="in_signoff")
        call_in(partner, officer, pcc_officer, pcc, ground, f"G-{partner.pk}", timezone.localdate())


def test_the_overview_costs_the_same_queries_whatever_the_data(police, opcc, pcc_officer, ground):
    client = signed_in(pcc_officer)
    client.get("/partners/accountability/")  # (the first request fills caches: content types, role permissions)
    _grow(2, pcc_officer, ground)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/partners/accountability/").status_code == 200
    _grow(6, pcc_officer, ground)
    with CaptureQueriesContext(connection) as more:
        html = client.get("/partners/accountability/").content.decode()
    assert html.count("data-partner=") == 10
    assert len(more.captured_queries) == len(few.captured_queries), [q["sql"] for q in more.captured_queries]


def test_the_overview_is_paginated(police, pcc_officer):
    for _ in range(25):  # and the police and the PCC office: 27
        make_partner()
    client = signed_in(pcc_officer)
    first = client.get("/partners/accountability/").content.decode()
    assert first.count("data-partner=") == 25 and "?page=2" in first
    assert client.get("/partners/accountability/?page=2").content.decode().count("data-partner=") == 2


def test_the_partner_page_links_to_its_accountability(police, police_officer):
    html = signed_in(police_officer).get(f"/partners/{police.slug}/").content.decode()
    assert f'href="/partners/{police.slug}/accountability/"' in html


def test_a_board_member_sees_every_partners_sign_off_figures_on_the_overview(
    police, probation, board_member, signoff_rounds
):
    rows = duties_for_partners(partners=[police, probation], user=board_member, period=FY, today=TODAY)
    records = {pid: {d.key: d for d in duties}["plan-sign-offs"] for pid, duties in rows.items()}
    assert figures(records[police.pk]) == (1, 0, 1, 1, 50)
    assert figures(records[probation.pk]) == (0, 1, 1, 1, 0)


def test_the_overview_downloads_every_partners_figures_hidden_where_the_viewer_sees_none(
    police, probation_officer, police_officer, callins
):
    import csv
    import io

    from openpyxl import load_workbook

    def table(user, fmt: str) -> dict[str, dict[str, str]]:
        response = signed_in(user).get("/partners/accountability/", {"year": FY.year, "format": fmt})
        assert response.status_code == 200
        if fmt == "csv":
            lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        else:
            sheet = load_workbook(io.BytesIO(response.content)).active
            lines = [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]
        start = next(n for n, line in enumerate(lines) if line[:1] == ["Partner"])
        header = lines[start]
        return {line[0]: dict(zip(header, line, strict=False)) for line in lines[start + 1 :]}

    for fmt in ("csv", "xlsx"):
        theirs = table(police_officer, fmt)[police.name]
        # responses due in that year: one on time and one late (done then), the rest overdue or not yet due
        assert theirs["Call-in responses: on time"] == "1" and theirs["Call-in responses: late"] == "1"
        assert sum(int(theirs[f"Call-in responses: {s}"]) for s in ("on time", "late", "overdue", "not yet due")) == 4
        # another partner's people see none of the police's call-ins: hidden, never a zero
        assert table(probation_officer, fmt)[police.name]["Call-in responses: on time"] == "Hidden"
