"""What the devolved funds' API takes: request bodies with explicit fields and the limits of funding/limits.py
(the services check them again). Money is taken only as a string of pounds and pence ("1250.00"), never a JSON
number, which a client would have read as a float: a number is refused (400) naming the field."""

from __future__ import annotations

from rest_framework import serializers

from portal.api_base import MULTI_LINE, JSONTypesMixin

from .. import limits
from .base import ID_MAX

MONEY_PATTERN = r"^\d{1,10}(\.\d{1,2})?$"  # what a Decimal(12, 2) column holds
MONEY_HELP = 'Pounds and pence as a string ("1250.00"), never a number'


def _money(subject: str, **kwargs) -> serializers.RegexField:
    """Pounds and pence as a string: a JSON number is refused (JSONTypesMixin), never read as a float."""
    kwargs.setdefault("help_text", MONEY_HELP)
    return serializers.RegexField(
        MONEY_PATTERN,
        max_length=13,
        error_messages={"invalid": f"Enter {subject} in pounds and pence as a string, like “1250.00”."},
        **kwargs,
    )


def _text(limit: int, *, required: bool = True, **kwargs) -> serializers.CharField:
    """Several lines of text up to `limit` characters (the services strip and check it again)."""
    if not required:
        kwargs.setdefault("default", "")
    return serializers.CharField(
        max_length=limit, required=required, allow_blank=not required, style=MULTI_LINE, **kwargs
    )


def _line(limit: int, **kwargs) -> serializers.CharField:
    """One line of text up to `limit` characters."""
    return serializers.CharField(max_length=limit, **kwargs)


def _id(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


ORGANISATION_HELP = "The applying organisation's 360Giving org-id; leave it out when you apply for one only"


# --- Applications ------------------------------------------------------------------------------------------
class BudgetLineBodySerializer(JSONTypesMixin, serializers.Serializer):
    item = _line(limits.NAME, help_text="What the money is for")
    amount = _money("each budget line's amount")


def _budget_lines(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=BudgetLineBodySerializer(),
        max_length=50,
        help_text="What the amount asked for is made of: they must add up to it before it is submitted",
        **kwargs,
    )


def _targets(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=_id(), max_length=50, help_text="The ids of the targets it serves", **kwargs)


def _areas(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=_line(12), max_length=50, help_text="The ONS codes of the areas it serves (E08000025)", **kwargs
    )


PROGRAMME_HELP = "The slug of the programme it belongs to, or null for none"


class ApplicationDraftSerializer(JSONTypesMixin, serializers.Serializer):
    round = _id(help_text="The id of the round, open for applications")
    organisation = _line(80, required=False, help_text=ORGANISATION_HELP)
    project_title = _line(limits.TITLE)
    summary = _text(limits.TEXT)
    amount_asked = _money("the amount asked for", help_text=f"{MONEY_HELP}; no more than the round's maximum")
    budget_lines = _budget_lines(required=False, default=list)
    targets = _targets(required=False, default=list)
    areas = _areas(required=False, default=list)
    programme = serializers.SlugField(
        max_length=80, required=False, allow_null=True, default=None, help_text=PROGRAMME_HELP
    )


class ApplicationChangeSerializer(JSONTypesMixin, serializers.Serializer):
    """A draft's fields, any of them: those left out stay as they are (a list given replaces the list)."""

    project_title = _line(limits.TITLE, required=False)
    summary = serializers.CharField(max_length=limits.TEXT, required=False, style=MULTI_LINE)
    amount_asked = _money("the amount asked for", required=False)
    budget_lines = _budget_lines(required=False)
    targets = _targets(required=False)
    areas = _areas(required=False)
    programme = serializers.SlugField(max_length=80, required=False, allow_null=True, help_text=PROGRAMME_HELP)


class ApplicationSubmitSerializer(JSONTypesMixin, serializers.Serializer):
    meets_eligibility = serializers.BooleanField(
        help_text="true: you confirm the organisation meets the round's eligibility (nothing is submitted without)"
    )


# --- Assessment --------------------------------------------------------------------------------------------
class ApplicationScoreSerializer(JSONTypesMixin, serializers.Serializer):
    criterion = _line(limits.NAME, help_text="The criterion's name, as the round lists it (any case)")
    score = serializers.IntegerField(min_value=1, max_value=5, help_text="1 (poor) to 5 (excellent)")
    rationale = _text(limits.NOTE)


class ApplicationConflictSerializer(JSONTypesMixin, serializers.Serializer):
    reason = _text(limits.NOTE, help_text="Why you have a conflict of interest (any scores you gave are removed)")


# --- Awards ------------------------------------------------------------------------------------------------
class InstalmentBodySerializer(JSONTypesMixin, serializers.Serializer):
    due_on = serializers.DateField(help_text="Today or later")
    amount = _money("each instalment")


class AwardMakeSerializer(JSONTypesMixin, serializers.Serializer):
    amount = _money("the amount awarded", help_text=f"{MONEY_HELP}; no more than was asked for")
    instalments = serializers.ListField(
        child=InstalmentBodySerializer(),
        min_length=1,
        max_length=24,
        help_text="The payment schedule: instalments adding up exactly to the award",
    )
    conditions = _text(limits.TEXT, required=False, help_text="The grant's conditions, if any")
    reasons = _text(limits.TEXT, help_text="Why it is awarded (published with the PCC decision)")


class GrantReasonsSerializer(JSONTypesMixin, serializers.Serializer):
    reasons = _text(limits.TEXT, help_text="Told to the applicant")


class InstalmentPaySerializer(JSONTypesMixin, serializers.Serializer):
    paid_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Today if left out")
    paid_amount = _money(
        "the amount paid",
        required=False,
        allow_null=True,
        default=None,
        help_text=f"{MONEY_HELP}; the whole instalment if left out",
    )


class SpendReturnSubmitSerializer(JSONTypesMixin, serializers.Serializer):
    spend = _money("the spend in the quarter", help_text=f"{MONEY_HELP}; 0.00 or more")
    outcomes = _text(limits.TEXT, help_text="What the grant achieved in the quarter")
