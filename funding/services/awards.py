"""Awards and declines, by the Commissioner (step-up). An award is made through a signed PCC decision and
commits money from its fund: the fund's row is locked, the award refused when it would exceed what is
available, and the fund's check constraint refuses whatever might slip past. Payments against instalments,
and the grantees' quarterly spend returns."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from callins.models import PccDecision
from callins.services import sign_now
from portal import permissions
from portal.actors import require_actor
from portal.audit import snapshot
from portal.formats import gov_date
from portal.notifications import notify
from portal.working_days import add_working_days

from .. import limits, rules
from ..models import Application, Award, Fund, Instalment, Round, SpendReturn
from ..workflows import APPLICATION_FLOW, AWARD_FLOW
from .common import applicant_people, audit, money, pcc_office, person, pounds, text
from .funds import lock_fund

W = Award.Status


def _instalments(instalments, amount: Decimal, today: date) -> list[tuple[date, Decimal]]:
    schedule = []
    for due_on, value in instalments or ():
        if not isinstance(due_on, date):
            raise ValidationError({"instalments": "Give each instalment's due date"})
        schedule.append((due_on, money("instalments", value, "each instalment")))
    if not schedule:
        raise ValidationError({"instalments": "Add the payment schedule: at least one instalment"})
    schedule.sort()
    if schedule[0][0] < today:
        raise ValidationError({"instalments": "Instalments must be due today or later"})
    total = sum(v for _, v in schedule)
    if total != amount:
        raise ValidationError(
            {
                "instalments": f"The instalments add up to {pounds(total)}: they must add up to the award, {pounds(amount)}"
            }
        )
    return schedule


def _quarters(start: date, end: date) -> list[tuple[date, date]]:
    """The quarters (April-June, July-September, October-December, January-March: the financial year's) from
    the one holding `start` to the one holding `end`."""
    quarter = date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    out = []
    while quarter <= end:
        following = date(quarter.year + (quarter.month == 10), (quarter.month + 2) % 12 + 1, 1)
        out.append((quarter, following - timedelta(days=1)))
        quarter = following
    return out


def _commit(fund: Fund, amount: Decimal) -> None:
    """Commit money from a locked fund: refused when it would exceed what is available (and, as a last guard,
    by the database's check constraint)."""
    if amount > fund.available:
        raise ValidationError(
            {"amount": f"{fund} has {pounds(fund.available)} available: it cannot award {pounds(amount)}"}
        )
    try:
        with transaction.atomic():
            Fund.objects.filter(pk=fund.pk).update(committed=F("committed") + amount)
    except IntegrityError:
        raise ValidationError({"amount": f"{fund} does not have {pounds(amount)} available"})
    fund.refresh_from_db(fields=["committed"])


@transaction.atomic
def award_make(
    *,
    application: Application,
    by,
    amount,
    instalments,
    conditions: str = "",
    reasons: str,
    confirmed_at: datetime | None = None,
    today: date | None = None,
) -> Award:
    """The Commissioner awards a grant (step-up) through a PCC decision signed at once: the money is committed
    from the fund, paid in instalments adding up exactly to the award, with quarterly spend returns."""
    application = APPLICATION_FLOW.begin("award", application, by=by, confirmed_at=confirmed_at)
    today = today or timezone.localdate()
    round_ = application.round
    if round_.status != Round.Status.ASSESSMENT:
        raise ValidationError(f"Awards are made once {round_.title} is closed for applications and in assessment")
    amount = money("amount", amount, "the amount awarded")
    if amount > application.amount_asked:
        raise ValidationError(
            {"amount": f"The award must be no more than the {pounds(application.amount_asked)} asked for"}
        )
    if amount > round_.max_award:
        raise ValidationError({"amount": f"The award must be {pounds(round_.max_award)} or less, the round's maximum"})
    schedule = _instalments(instalments, amount, today)
    conditions = text("conditions", conditions, limits.TEXT, "Conditions")
    reasons = text("reasons", reasons, limits.TEXT, "Reasons", required=True)
    # NOTE: the application first (begin), then the fund: every service locks them in that order.
    fund = lock_fund(round_.fund_id)
    _commit(fund, amount)
    organisation = application.organisation
    decision = sign_now(
        by=by,
        kind=PccDecision.Kind.FUNDING_AWARD,
        title=f"Grant to {organisation.name}: {application.project_title}"[:200],
        summary=f"{pounds(amount)} from {fund} to {organisation.name} for '{application.project_title}', paid in "
        f"{len(schedule)} instalment{'' if len(schedule) == 1 else 's'}.",
        reasons=reasons + (f"\n\nConditions:\n{conditions}" if conditions else ""),
        financial_implications=f"{pounds(amount)} committed from {fund}; {pounds(fund.available)} left available.",
        partner=organisation.partner,
        today=today,
    )
    award = Award.objects.create(
        application=application,
        fund=fund,
        organisation=organisation,
        amount=amount,
        conditions=conditions,
        pcc_decision=decision,
        awarded_on=today,
    )
    Instalment.objects.bulk_create(Instalment(award=award, due_on=d, amount=a) for d, a in schedule)
    SpendReturn.objects.bulk_create(
        SpendReturn(
            award=award,
            period_start=start,
            period_end=end,
            due_on=add_working_days(end, limits.SPEND_RETURN_WORKING_DAYS),
        )
        for start, end in _quarters(today, schedule[-1][0])
    )
    APPLICATION_FLOW.finish(
        application,
        "award",
        by=by,
        partner=organisation.partner,
        changes={"decided_at": timezone.now()},
        audited=(),
        after={"award": award.pk, "amount": str(amount), "pcc_decision": decision.reference, "fund": fund.pk},
        summary=f"{pounds(amount)} awarded to {organisation.name} for {application.project_title} "
        f"(PCC decision {decision.reference})",
    )
    notify(
        users=applicant_people(organisation),
        kind="funding.awarded",
        by=by,
        url=award.get_absolute_url(),
        title=f"Grant awarded: {application.project_title}"[:200],
        body=f"The Police and Crime Commissioner awarded {pounds(amount)} to {organisation.name} for "
        f"'{application.project_title}' (PCC decision {decision.reference}). The first instalment is due on "
        f"{gov_date(schedule[0][0])}.",
    )
    return award


@transaction.atomic
def application_decline(
    *, application: Application, by, reasons: str, confirmed_at: datetime | None = None
) -> Application:
    """The Commissioner declines an application (step-up), with reasons the applicant is told."""
    application = APPLICATION_FLOW.begin("decline", application, by=by, confirmed_at=confirmed_at)
    reasons = text("reasons", reasons, limits.TEXT, "Reasons", required=True)
    organisation = application.organisation
    APPLICATION_FLOW.finish(
        application,
        "decline",
        by=by,
        partner=organisation.partner,
        changes={"decline_reasons": reasons, "decided_at": timezone.now()},
        audited=("decline_reasons",),
        summary=f"Application declined: {organisation.name}, {application.project_title}",
    )
    notify(
        users=applicant_people(organisation),
        kind="funding.declined",
        by=by,
        url=application.get_absolute_url(),
        title=f"Application declined: {application.project_title}"[:200],
        body=f"The Police and Crime Commissioner declined {organisation.name}'s application for "
        f"'{application.project_title}'. Reasons: {reasons}",
    )
    return application


@transaction.atomic
def instalment_pay(
    *, instalment: Instalment, by, paid_on: date, paid_amount=None, today: date | None = None
) -> Instalment:
    """The PCC office records an instalment paid (whole, or less than due): the award and the fund record it."""
    award = AWARD_FLOW.begin("pay", instalment.award, by=by)
    fund = lock_fund(award.fund_id)
    instalment = Instalment.objects.select_for_update().get(pk=instalment.pk)
    today = today or timezone.localdate()
    if instalment.paid_on is not None:
        raise ValidationError(f"This instalment was paid on {gov_date(instalment.paid_on)}")
    if not isinstance(paid_on, date) or paid_on > today:
        raise ValidationError({"paid_on": "The date paid must be today or in the past"})
    amount = instalment.amount if paid_amount is None else money("paid_amount", paid_amount, "the amount paid")
    if amount > instalment.amount:
        raise ValidationError({"paid_amount": f"The amount paid must be {pounds(instalment.amount)} or less"})
    instalment.paid_on, instalment.paid_amount = paid_on, amount
    instalment.save(update_fields=["paid_on", "paid_amount"])
    fund.paid += amount
    fund.save(update_fields=["paid"])
    unpaid = award.instalments.filter(paid_on__isnull=True).exists()
    AWARD_FLOW.finish(
        award,
        "pay",
        by=by,
        partner=award.organisation.partner,
        to=W.PAYING if unpaid else W.COMPLETED,
        changes={"paid": award.paid + amount},
        after={"instalment": instalment.pk, "paid_on": paid_on.isoformat()},
        summary=f"{pounds(amount)} paid to {award.organisation.name} on {gov_date(paid_on)}",
    )
    return instalment


@transaction.atomic
def spend_return_submit(
    *, spend_return: SpendReturn, by, spend, outcomes: str, today: date | None = None
) -> SpendReturn:
    """The grantee's officers submit a quarter's spend and outcomes, once the quarter has ended."""
    require_actor(by)
    row = SpendReturn.objects.select_for_update().select_related("award__organisation").get(pk=spend_return.pk)
    award = row.award
    permissions.check(by, rules.SPEND_RETURN_SUBMIT, award)
    today = today or timezone.localdate()
    if row.submitted_at is not None:
        raise ValidationError("This spend return has already been submitted")
    if award.status == W.CANCELLED:
        raise ValidationError("The award was cancelled: no return is due")
    if today <= row.period_end:
        raise ValidationError(f"The return can be submitted once the quarter ends on {gov_date(row.period_end)}")
    row.spend = money("spend", spend, "the spend in the quarter", allow_zero=True)
    row.outcomes = text("outcomes", outcomes, limits.TEXT, "Outcomes", required=True)
    row.submitted_at, row.submitted_by = timezone.now(), person(by)
    row.save(update_fields=["spend", "outcomes", "submitted_at", "submitted_by"])
    late = today > row.due_on
    audit(
        by=by,
        obj=row,
        partner=award.organisation.partner,
        action="spend_return.submit",
        summary=f"{award.organisation.name} returned {pounds(row.spend)} spent in the quarter to "
        f"{gov_date(row.period_end)}" + (" (late)" if late else ""),
        after=snapshot(row, ["spend", "submitted_at"]),
    )
    notify(
        users=pcc_office(),
        kind="funding.spend_returned",
        by=by,
        url=row.get_absolute_url(),
        title=f"Spend return from {award.organisation.name}"[:200],
        body=f"{award.organisation.name} returned {pounds(row.spend)} spent on "
        f"'{award.application.project_title}' in the quarter to {gov_date(row.period_end)}.",
    )
    return row


@transaction.atomic
def award_cancel(*, award: Award, by, reasons: str, confirmed_at: datetime | None = None) -> Award:
    """The Commissioner cancels an award not yet paid in full (step-up), with reasons the grantee is told: what
    was not paid goes back to the fund (what was paid stays spent), no further spend return is due, and the grant
    leaves the published open data."""
    award = AWARD_FLOW.begin("cancel", award, by=by, confirmed_at=confirmed_at)
    reasons = text("reasons", reasons, limits.TEXT, "Reasons", required=True)
    fund = lock_fund(award.fund_id)
    released = award.amount - award.paid
    fund.committed -= released
    fund.save(update_fields=["committed"])
    organisation = award.organisation
    AWARD_FLOW.finish(
        award,
        "cancel",
        by=by,
        partner=organisation.partner,
        changes={"cancel_reasons": reasons, "cancelled_at": timezone.now()},
        audited=("cancel_reasons",),
        after={"released": str(released), "fund": fund.pk},
        summary=f"Award to {organisation.name} for {award.application.project_title} cancelled: "
        f"{pounds(released)} returned to {fund}",
    )
    notify(
        users=applicant_people(organisation),
        kind="funding.cancelled",
        by=by,
        url=award.get_absolute_url(),
        title=f"Grant cancelled: {award.application.project_title}"[:200],
        body=f"The Police and Crime Commissioner cancelled the grant to {organisation.name} for "
        f"'{award.application.project_title}'. {pounds(award.paid)} was paid; nothing more will be. Reasons: {reasons}",
    )
    return award
