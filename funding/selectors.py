"""Reads of the devolved funds for people signed in, filtered for the viewer through portal.permissions: an
applicant sees its own applications and awards; the PCC office sees everything; board members see fund
positions and the grants awarded."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from portal import permissions

from . import rules
from .models import Application, Award, Fund, Round


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


def awards_visible_to(*, user) -> QuerySet[Award]:
    return (
        permissions.visible(user, rules.AWARD_VIEW, Award.objects.all())
        .exclude(status=Award.Status.CANCELLED)
        .select_related("fund", "organisation", "application", "pcc_decision")
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
