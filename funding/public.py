"""The public grants page's and the 360Giving data's reads: what anyone may see without signing in. Its own
selectors, never the signed-in ones (which filter for a person): only published awards, that is not cancelled
and made through a signed PCC decision that is not confidential (Award.published, as a query).

Of each award only what the public register shows already: the recipient (its name, org-id and charity or
company number), the project's title, the fund and round, the amount, the day, the areas it serves and its PCC
decision (reference, summary). Never the application's own words, its budget, scores, conditions, payments or
spend returns: the rows built here carry nothing else, so no page or download can show more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from callins.models import PccDecision
from callins.public import record_url
from partners.models import Area

from .models import ZERO, Award, Fund


@dataclass(frozen=True)
class PublicArea:
    """An area a grant serves: its name and ONS code (E08000025), and whether a local authority or a force area."""

    name: str
    code: str
    kind: str


@dataclass(frozen=True)
class PublicGrant:
    """A published award as the public grants page and the 360Giving data show it."""

    pk: int
    project_title: str
    description: str  # the summary of the PCC decision that made it, published on the register already
    amount: Decimal
    awarded_on: date
    recipient_name: str
    recipient_org_id: str
    recipient_charity_number: str
    recipient_company_number: str
    fund_pk: int
    fund_label: str  # "Rape victim support 2026-27"
    financial_year: int
    round_pk: int
    round_title: str
    decision_reference: str  # 012/2026
    decision_url: str  # its page on the public register
    decided_at: datetime
    areas: tuple[PublicArea, ...]

    @property
    def year_label(self) -> str:
        return f"{self.financial_year}-{(self.financial_year + 1) % 100:02d}"


def _published() -> QuerySet[Award]:
    return Award.objects.exclude(status=Award.Status.CANCELLED).filter(
        pcc_decision__status=PccDecision.Status.SIGNED, pcc_decision__confidential=False
    )


def awards_published() -> QuerySet[Award]:
    """Published awards (not cancelled, their PCC decision signed and not confidential), the latest first, with
    what a PublicGrant needs in two queries."""
    return (
        _published()
        .select_related("organisation", "fund", "pcc_decision", "application__round")
        .prefetch_related(Prefetch("application__areas", queryset=Area.objects.order_by("name", "code")))
        .order_by("-awarded_on", "-id")
    )


def awards_searched(
    qs: QuerySet[Award], *, search: str = "", fund: Fund | None = None, year: int | None = None
) -> QuerySet[Award]:
    """Words in the recipient's name or the project's title, a fund, a financial year (the fund's)."""
    search = search.strip()
    if search:
        qs = qs.filter(Q(organisation__name__icontains=search) | Q(application__project_title__icontains=search))
    if fund is not None:
        qs = qs.filter(fund=fund)
    if year is not None:
        qs = qs.filter(fund__financial_year=year)
    return qs


def grant_public(award: Award) -> PublicGrant:
    """The award as the public sees it (from awards_published: nothing is fetched here)."""
    organisation, fund, decision = award.organisation, award.fund, award.pcc_decision
    round_ = award.application.round
    return PublicGrant(
        pk=award.pk,
        project_title=award.application.project_title,
        description=decision.summary,
        amount=award.amount,
        awarded_on=award.awarded_on,
        recipient_name=organisation.name,
        recipient_org_id=organisation.org_id,
        recipient_charity_number=organisation.charity_number,
        recipient_company_number=organisation.company_number,
        fund_pk=fund.pk,
        fund_label=str(fund),
        financial_year=fund.financial_year,
        round_pk=round_.pk,
        round_title=round_.title,
        decision_reference=decision.reference,
        decision_url=record_url(decision),
        decided_at=decision.signed_at,
        areas=tuple(PublicArea(name=a.name, code=a.code, kind=a.kind) for a in award.application.areas.all()),
    )


def grants_published() -> list[PublicGrant]:
    """Every published grant, the latest first (the downloads)."""
    return [grant_public(award) for award in awards_published()]


def grants_summary(qs: QuerySet[Award]) -> dict:
    """How many grants, and how much in all."""
    found = qs.order_by().aggregate(count=Count("id"), total=Sum("amount"))
    return {"count": found["count"], "total": found["total"] or ZERO}


def funds_with_grants() -> QuerySet[Fund]:
    """The funds with a published grant (a filter offers only these), the latest year first."""
    return Fund.objects.filter(pk__in=_published().values("fund_id")).order_by("-financial_year", "name")


def years_with_grants() -> list[int]:
    """The financial years (of their funds) with a published grant, the latest first."""
    years = _published().order_by().values_list("fund__financial_year", flat=True).distinct()
    return sorted(set(years), reverse=True)
