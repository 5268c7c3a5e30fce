"""Reads of the devolved funds for people signed in, filtered for the viewer through portal.permissions: an
applicant sees its own applications and awards; the PCC office sees everything; board members see fund
positions and the grants awarded."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal import permissions

from . import rules
from .models import Application, Award, Fund, Instalment, Organisation, Programme, Round, SpendReturn
from .workflows import APPLICATION_FLOW, AWARD_FLOW, ROUND_FLOW


@dataclass(frozen=True)
class FundPosition:
    fund: Fund
    budget: Decimal
    income: Decimal
    means: Decimal  # budget plus income
    committed: Decimal
    paid: Decimal
    available: Decimal


def fund_position(fund: Fund) -> FundPosition:
    """A fund's position now: budget plus income, committed, paid and available (never negative)."""
    return FundPosition(
        fund=fund,
        budget=fund.budget,
        income=fund.income_total,
        means=fund.means,
        committed=fund.committed,
        paid=fund.paid,
        available=fund.available,
    )


def funds_visible_to(*, user) -> QuerySet[Fund]:
    if not permissions.can(user, rules.FUND_VIEW):
        return Fund.objects.none()
    return Fund.objects.all()


def applications_visible_to(*, user) -> QuerySet[Application]:
    return permissions.visible(user, rules.APPLICATION_VIEW, Application.objects.all()).select_related(
        "round__fund", "organisation"
    )


def awards_visible_to(*, user, cancelled: bool = False) -> QuerySet[Award]:
    """Applicants their own awards; the PCC office every one; board members the published ones (made through a
    PCC decision that is not confidential). Cancelled awards only when asked for (`cancelled=True`)."""
    qs = permissions.visible(user, rules.AWARD_VIEW, Award.objects.all())
    if not permissions.is_pcc_office(user):
        own = organisations_applying_for(user=user, action=rules.AWARD_VIEW)
        qs = qs.filter(Q(pcc_decision__confidential=False) | Q(organisation__in=[o.pk for o in own]))
    if not cancelled:
        qs = qs.exclude(status=Award.Status.CANCELLED)
    return qs.select_related("fund", "organisation", "application", "pcc_decision")


class _Probe:
    """An unsaved stand-in guarded through its organisation (the rules' `via="organisation"`)."""

    def __init__(self, organisation):
        self.organisation = organisation


def organisations_applying_for(*, user, action: str = rules.APPLICATION_DRAFT) -> list[Organisation]:
    """The organisations whose applications (or awards) this person acts for: their partner's own (none for
    the PCC office, which assesses rather than applies)."""
    partner_ids = permissions.acting_partner_ids(user, action)
    if not partner_ids:
        return []
    return [
        o
        for o in Organisation.objects.filter(partner_id__in=partner_ids).select_related("partner")
        if permissions.can(user, action, _Probe(o))
    ]


def rounds_visible_to(*, user) -> QuerySet[Round]:
    """Every signed-in person sees the rounds that have opened; the PCC office also sees drafts."""
    qs = Round.objects.select_related("fund")
    if permissions.can(user, rules.FUND_MANAGE):
        return qs
    return qs.exclude(status=Round.Status.DRAFT)


def round_get(*, user, pk: int) -> Round:
    round_ = rounds_visible_to(user=user).filter(pk=pk).first()
    if round_ is None:
        raise Http404
    round_.transitions = [t for t in ROUND_FLOW.available_to(user, round_) if t.url_name]
    return round_


def fund_get(*, user, pk: int) -> Fund:
    permissions.check(user, rules.FUND_VIEW)
    return get_object_or_404(Fund, pk=pk)


def application_get(*, user, pk: int) -> Application:
    application = (
        applications_visible_to(user=user)
        .select_related("programme", "drafted_by", "submitted_by", "round__fund")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    application.transitions = [t for t in APPLICATION_FLOW.available_to(user, application) if t.url_name]
    return application


def application_award(*, user, application: Application) -> Award | None:
    """The application's award, when this person may see it."""
    return awards_visible_to(user=user, cancelled=True).filter(application=application).first()


def award_get(*, user, pk: int) -> Award:
    award = (
        awards_visible_to(user=user, cancelled=True)
        .select_related("application__round", "organisation__partner", "application__programme")
        .filter(pk=pk)
        .first()
    )
    if award is None:
        raise Http404
    award.transitions = [t for t in AWARD_FLOW.available_to(user, award) if t.url_name]
    award.may_pay = AWARD_FLOW.may(user, award, "pay")
    award.may_return = award.status != Award.Status.CANCELLED and permissions.can(
        user, rules.SPEND_RETURN_SUBMIT, award
    )
    return award


def programmes() -> QuerySet[Programme]:
    """Programmes are known to everyone signed in (their money is shown from the awards each person may see)."""
    return Programme.objects.select_related("lead_partner")


def programme_get(*, slug: str) -> Programme:
    return get_object_or_404(programmes(), slug=slug)


@dataclass(frozen=True)
class Share:
    name: str
    awarded: Decimal
    paid: Decimal
    awards: int


def fund_breakdown(fund: Fund) -> dict:
    """Where a fund's money went: commitments by programme and by area served, and spend against each award.
    An award serving several areas counts in each (the area totals are not added up)."""
    awards = list(
        fund.awards.exclude(status=Award.Status.CANCELLED)
        .select_related("organisation", "application__programme")
        .prefetch_related("application__areas", "spend_returns")
        .order_by("-amount", "pk")
    )
    by_programme: dict[str, list] = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    by_area: dict[str, list] = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    spend = []
    for award in awards:
        programme = award.application.programme.name if award.application.programme else "No programme"
        for key, table in ((programme, by_programme),) + tuple(
            (a.name, by_area) for a in award.application.areas.all()
        ):
            table[key][0] += award.amount
            table[key][1] += award.paid
            table[key][2] += 1
        returned = [r.spend for r in award.spend_returns.all() if r.submitted_at is not None]
        spend.append((award, sum(returned, Decimal(0)), len(returned)))

    def shares(table):
        return [Share(k, v[0], v[1], v[2]) for k, v in sorted(table.items(), key=lambda kv: (-kv[1][0], kv[0]))]

    return {"by_programme": shares(by_programme), "by_area": shares(by_area), "spend": spend}


def late_returns(*, user, today) -> QuerySet[SpendReturn]:
    """Spend returns past their due date and not submitted, on the awards this person may see."""
    return (
        SpendReturn.objects.filter(award__in=awards_visible_to(user=user), submitted_at__isnull=True, due_on__lt=today)
        .select_related("award__organisation", "award__application")
        .order_by("due_on", "pk")
    )


@dataclass(frozen=True)
class Ranked:
    application: Application
    rank: int
    weighted_total: Decimal  # the weighted mean score, 1 to 5 (2 decimal places)
    percentage: Decimal
    criteria_scored: int
    criteria: int
    assessors: int


def moderation(*, round_: Round, user) -> list[Ranked]:
    """The round's submitted applications ranked by weighted total: for each criterion the mean of its
    assessors' scores, weighted by the criterion's weight. Equal totals share a rank."""
    permissions.check(user, rules.APPLICATION_ASSESS)
    criteria = list(round_.criteria.all())
    weights = {c.pk: Decimal(c.weight) for c in criteria}
    total_weight = sum(weights.values()) or Decimal(1)
    applications = list(
        Application.objects.filter(
            round=round_,
            status__in=[Application.Status.SUBMITTED, Application.Status.IN_ASSESSMENT, Application.Status.AWARDED],
        )
        .select_related("organisation")
        .prefetch_related("scores")
    )
    rows = []
    for application in applications:
        by_criterion: dict[int, list[int]] = defaultdict(list)
        for score in application.scores.all():
            by_criterion[score.criterion_id].append(score.score)
        weighted = sum(
            (weights[c] * Decimal(sum(s)) / Decimal(len(s)) for c, s in by_criterion.items() if c in weights),
            Decimal(0),
        )
        total = (weighted / total_weight).quantize(Decimal("0.01"))
        rows.append(
            (
                application,
                total,
                len(by_criterion),
                len({s.assessor_id for s in application.scores.all()}),
            )
        )
    rows.sort(key=lambda r: (-r[1], r[0].pk))
    ranked, rank, previous = [], 0, None
    for n, (application, total, scored, assessors) in enumerate(rows, start=1):
        if total != previous:
            rank, previous = n, total
        ranked.append(
            Ranked(
                application=application,
                rank=rank,
                weighted_total=total,
                percentage=(total * 20).quantize(Decimal("0.1")),
                criteria_scored=scored,
                criteria=len(criteria),
                assessors=assessors,
            )
        )
    return ranked


# --- Narrowing a list (the API's filters; the same for a page that offers them) ------------------------------
def funds_narrowed(qs: QuerySet[Fund], *, financial_year: int | None = None, kind: str = "") -> QuerySet[Fund]:
    if financial_year is not None:
        qs = qs.filter(financial_year=financial_year)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def rounds_narrowed(qs: QuerySet[Round], *, fund: Fund | None = None, status: str = "") -> QuerySet[Round]:
    if fund is not None:
        qs = qs.filter(fund=fund)
    if status:
        qs = qs.filter(status=status)
    return qs


def applications_narrowed(
    qs: QuerySet[Application], *, round: Round | None = None, status: str = "", organisation=None
) -> QuerySet[Application]:
    if round is not None:
        qs = qs.filter(round=round)
    if status:
        qs = qs.filter(status=status)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


def awards_narrowed(
    qs: QuerySet[Award], *, fund: Fund | None = None, status: str = "", organisation=None
) -> QuerySet[Award]:
    """A fund, a status, a grantee; cancelled awards only when their status is asked for (`qs` from
    awards_visible_to(cancelled=True))."""
    if fund is not None:
        qs = qs.filter(fund=fund)
    qs = qs.filter(status=status) if status else qs.exclude(status=Award.Status.CANCELLED)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


@dataclass(frozen=True)
class Assessment:
    scores: list
    conflicts: list


def application_assessment(*, user, application: Application) -> Assessment | None:
    """The scores given to an application and the conflicts declared on it: for those who assess (the PCC
    office) alone, None for anyone else."""
    if not permissions.can(user, rules.APPLICATION_ASSESS):
        return None
    return Assessment(
        scores=list(application.scores.select_related("criterion", "assessor").order_by("criterion__order", "pk")),
        conflicts=list(application.conflicts.select_related("assessor").order_by("declared_at", "pk")),
    )


# --- What waits for people (the start page) ---------------------------------------------------------------------
def spend_returns_to_send(*, user, today: date) -> QuerySet[SpendReturn]:
    """The grantee's own spend returns whose quarter has ended and that are not in (late, or due within the 20
    working days after it), soonest due first: on the awards (not cancelled) the person reports on."""
    awards = permissions.visible(user, rules.SPEND_RETURN_SUBMIT, Award.objects.exclude(status=Award.Status.CANCELLED))
    return (
        SpendReturn.objects.filter(award__in=awards.values("pk"), submitted_at__isnull=True, period_end__lt=today)
        .select_related("award__organisation", "award__application")
        .order_by("due_on", "pk")
    )


def applications_awaiting_assessment(*, user) -> QuerySet[Application]:
    """For assessors: the applications in rounds in assessment, not yet decided, with how many criteria the person
    has scored (`scored` of `criteria`) and whether they declared a conflict (`conflicted`)."""
    if not permissions.can(user, rules.APPLICATION_ASSESS):
        return Application.objects.none()
    return (
        applications_visible_to(user=user)
        .filter(status=Application.Status.IN_ASSESSMENT, round__status=Round.Status.ASSESSMENT)
        .annotate(
            criteria=Count("round__criteria", distinct=True),
            scored=Count("scores", filter=Q(scores__assessor=user), distinct=True),
            conflicted=Count("conflicts", filter=Q(conflicts__assessor=user), distinct=True),
        )
        .order_by("round__closes_on", "round_id", "pk")
    )


def instalments_due(*, user, until: date) -> QuerySet[Instalment]:
    """For those who record payments (the PCC office): unpaid instalments of awards not cancelled, due by `until`
    (so the overdue ones too), soonest first."""
    awards = permissions.visible(user, rules.AWARD_PAY, Award.objects.exclude(status=Award.Status.CANCELLED))
    return (
        Instalment.objects.filter(award__in=awards.values("pk"), paid_on__isnull=True, due_on__lte=until)
        .select_related("award__organisation", "award__application")
        .order_by("due_on", "pk")
    )


def drafts_to_submit(*, user, today: date) -> QuerySet[Application]:
    """The person's organisations' draft applications to rounds still open for applications, closing soonest first."""
    return (
        permissions.visible(user, rules.APPLICATION_DRAFT, Application.objects.all())
        .filter(status=Application.Status.DRAFT, round__status=Round.Status.OPEN, round__closes_on__gte=today)
        .select_related("round")
        .order_by("round__closes_on", "pk")
    )


def rounds_open_for_applications(*, user, today: date) -> QuerySet[Round]:
    """The rounds open for applications today, closing soonest first."""
    return (
        rounds_visible_to(user=user)
        .filter(status=Round.Status.OPEN, opens_on__lte=today, closes_on__gte=today)
        .order_by("closes_on", "pk")
    )
