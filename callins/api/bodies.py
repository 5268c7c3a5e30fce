"""What the PCC's powers' API takes: request bodies with explicit fields and the limits of callins/limits.py
(the services check them again). Money is taken only as a string with two decimals ("1250000.00"), never a
number a client would have read as a float."""

from __future__ import annotations

from rest_framework import serializers

from portal.api_base import MULTI_LINE, JSONTypesMixin

from .. import limits
from ..models import Appointment, DecisionCategory, PartnerDecision

MONEY_PATTERN = r"^\d{1,12}(\.\d{1,2})?$"


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


PARTNER_HELP = "The partner's slug; leave it out when you act for one partner only"


class DecisionLogSerializer(JSONTypesMixin, serializers.Serializer):
    partner = serializers.SlugField(required=False, help_text=PARTNER_HELP)
    reference = _line(limits.REFERENCE, help_text="Your own reference, unique for your partner")
    title = _line(limits.TITLE)
    summary = _text(limits.TEXT)
    reasons = _text(limits.TEXT)
    alternatives = _text(limits.TEXT, required=False, help_text="The alternatives considered")
    decision_maker_name = _line(limits.NAME)
    decision_maker_post = _line(limits.NAME)
    made_on = serializers.DateField(help_text="Today or earlier")
    takes_effect_on = serializers.DateField(help_text="On or after the day it was made")
    category = serializers.ChoiceField(choices=DecisionCategory.choices)
    priorities = serializers.ListField(
        child=serializers.SlugField(), required=False, default=list, max_length=50, help_text="Priorities' slugs"
    )
    targets = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=50, help_text="Ids"
    )
    financial_value = serializers.RegexField(
        MONEY_PATTERN,
        max_length=15,
        required=False,
        allow_null=True,
        default=None,
        help_text='Pounds and pence as a string ("1250000.00"), never a number',
        error_messages={"invalid": "Enter the financial value in pounds and pence as a string, like “125000.00”."},
    )
    confidential = serializers.BooleanField(required=False, default=False)
    window_working_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=limits.WINDOW_RANGE[0],
        max_value=limits.WINDOW_RANGE[1],
        help_text=f"Working days the PCC may call it in (default {limits.WINDOW_DEFAULT})",
    )


class TakeEffectSerializer(JSONTypesMixin, serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Today if left out")


class ReasonsSerializer(JSONTypesMixin, serializers.Serializer):
    reasons = _text(limits.NOTE)


class OutcomeSerializer(JSONTypesMixin, serializers.Serializer):
    outcome = serializers.ChoiceField(choices=PartnerDecision.Outcome.choices)
    outcome_text = _text(limits.TEXT, help_text="What was decided in the end, and why")


GROUNDS_HELP = "The grounds' names, from the list the PCC office keeps (as a call-in's grounds show them)"


class CallInDraftSerializer(JSONTypesMixin, serializers.Serializer):
    decision = serializers.IntegerField(min_value=1, help_text="The id of the decision to call in")
    grounds = serializers.ListField(child=_line(limits.GROUND), max_length=20, help_text=GROUNDS_HELP)
    questions = _text(limits.TEXT, help_text="What the partner must answer")
    response_working_days = serializers.IntegerField(
        required=False,
        default=limits.RESPONSE_DEFAULT,
        min_value=limits.RESPONSE_RANGE[0],
        max_value=limits.RESPONSE_RANGE[1],
    )


class CallInChangeSerializer(JSONTypesMixin, serializers.Serializer):
    grounds = serializers.ListField(child=_line(limits.GROUND), max_length=20, required=False, help_text=GROUNDS_HELP)
    questions = serializers.CharField(max_length=limits.TEXT, required=False, style=MULTI_LINE)
    response_working_days = serializers.IntegerField(
        required=False, min_value=limits.RESPONSE_RANGE[0], max_value=limits.RESPONSE_RANGE[1]
    )


class ResponseSerializer(JSONTypesMixin, serializers.Serializer):
    response_text = _text(limits.TEXT, required=False, help_text="The response as it stands (saved, not submitted)")


class SubmitSerializer(JSONTypesMixin, serializers.Serializer):
    response_text = serializers.CharField(
        max_length=limits.TEXT,
        required=False,
        allow_blank=True,
        style=MULTI_LINE,
        help_text="The response to submit; leave it out to submit the one saved",
    )


DETERMINATION_OUTCOMES = [("stands", "The decision stands"), ("referred_back", "Referred back to be reconsidered")]


class DetermineSerializer(JSONTypesMixin, serializers.Serializer):
    outcome = serializers.ChoiceField(choices=DETERMINATION_OUTCOMES)
    reasons = _text(limits.TEXT)
    recommendations = _text(limits.TEXT, required=False, help_text="Needed when it is referred back")
    reconsider_working_days = serializers.IntegerField(
        required=False,
        default=limits.RECONSIDER_DEFAULT,
        min_value=limits.RECONSIDER_RANGE[0],
        max_value=limits.RECONSIDER_RANGE[1],
        help_text="When referred back: working days the partner has to reconsider",
    )


class WithdrawCallInSerializer(JSONTypesMixin, serializers.Serializer):
    reasons = _text(limits.TEXT)


class PccDecisionDraftSerializer(JSONTypesMixin, serializers.Serializer):
    title = _line(limits.TITLE)
    summary = _text(limits.TEXT)
    reasons = _text(limits.TEXT)
    financial_implications = _text(limits.TEXT, required=False)
    interests_declared = _text(limits.NOTE, required=False, help_text="Any interest the PCC declares, or none")
    confidential = serializers.BooleanField(required=False, default=False)
    partner = serializers.SlugField(
        required=False, allow_null=True, default=None, help_text="The slug of the partner it is about, if one"
    )


class PccDecisionChangeSerializer(JSONTypesMixin, serializers.Serializer):
    title = _line(limits.TITLE, required=False)
    summary = serializers.CharField(max_length=limits.TEXT, required=False, style=MULTI_LINE)
    reasons = serializers.CharField(max_length=limits.TEXT, required=False, style=MULTI_LINE)
    financial_implications = serializers.CharField(
        max_length=limits.TEXT, required=False, allow_blank=True, style=MULTI_LINE
    )
    interests_declared = serializers.CharField(
        max_length=limits.NOTE, required=False, allow_blank=True, style=MULTI_LINE
    )
    confidential = serializers.BooleanField(required=False)
    partner = serializers.SlugField(required=False, allow_null=True, help_text="The partner's slug, or null for none")


class AppointmentOpenSerializer(JSONTypesMixin, serializers.Serializer):
    partner = serializers.SlugField(required=False, help_text=PARTNER_HELP)
    post = _line(limits.NAME, help_text="The senior post being filled")
    notes = _text(limits.NOTE, required=False)


class ShortlistSerializer(JSONTypesMixin, serializers.Serializer):
    candidate = _line(limits.NAME, help_text="Who is proposed")


class ConsultSerializer(JSONTypesMixin, serializers.Serializer):
    candidate = _line(limits.NAME, required=False, help_text="Who is proposed; the shortlisted one if left out")
    view_working_days = serializers.IntegerField(
        required=False,
        default=limits.VIEW_DEFAULT,
        min_value=limits.VIEW_RANGE[0],
        max_value=limits.VIEW_RANGE[1],
        help_text="Working days the PCC has to give a view",
    )


class ViewSerializer(JSONTypesMixin, serializers.Serializer):
    view = serializers.ChoiceField(choices=Appointment.View.choices)
    reasons = _text(limits.NOTE, required=False, help_text="Needed with concerns")


class AppointmentWithdrawSerializer(JSONTypesMixin, serializers.Serializer):
    reasons = _text(limits.NOTE)
