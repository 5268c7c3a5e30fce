"""The start-page section on data-sharing agreements: signatures awaited, reviews and end dates near."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from portal import permissions
from portal.home import HomeSection, home_provider

from . import rules
from .selectors import dsa_awaiting_signature_of, dsa_reviews_due_for


@home_provider
def sharing_agreements_section(user):
    may_sign = bool(permissions.acting_partner_ids(user, rules.DSA_SIGN))
    may_manage = permissions.can(user, rules.DSA_SUSPEND)
    may_draft = bool(permissions.acting_partner_ids(user, rules.DSA_DRAFT))
    if not (may_sign or may_manage or may_draft):
        return None
    items = []
    for agreement in dsa_awaiting_signature_of(user=user) if may_sign else []:
        items.append(
            {
                "text": f"Sign {agreement.reference}: {agreement.title} ({agreement.provider.short_name})",
                "href": reverse("partners:dsa-sign", kwargs={"pk": agreement.pk}),
                "tag": {"text": "Awaiting your signature", "classes": "govuk-tag--blue"},
            }
        )
    today = timezone.localdate()
    for agreement in dsa_reviews_due_for(user=user, today=today) if may_manage else []:
        ends_first = agreement.end_date < agreement.review_date
        items.append(
            {
                "text": f"{agreement.reference}: {agreement.title}",
                "href": agreement.get_absolute_url(),
                "due": agreement.end_date if ends_first else agreement.review_date,
                "tag": {
                    "text": "Ends soon"
                    if ends_first
                    else ("Review due" if agreement.review_date >= today else "Review overdue"),
                    "classes": "govuk-tag--red"
                    if not ends_first and agreement.review_date < today
                    else "govuk-tag--yellow",
                },
            }
        )
    links = [{"text": "See data-sharing agreements", "href": reverse("partners:dsa-list")}]
    if may_draft:
        links.append({"text": "Draft a data-sharing agreement", "href": reverse("partners:dsa-create")})
    return HomeSection(
        title="Data-sharing agreements", items=items, empty="No agreements are waiting for you.", links=links
    )
