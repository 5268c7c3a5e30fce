"""How the portal's email leaves: one small adapter interface, chosen by settings.EMAIL_ADAPTER.

- "smtp" (the default): Django's send_mail, through EMAIL_BACKEND (the console in development,
  SMTP when EMAIL_HOST is set; a production start refuses to run without a mail route).
- "govuk_notify": GOV.UK Notify's API through its official client (`pip install ".[notify]"`),
  with one Notify email template whose subject is ((subject)) and whose body is ((body)).

Only the worker calls an adapter (portal.notifications.notification_email_send), after the
change that caused the email has committed. An adapter raises EmailRejected when the mail
service refuses a message for good (retrying cannot help), ValueError (Django's BadHeaderError
among them) when the message itself cannot be sent; any other exception is a failure the task
retries with backoff. An email printed to the console is never recorded as sent.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail

log = logging.getLogger(__name__)

NOTIFY_PRODUCTION_URL = "https://api.notifications.service.gov.uk"


class EmailRejected(Exception):
    """The mail service refused this message for good (for example, an address it cannot deliver to)."""


CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


class EmailAdapter:
    """Sends one plain-text email to one address. `reference` identifies it in the mail service's records."""

    name = ""

    @property
    def prints_to_console(self) -> bool:
        """True when what it "sends" is only printed (development): then nobody receives it."""
        return False

    def send(self, *, to: str, subject: str, body: str, reference: str) -> str:
        """Send it; return the mail service's id for it (or the reference where it gives none)."""
        raise NotImplementedError


class SmtpEmailAdapter(EmailAdapter):
    name = "smtp"

    @property
    def prints_to_console(self) -> bool:
        return settings.EMAIL_BACKEND == CONSOLE_BACKEND

    def send(self, *, to: str, subject: str, body: str, reference: str) -> str:
        try:
            send_mail(subject=subject, message=body, from_email=None, recipient_list=[to], fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise EmailRejected(f"the mail server refused the address: {exc.recipients}") from exc
        return reference


class GovukNotifyEmailAdapter(EmailAdapter):
    name = "govuk_notify"

    def __init__(self, *, api_key: str, template_id: str, base_url: str = NOTIFY_PRODUCTION_URL, timeout: float = 10):
        try:
            from notifications_python_client.notifications import NotificationsAPIClient
        except ImportError as exc:  # the optional dependency
            raise ImproperlyConfigured(
                'EMAIL_ADAPTER is "govuk_notify" but GOV.UK Notify\'s client is not installed: pip install ".[notify]"'
            ) from exc
        if not (api_key and template_id):
            raise ImproperlyConfigured("GOV.UK Notify needs GOVUK_NOTIFY_API_KEY and GOVUK_NOTIFY_TEMPLATE_ID")
        self.template_id = template_id
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)

    def send(self, *, to: str, subject: str, body: str, reference: str) -> str:
        from notifications_python_client.errors import HTTPError

        try:
            response = self.client.send_email_notification(
                email_address=to,
                template_id=self.template_id,
                personalisation={"subject": subject, "body": body},
                reference=reference,
            )
        except HTTPError as exc:
            # NOTE: 400 is a message Notify will never accept (a bad address, a template without
            # ((subject)) and ((body))); 403 (a wrong key), 429 (rate limit) and 5xx may pass later.
            if exc.status_code == 400:
                raise EmailRejected(f"GOV.UK Notify refused it: {exc.message}") from exc
            raise
        return str(response.get("id") or reference)


def email_adapter() -> EmailAdapter:
    """The adapter settings.EMAIL_ADAPTER names."""
    name = settings.EMAIL_ADAPTER
    if name == SmtpEmailAdapter.name:
        return SmtpEmailAdapter()
    if name == GovukNotifyEmailAdapter.name:
        return GovukNotifyEmailAdapter(
            api_key=settings.GOVUK_NOTIFY_API_KEY,
            template_id=settings.GOVUK_NOTIFY_TEMPLATE_ID,
            base_url=settings.GOVUK_NOTIFY_BASE_URL,
        )
    raise ImproperlyConfigured(f'EMAIL_ADAPTER must be "smtp" or "govuk_notify", not "{name}"')
