"""A partner's significant decisions: logged (opening the PCC's call-in window), waived, taken into effect,
and reconsidered after a referral back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.models import Partner
from portal import permissions
from portal.actors import require_actor
from portal.audit import snapshot
from portal.formats import gov_date
from portal.notifications import notify
from portal.working_days import add_working_days

from .. import limits, rules
from ..models import CallIn, DecisionCategory, PartnerDecision
from ..workflows import CALLIN_FLOW, DECISION_FLOW, has_callin
from .common import audit, label, partner_people, pcc_office, person, text, within

D = PartnerDecision.Status
DECISION_FIELDS = [
    "reference",
    "title",
    "category",
    "made_on",
    "takes_effect_on",
    "financial_value",
    "confidential",
    "window_closes_on",
]


def window_days_default() -> int:
    return int(getattr(settings, "CALLIN_WINDOW_WORKING_DAYS", limits.WINDOW_DEFAULT))


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        money = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"financial_value": "Enter the financial value in pounds and pence, like 125000.00"})
    if isinstance(value, float):
        raise ValidationError({"financial_value": "Give the financial value as exact pounds and pence, not a float"})
    if not money.is_finite() or money < 0 or money.as_tuple().exponent < -2 or money >= Decimal("1e12"):
        raise ValidationError(
            {"financial_value": "Enter the financial value in pounds and pence, 0 or more, like 125000.00"}
        )
    return money.quantize(Decimal("0.01"))


@transaction.atomic
def decision_log(
    *,
    partner: Partner,
    by,
    reference: str,
    title: str,
    summary: str,
    reasons: str,
    decision_maker_name: str,
    decision_maker_post: str,
    made_on: date,
    takes_effect_on: date,
    category: str,
    alternatives: str = "",
    priorities=(),
    targets=(),
    financial_value=None,
    confidential: bool = False,
    window_working_days: int | None = None,
    today: date | None = None,
) -> PartnerDecision:
    """A partner's officer logs a significant decision; the PCC may call it in until its window closes,
    `window_working_days` working days from today (default CALLIN_WINDOW_WORKING_DAYS, 5)."""
    require_actor(by)
    if not permissions.can(by, rules.DECISION_LOG, PartnerDecision(partner=partner)):
        raise PermissionDenied(permissions.refusal(rules.DECISION_LOG))
    today = today or timezone.localdate()
    days = within(
        "window_working_days", window_working_days or window_days_default(), limits.WINDOW_RANGE, "the window"
    )
    if category not in DecisionCategory.values:
        raise ValidationError({"category": "Select the kind of decision"})
    if takes_effect_on < made_on:
        raise ValidationError(
            {"takes_effect_on": "The date it takes effect must be the same as or after the date made"}
        )
    if made_on > today:
        raise ValidationError({"made_on": "The date the decision was made must be today or in the past"})
    decision = PartnerDecision(
        partner=partner,
        reference=text("reference", reference, limits.REFERENCE, "Reference", required=True, single_line=True),
        title=text("title", title, limits.TITLE, "Title", required=True, single_line=True),
        summary=text("summary", summary, limits.TEXT, "Summary", required=True),
        reasons=text("reasons", reasons, limits.TEXT, "Reasons", required=True),
        alternatives=text("alternatives", alternatives, limits.TEXT, "Alternatives considered"),
        decision_maker_name=text(
            "decision_maker_name",
            decision_maker_name,
            limits.NAME,
            "Name of who decided",
            required=True,
            single_line=True,
        ),
        decision_maker_post=text(
            "decision_maker_post",
            decision_maker_post,
            limits.NAME,
            "Post of who decided",
            required=True,
            single_line=True,
        ),
        made_on=made_on,
        takes_effect_on=takes_effect_on,
        category=category,
        financial_value=_money(financial_value),
        confidential=bool(confidential),
        logged_by=person(by),
        window_working_days=days,
        window_closes_on=add_working_days(today, days),
    )
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError:
        raise ValidationError(
            {"reference": f"{partner.short_name} has already logged a decision with the reference {decision.reference}"}
        )
    decision.priorities.set(priorities)
    decision.targets.set(targets)
    audit(
        by=by,
        obj=decision,
        partner=partner,
        action="decision.log",
        summary=f"{partner.short_name} logged decision {decision.reference}: {decision.title}",
        after=snapshot(decision, DECISION_FIELDS),
    )
    notify(
        users=pcc_office(),
        kind="callins.decision_logged",
        by=by,
        url=decision.get_absolute_url(),
        title=f"{partner.short_name} logged a decision: {decision.title}",
        body=f"{partner.name} logged decision {decision.reference}, '{decision.title}', taking effect on "
        f"{gov_date(takes_effect_on)}. It may be called in until the end of {gov_date(decision.window_closes_on)}.",
    )
    return decision


@transaction.atomic
def decision_waive(
    *, decision: PartnerDecision, by, reasons: str, confirmed_at: datetime | None = None, today: date | None = None
) -> PartnerDecision:
    """The Commissioner gives up the power to call a decision in (with reasons): it may take effect now."""
    decision = DECISION_FLOW.begin("waive", decision, by=by, confirmed_at=confirmed_at)
    today = today or timezone.localdate()
    if not decision.window_open(today):
        raise ValidationError(f"The call-in window of {decision.reference} has closed: there is nothing to waive")
    if has_callin(decision):
        raise ValidationError("A call-in of this decision has been drafted: discard the draft before waiving it")
    reasons = text("reasons", reasons, limits.NOTE, "Reasons", required=True)
    DECISION_FLOW.finish(
        decision,
        "waive",
        by=by,
        partner=decision.partner,
        changes={"waived_at": timezone.now(), "waived_by_label": label(by), "waiver_reasons": reasons},
        summary=f"The call-in of {decision.partner.short_name}'s decision {decision.reference} was waived: {reasons}",
    )
    notify(
        users=partner_people(decision.partner_id),
        kind="callins.decision_waived",
        by=by,
        url=decision.get_absolute_url(),
        title=f"The PCC will not call in {decision.reference}: it may take effect",
        body=f"The Police and Crime Commissioner waived the call-in of '{decision.title}': {reasons}",
    )
    return decision


@transaction.atomic
def decision_take_effect(
    *, decision: PartnerDecision, by, on: date | None = None, today: date | None = None
) -> PartnerDecision:
    """The partner records that its decision has taken effect: not while it may still be called in, nor while
    a call-in on it is unresolved (unless the PCC waived the call-in)."""
    decision = DECISION_FLOW.begin("take_effect", decision, by=by)
    today = today or timezone.localdate()
    why_not = decision.why_not_in_effect(today)
    if why_not:
        raise ValidationError(f"{decision.reference} cannot take effect yet. {why_not}.")
    on = on or today
    if on > today:
        raise ValidationError({"on": "The date it took effect must be today or in the past"})
    DECISION_FLOW.finish(
        decision,
        "take_effect",
        by=by,
        partner=decision.partner,
        changes={"in_effect_on": on},
        summary=f"{decision.partner.short_name}'s decision {decision.reference} took effect on {gov_date(on)}",
    )
    return decision


@transaction.atomic
def decision_record_outcome(*, decision: PartnerDecision, by, outcome: str, outcome_text: str) -> PartnerDecision:
    """After a referral back, the partner records what it decided in the end; the call-in closes, and the
    decision cannot be called in again."""
    # NOTE: the call-in before the decision, as every call-in service locks them: no deadlock.
    found = CallIn.objects.filter(decision_id=decision.pk).first()
    callin = CALLIN_FLOW.lock(found) if found else None
    decision = DECISION_FLOW.begin("reconsider", decision, by=by)
    if outcome not in PartnerDecision.Outcome.values:
        raise ValidationError({"outcome": "Select what the partner decided in the end"})
    words = text("outcome_text", outcome_text, limits.TEXT, "What was decided, and why", required=True)
    DECISION_FLOW.finish(
        decision,
        "reconsider",
        by=by,
        partner=decision.partner,
        changes={"outcome": outcome, "outcome_text": words, "outcome_recorded_at": timezone.now()},
        summary=f"{decision.partner.short_name} reconsidered {decision.reference}: "
        f"{PartnerDecision.Outcome(outcome).label.lower()}",
    )
    CALLIN_FLOW.finish(
        callin,
        "close",
        by=by,
        partner=decision.partner,
        changes={"closed_at": timezone.now()},
        summary=f"Call-in {callin.reference} closed: {decision.partner.short_name} recorded its final outcome",
    )
    notify(
        users=pcc_office(),
        kind="callins.outcome_recorded",
        by=by,
        url=callin.get_absolute_url(),
        title=f"{decision.partner.short_name} reconsidered {decision.reference}",
        body=f"After the referral back in call-in {callin.reference}, {decision.partner.name} decided: "
        f"{PartnerDecision.Outcome(outcome).label.lower()}. {words[:500]}",
    )
    return decision
