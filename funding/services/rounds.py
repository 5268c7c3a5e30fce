"""Funding rounds: drafted with their weighted criteria, opened for applications, moved to assessment when
they close for applications (the submitted applications with them), and closed once all are decided."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal import permissions
from portal.actors import require_actor
from portal.audit import snapshot
from portal.formats import gov_date

from .. import limits, rules
from ..models import Application, Criterion, Fund, Round
from ..workflows import ROUND_FLOW
from .common import audit, money, pounds, text

A = Application.Status


def _criteria(criteria) -> list[tuple[str, int]]:
    out = []
    for name, weight in criteria or ():
        name = text("criteria", name, limits.NAME, "A criterion's name", required=True, single_line=True)
        if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 100:
            raise ValidationError({"criteria": f"Give '{name}' a weight between 1 and 100"})
        out.append((name, weight))
    if not out:
        raise ValidationError({"criteria": "Add at least one criterion with its weight"})
    if len({name.lower() for name, _ in out}) != len(out):
        raise ValidationError({"criteria": "Give each criterion a different name"})
    return out


@transaction.atomic
def round_create(
    *,
    fund: Fund,
    by,
    title: str,
    eligibility: str,
    opens_on: date,
    closes_on: date,
    max_award,
    criteria,
) -> Round:
    """The PCC office drafts a round of a fund: criteria [(name, weight)], eligibility, dates, maximum award."""
    require_actor(by)
    permissions.check(by, rules.FUND_MANAGE)
    if closes_on < opens_on:
        raise ValidationError({"closes_on": "The closing date must be the same as or after the opening date"})
    chosen = _criteria(criteria)
    round_ = Round.objects.create(
        fund=fund,
        title=text("title", title, limits.TITLE, "Title", required=True, single_line=True),
        eligibility=text("eligibility", eligibility, limits.TEXT, "Eligibility", required=True),
        opens_on=opens_on,
        closes_on=closes_on,
        max_award=money("max_award", max_award, "the maximum award"),
    )
    Criterion.objects.bulk_create(
        Criterion(round=round_, name=name, weight=weight, order=n) for n, (name, weight) in enumerate(chosen)
    )
    audit(
        by=by,
        obj=round_,
        action="funding_round.create",
        summary=f"Round drafted for {fund}: {round_.title}, up to {pounds(round_.max_award)} an award",
        after={
            **snapshot(round_, ["fund", "title", "opens_on", "closes_on", "max_award"]),
            "criteria": [f"{name} ({weight})" for name, weight in chosen],
        },
    )
    return round_


@transaction.atomic
def round_open(*, round_: Round, by, today: date | None = None) -> Round:
    """The PCC office opens a draft round for applications (until its closing date)."""
    round_ = ROUND_FLOW.begin("open", round_, by=by)
    today = today or timezone.localdate()
    if round_.closes_on < today:
        raise ValidationError({"closes_on": f"The round closed on {gov_date(round_.closes_on)}: change its dates"})
    ROUND_FLOW.finish(round_, "open", by=by, summary=f"Round opened for applications: {round_.title}")
    return round_


@transaction.atomic
def round_close_for_applications(*, round_: Round, by) -> Round:
    """The PCC office closes a round for applications: it goes to assessment with its submitted applications;
    drafts can no longer be submitted."""
    round_ = ROUND_FLOW.begin("assess", round_, by=by)
    # NOTE: the applications move with the round, recorded in the round's one audit event (not one each).
    moved = Application.objects.filter(round=round_, status=A.SUBMITTED).update(status=A.IN_ASSESSMENT)
    ROUND_FLOW.finish(
        round_,
        "assess",
        by=by,
        after={"applications_in_assessment": moved},
        summary=f"Round closed for applications and in assessment: {round_.title} ({moved} to assess)",
    )
    return round_


@transaction.atomic
def round_close(*, round_: Round, by) -> Round:
    """The PCC office closes a round once every application in it is decided."""
    round_ = ROUND_FLOW.begin("close", round_, by=by)
    undecided = Application.objects.filter(round=round_, status__in=[A.SUBMITTED, A.IN_ASSESSMENT]).count()
    if undecided:
        raise ValidationError(
            f"Decide every application first: {undecided} {'is' if undecided == 1 else 'are'} still in assessment"
        )
    ROUND_FLOW.finish(round_, "close", by=by, summary=f"Round closed: {round_.title}")
    return round_
