"""Demo decisions, call-ins, PCC decisions and a senior appointment (seed step 70), made through the services
as the demo seed and dated back to when they are meant to have happened (the services stamp the time they run,
which only the demo changes), so that "overdue" is true on the day the demo is seeded:

- West Midlands Police: a decision logged today, in its call-in window (nothing done yet);
- Birmingham City Council: a decision whose window closed without a call-in (it may take effect);
- Probation: called in, its response due in a few working days;
- CPS: called in, its response overdue (the Commissioner has been told);
- Coventry YJS: called in, answered and referred back, its reconsideration due;
- the Violence Reduction Partnership: called in, then withdrawn;
- PCC decisions signed this year, one of them confidential, and the determinations above;
- West Midlands Police's Deputy Chief Constable: the PCC consulted, the view not yet recorded.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from partners.models import Partner
from portal.seeding import SEED, notifications_dated, seed_step
from portal.working_days import add_working_days

from . import services
from .models import Appointment, CallIn, CallInGround, PartnerDecision, PccDecision

GROUNDS = [
    ("Outside the agreed strategic plan", "The decision goes against the board's strategic plan."),
    ("Conflicts with a board target", "The decision makes a board target harder to meet."),
    ("Value for money", "The decision's costs are not justified by what it delivers."),
    ("Equality impact", "The decision affects some groups more than others, without a proper assessment."),
    ("Insufficient consultation", "Partners, victims or communities were not consulted enough."),
]


def _at(day: date, hour: int = 10) -> datetime:
    """That day at that hour, or now if that is still to come (the demo never dates anything in the future)."""
    return min(timezone.make_aware(datetime.combine(day, time(hour, 0))), timezone.now())


def _log(partners, slug, reference, title, summary, *, days_ago: int, today: date, value=None, confidential=False):
    logged = add_working_days(today, -days_ago) if days_ago else today
    with notifications_dated(_at(logged), read=days_ago > 0):
        decision = services.decision_log(
            partner=partners[slug],
            by=SEED,
            reference=reference,
            title=title,
            summary=summary,
            reasons="Set out in the decision report to the partner's board.",
            alternatives="Doing nothing; a smaller change phased over two years.",
            decision_maker_name="The decision-maker named in the report",
            decision_maker_post="Chief officer",
            made_on=add_working_days(logged, -2),
            takes_effect_on=add_working_days(today, 40),
            category="service_change",
            financial_value=value,
            confidential=confidential,
            today=logged,
        )
    PartnerDecision.objects.filter(pk=decision.pk).update(logged_at=_at(logged))
    return decision, logged


def _call_in(decision, logged: date, grounds, questions: str, *, days: int = 10) -> CallIn:
    issued = add_working_days(logged, 2)
    with notifications_dated(_at(issued), read=True):
        callin = services.callin_draft(
            decision=decision, by=SEED, grounds=grounds, questions=questions, response_working_days=days, today=issued
        )
        callin = services.callin_issue(callin=callin, by=SEED, today=issued)
    CallIn.objects.filter(pk=callin.pk).update(drafted_at=_at(add_working_days(logged, 1)), issued_at=_at(issued))
    callin.refresh_from_db()
    return callin


@seed_step(order=70)
@transaction.atomic
def seed_powers() -> None:
    partners = {p.slug: p for p in Partner.objects.all()}
    needed = {"west-midlands-police", "birmingham-council", "probation-west-midlands", "cps-west-midlands"}
    if not needed <= set(partners) or PartnerDecision.objects.exists():
        return  # the partners are not there yet, or this step has run
    today = timezone.localdate()
    for order, (name, description) in enumerate(GROUNDS, start=1):
        CallInGround.objects.get_or_create(name=name, defaults={"description": description, "order": order})
    grounds = list(CallInGround.objects.order_by("order"))
    _pcc_decisions(today)  # first: numbers follow the dates they were signed
    _decisions(partners, today, grounds)
    _appointment(partners, today)
    services.callins_daily(today=today, by=SEED)  # this morning's reminders, as beat sends them (working days)


def _decisions(partners, today: date, grounds) -> None:
    _log(
        partners,
        "west-midlands-police",
        "WMP-2026-031",
        "Close the Digbeth custody suite",
        "Custody moves to Perry Barr and Oldbury; the Digbeth suite closes.",
        days_ago=0,
        today=today,
        value=Decimal("1250000.00"),
    )
    _log(
        partners,
        "birmingham-council",
        "BCC-CS-2026-12",
        "Reduce CCTV monitoring hours in the city centre",
        "Live monitoring moves from 24 hours to 18 hours a day; recording continues.",
        days_ago=15,
        today=today,
        value=Decimal("340000.00"),
    )
    probation, logged = _log(
        partners,
        "probation-west-midlands",
        "PS-WM-2026-07",
        "Merge the Aston and Handsworth probation offices",
        "Both teams move to a single office in Aston.",
        days_ago=5,
        today=today,
    )
    _call_in(probation, logged, grounds[3:5], "How will people on probation in Handsworth reach the Aston office?")
    cps, logged = _log(
        partners,
        "cps-west-midlands",
        "CPS-WM-2026-03",
        "Stop charging decisions at weekends in Coventry",
        "Weekend charging for Coventry moves to the Birmingham hub.",
        days_ago=16,
        today=today,
    )
    _call_in(cps, logged, grounds[1:2], "What will the change do to the time from offence to charge?")
    _referred_back(partners, today, grounds)
    _withdrawn(partners, today, grounds)


def _referred_back(partners, today: date, grounds) -> None:
    yjs, logged = _log(
        partners,
        "coventry-yjs",
        "CYJS-2026-02",
        "End the Saturday reparation sessions",
        "Reparation sessions run on weekdays only.",
        days_ago=25,
        today=today,
    )
    callin = _call_in(yjs, logged, grounds[:1], "How will children in school or work complete their reparation?")
    answered = add_working_days(logged, 8)
    with notifications_dated(_at(answered), read=True):
        services.callin_response_save(
            callin=callin, by=SEED, response_text="Most children can attend after school; we will review in a year."
        )
        services.callin_submit(callin=callin, by=SEED, today=answered)
    determined = add_working_days(answered, 4)
    with notifications_dated(_at(determined, 15)):
        services.callin_determine(
            callin=callin,
            by=SEED,
            outcome="referred_back",
            reasons="Children in education or work would find it hard to complete their hours.",
            recommendations="Keep one Saturday session a month, and review attendance after six months.",
            reconsider_working_days=15,
            today=determined,
        )
    CallIn.objects.filter(pk=callin.pk).update(responded_at=_at(answered), determined_at=_at(determined, 15))


def _withdrawn(partners, today: date, grounds) -> None:
    vrp, logged = _log(
        partners,
        "west-midlands-vrp",
        "VRP-2026-05",
        "Move the knife-crime outreach team to Sandwell",
        "The outreach team's base moves from Birmingham to Sandwell.",
        days_ago=20,
        today=today,
    )
    callin = _call_in(vrp, logged, grounds[2:3], "Which Birmingham schools lose their outreach sessions?")
    withdrawn = add_working_days(logged, 6)
    with notifications_dated(_at(withdrawn, 14), read=True):
        services.callin_withdraw(
            callin=callin,
            by=SEED,
            reasons="The partnership confirmed every Birmingham school keeps its sessions.",
            today=withdrawn,
        )
    CallIn.objects.filter(pk=callin.pk).update(determined_at=_at(withdrawn, 14), closed_at=_at(withdrawn, 14))


def _pcc_decisions(today: date) -> None:
    for title, summary, confidential in (
        (
            "Funding for independent sexual violence advisers",
            "£420,000 from the rape victim support fund for four more independent sexual violence advisers.",
            False,
        ),
        ("Review of custody provision", "A review of custody provision across the force area.", False),
        ("Settlement of an employment claim", "The terms of a settlement.", True),
    ):
        decision = services.pcc_decision_draft(
            by=SEED,
            title=title,
            summary=summary,
            reasons="As set out in the report to the Commissioner.",
            financial_implications="Within the approved budget.",
            interests_declared="None.",
            confidential=confidential,
        )
        services.pcc_decision_sign(decision=decision, by=SEED, today=today)
    services.pcc_decision_draft(
        by=SEED,
        title="Extension of the victims' hub contract",
        summary="A one-year extension of the victims' hub contract.",
        reasons="The re-procurement needs another year.",
        financial_implications="£1.1 million in 2027-28.",
    )
    for offset, decision in enumerate(PccDecision.objects.filter(status=PccDecision.Status.SIGNED).order_by("number")):
        if decision.kind == PccDecision.Kind.GENERAL:
            PccDecision.objects.filter(pk=decision.pk).update(signed_at=_at(add_working_days(today, -45 + 5 * offset)))


def _appointment(partners, today: date) -> None:
    police = partners["west-midlands-police"]
    appointment = services.appointment_open(partner=police, by=SEED, post="Deputy Chief Constable")
    consulted = add_working_days(today, -4)
    with notifications_dated(_at(consulted), read=False):
        services.appointment_consult(
            appointment=appointment, by=SEED, candidate="Alex Morgan", view_working_days=10, today=consulted
        )
    Appointment.objects.filter(pk=appointment.pk).update(
        opened_at=_at(add_working_days(consulted, -15)), consulted_at=_at(consulted)
    )
