"""Email: queued through the outbox in the caller's transaction, sent by a worker after commit.

A service never sends mail itself: if its transaction rolls back, the mail was never queued. Every
link in an email is absolute (PORTAL_BASE_URL), since the reader is not on a portal page.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .outbox import outbox_enqueue
from .tasks import claim_once

SEND_TASK = "portal.send_email"


def absolute_url(path: str) -> str:
    """A link for an email: the portal's base URL and the path (`/sharing-agreements/3/`)."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}/{path.lstrip('/')}"


def mail_enqueue(*, to: list[str], subject: str, body: str):
    """Queue one email to these addresses, sent after the current transaction commits (None if no one)."""
    to = sorted({address for address in to if address})
    if not to:
        return None
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("mail_enqueue must be called inside the service's transaction")
    return outbox_enqueue(SEND_TASK, key=uuid.uuid4().hex, to=to, subject=subject[:200], body=body)


@transaction.atomic
def mail_send(*, key: str, to: list[str], subject: str, body: str) -> bool:
    """The worker's side: send a queued email once (a redelivered task does not send it again)."""
    if not claim_once(f"mail:{key}"):
        return False
    send_mail(subject=subject, message=body, from_email=None, recipient_list=to, fail_silently=False)
    return True
