"""The start-page section for partner officers: data returns waiting for them."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from portal import permissions
from portal.home import HomeSection, home_provider

from . import rules
from .models import DataReturn
from .selectors import data_returns_awaiting_action

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
