"""Call-ins: drafted by the PCC office, issued by the PCC (the decision is paused), answered by the partner
(its officers write, its signatory submits), determined by the PCC (the decision stands, or is referred back
for the partner to reconsider) or withdrawn. A determination or a withdrawal is recorded as a PCC decision."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import permissions
from portal.actors import require_actor
from portal.files import upload_accept, upload_store
from portal.formats import gov_date
from portal.notifications import notify
from portal.working_days import add_working_days

from .. import limits, rules
from ..models import CallIn, CallInAttachment, CallInGround, PartnerDecision, PccDecision
from ..workflows import CALLIN_FLOW, DECISION_FLOW, has_callin
from .common import audit, commissioner, label, partner_people, pcc_office, person, text, within
from .pcc_decisions import sign_now

C = CallIn.Status
ATTACHMENT_FOLDER = "callin-responses"
ATTACHMENT_KINDS = ("pdf", "docx", "xlsx")


def _grounds(grounds) -> list[CallInGround]:
    grounds = [g for g in grounds if g is not None]
    if not grounds:
        raise ValidationError({"grounds": "Select at least one ground for the call-in"})
    if any(not g.active for g in grounds):
        raise ValidationError({"grounds": "Select grounds from the current list"})
    return grounds


def _next_reference(year: int) -> str:
    prefix = f"CI-{year}-"
    last = (
        CallIn.objects.filter(reference__startswith=prefix).order_by("-reference").values_list("reference", flat=True)
    ).first()
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) if last else 0) + 1:03d}"


@transaction.atomic
def callin_draft(
    *,
    decision: PartnerDecision,
    by,
    grounds,
    questions: str,
    response_working_days: int = limits.RESPONSE_DEFAULT,
    today: date | None = None,
) -> CallIn:
    """The PCC office drafts a call-in of a decision still in its window (one call-in per decision)."""
    require_actor(by)
    permissions.check(by, rules.CALLIN_DRAFT)
    decision = DECISION_FLOW.lock(decision)
    today = today or timezone.localdate()
    if has_callin(decision):
        raise ValidationError(f"{decision.reference} has been called in already ({decision.callin.reference})")
    if decision.status != PartnerDecision.Status.LOGGED or not decision.window_open(today):
        raise ValidationError(
            f"{decision.reference} can no longer be called in: its window closed on "
            f"{gov_date(decision.window_closes_on)}"
            if decision.status == PartnerDecision.Status.LOGGED
            else f"{decision.reference} can no longer be called in: it is {decision.get_status_display().lower()}"
        )
    chosen = _grounds(grounds)
    questions = text("questions", questions, limits.TEXT, "The questions to answer", required=True)
    days = within("response_working_days", response_working_days, limits.RESPONSE_RANGE, "the response")
    for _ in range(5):  # NOTE: two drafts at the same moment may take the same number: try the next one
        try:
            with transaction.atomic():
                callin = CallIn.objects.create(
                    decision=decision,
                    partner_id=decision.partner_id,
                    reference=_next_reference(today.year),
                    questions=questions,
                    response_working_days=days,
                    drafted_by=person(by),
                )
            break
        except IntegrityError:
            if has_callin(PartnerDecision.objects.get(pk=decision.pk)):
                raise ValidationError(f"{decision.reference} has been called in already")
    else:
        raise ValidationError("Could not give the call-in a reference: try again")
    callin.grounds.set(chosen)
    audit(
        by=by,
        obj=callin,
        partner=decision.partner,
        action="callin.draft",
        summary=f"Call-in {callin.reference} of {decision.partner.short_name}'s decision {decision.reference} drafted",
        after={"grounds": [g.name for g in chosen], "response_working_days": days},
    )
    notify(
        users=commissioner(),
        kind="callins.draft_ready",
        by=by,
        url=callin.get_absolute_url(),
        title=f"Call-in {callin.reference} is drafted for you to issue",
        body=f"The PCC office drafted a call-in of {decision.partner.name}'s decision '{decision.title}'. Its "
        f"window closes at the end of {gov_date(decision.window_closes_on)}.",
    )
    return callin


@transaction.atomic
def callin_update(
    *, callin: CallIn, by, grounds=None, questions: str | None = None, response_working_days=None
) -> CallIn:
    """The PCC office changes a draft call-in."""
    callin = CALLIN_FLOW.begin("edit", callin, by=by)
    before = {"questions": callin.questions, "response_working_days": callin.response_working_days}
    if questions is not None:
        callin.questions = text("questions", questions, limits.TEXT, "The questions to answer", required=True)
    if response_working_days is not None:
        callin.response_working_days = within(
            "response_working_days", response_working_days, limits.RESPONSE_RANGE, "the response"
        )
    callin.save(update_fields=["questions", "response_working_days"])
    if grounds is not None:
        callin.grounds.set(_grounds(grounds))
    audit(
        by=by,
        obj=callin,
        partner=callin.partner,
        action="callin.update",
        summary=f"Draft call-in {callin.reference} changed",
        before=before,
        after={"questions": callin.questions, "response_working_days": callin.response_working_days},
    )
    return callin


@transaction.atomic
def callin_discard(*, callin: CallIn, by) -> None:
    """The PCC office discards a draft call-in (the decision may be called in again within its window)."""
    callin = CALLIN_FLOW.begin("discard", callin, by=by)
    audit(
        by=by,
        obj=callin,
        partner=callin.partner,
        action="callin.discard",
        summary=f"Draft call-in {callin.reference} discarded",
        before={"reference": callin.reference, "questions": callin.questions},
    )
    callin.grounds.clear()
    callin.delete()


@transaction.atomic
def callin_issue(*, callin: CallIn, by, confirmed_at: datetime | None = None, today: date | None = None) -> CallIn:
    """The PCC issues a drafted call-in (step-up) within the decision's window: the decision is paused and the
    partner has `response_working_days` working days to respond."""
    callin = CALLIN_FLOW.begin("issue", callin, by=by, confirmed_at=confirmed_at)
    decision = DECISION_FLOW.lock(callin.decision)
    today = today or timezone.localdate()
    if not decision.window_open(today):
        raise ValidationError(
            f"The call-in window of {decision.reference} closed on {gov_date(decision.window_closes_on)}: it can no "
            "longer be called in. Discard the draft."
        )
    due = add_working_days(today, callin.response_working_days)
    CALLIN_FLOW.finish(
        callin,
        "issue",
        by=by,
        partner=callin.partner,
        changes={"issued_at": timezone.now(), "issued_by_label": label(by), "response_due": due},
        summary=f"Call-in {callin.reference} of {callin.partner.short_name}'s decision {decision.reference} issued; "
        f"response due {gov_date(due)}",
    )
    DECISION_FLOW.finish(
        decision,
        "pause",
        by=by,
        partner=decision.partner,
        summary=f"{decision.partner.short_name}'s decision {decision.reference} paused: called in ({callin.reference})",
    )
    notify(
        users=partner_people(callin.partner_id),
        kind="callins.issued",
        by=by,
        url=callin.get_absolute_url(),
        title=f"The PCC has called in {decision.reference}: respond by {gov_date(due)}",
        body=f"The Police and Crime Commissioner has called in {decision.partner.name}'s decision '{decision.title}'. "
        f"It is paused until the call-in is determined. Your officers write the response and your signatory "
        f"submits it by {gov_date(due)}.",
    )
    return callin


@transaction.atomic
def callin_response_save(*, callin: CallIn, by, response_text: str) -> CallIn:
    """The partner's officers (or signatories) write the response, as often as they need before it is submitted."""
    callin = CALLIN_FLOW.begin("respond", callin, by=by)
    words = text("response_text", response_text, limits.TEXT, "The response")
    before = {"response_text": callin.response_text}
    if words == callin.response_text:
        return callin
    callin.response_text = words
    callin.response_saved_at, callin.response_saved_by_label = timezone.now(), label(by)
    callin.save(update_fields=["response_text", "response_saved_at", "response_saved_by_label"])
    audit(
        by=by,
        obj=callin,
        partner=callin.partner,
        action="callin.response_save",
        summary=f"The response to call-in {callin.reference} was changed",
        before=before,
        after={"response_text": words},
    )
    return callin


@transaction.atomic
def callin_attachment_add(*, callin: CallIn, by, title: str, uploaded_file) -> CallInAttachment:
    """A document with the response (PDF, DOCX or XLSX, checked and stored by the upload helper)."""
    callin = CALLIN_FLOW.begin("respond", callin, by=by)
    title = text("title", title, limits.TITLE, "The document's title", required=True, single_line=True)
    accepted = upload_accept(uploaded_file, allowed=ATTACHMENT_KINDS)
    relative = upload_store(uploaded_file, accepted, folder=ATTACHMENT_FOLDER)
    attachment = CallInAttachment.objects.create(
        callin=callin,
        title=title,
        file_path=relative,
        original_filename=accepted.original_name,
        kind=accepted.kind,
        size=accepted.size,
        sha256=accepted.sha256,
        uploaded_by=person(by),
    )
    audit(
        by=by,
        obj=callin,
        partner=callin.partner,
        action="callin.attachment_add",
        summary=f"Document '{title}' added to the response to call-in {callin.reference}",
        after={"title": title, "kind": accepted.kind, "sha256": accepted.sha256},
    )
    return attachment


@transaction.atomic
def callin_submit(
    *,
    callin: CallIn,
    by,
    confirmed_at: datetime | None = None,
    response_text: str | None = None,
    today: date | None = None,
) -> CallIn:
    """The partner's signatory submits the response (step-up): the PCC determines within 10 working days."""
    callin = CALLIN_FLOW.begin("submit", callin, by=by, confirmed_at=confirmed_at)
    today = today or timezone.localdate()
    words = (
        callin.response_text
        if response_text is None
        else text("response_text", response_text, limits.TEXT, "The response")
    )
    if not words.strip():
        raise ValidationError({"response_text": "Write the response before submitting it"})
    due = add_working_days(today, limits.DETERMINATION_DAYS)
    CALLIN_FLOW.finish(
        callin,
        "submit",
        by=by,
        partner=callin.partner,
        changes={
            "response_text": words,
            "responded_at": timezone.now(),
            "responded_by_label": label(by),
            "determination_due": due,
        },
        audited=("responded_at", "determination_due"),
        summary=f"{callin.partner.short_name} submitted its response to call-in {callin.reference}",
    )
    notify(
        users=pcc_office(),
        kind="callins.responded",
        by=by,
        url=callin.get_absolute_url(),
        title=f"{callin.partner.short_name} responded to call-in {callin.reference}",
        body=f"{callin.partner.name} submitted its response to call-in {callin.reference}. The PCC's determination "
        f"is due by {gov_date(due)}.",
    )
    return callin


OUTCOMES = {"stands": C.STANDS, "referred_back": C.REFERRED_BACK}


@transaction.atomic
def callin_determine(
    *,
    callin: CallIn,
    by,
    outcome: str,
    reasons: str,
    recommendations: str = "",
    reconsider_working_days: int = limits.RECONSIDER_DEFAULT,
    confirmed_at: datetime | None = None,
    today: date | None = None,
) -> CallIn:
    """The PCC determines (step-up): the decision stands, or it is referred back with recommendations for the
    partner to reconsider within `reconsider_working_days`. Recorded as a PCC decision, published."""
    callin = CALLIN_FLOW.begin("determine", callin, by=by, confirmed_at=confirmed_at)
    decision = DECISION_FLOW.lock(callin.decision)
    today = today or timezone.localdate()
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": "Select whether the decision stands or is referred back"})
    reasons = text("reasons", reasons, limits.TEXT, "The reasons", required=True)
    referred = outcome == "referred_back"
    recommendations = text("recommendations", recommendations, limits.TEXT, "The recommendations", required=referred)
    reconsider_by = None
    if referred:
        days = within("reconsider_working_days", reconsider_working_days, limits.RECONSIDER_RANGE, "reconsidering")
        reconsider_by = add_working_days(today, days)
    record = sign_now(
        by=by,
        kind=PccDecision.Kind.CALLIN_DETERMINATION,
        title=f"Determination of call-in {callin.reference}: {decision.title}"[:200],
        summary=f"{decision.partner.name}'s decision {decision.reference} "
        + ("stands." if not referred else f"is referred back to be reconsidered by {gov_date(reconsider_by)}."),
        reasons=reasons + (f"\n\nRecommendations:\n{recommendations}" if recommendations else ""),
        confidential=decision.confidential,
        partner=decision.partner,
        today=today,
    )
    CALLIN_FLOW.finish(
        callin,
        "determine",
        by=by,
        partner=callin.partner,
        to=OUTCOMES[outcome],
        changes={
            "determination_reasons": reasons,
            "recommendations": recommendations,
            "determined_at": timezone.now(),
            "determined_by_label": label(by),
            "reconsider_by": reconsider_by,
            "pcc_decision": record,
            "closed_at": None if referred else timezone.now(),
        },
        audited=("reconsider_by", "pcc_decision"),
        summary=f"Call-in {callin.reference} determined ({record.reference}): "
        + (
            "the decision stands" if not referred else f"referred back, to be reconsidered by {gov_date(reconsider_by)}"
        ),
    )
    DECISION_FLOW.finish(
        decision,
        "refer_back" if referred else "release",
        by=by,
        partner=decision.partner,
        summary=f"{decision.partner.short_name}'s decision {decision.reference} "
        + ("referred back by the PCC" if referred else "stands: the PCC determined the call-in"),
    )
    notify(
        users=partner_people(callin.partner_id),
        kind="callins.determined",
        by=by,
        url=callin.get_absolute_url(),
        title=f"Call-in {callin.reference}: "
        + ("your decision stands" if not referred else f"referred back, reconsider by {gov_date(reconsider_by)}"),
        body=f"The Police and Crime Commissioner determined call-in {callin.reference} of '{decision.title}' "
        f"({record.reference}). "
        + (
            "The decision stands and may take effect."
            if not referred
            else f"It is referred back with recommendations: reconsider it and record your final outcome by "
            f"{gov_date(reconsider_by)}."
        ),
    )
    return callin


@transaction.atomic
def callin_withdraw(
    *, callin: CallIn, by, reasons: str, confirmed_at: datetime | None = None, today: date | None = None
) -> CallIn:
    """The PCC withdraws an open call-in (step-up), recorded as a PCC decision: the decision is released."""
    callin = CALLIN_FLOW.begin("withdraw", callin, by=by, confirmed_at=confirmed_at)
    decision = DECISION_FLOW.lock(callin.decision)
    reasons = text("reasons", reasons, limits.TEXT, "The reasons", required=True)
    record = sign_now(
        by=by,
        kind=PccDecision.Kind.CALLIN_DETERMINATION,
        title=f"Call-in {callin.reference} withdrawn: {decision.title}"[:200],
        summary=f"The call-in of {decision.partner.name}'s decision {decision.reference} is withdrawn.",
        reasons=reasons,
        confidential=decision.confidential,
        partner=decision.partner,
        today=today,
    )
    CALLIN_FLOW.finish(
        callin,
        "withdraw",
        by=by,
        partner=callin.partner,
        changes={
            "determination_reasons": reasons,
            "determined_at": timezone.now(),
            "determined_by_label": label(by),
            "pcc_decision": record,
            "closed_at": timezone.now(),
        },
        audited=("pcc_decision",),
        summary=f"Call-in {callin.reference} withdrawn ({record.reference}): {reasons}",
    )
    DECISION_FLOW.finish(
        decision,
        "release",
        by=by,
        partner=decision.partner,
        summary=f"{decision.partner.short_name}'s decision {decision.reference} released: the call-in was withdrawn",
    )
    notify(
        users=partner_people(callin.partner_id),
        kind="callins.withdrawn",
        by=by,
        url=callin.get_absolute_url(),
        title=f"Call-in {callin.reference} is withdrawn",
        body=f"The Police and Crime Commissioner withdrew the call-in of '{decision.title}' ({record.reference}): "
        f"{reasons[:500]}",
    )
    return callin
