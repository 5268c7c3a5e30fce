"""Assessment by the PCC office's officers: conflicts declared, and scores 1 to 5 with a rationale for each
criterion, never by a conflicted assessor nor by one of the applicant's own people."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal import permissions
from portal.actors import require_actor
from portal.audit import snapshot

from .. import limits, rules
from ..models import Application, ConflictDeclaration, Criterion, Score
from ..workflows import APPLICATION_FLOW
from .common import audit, label, text

ASSESSABLE = (Application.Status.SUBMITTED, Application.Status.IN_ASSESSMENT)


def _assessable(application: Application, by) -> Application:
    require_actor(by)
    permissions.check(by, rules.APPLICATION_ASSESS)
    application = APPLICATION_FLOW.lock(application)
    if application.status not in ASSESSABLE:
        raise ValidationError(
            f"Only a submitted application is assessed: this one is {application.get_status_display().lower()}"
        )
    return application


@transaction.atomic
def conflict_declare(*, application: Application, by, reason: str) -> ConflictDeclaration:
    """An assessor declares a conflict of interest: they can no longer score it, and any scores they gave it
    are removed."""
    application = _assessable(application, by)
    reason = text("reason", reason, limits.NOTE, "The reason for the conflict", required=True)
    try:
        with transaction.atomic():
            declaration = ConflictDeclaration.objects.create(application=application, assessor=by, reason=reason)
    except IntegrityError:
        raise ValidationError({"reason": "You have already declared a conflict on this application"})
    removed, _ = Score.objects.filter(application=application, assessor=by).delete()
    audit(
        by=by,
        obj=application,
        partner=application.organisation.partner,
        action="application.conflict",
        summary=f"{label(by)} declared a conflict on {application.project_title}"
        + (f" ({removed} score{'' if removed == 1 else 's'} removed)" if removed else ""),
        after={"reason": reason, "scores_removed": removed},
    )
    return declaration


@transaction.atomic
def score_record(*, application: Application, criterion: Criterion, by, score: int, rationale: str) -> Score:
    """An assessor scores one criterion of an application 1 to 5 with a rationale (scoring again replaces it)."""
    application = _assessable(application, by)
    if ConflictDeclaration.objects.filter(application=application, assessor=by).exists():
        raise ValidationError("You declared a conflict of interest on this application, so you cannot score it")
    partner_id = application.organisation.partner_id
    if partner_id is not None and any(seat.partner_id == partner_id for seat in permissions.seats(by)):
        raise ValidationError(f"You work for {application.organisation.name}, so you cannot score its application")
    if criterion.round_id != application.round_id:
        raise ValidationError({"criterion": "Select one of this round's criteria"})
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationError({"score": "Give a score from 1 to 5"})
    rationale = text("rationale", rationale, limits.NOTE, "The rationale", required=True)
    previous = Score.objects.filter(application=application, criterion=criterion, assessor=by).first()
    before = snapshot(previous, ["score", "rationale"]) if previous else None
    row, _ = Score.objects.update_or_create(
        application=application,
        criterion=criterion,
        assessor=by,
        defaults={"score": score, "rationale": rationale},
    )
    audit(
        by=by,
        obj=application,
        partner=application.organisation.partner,
        action="application.score",
        summary=f"{label(by)} scored {application.project_title} on {criterion.name}: {score} of 5",
        before=before,
        after={"criterion": criterion.pk, **snapshot(row, ["score", "rationale"])},
    )
    return row
