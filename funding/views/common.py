"""What the devolved funds' pages share: the helpers of the PCC's powers' pages (the posted data, a service's
refusal on its form, a transition refused or sent back, a list's filters) and the links between the lists."""

from __future__ import annotations

from callins.views.common import (  # noqa: F401
    CONTENT_TYPES,
    _apply_errors,
    _filtered,
    _filters,
    _posted,
    _refuse_or_redirect,
)
from portal import permissions

from .. import rules

LISTS = (
    ("funding:index", "Funding", None),
    ("funding:funds", "Funds", rules.FUND_VIEW),
    ("funding:rounds", "Funding rounds", None),
    ("funding:applications", "Applications", rules.APPLICATION_VIEW),
    ("funding:awards", "Awards", rules.AWARD_VIEW),
    ("funding:programmes", "Programmes", None),
    ("funding:organisations", "Applicants", rules.FUND_MANAGE),
)


def _lists_for(user) -> list[tuple[str, str]]:
    return [(name, text) for name, text, action in LISTS if action is None or permissions.can(user, action)]
