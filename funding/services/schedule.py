"""The daily work on funds (working days only): late spend returns reminded, once a day each."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from callins.services.common import Telling, tell_once
from portal.actors import require_actor
from portal.formats import gov_date
from portal.working_days import is_working_day, working_days_between

from ..models import Award, SpendReturn
from .common import applicant_people


def funding_daily(*, today: date | None = None, by) -> dict:
    """Remind grantees of late spend returns; nothing on weekends and bank holidays. How many were sent."""
    require_actor(by)
    today = today or timezone.localdate()
    counts = {"late_returns": 0}
    if not is_working_day(today):
        return counts
    late = SpendReturn.objects.filter(submitted_at__isnull=True, due_on__lt=today).exclude(
        award__status=Award.Status.CANCELLED
    )
    for row in late.select_related("award__organisation", "award__application").order_by("due_on", "pk"):
        counts["late_returns"] += _remind(row, today, by)
    return counts


@transaction.atomic
def _remind(spend_return: SpendReturn, today: date, by) -> int:
    """A late return: its grantee is told (once a day), and the day recorded on it."""

    def message(row: SpendReturn) -> Telling:
        award = row.award
        late = working_days_between(row.due_on, today)
        return Telling(
            applicant_people(award.organisation),
            f"Your spend return for {award.application.project_title} is late"[:200],
            f"The spend and outcomes return for the quarter to {gov_date(row.period_end)} was due on "
            f"{gov_date(row.due_on)}: it is {late} working day{'' if late == 1 else 's'} late.",
            f"Reminder to {award.organisation.name}: the spend return due {gov_date(row.due_on)} is late",
        )

    def still(row: SpendReturn) -> bool:
        return row.submitted_at is None and row.reminded_on != today

    told = tell_once(
        SpendReturn,
        spend_return.pk,
        by=by,
        kind="funding.spend_return_late",
        action="spend_return.reminder",
        still=still,
        claim=f"spend_return:{spend_return.pk}:late:{today.isoformat()}",
        message=message,
    )
    if told:
        SpendReturn.objects.filter(pk=spend_return.pk).update(reminded_on=today)
    return told
