"""The PCC's powers on the start page (what waits for the person, soonest first) and on the partner page (its
decisions and the call-ins on them, for those who may see them)."""

from __future__ import annotations

from django.urls import reverse

from partners.selectors import partner_section
from portal import permissions
from portal.home import HomeSection, home_provider

from . import rules
from .selectors import (
    callins_narrowed,
    callins_visible_to,
    counts_for_board,
    decisions_narrowed,
    decisions_visible_to,
    waiting_for,
)

PARTNER_PAGE_ROWS = 5


@home_provider
def callins_section(user):
    office = permissions.can(user, rules.CALLIN_DRAFT)
    partner = permissions.can(user, rules.DECISION_LOG) or permissions.can(user, rules.CALLIN_RESPOND)
    if not (office or partner or permissions.can(user, rules.POWERS_COUNTS)):
        return None
    items = [
        {"text": w.text, "href": w.href, "due": w.due, "tag": {"text": w.tag, "classes": f"govuk-tag--{w.tag_colour}"}}
        for w in waiting_for(user=user)
    ]
    if not office and not partner:
        counts = counts_for_board(user=user)
        items = [
            {
                "text": f"{counts['open']} call-ins open, {counts['determined']} determined, {counts['withdrawn']} "
                f"withdrawn; {counts['decisions']} decisions logged by partners",
                "href": reverse("register:index"),
            }
        ]
    links = [{"text": "See call-ins", "href": reverse("callins:callins")}] if (office or partner) else []
    if office or partner:
        links.append({"text": "See decisions", "href": reverse("callins:decisions")})
    links.append({"text": "The public register", "href": reverse("register:index")})
    return HomeSection(
        title="Call-ins and the PCC's decisions",
        items=items,
        empty="Nothing about call-ins is waiting for you.",
        links=links,
    )


@partner_section
def partner_powers(user, partner) -> dict | None:
    """The partner's latest decisions and the call-ins on them, each as far as the viewer may see them."""
    decisions = callins = None
    if permissions.can(user, rules.DECISION_VIEW):
        decisions = decisions_narrowed(decisions_visible_to(user=user), partner=partner)
    if permissions.can(user, rules.CALLIN_VIEW):
        callins = callins_narrowed(callins_visible_to(user=user), partner=partner)
    decision_rows = list(decisions[:PARTNER_PAGE_ROWS]) if decisions is not None else []
    callin_rows = list(callins[:PARTNER_PAGE_ROWS]) if callins is not None else []
    if not decision_rows and not callin_rows:
        return None
    return {
        "title": "Decisions and call-ins",
        "template": "callins/_partner_section.html",
        "decisions": decision_rows,
        "decision_count": decisions.count() if len(decision_rows) == PARTNER_PAGE_ROWS else len(decision_rows),
        "callins": callin_rows,
        "callin_count": callins.count() if len(callin_rows) == PARTNER_PAGE_ROWS else len(callin_rows),
    }
