"""The API's filters on partners and agreements: declared, validated and documented here; the narrowing
is the selectors' own (partners_narrowed, dsa_narrowed), applied to rows already filtered for the caller."""

from __future__ import annotations

from django_filters import rest_framework as filters

from portal.api_base import LookupFilter, SelectorFilterSet

from .models import DataSharingAgreement, Partner
from .selectors import dsa_narrowed, partner_list_visible_to, partners_narrowed
from .sharing import coverage


def partner_named(request, slug: str) -> Partner | None:
    """An active partner the caller may see, by slug (a filter's value)."""
    return partner_list_visible_to(user=request.user).filter(slug=slug).first()


def partner_filter(help_text: str) -> LookupFilter:
    return LookupFilter(lookup=partner_named, missing="No partner has the slug “%(value)s”.", help_text=help_text)


class PartnerFilter(SelectorFilterSet):
    kind = filters.ChoiceFilter(choices=Partner.Kind.choices, help_text="The kind of partner")
    search = filters.CharFilter(help_text="Part of the partner's name or short name (any case)")

    def narrow(self, queryset, values):
        return partners_narrowed(queryset, **values)


def _covered_item(request, code: str):
    """What an agreement can cover (an indicator, reached through partners.sharing), by its code."""
    found = coverage().find(codes=[code])
    return found[0] if found else None


class AgreementFilter(SelectorFilterSet):
    partner = partner_filter(
        "A party's slug: agreements where that partner is the provider or a recipient (400 if no active "
        "partner has that slug)"
    )
    status = filters.ChoiceFilter(choices=DataSharingAgreement.Status.choices, help_text="The agreement's status")
    indicator = LookupFilter(
        lookup=_covered_item,
        missing="No indicator has the code “%(value)s”.",
        help_text="An indicator's code, as written: agreements that cover it (400 if no indicator has that code)",
    )

    def narrow(self, queryset, values):
        return dsa_narrowed(queryset, **values)
