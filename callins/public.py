"""The public register's reads: what anyone may see without signing in. Its own selectors, never the signed-in
ones (which filter for a person): only signed PCC decisions and call-ins the PCC has issued appear, never a
draft.

A confidential item (a PCC decision marked confidential, or a call-in of a confidential decision) shows only
that it exists, its number or reference, its date and its partner. The rows built here carry nothing else for
it, so no page, feed or export can show more; and a search or a filter on anything else (words, a kind, a
status) never finds it, since finding it would tell what it says or how it ended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from partners.models import Partner

from .models import CallIn, PartnerDecision, PccDecision

CONFIDENTIAL = "Confidential"
REFERENCE = re.compile(r"^\s*0*(\d{1,6})\s*/\s*(\d{4})\s*$")  # 012/2026


def _day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment else None


# --- The PCC's decisions -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicPccDecision:
    """A signed PCC decision as the register shows it; a confidential one has its number, date and partner only."""

    reference: str
    year: int
    number: int
    signed_at: datetime
    partner_name: str
    confidential: bool
    url: str
    kind_label: str = ""
    title: str = ""
    summary: str = ""
    reasons: str = ""
    financial_implications: str = ""
    interests_declared: str = ""
    signed_by: str = ""
    callin_reference: str = ""
    callin_url: str = ""

    @property
    def signed_on(self) -> date:
        return _day(self.signed_at)

    @property
    def heading(self) -> str:
        """What names it in a list, a page title or a feed: never a confidential one's title."""
        return f"PCC decision {self.reference}" + (f": {self.title}" if not self.confidential else " (confidential)")


def pcc_decisions_published() -> QuerySet[PccDecision]:
    """Signed PCC decisions, newest number first."""
    return (
        PccDecision.objects.filter(status=PccDecision.Status.SIGNED)
        .select_related("partner", "callin", "callin__decision")
        .order_by("-year", "-number")
    )


def _reference_q(search: str) -> Q | None:
    found = REFERENCE.match(search)
    return Q(number=int(found.group(1)), year=int(found.group(2))) if found else None


def pcc_decisions_searched(
    qs: QuerySet[PccDecision],
    *,
    search: str = "",
    partner: Partner | None = None,
    kind: str = "",
    signed_from: date | None = None,
    signed_to: date | None = None,
) -> QuerySet[PccDecision]:
    """Words in a title or summary (or a number, NNN/YYYY), a partner, a kind, the days it was signed between.
    Words and kinds find only decisions that are not confidential."""
    if search:
        words = Q(confidential=False) & (Q(title__icontains=search) | Q(summary__icontains=search))
        number = _reference_q(search)
        qs = qs.filter(words | number if number is not None else words)
    if partner is not None:
        qs = qs.filter(partner=partner)
    if kind:
        qs = qs.filter(kind=kind, confidential=False)
    if signed_from is not None:
        qs = qs.filter(signed_at__date__gte=signed_from)
    if signed_to is not None:
        qs = qs.filter(signed_at__date__lte=signed_to)
    return qs


def pcc_decision_public(decision: PccDecision) -> PublicPccDecision:
    """The decision as the register shows it."""
    shown = PublicPccDecision(
        reference=decision.reference,
        year=decision.year,
        number=decision.number,
        signed_at=decision.signed_at,
        partner_name=decision.partner.name if decision.partner else "",
        confidential=decision.confidential,
        url=reverse("register:pcc-decision", kwargs={"year": decision.year, "number": decision.number}),
    )
    if decision.confidential:
        return shown
    callin = decision.callin if _has_callin(decision) else None
    return replace(
        shown,
        kind_label=decision.get_kind_display(),
        title=decision.title,
        summary=decision.summary,
        reasons=decision.reasons,
        financial_implications=decision.financial_implications,
        interests_declared=decision.interests_declared,
        signed_by=decision.signed_by_label,
        callin_reference=callin.reference if callin else "",
        callin_url=reverse("register:callin", kwargs={"reference": callin.reference}) if callin else "",
    )


def _has_callin(decision: PccDecision) -> bool:
    try:
        return decision.callin is not None
    except CallIn.DoesNotExist:
        return False


def pcc_decision_published_get(*, year: int, number: int) -> PublicPccDecision:
    decision = pcc_decisions_published().filter(year=year, number=number).first()
    if decision is None:
        raise Http404
    return pcc_decision_public(decision)


# --- Call-ins --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicCallIn:
    """An issued call-in as the register shows it; a confidential one has its reference, date and partner only."""

    reference: str
    issued_at: datetime
    partner_name: str
    confidential: bool
    url: str
    status: str = ""
    status_label: str = ""
    status_colour: str = "grey"
    decision_reference: str = ""
    decision_title: str = ""
    decision_summary: str = ""
    decision_made_on: date | None = None
    decision_category: str = ""
    financial_value: object = None
    grounds: tuple[str, ...] = field(default_factory=tuple)
    questions: str = ""
    response_due: date | None = None
    responded_at: datetime | None = None
    response_text: str = ""
    determined_at: datetime | None = None
    determination_reasons: str = ""
    recommendations: str = ""
    reconsider_by: date | None = None
    pcc_decision_reference: str = ""
    pcc_decision_url: str = ""
    outcome_label: str = ""
    outcome_text: str = ""
    closed_at: datetime | None = None

    @property
    def issued_on(self) -> date:
        return _day(self.issued_at)

    @property
    def heading(self) -> str:
        return f"Call-in {self.reference}" + (
            f": {self.decision_title}" if not self.confidential else " (confidential)"
        )


def callins_published() -> QuerySet[CallIn]:
    """Call-ins the PCC has issued (never a draft), the latest first."""
    return (
        CallIn.objects.filter(status__in=CallIn.PUBLIC_STATUSES, issued_at__isnull=False)
        .select_related("partner", "decision", "pcc_decision")
        .prefetch_related("grounds")
        .order_by("-issued_at", "-id")
    )


def callins_searched(
    qs: QuerySet[CallIn],
    *,
    search: str = "",
    partner: Partner | None = None,
    status: str = "",
    issued_from: date | None = None,
    issued_to: date | None = None,
) -> QuerySet[CallIn]:
    """Its reference or words in its decision's title, a partner, a status, the days it was issued between.
    Words and statuses find only call-ins of decisions that are not confidential."""
    if search:
        words = Q(decision__confidential=False) & (
            Q(decision__title__icontains=search) | Q(decision__reference__icontains=search)
        )
        qs = qs.filter(words | Q(reference__iexact=search.strip()))
    if partner is not None:
        qs = qs.filter(partner=partner)
    if status:
        qs = qs.filter(status=status, decision__confidential=False)
    if issued_from is not None:
        qs = qs.filter(issued_at__date__gte=issued_from)
    if issued_to is not None:
        qs = qs.filter(issued_at__date__lte=issued_to)
    return qs


def callin_public(callin: CallIn) -> PublicCallIn:
    """The call-in as the register shows it: the partner's response once submitted, the determination once
    made, and what the partner decided in the end after a referral back."""
    shown = PublicCallIn(
        reference=callin.reference,
        issued_at=callin.issued_at,
        partner_name=callin.partner.name,
        confidential=callin.decision.confidential,
        url=reverse("register:callin", kwargs={"reference": callin.reference}),
    )
    if shown.confidential:
        return shown
    decision, record = callin.decision, callin.pcc_decision
    submitted = callin.responded_at is not None
    reconsidered = callin.status == CallIn.Status.CLOSED and decision.outcome
    return replace(
        shown,
        status=callin.status,
        status_label=callin.get_status_display(),
        status_colour=callin.status_colour,
        decision_reference=decision.reference,
        decision_title=decision.title,
        decision_summary=decision.summary,
        decision_made_on=decision.made_on,
        decision_category=decision.get_category_display(),
        financial_value=decision.financial_value,
        grounds=tuple(g.name for g in callin.grounds.all()),
        questions=callin.questions,
        response_due=callin.response_due,
        responded_at=callin.responded_at,
        response_text=callin.response_text if submitted else "",
        determined_at=callin.determined_at,
        determination_reasons=callin.determination_reasons,
        recommendations=callin.recommendations,
        reconsider_by=callin.reconsider_by,
        pcc_decision_reference=record.reference if record and not record.confidential else "",
        pcc_decision_url=record_url(record) if record and not record.confidential else "",
        outcome_label=PartnerDecision.Outcome(decision.outcome).label if reconsidered else "",
        outcome_text=decision.outcome_text if reconsidered else "",
        closed_at=callin.closed_at,
    )


def record_url(decision: PccDecision) -> str:
    return reverse("register:pcc-decision", kwargs={"year": decision.year, "number": decision.number})


def callin_published_get(*, reference: str) -> PublicCallIn:
    callin = callins_published().filter(reference=reference).first()
    if callin is None:
        raise Http404
    return callin_public(callin)


# --- The register as a whole -------------------------------------------------------------------------------
def partners_on_register() -> QuerySet[Partner]:
    """The partners with a published decision or call-in (a filter offers only these), by name."""
    with_decisions = pcc_decisions_published().order_by().values("partner_id")
    with_callins = callins_published().order_by().values("partner_id")
    return Partner.objects.filter(Q(pk__in=with_decisions) | Q(pk__in=with_callins)).order_by("name")


def register_counts() -> dict[str, int]:
    callins = callins_published()
    return {
        "pcc_decisions": pcc_decisions_published().count(),
        "callins": callins.count(),
        "callins_open": callins.filter(status__in=CallIn.OPEN_STATUSES).count(),
    }


def latest_pcc_decisions(count: int = 50) -> list[PublicPccDecision]:
    """The latest signed decisions, the most recently signed first (the feed; the register's first page)."""
    rows = pcc_decisions_published().order_by("-signed_at", "-id")[:count]
    return [pcc_decision_public(d) for d in rows]


CSV_HEADER = [
    "Record",
    "Reference",
    "Date",
    "Partner",
    "Confidential",
    "Kind or status",
    "Title",
    "Summary",
    "Determination or call-in",
    "Address",
]


def register_rows(absolute) -> list[list]:
    """The whole register as rows for a spreadsheet: every signed PCC decision, then every issued call-in.
    `absolute(path)` makes an address whole."""
    rows = []
    for decision in pcc_decisions_published():
        shown = pcc_decision_public(decision)
        rows.append(
            [
                "PCC decision",
                shown.reference,
                shown.signed_on.isoformat(),
                shown.partner_name,
                "Yes" if shown.confidential else "No",
                shown.kind_label,
                shown.title,
                shown.summary,
                shown.callin_reference,
                absolute(shown.url),
            ]
        )
    for callin in callins_published():
        shown = callin_public(callin)
        rows.append(
            [
                "Call-in",
                shown.reference,
                shown.issued_on.isoformat(),
                shown.partner_name,
                "Yes" if shown.confidential else "No",
                shown.status_label,
                shown.decision_title,
                shown.decision_summary,
                shown.pcc_decision_reference,
                absolute(shown.url),
            ]
        )
    return rows
