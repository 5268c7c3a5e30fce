"""The PCC's powers on the start page: what waits for the person, soonest first."""

from __future__ import annotations

from django.urls import reverse

from portal import permissions
from portal.home import HomeSection, home_provider

from . import rules
from .selectors import counts_for_board, waiting_for


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
