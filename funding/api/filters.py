"""The API's filters on funds, rounds, applications and awards: declared, validated and documented here; the
narrowing is the selectors' own (funds_narrowed, rounds_narrowed, applications_narrowed, awards_narrowed),
applied to rows already filtered for the caller. A filter naming nothing (a round the caller may not see, an
org-id nobody has) is a 400 naming it, never an empty list."""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from portal.api_base import LookupFilter, SelectorFilterSet

from .. import selectors
from ..models import Application, Award, Fund, Organisation, Round
from .base import ID_MAX


class WholeNumberFilter(filters.NumberFilter):
    """A whole number (a year): 2026.5 is refused, not rounded."""

    field_class = forms.IntegerField


class IdFilter(LookupFilter):
    """A row's id, which must name one the caller may see: `lookup(request, id)` finds it (the schema says it is
    a whole number)."""

    def __init__(self, *args, lookup, help_text: str, **kwargs):
        def by_id(request, value):
            text = str(value).strip()
            if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= ID_MAX:
                return None
            return lookup(request, int(text))

        super().__init__(*args, lookup=by_id, help_text=help_text, **kwargs)
        extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX, "description": help_text})(self)


def _fund(request, pk: int):
    # NOTE: that a fund exists is no secret (each round names its fund); its position is (funds_visible_to).
    return Fund.objects.filter(pk=pk).first()


def _round(request, pk: int):
    return selectors.rounds_visible_to(user=request.user).filter(pk=pk).first()


def _organisation(request, org_id: str):
    return Organisation.objects.filter(org_id=org_id).first()


def _fund_filter() -> IdFilter:
    return IdFilter(
        lookup=_fund, missing="No fund has the id %(value)s.", help_text="The fund's id (400 if no fund has it)"
    )


def _organisation_filter(help_text: str) -> LookupFilter:
    return LookupFilter(
        lookup=_organisation,
        missing="No organisation has the org-id “%(value)s”.",
        max_length=80,
        help_text=f"{help_text}: its 360Giving org-id (400 if no organisation has it)",
    )


class FundFilter(SelectorFilterSet):
    financial_year = WholeNumberFilter(
        min_value=2000, max_value=2100, help_text="The year its financial year starts in (2026 for 2026-27)"
    )
    kind = filters.ChoiceFilter(choices=Fund.Kind.choices, help_text="The kind of fund")

    def narrow(self, queryset, values):
        return selectors.funds_narrowed(queryset, **values)


class RoundFilter(SelectorFilterSet):
    fund = _fund_filter()
    status = filters.ChoiceFilter(
        choices=Round.Status.choices, help_text="The round's status (only the PCC office sees drafts)"
    )

    def narrow(self, queryset, values):
        return selectors.rounds_narrowed(queryset, **values)


class ApplicationFilter(SelectorFilterSet):
    round = IdFilter(
        lookup=_round,
        missing="No round you may see has the id %(value)s.",
        help_text="The round's id (400 if you may not see that round)",
    )
    status = filters.ChoiceFilter(choices=Application.Status.choices, help_text="The application's status")
    organisation = _organisation_filter("The applicant")

    def narrow(self, queryset, values):
        return selectors.applications_narrowed(queryset, **values)


class AwardFilter(SelectorFilterSet):
    fund = _fund_filter()
    status = filters.ChoiceFilter(
        choices=Award.Status.choices, help_text="The award's status (cancelled awards are listed only when asked for)"
    )
    organisation = _organisation_filter("The grantee")

    def narrow(self, queryset, values):
        return selectors.awards_narrowed(queryset, **values)
