"""The PCC office's start-page section."""

from django.urls import reverse

from . import permissions
from .formats import gov_datetime
from .home import HomeSection, home_provider
from .models import Notification, OutboxTask
from .schedule import late_runs


@home_provider
def pcc_office_section(user):
    if not permissions.can(user, permissions.AUDIT_VIEW):
        return None
    links = [
        {"text": "Browse the audit log", "href": reverse("portal:audit-log")},
        {"text": "See emails that could not be sent", "href": reverse("portal:emails-not-sent")},
    ]
    if permissions.can(user, permissions.SECURITY_LOG_VIEW):
        links.append({"text": "Check the security log and locked accounts", "href": reverse("portal:security-log")})
    items = []
    for run in late_runs():
        last = f"last finished {gov_datetime(run.last_finished_at)}" if run.last_finished_at else "has not run yet"
        items.append(
            {
                "text": f"{run.label}: {last}. Check that the scheduler (beat) is running.",
                "href": reverse("portal:healthz"),
                "tag": {"text": "Late", "classes": "govuk-tag--red"},
            }
        )
    not_sent = Notification.objects.filter(email_state__in=Notification.NOT_SENT_STATES).count()
    if not_sent:
        items.append(
            {
                "text": f"{not_sent} {'email' if not_sent == 1 else 'emails'} could not be sent. See why.",
                "href": reverse("portal:emails-not-sent"),
                "tag": {"text": "Not sent", "classes": "govuk-tag--red"},
            }
        )
    failed = OutboxTask.objects.filter(status=OutboxTask.Status.FAILED).count()
    if failed:
        items.append(
            {"text": f"{failed} background tasks failed and need attention", "href": reverse("portal:audit-log")}
        )
    return HomeSection(title="Office of the PCC", items=items, empty="No background problems.", links=links)
