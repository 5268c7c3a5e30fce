"""The devolved funds on the start page. For the PCC office: the late spend returns, the applications awaiting
assessment and the instalments to pay in the next 10 working days. For the officers and signatories of a partner
that applies for funds: its late spend returns and those to send, its draft applications and the rounds open for
applications. Every row is read through funding/selectors.py, filtered for the person."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from portal import permissions
from portal.formats import gov_date
from portal.home import HomeSection, home_provider
from portal.working_days import add_working_days

from . import rules, selectors
from .models import Organisation
from .services.common import pounds

LISTED = 10  # rows of each kind listed on the start page (the glance counts them all)
PAYMENTS_AHEAD = 10  # working days: the instalments the PCC office is to pay soon


def _url(name: str, *args) -> str:
    # NOTE: the funding pages (funding/urls.py) are written alongside: until a page is wired in, the funding index.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return reverse("funding:index")


def _tag(text: str, colour: str) -> dict:
    return {"text": text, "classes": f"govuk-tag--{colour}"}


def _first(qs: QuerySet) -> tuple[list, int]:
    """The first LISTED rows and how many there are in all (a count query only when there are more)."""
    rows = list(qs[: LISTED + 1])
    return rows[:LISTED], (len(rows) if len(rows) <= LISTED else qs.count())


def _assessment_tag(application) -> dict:
    if application.conflicted:
        return _tag("Conflict declared", "grey")
    if application.scored >= application.criteria:
        return _tag("Scored", "green")
    return _tag("Part scored", "yellow") if application.scored else _tag("To score", "blue")


@home_provider
def funds_office_section(user, today: date | None = None):
    """The PCC office: late spend returns, instalments to pay soon, applications awaiting assessment."""
    if not permissions.can(user, rules.FUND_MANAGE):
        return None
    today = today or timezone.localdate()
    late, late_count = _first(selectors.late_returns(user=user, today=today))
    payments, payment_count = _first(
        selectors.instalments_due(user=user, until=add_working_days(today, PAYMENTS_AHEAD))
    )
    assess, assess_count = _first(selectors.applications_awaiting_assessment(user=user))
    items = [
        {
            "text": f"{r.award.organisation.name}: the spend return for {r.award.application.project_title} (the "
            f"quarter to {gov_date(r.period_end)})",
            "href": r.award.get_absolute_url(),
            "due": r.due_on,
            "tag": _tag("Late", "red"),
        }
        for r in late
    ]
    items += [
        {
            "text": f"Pay {pounds(i.amount)} to {i.award.organisation.name} for {i.award.application.project_title}",
            "href": i.award.get_absolute_url(),
            "due": i.due_on,
            "tag": _tag("Overdue", "red") if i.due_on < today else _tag("Payment due", "blue"),
        }
        for i in payments
    ]
    items += [
        {
            "text": f"Assess {a.organisation.name}: {a.project_title} ({a.round.title})",
            "href": a.get_absolute_url(),
            "due": None,
            "tag": _assessment_tag(a),
        }
        for a in assess
    ]
    return HomeSection(
        title="Devolved funds",
        items=items,
        empty="Nothing about the devolved funds is waiting for you.",
        links=[
            {"text": "See the funds", "href": _url("funding:funds")},
            {"text": "See the awards", "href": _url("funding:awards")},
        ],
        key="funding",
        glance=[
            {"label": "Late spend returns", "count": late_count, "href": "#funding"},
            {"label": "Applications to assess", "count": assess_count, "href": "#funding"},
            {"label": "Grant payments due in 10 working days", "count": payment_count, "href": "#funding"},
        ],
    )


@home_provider
def funds_applicant_section(user, today: date | None = None):
    """A partner that applies for funds: its late spend returns and those to send, its drafts, the open rounds."""
    partner_ids = permissions.acting_partner_ids(user, rules.APPLICATION_DRAFT)
    if not partner_ids or not Organisation.objects.filter(partner_id__in=partner_ids).exists():
        return None
    today = today or timezone.localdate()
    returns = list(selectors.spend_returns_to_send(user=user, today=today))
    late = [r for r in returns if r.due_on < today]
    drafts, draft_count = _first(selectors.drafts_to_submit(user=user, today=today))
    rounds, round_count = _first(selectors.rounds_open_for_applications(user=user, today=today))
    items = [
        {
            "text": f"Send the spend return for {r.award.application.project_title} (the quarter to "
            f"{gov_date(r.period_end)})" + (": it is late" if r.due_on < today else ""),
            "href": r.award.get_absolute_url(),
            "due": r.due_on,
            "tag": _tag("Late", "red") if r.due_on < today else _tag("Return due", "blue"),
        }
        for r in returns[:LISTED]
    ]
    items += [
        {
            "text": f"Finish and submit your application: {a.project_title} ({a.round.title})",
            "href": a.get_absolute_url(),
            "due": a.round.closes_on,
            "tag": _tag("Draft", "grey"),
        }
        for a in drafts
    ]
    items += [
        {
            "text": f"{r.title} ({r.fund.name}) is open for applications until {gov_date(r.closes_on)}",
            "href": _url("funding:round", r.pk),
            "due": None,
            "tag": _tag("Open", "turquoise"),
        }
        for r in rounds
    ]
    return HomeSection(
        title="Your grants and applications",
        items=items,
        empty="No spend return or application is waiting for you, and no funding round is open.",
        links=[
            {"text": "See your grants", "href": _url("funding:awards")},
            {"text": "See the funding rounds", "href": _url("funding:rounds")},
        ],
        key="your-funding",
        glance=[
            {"label": "Late spend returns", "count": len(late), "href": "#your-funding"},
            {"label": "Spend returns to send", "count": len(returns) - len(late), "href": "#your-funding"},
            {"label": "Draft applications", "count": draft_count, "href": "#your-funding"},
            {"label": "Funding rounds open", "count": round_count, "href": "#your-funding"},
        ],
    )
