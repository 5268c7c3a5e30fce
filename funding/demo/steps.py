"""The demo's funding step (68): see funding/demo/__init__.py for what it makes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from callins.models import PccDecision, financial_year_of
from partners.models import Area, Partner
from portal.seeding import SEED, notifications_dated, seed_step
from portal.working_days import add_working_days, next_working_day
from targets.models import Target

from .. import limits, services
from ..models import Application, ConflictDeclaration, Fund, IncomeReceipt, Organisation, Round, Score, SpendReturn
from .content import (
    ACTING_FOR,
    ADVISERS,
    ADVISERS_DONE,
    BIRMINGHAM,
    COUNSELLING,
    CRITERIA,
    FORCE_AREA,
    FUNDS,
    NEEDED_PARTNERS,
    ORGANISATIONS,
    PATHFINDER_DONE,
    PATHFINDERS,
    PEOPLE,
    PROGRAMMES,
    PROJECTS,
    RATIONALE,
    SURVIVORS,
    Ask,
    K,
    income,
)


def _at(day: date, hour: int = 10) -> datetime:
    """That day at that hour, or now if that is still to come (the demo never dates anything in the future)."""
    return min(timezone.make_aware(datetime.combine(day, time(hour, 0))), timezone.now())


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _next_quarter(start: date) -> date:
    month = start.month + 3
    return date(start.year + 1, month - 12, 1) if month > 12 else date(start.year, month, 1)


def last_overdue_quarter_end(today: date) -> date:
    """The end of the last quarter whose spend return was due before today (its due date has passed)."""
    end = _next_quarter(quarter_start(today)) - timedelta(days=1)
    while add_working_days(end, limits.SPEND_RETURN_WORKING_DAYS) >= today:
        end = quarter_start(end) - timedelta(days=1)
    return end


def award_days(today: date) -> tuple[date, date]:
    """When the grants being paid were awarded: one a quarter before the last overdue quarter (its first return
    is in, the overdue one is not), and the pathfinders early in that overdue quarter (their first return is in)."""
    late_start = quarter_start(last_overdue_quarter_end(today))
    earlier_start = quarter_start(late_start - timedelta(days=1))
    return next_working_day(earlier_start + timedelta(days=14)), next_working_day(late_start + timedelta(days=14))


def _read(day: date, today: date) -> bool:
    """Whether the demo's people have long seen what was sent that day."""
    return day < add_working_days(today, -5)


@seed_step(order=68)  # NOTE: before the call-ins' step (70): PCC decisions are numbered in the order they are signed
@transaction.atomic
def seed_funding(today: date | None = None) -> None:
    partners = {p.slug: p for p in Partner.objects.filter(slug__in=NEEDED_PARTNERS)}
    people = {u.username: u for u in get_user_model().objects.filter(username__in=PEOPLE)}
    if set(partners) != NEEDED_PARTNERS or set(people) != set(PEOPLE) or Fund.objects.exists():
        return  # the partners and people are not there yet, or this step has run
    today = today or timezone.localdate()
    demo = _Demo(today, people, partners)
    demo.grants_being_paid()
    demo.round_in_assessment()
    demo.round_open()
    services.funding_daily(today=today, by=SEED)  # this morning's reminders, as beat sends them (working days)


class _Demo:
    def __init__(self, today: date, people: dict, partners: dict):
        self.today, self.people = today, people
        self.year = financial_year_of(today)
        self.areas = {a.code: a for a in Area.objects.filter(code__in=[BIRMINGHAM, FORCE_AREA])}
        self.funds: dict[tuple[str, int], Fund] = {}
        for kind in FUNDS:
            self.fund(kind, self.year)
        self.orgs = {}
        for key, name, org_id, slug, charity, company in ORGANISATIONS:
            self.orgs[key] = services.organisation_register(
                by=SEED,
                name=name,
                org_id=org_id,
                partner=partners.get(slug),
                charity_number=charity,
                company_number=company,
            )
        self.programmes = {}
        for key, name, slug, lead, description, (codes, owner) in PROGRAMMES:
            self.programmes[key] = services.programme_create(
                by=SEED,
                name=name,
                slug=slug,
                lead_partner=Partner.objects.get(slug=lead),
                description=description,
                targets=list(Target.objects.filter(indicator__code__in=codes, owner__slug=owner)),
            )

    # --- funds and their income ---------------------------------------------------------------------------------
    def fund(self, kind: str, year: int) -> Fund:
        """The fund of that kind and financial year, set up with its budget and the income received so far."""
        if (kind, year) in self.funds:
            return self.funds[kind, year]
        name, ring_fenced, budget = FUNDS[kind]
        fund = services.fund_create(
            by=SEED, name=name, kind=kind, financial_year=year, budget=budget, ring_fenced=ring_fenced
        )
        start = date(year, 4, 1)
        Fund.objects.filter(pk=fund.pk).update(created_at=_at(start - timedelta(days=90)))
        for received_on, source, amount, reference in income(kind, start, self.today):
            receipt = services.income_record(
                fund=fund,
                by=SEED,
                source=source,
                received_on=received_on,
                amount=amount,
                reference=reference,
                today=self.today,
            )
            IncomeReceipt.objects.filter(pk=receipt.pk).update(recorded_at=_at(received_on, 11))
        self.funds[kind, year] = fund
        return fund

    # --- rounds, applications, assessment -----------------------------------------------------------------------
    def round(self, kind: str, year: int, title: str, eligibility: str, *, opens_on: date, closes_on: date, max_award):
        fund = self.fund(kind, year)
        made = services.round_create(
            fund=fund,
            by=SEED,
            title=f"{title} {fund.year_label}",
            eligibility=eligibility,
            opens_on=opens_on,
            closes_on=closes_on,
            max_award=max_award,
            criteria=CRITERIA,
        )
        made = services.round_open(round_=made, by=SEED, today=opens_on)
        Round.objects.filter(pk=made.pk).update(created_at=_at(opens_on - timedelta(days=14)))
        return made

    def acting_for(self, organisation: Organisation):
        """Who drafts and reports for an applicant: its partner's officer, or the seed for a registered provider
        (nobody in the portal acts for one)."""
        return self.people[ACTING_FOR[organisation.partner.slug]] if organisation.partner_id else SEED

    def apply(self, round_: Round, ask: Ask, day: date) -> Application:
        """The application drafted a few working days before it was submitted that day (or drafted that day)."""
        organisation, amount, programme = self.orgs[ask.org], Decimal(ask.amount), self.programmes.get(ask.programme)
        by = self.acting_for(organisation)
        drafted = max(round_.opens_on, add_working_days(day, -3)) if ask.submit else day
        running = (amount * Decimal("0.15")).quantize(Decimal("1"))
        application = services.application_draft(
            round_=round_,
            organisation=organisation,
            by=by,
            project_title=ask.title,
            summary=ask.summary,
            amount_asked=amount,
            budget_lines=[("Staff", amount - running), ("Training, travel and running costs", running)],
            targets=list(programme.targets.all()) if programme else [],
            areas=[self.areas[ask.area]] if ask.area in self.areas else [],
            programme=programme,
            today=drafted,
        )
        Application.objects.filter(pk=application.pk).update(drafted_at=_at(drafted, 9))
        if ask.submit:
            with notifications_dated(_at(day, 15), read=_read(day, self.today)):
                services.application_submit(application=application, by=by, meets_eligibility=True, today=day)
            Application.objects.filter(pk=application.pk).update(submitted_at=_at(day, 15))
        application.refresh_from_db()
        return application

    def assess(self, round_: Round, asks: list[Ask], day: date) -> list[Application]:
        """The round's applications, submitted as asked; then closed for applications and scored by pcc.officer."""
        applications = [self.apply(round_, ask, add_working_days(round_.opens_on, ask.day)) for ask in asks]
        services.round_close_for_applications(round_=round_, by=SEED)
        officer = self.people["pcc.officer"]
        for application, ask in zip(applications, asks):
            for criterion, mark in zip(round_.criteria.order_by("order"), ask.marks):
                services.score_record(
                    application=application, criterion=criterion, by=officer, score=mark, rationale=RATIONALE[mark]
                )
        Score.objects.filter(application__round=round_).update(scored_at=_at(day, 14))
        return applications

    # --- awards, payments, spend returns ------------------------------------------------------------------------
    def decide(self, round_: Round, applications: list[Application], day: date, *, declined: str, soon: int) -> list:
        """The Commissioner (step-up) awards the applications what they asked for, the first with an instalment
        due `soon` working days from today, and declines the last; the instalments due since are paid when due."""
        *funded, refused = applications
        awards = []
        for n, application in enumerate(funded):
            with notifications_dated(_at(day, 12), read=True):
                award = services.award_make(
                    application=application,
                    by=self.people["pcc"],
                    amount=application.amount_asked,
                    instalments=instalments(day, self.today, application.amount_asked, soon=None if n else soon),
                    conditions="A spend and outcomes return each quarter, with the people helped by age band, sex "
                    "and ethnicity.",
                    reasons="Among the strongest applications in the round, and it serves the board's priorities.",
                    confirmed_at=timezone.now(),
                    today=day,
                )
            PccDecision.objects.filter(pk=award.pcc_decision_id).update(prepared_at=_at(day, 9), signed_at=_at(day, 12))
            for instalment in award.instalments.filter(due_on__lte=self.today).order_by("due_on"):
                services.instalment_pay(
                    instalment=instalment, by=SEED, paid_on=instalment.due_on, today=instalment.due_on
                )
            awards.append(award)
        with notifications_dated(_at(day, 12), read=True):
            services.application_decline(
                application=refused, by=self.people["pcc"], reasons=declined, confirmed_at=timezone.now()
            )
        Application.objects.filter(pk__in=[a.pk for a in applications]).update(decided_at=_at(day, 12))
        services.round_close(round_=round_, by=SEED)
        return awards

    def spend_return(self, award, period_end: date, day: date, spend: str, outcomes: str) -> None:
        row = award.spend_returns.get(period_end=period_end)
        with notifications_dated(_at(day, 16), read=_read(day, self.today)):
            services.spend_return_submit(
                spend_return=row, by=self.acting_for(award.organisation), spend=spend, outcomes=outcomes, today=day
            )
        SpendReturn.objects.filter(pk=row.pk).update(submitted_at=_at(day, 16))

    # --- the rounds ---------------------------------------------------------------------------------------------
    def decided_round(self, kind: str, title: str, eligibility: str, asks, awarded: date, *, max_award, declined, soon):
        """A round that ran in the weeks before `awarded`, decided that day and closed."""
        round_ = self.round(
            kind,
            financial_year_of(awarded),
            title,
            eligibility,
            opens_on=awarded - timedelta(days=63),
            closes_on=add_working_days(awarded, -10),
            max_award=max_award,
        )
        applications = self.assess(round_, asks, add_working_days(round_.closes_on, 3))
        return self.decide(round_, applications, awarded, declined=declined, soon=soon)

    def grants_being_paid(self) -> None:
        """Victim Support's advisers, its first spend return in and the next one late (the demo's only late return),
        and three pathfinder grants awarded in that late quarter, their first returns in."""
        first, second = award_days(self.today)
        late_end = last_overdue_quarter_end(self.today)
        earlier_end = quarter_start(late_end) - timedelta(days=1)
        (advisers,) = self.decided_round(
            K.RAPE_VICTIM_SUPPORT,
            "Support for survivors of rape and sexual abuse",
            SURVIVORS,
            ADVISERS,
            first,
            max_award="120000.00",
            declined="The national helpline already answers out of hours; the need is not shown.",
            soon=4,
        )
        self.spend_return(advisers, earlier_end, add_working_days(earlier_end, 12), "21450.00", ADVISERS_DONE)
        pathfinders = self.decided_round(
            K.PROCEEDS_OF_CRIME,
            "Prevention and diversion pathfinders",
            "Partners, charities and social enterprises keeping children and young adults out of the justice system "
            "in the West Midlands.",
            PATHFINDERS,
            second,
            max_award="80000.00",
            declined="Outside the round's aim: the project works with adults of every age.",
            soon=8,
        )
        for award, offset, spent in zip(pathfinders, (9, 18, 14), ("9800.00", "6125.50", "14210.00")):
            self.spend_return(award, late_end, add_working_days(late_end, offset), spent, PATHFINDER_DONE)

    def round_in_assessment(self) -> None:
        """This year's rape victim support round, closed last week: scored in part, one conflict declared."""
        counselling = self.round(
            K.RAPE_VICTIM_SUPPORT,
            self.year,
            "Independent sexual violence advisers and counselling",
            SURVIVORS,
            opens_on=self.today - timedelta(days=70),
            closes_on=add_working_days(self.today, -5),
            max_award="75000.00",
        )
        day = add_working_days(counselling.closes_on, 1)
        therapy = self.assess(counselling, COUNSELLING, day)[1]
        services.conflict_declare(
            application=therapy,
            by=self.people["pcc.officer"],
            reason="I volunteered as a counsellor with Safer Futures West Midlands until last year.",
        )
        ConflictDeclaration.objects.filter(application=therapy).update(declared_at=_at(day, 9))

    def round_open(self) -> None:
        """This year's VAWG community projects round, open for a few more weeks: one application in, two drafts."""
        projects = self.round(
            K.VAWG,
            self.year,
            "Domestic abuse and VAWG community projects",
            "Partners and voluntary organisations preventing domestic abuse and violence against women and girls, "
            "or supporting its victims, in the West Midlands.",
            opens_on=self.today - timedelta(days=14),
            closes_on=add_working_days(self.today, 20),
            max_award="40000.00",
        )
        for ask in PROJECTS:
            self.apply(projects, ask, max(projects.opens_on, add_working_days(self.today, -ask.day)))


def instalments(awarded: date, today: date, amount: Decimal, *, soon: int | None = None) -> list[tuple[date, Decimal]]:
    """A grant's payments: on the day it was awarded and at the start of each quarter since (all due by today), one
    due `soon` working days from today when asked, and the last two quarters on; in equal shares."""
    dues, quarter = [awarded], _next_quarter(quarter_start(awarded))
    while next_working_day(quarter) <= today:
        dues.append(next_working_day(quarter))
        quarter = _next_quarter(quarter)
    if soon:
        dues.append(add_working_days(today, soon))
    dues.append(next_working_day(_next_quarter(_next_quarter(quarter_start(today)))))
    share = (amount / len(dues)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return [(day, share) for day in dues[:-1]] + [(dues[-1], amount - share * (len(dues) - 1))]
