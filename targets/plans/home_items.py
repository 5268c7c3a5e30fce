"""Plans on the start page (what waits for the person, soonest first) and on the partner page (its duty
record of sign-offs)."""

from __future__ import annotations

from django.urls import reverse

from partners.selectors import partner_section
from portal import permissions
from portal.home import HomeSection, home_provider

from .. import rules
from .selectors import duty_record, waiting_for


@home_provider
def plans_section(user):
    if not permissions.can(user, rules.PLAN_VIEW):
        return None
    items = [
        {"text": w.text, "href": w.href, "due": w.due, "tag": {"text": w.tag, "classes": f"govuk-tag--{w.tag_colour}"}}
        for w in waiting_for(user=user)
    ]
    return HomeSection(
        title="Plans waiting for you",
        items=items,
        empty="No plan is waiting for you: nothing to sign off, write or deliver soon.",
        links=[{"text": "See all plans", "href": reverse("targets:plans")}],
    )


@partner_section
def partner_plan_duties(user, partner) -> dict | None:
    """The partner's duty to sign off plans: each sign-off asked of it, on time, late or outstanding."""
    if not permissions.can(user, rules.PLAN_VIEW):
        return None
    rows = duty_record(partner=partner, user=user)
    if not rows:
        return None
    return {"title": "Plan sign-offs", "template": "targets/plans/_duty_record.html", "signoffs": rows}
