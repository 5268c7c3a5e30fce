"""Background work for data-sharing agreements: daily activation and expiry, reminders, signature requests."""

from __future__ import annotations

from celery import shared_task

from portal.actors import system
from portal.tasks import TASK_OPTIONS

NIGHTLY_TASK = system("nightly agreement check")


@shared_task(name="partners.end_expired_dsas", **TASK_OPTIONS)
def end_expired_dsas() -> dict:
    """Daily: activate fully signed agreements whose start date has come; end those past their end date."""
    from portal.schedule import scheduled_run_done

    from .services import dsa_daily_transitions

    result = dsa_daily_transitions()
    scheduled_run_done(name="partners.end_expired_dsas", by=NIGHTLY_TASK)
    return result


@shared_task(name="partners.dsa_reminders", **TASK_OPTIONS)
def dsa_reminders() -> int:
    """Daily: remind signatories before review and end dates (each reminder once)."""
    from .services import dsa_send_reminders

    return dsa_send_reminders()


@shared_task(name="partners.request_dsa_signatures", **TASK_OPTIONS)
def request_dsa_signatures(*, agreement_id: int) -> int:
    """Email the parties' signatories that an agreement waits for them (once per sending)."""
    from .services import dsa_request_signatures

    return dsa_request_signatures(agreement_id=agreement_id)
