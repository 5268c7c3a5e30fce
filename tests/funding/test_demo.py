"""The demo's devolved funds are what the issue asks for on any seeding day: seeded today with the whole demo, and
on two pinned days either side of a financial year's end (31 March and 1 April 2027) with the partners alone."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from callins.models import PccDecision, financial_year_of
from funding import home_items, selectors, services
from funding.demo import seed_funding
from funding.models import Application, Award, ConflictDeclaration, Fund, Programme, Round, Score, SpendReturn
from partners.demo import seed_partners_and_people
from portal.demo import seed_all
from portal.models import AuditEvent, Notification
from portal.seeding import SEED
from portal.working_days import add_working_days, is_working_day

pytestmark = pytest.mark.django_db
A = Application.Status
DAYS = {"31 March 2027": date(2027, 3, 31), "1 April 2027": date(2027, 4, 1)}


class Day(date):
    """The seeding day; `whole` when the whole demo was seeded (as seed_demo makes it), not the partners alone."""

    whole = False


@pytest.fixture(params=["today", *DAYS])
def seeded(request) -> Day:
    if request.param == "today":
        seed_all()
        day = Day.fromordinal(timezone.localdate().toordinal())
        day.whole = True
        return day
    seed_partners_and_people()
    seed_funding(today=DAYS[request.param])
    return Day.fromordinal(DAYS[request.param].toordinal())


def person(username: str):
    return get_user_model().objects.get(username=username)


def the_late_return(today: date) -> SpendReturn:
    late = SpendReturn.objects.filter(submitted_at__isnull=True, due_on__lt=today).exclude(
        award__status=Award.Status.CANCELLED
    )
    assert late.count() == 1
    return late.select_related("award__organisation").get()


def test_the_four_funds_of_the_financial_year_have_their_income_and_never_go_negative(seeded):
    year = financial_year_of(seeded)
    funds = Fund.objects.filter(financial_year=year)
    assert sorted(funds.values_list("kind", flat=True)) == sorted(
        [Fund.Kind.RAPE_VICTIM_SUPPORT, Fund.Kind.VAWG, Fund.Kind.FIXED_PENALTIES, Fund.Kind.PROCEEDS_OF_CRIME]
    )
    assert funds.get(kind=Fund.Kind.RAPE_VICTIM_SUPPORT).ring_fenced
    for fund in funds:
        receipts = list(fund.receipts.all())
        assert receipts and fund.income_total == sum(r.amount for r in receipts)
        assert all(date(year, 4, 1) <= r.received_on <= seeded for r in receipts), fund
    sources = " ".join(funds.values_list("receipts__source", flat=True))
    assert "Ministry of Justice" in sources and "Fixed penalty fines" in sources and "Proceeds of crime" in sources
    for fund in Fund.objects.all():  # last year's too, when the grants being paid were awarded then
        position = selectors.fund_position(fund)
        assert min(position.budget, position.income, position.committed, position.paid, position.available) >= 0
        assert position.paid <= position.committed <= position.means


def test_a_round_is_open_today_with_drafts_and_one_is_in_assessment_with_scores_and_a_conflict(seeded):
    open_round = Round.objects.get(status=Round.Status.OPEN)
    assert open_round.accepts_on(seeded) and open_round.closes_on > seeded
    assert open_round.fund.financial_year == financial_year_of(seeded)
    assert sum(c.weight for c in open_round.criteria.all()) == 100
    drafts = open_round.applications.filter(status=A.DRAFT)
    assert {a.organisation.partner.slug for a in drafts} == {"victim-support-west-midlands", "birmingham-council"}
    assert open_round.applications.filter(status=A.SUBMITTED).count() == 1

    assessed = Round.objects.get(status=Round.Status.ASSESSMENT)
    assert assessed.closes_on < seeded and assessed.applications.filter(status=A.IN_ASSESSMENT).count() == 3
    officer = person("pcc.officer")
    assert Score.objects.filter(application__round=assessed, assessor=officer).count() == 6
    conflict = ConflictDeclaration.objects.get(application__round=assessed)
    assert conflict.assessor == officer and not conflict.application.scores.exists()


def test_grants_are_being_paid_with_exactly_one_late_spend_return_reminded_on_working_days(seeded):
    paying = Award.objects.filter(status=Award.Status.PAYING)
    assert paying.count() == 4
    for award in paying:
        assert award.awarded_on < seeded and award.paid > 0
        assert award.instalments.filter(paid_on__isnull=False).exists()
        assert award.instalments.filter(paid_on__isnull=True, due_on__gt=seeded).exists()
        assert award.pcc_decision.signed_by_label == "Simon Foster"
        assert award.pcc_decision.year == financial_year_of(award.awarded_on)
    assert SpendReturn.objects.filter(submitted_at__isnull=False).count() == 4
    late = the_late_return(seeded)
    assert late.award.organisation.partner.slug == "victim-support-west-midlands"
    assert late.award.spend_returns.filter(submitted_at__isnull=False, period_end__lt=late.period_start).exists()
    assert late.reminded_on == (seeded if is_working_day(seeded) else None)  # this morning's reminder
    # The next working day's run reminds it again (and, on the pinned days, it alone).
    next_day = add_working_days(seeded, 1)
    counts = services.funding_daily(today=next_day, by=SEED)
    late.refresh_from_db()
    assert late.reminded_on == next_day and counts["late_returns"] >= 1
    if not seeded.whole:
        assert counts["late_returns"] == 1
    reminded = Notification.objects.filter(user=person("victims.officer"), kind="funding.spend_return_late")
    assert reminded.filter(url=late.award.get_absolute_url()).exists()


def test_the_18_25_programme_and_the_early_help_pathfinder_have_their_awards(seeded):
    programme = Programme.objects.get(slug="18-25-offending-prevention")
    assert programme.lead_partner.slug == "probation-west-midlands"
    grants = Award.objects.filter(application__programme=programme)
    assert grants.count() == 2 and {g.organisation.org_id[:6] for g in grants} == {"GB-CHC", "GB-COH"}
    pathfinder = Programme.objects.get(slug="early-help-pathfinder")
    assert Award.objects.get(application__programme=pathfinder).organisation.partner.slug == "birmingham-council"
    if seeded.whole:  # the board's targets are there to link
        assert set(programme.targets.values_list("indicator__code", flat=True)) == {"FTE18-25", "REOFF-ADULT"}
        assert pathfinder.targets.filter(owner__slug="birmingham-yjs").count() == 2


def test_nothing_is_dated_after_now_and_pcc_decisions_are_numbered_in_date_order(seeded):
    now = timezone.now()
    assert not Notification.objects.filter(created_at__gt=now).exists()
    assert not Application.objects.filter(submitted_at__gt=now).exists()
    assert not SpendReturn.objects.filter(submitted_at__gt=now).exists()
    # (the awards' decisions are signed first, in the order they were made: the call-ins' step follows)
    signed = list(PccDecision.objects.filter(kind=PccDecision.Kind.FUNDING_AWARD).order_by("year", "number"))
    assert len(signed) == 4 and [d.signed_at for d in signed] == sorted(d.signed_at for d in signed)
    awarded = Award.objects.order_by("awarded_on")
    assert [a.awarded_on for a in awarded] == sorted(a.awarded_on for a in awarded)


def test_the_late_return_is_on_the_grantees_and_the_pcc_offices_start_pages_only(seeded):
    late = the_late_return(seeded)
    mine = home_items.funds_applicant_section(person("victims.officer"), today=seeded)
    assert late.award.get_absolute_url() in [i["href"] for i in mine.items if i["tag"]["text"] == "Late"]
    office = home_items.funds_office_section(person("pcc.officer"), today=seeded)
    assert [g["count"] for g in office.glance][:2] == [1, 3]
    council = home_items.funds_applicant_section(person("council.birmingham.officer"), today=seeded)
    assert not any(i["tag"]["text"] == "Late" for i in council.items)
    assert any(i["tag"]["text"] == "Draft" for i in council.items)


def test_seeding_again_changes_nothing(seeded):
    counts = (Fund.objects.count(), Application.objects.count(), Award.objects.count(), AuditEvent.objects.count())
    if seeded.whole:
        seed_all()
    else:
        seed_funding(today=seeded)
    assert (
        Fund.objects.count(),
        Application.objects.count(),
        Award.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
