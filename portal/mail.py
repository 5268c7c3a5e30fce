"""Email: what a notification looks like by email, with every link absolute.

Nothing here sends: a service calls portal.notifications.notify() inside its transaction, which
queues one email task per person through the outbox; a worker sends it after commit through the
deployment's adapter (portal/email_backends.py). So if the transaction rolls back, no email leaves.
Every link in an email is absolute (PORTAL_BASE_URL), since the reader is not on a portal page.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """A link for an email: the portal's base URL and the path (`/sharing-agreements/3/`)."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}/{path.lstrip('/')}"


def one_line(text: str) -> str:
    """The text on one line: line breaks, tabs and other control characters become single spaces."""
    return " ".join("".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in text).split())


def mail_compose(*, title: str, body: str, url: str, kind_label: str) -> tuple[str, str]:
    """(subject, plain-text body) of a notification's email. The subject is the title on one line.

    NOTE: a subject with a line break makes Django refuse the message (BadHeaderError); single-line fields
    refuse control characters, and this is the defence behind them for titles saved before that.
    """
    text = "\n\n".join(
        part
        for part in (
            body.strip(),
            f"Open it in the portal: {absolute_url(url)}",
            "----",
            f"You can see all your notifications at {absolute_url(reverse('portal:notifications'))}",
            f'You get emails about "{kind_label}". To choose which notifications you also get by email, go to '
            f"{absolute_url(reverse('portal:notification-settings'))}",
        )
        if part
    )
    return one_line(title)[:200], text + "\n"
