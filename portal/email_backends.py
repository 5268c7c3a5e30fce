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
from django.core.mail import EmailMessage, get_connection

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

    def send(self, *, to: str, subject: str, body: str, reference: str, handing_over=None) -> str:
        """Send it; return the mail service's id for it (or the reference where it gives none).

        handing_over(), if given, is called at the last moment before the mail service may have the message
        (after connecting and signing in to it): until then, a send that stops has sent nothing."""
        raise NotImplementedError


class SmtpEmailAdapter(EmailAdapter):
    name = "smtp"

    @property
    def prints_to_console(self) -> bool:
        return settings.EMAIL_BACKEND == CONSOLE_BACKEND

    def send(self, *, to: str, subject: str, body: str, reference: str, handing_over=None) -> str:
        connection = get_connection(fail_silently=False)
        try:
            connection.open()  # connected, TLS, signed in: the server has nothing of the message yet
            session = getattr(connection, "connection", None)
            if handing_over and isinstance(session, smtplib.SMTP):
                _hand_over_with_the_message(session, handing_over)
            elif handing_over:
                handing_over()
            EmailMessage(subject=subject, body=body, to=[to], connection=connection).send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise EmailRejected(f"the mail server refused the address: {exc.recipients}") from exc
        finally:
            connection.close()
        return reference


def _hand_over_with_the_message(session: smtplib.SMTP, handing_over) -> None:
    """Call handing_over() just before the message itself goes to the SMTP server: after MAIL FROM, RCPT TO and
    the server's 354 to DATA, when smtplib sends the message ending in CRLF.CRLF (RFC 5321 4.1.1.4). Until then
    the server has nothing it could deliver, so a worker killed earlier is known to have sent nothing."""
    send = session.send

    def sending(data):
        if isinstance(data, bytes) and data.endswith(b"\r\n.\r\n"):
            handing_over()
        return send(data)

    session.send = sending


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

    def send(self, *, to: str, subject: str, body: str, reference: str, handing_over=None) -> str:
        from notifications_python_client.errors import HTTPError

        if handing_over:
            handing_over()  # (one request: Notify may have the message as soon as it starts)
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
