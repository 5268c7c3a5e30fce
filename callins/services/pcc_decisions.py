"""The PCC's own decision log: prepared by the PCC office, signed by the Commissioner (step-up), numbered NNN/YYYY
in its financial year (April to March) when signed, without gaps or duplicates, and published once signed."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.models import Partner
from portal import permissions
from portal.actors import require_actor
from portal.audit import snapshot

from .. import limits, rules
from ..models import PccDecision, PccDecisionSequence, financial_year_of
from ..workflows import PCC_DECISION_FLOW
from .common import audit, label, person, text

FIELDS = ["title", "summary", "reasons", "financial_implications", "interests_declared", "confidential", "partner"]


def next_number(year: int) -> int:
    """The next number in a financial year: the year's row is locked until the transaction ends, so two
    signings at the same moment take consecutive numbers."""
    try:
        with transaction.atomic():
            PccDecisionSequence.objects.get_or_create(year=year)
    except IntegrityError:  # made a moment ago by another signing: it is there now
        pass
    sequence = PccDecisionSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def _fields(**given) -> dict:
    out = {
        "title": text("title", given.get("title"), limits.TITLE, "Title", required=True, single_line=True),
        "summary": text("summary", given.get("summary"), limits.TEXT, "Summary", required=True),
        "reasons": text("reasons", given.get("reasons"), limits.TEXT, "Reasons", required=True),
        "financial_implications": text(
            "financial_implications", given.get("financial_implications"), limits.TEXT, "Financial implications"
        ),
        "interests_declared": text("interests_declared", given.get("interests_declared"), limits.NOTE, "Interests"),
        "confidential": bool(given.get("confidential")),
    }
    partner = given.get("partner")
    if partner is not None and not isinstance(partner, Partner):
        raise ValidationError({"partner": "Select the partner the decision is about, or none"})
    out["partner"] = partner
    return out


@transaction.atomic
def pcc_decision_draft(*, by, **given) -> PccDecision:
    """The PCC office prepares a decision for the Commissioner to sign."""
    require_actor(by)
    permissions.check(by, rules.PCC_DECISION_DRAFT)
    decision = PccDecision.objects.create(prepared_by=person(by), **_fields(**given))
    audit(
        by=by,
        obj=decision,
        partner=decision.partner,
        action="pcc_decision.draft",
        summary=f"PCC decision drafted: {decision.title}",
        after=snapshot(decision, FIELDS),
    )
    return decision


@transaction.atomic
def pcc_decision_update(*, decision: PccDecision, by, **given) -> PccDecision:
    """The PCC office changes a draft."""
    decision = PCC_DECISION_FLOW.begin("edit", decision, by=by)
    before = snapshot(decision, FIELDS)
    for name, value in _fields(**given).items():
        setattr(decision, name, value)
    decision.save()
    after = snapshot(decision, FIELDS)
    if before != after:
        audit(
            by=by,
            obj=decision,
            partner=decision.partner,
            action="pcc_decision.update",
            summary=f"Draft PCC decision changed: {decision.title}",
            before=before,
            after=after,
        )
    return decision


@transaction.atomic
def pcc_decision_sign(
    *, decision: PccDecision, by, confirmed_at: datetime | None = None, today: date | None = None
) -> PccDecision:
    """The Commissioner signs a draft (step-up): it takes the next number of the financial year and is published."""
    decision = PCC_DECISION_FLOW.begin("sign", decision, by=by, confirmed_at=confirmed_at)
    _finish_signing(decision, by=by, today=today)
    return decision


def _finish_signing(decision: PccDecision, *, by, today: date | None) -> None:
    year = financial_year_of(today or timezone.localdate())
    number = next_number(year)
    PCC_DECISION_FLOW.finish(
        decision,
        "sign",
        by=by,
        partner=decision.partner,
        changes={"year": year, "number": number, "signed_at": timezone.now(), "signed_by_label": label(by)},
        summary=f"PCC decision {number:03d}/{year} signed and published: {decision.title}",
    )


def sign_now(*, by, kind: str, today: date | None = None, **given) -> PccDecision:
    """A decision made and signed in one step, inside the caller's transaction (a call-in's determination,
    later a funding award): the caller has checked that `by` may sign it (the Commissioner, with step-up)."""
    require_actor(by)
    decision = PccDecision.objects.create(kind=kind, prepared_by=person(by), **_fields(**given))
    decision = PCC_DECISION_FLOW.lock(decision)
    _finish_signing(decision, by=by, today=today)
    return decision
