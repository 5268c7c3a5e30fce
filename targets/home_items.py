"""The start-page sections: data returns waiting for partner officers; the targets a person's partners own that
are off track or likely to miss (for the board and the PCC office, every target's count)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from portal import permissions
from portal.home import HomeSection, home_provider

from . import rules
from .models import DataReturn, Target
from .selectors import data_returns_awaiting_action, status_counts, targets_visible_to, with_status, worst_first

GLANCE_TARGETS = 5  # off-track targets listed on the start page (the dashboard has them all)

TAG_CLASSES = {
    DataReturn.Status.VALID: "govuk-tag--turquoise",
    DataReturn.Status.INVALID: "govuk-tag--red",
    DataReturn.Status.FAILED: "govuk-tag--red",
}
WHAT_TO_DO = {
    DataReturn.Status.VALID: "check the changes and apply it",
    DataReturn.Status.INVALID: "fix the errors and upload it again",
    DataReturn.Status.FAILED: "upload it again",
}


def _link(name: str, text: str) -> list[dict]:
    # NOTE: the pages live in targets/urls.py (written alongside); until it is wired in, no link.
    try:
        return [{"text": text, "href": reverse(name)}]
    except NoReverseMatch:
        return []


@home_provider
def data_returns_section(user):
    if not permissions.acting_partner_ids(user, rules.DATA_RETURN_SUBMIT):
        return None
    items = []
    for data_return in data_returns_awaiting_action(user=user):
        try:
            href = data_return.get_absolute_url()
        except NoReverseMatch:
            href = ""
        items.append(
            {
                "text": f"{data_return.original_filename} ({data_return.partner.short_name}): "
                f"{WHAT_TO_DO[data_return.status]}",
                "href": href,
                "due": None,
                "tag": {"text": data_return.get_status_display(), "classes": TAG_CLASSES[data_return.status]},
            }
        )
    return HomeSection(
        title="Data returns",
        items=items,
        empty="No data returns are waiting for you.",
        links=_link("targets:data-return-upload", "Upload a data return")
        + _link("targets:data-returns", "See your data returns"),
    )


@home_provider
def targets_section(user):
    """Off-track targets the person's partners own (the worst first), or for those whose partners own none
    (the board, the PCC office), the board's targets off track: a count, the worst few, and the dashboard."""
    if not permissions.can(user, rules.PRIORITY_VIEW):
        return None
    from partners.selectors import memberships_of

    own = sorted({m.partner_id for m in memberships_of(user=user) if m.is_active()})
    targets = targets_visible_to(user=user)
    owned = targets.filter(owner_id__in=own)
    mine = owned.exists()
    scope = owned if mine else targets
    counts = status_counts(scope)
    off_track = counts[Target.Status.OFF_TRACK]
    likely = scope.filter(
        snapshot__likely_to_miss=True,
        snapshot__status__in=[Target.Status.ON_TRACK, Target.Status.AT_RISK],
    ).count()
    worst = with_status(
        user, list(worst_first(scope.filter(snapshot__status=Target.Status.OFF_TRACK))[:GLANCE_TARGETS])
    )
    dashboard = reverse("targets:dashboard")
    if mine and len(own) == 1:
        from partners.models import Partner

        dashboard += "?partner=" + Partner.objects.only("slug").get(pk=own[0]).slug
    items = [
        {
            "text": f"{t.display_title} ({t.owner.short_name})",
            "href": t.get_absolute_url(),
            "tag": {"text": t.status_label, "classes": f"govuk-tag--{t.status_colour}"},
        }
        for t in worst
    ]
    title = "Targets your partner owns" if mine else "The board's targets"
    return HomeSection(
        title=title,
        items=items,
        empty="No target is off track." if not mine else "None of the targets your partner owns is off track.",
        links=[{"text": "See them all on the dashboard", "href": dashboard}],
        key="targets",
        glance=[
            {"label": "Off-track targets" + (" you own" if mine else ""), "count": off_track, "href": "#targets"},
            {"label": "Likely to miss" + (" (yours)" if mine else ""), "count": likely, "href": dashboard},
        ],
    )
