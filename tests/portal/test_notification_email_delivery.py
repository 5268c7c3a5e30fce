"""What becomes of a notification's email: claimed, sent outside any transaction, then recorded; never "sent"
when it was only printed to the console or could not be sent; failures kept with the reason, for the PCC office."""

from __future__ import annotations

import smtplib
import socketserver
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.utils import timezone

from partners.models import Role
from portal import notifications
from portal.actors import system
from portal.mail import mail_compose
from portal.models import Notification, OutboxTask
from portal.notifications import (
    EMAIL_ATTEMPTS,
    EMAIL_CLAIM_STALE,
    EMAIL_RETRY_GIVE_UP,
    EMAIL_TASK_LOST_AFTER,
    STOPPED_BEFORE_SENDING,
    STOPPED_MID_SEND,
    notification_email_send,
    notification_emails_sweep,
    notify,
    register_kind,
)
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db
KIND = "test.plan_due"
E = Notification.EmailState
CONSOLE = "django.core.mail.backends.console.EmailBackend"


@pytest.fixture(autouse=True)
def kinds(monkeypatch, settings):
    monkeypatch.setattr(notifications, "_KINDS", dict(notifications._KINDS))
    register_kind(KIND, "Plans due for sign-off", "When a plan waits for your sign-off.")
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    settings.EMAIL_ADAPTER = "smtp"


@pytest.fixture
def officer(police):
    return make_person(police, Role.OFFICER, "police.officer")


def _queued(person, title="A plan is waiting") -> Notification:
    """Committed, not relayed: the test sends it itself, as a worker would."""
    with transaction.atomic():
        [note] = notify(users=[person], kind=KIND, title=title, body="Sign it.", url="/", by=system("test"))
    return note


def _state(note) -> Notification:
    return Notification.objects.get(pk=note.pk)


class FailingBackend(BaseEmailBackend):
    """An SMTP server that is down (outside the machine: the only thing stood in for)."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class WatchingBackend(BaseEmailBackend):
    """Records, at the moment of sending, whether a transaction was open and what the row said."""

    seen: list[tuple[bool, str]] = []

    def send_messages(self, messages):
        for _ in messages:
            row = Notification.objects.latest("pk")
            WatchingBackend.seen.append((connection.in_atomic_block, row.email_state))
        return len(messages)


class HandoverWatchingBackend(BaseEmailBackend):
    """Records what the row says when the connection opens and when the message is sent."""

    seen: list[tuple[str, object]] = []

    def open(self):
        HandoverWatchingBackend.seen.append(("opened", Notification.objects.latest("pk").email_handed_over_at))
        return True

    def send_messages(self, messages):
        for _ in messages:
            row = Notification.objects.latest("pk")
            HandoverWatchingBackend.seen.append(("sending", row.email_handed_over_at is not None))
        return len(messages)


# --- The console (development) never counts as sent --------------------------------------------------------
def test_an_email_printed_to_the_console_is_never_marked_sent(officer, settings, capsys):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    settings.EMAIL_BACKEND = CONSOLE
    note = _queued(officer)
    assert notification_email_send(notification_id=note.pk) is False
    printed = _state(note)
    assert printed.email_state == E.CONSOLE and printed.emailed_at is None
    assert printed.get_email_state_display() == "Not sent: printed to the console (development)"
    assert "Subject: A plan is waiting" in capsys.readouterr().out
    assert notification_email_send(notification_id=note.pk) is False  # and not printed twice
    assert "Subject:" not in capsys.readouterr().out


def test_the_console_state_comes_through_the_outbox_too(officer, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = CONSOLE
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            [note] = notify(users=[officer], kind=KIND, title="t", body="b", url="/", by=system("test"))
    assert _state(note).email_state == E.CONSOLE
    assert OutboxTask.objects.get().status == OutboxTask.Status.SENT  # the task ran; the email went nowhere


# --- One line, or failed with the reason: never "sent", never queued for good --------------------------------
def test_the_subject_is_the_title_on_one_line():
    subject, _ = mail_compose(
        title="Delivery plan\r\nBcc: someone@evil.example\tnow\x0b", body="", url="/", kind_label="k"
    )
    assert subject == "Delivery plan Bcc: someone@evil.example now"


def test_a_title_with_a_line_break_is_emailed_on_one_line(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            [note] = notify(users=[officer], kind=KIND, title="Plan\nfor 2027", body="b", url="/", by=system("t"))
    assert [message.subject for message in mail.outbox] == ["Plan for 2027"]
    assert _state(note).email_state == E.SENT


def test_an_email_that_cannot_be_made_is_failed_with_the_reason_at_once(officer, django_capture_on_commit_callbacks):
    officer.email = "police.officer@example.org\nBcc: someone@evil.example"
    officer.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            [note] = notify(users=[officer], kind=KIND, title="t", body="b", url="/", by=system("test"))
    failed = _state(note)
    assert failed.email_state == E.FAILED and failed.emailed_at is None and failed.email_attempts == 1
    assert failed.email_error.startswith("The email could not be made: BadHeaderError")
    assert mail.outbox == []
    assert notification_email_send(notification_id=note.pk) is False  # a redelivery changes nothing


def test_an_address_the_mail_server_refuses_is_kept_with_the_reason(officer, settings):
    from tests.portal.test_notifications import RefusingBackend

    settings.OUTBOX_RELAY_ON_COMMIT = False
    settings.EMAIL_BACKEND = f"{RefusingBackend.__module__}.RefusingBackend"
    note = _queued(officer)
    assert notification_email_send(notification_id=note.pk) is False
    refused = _state(note)
    assert refused.email_state == E.REJECTED and "the mail server refused the address" in refused.email_error


def test_a_mail_server_that_stays_down_fails_the_email_after_the_last_try(officer, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    note = _queued(officer)
    for attempt in range(1, EMAIL_ATTEMPTS):
        with pytest.raises(smtplib.SMTPServerDisconnected):  # the task retries with backoff
            notification_email_send(notification_id=note.pk)
        waiting = _state(note)
        assert waiting.email_state == E.QUEUED and waiting.email_attempts == attempt
    assert notification_email_send(notification_id=note.pk) is False
    failed = _state(note)
    assert failed.email_state == E.FAILED and failed.email_attempts == EMAIL_ATTEMPTS
    assert failed.email_error == (
        f"Not sent after {EMAIL_ATTEMPTS} tries. The last error: SMTPServerDisconnected: Connection unexpectedly closed"
    )


# --- Claim, send outside the lock, record ----------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_mail_service_is_called_outside_any_transaction_after_the_claim_committed(police, settings):
    officer = make_person(police, Role.OFFICER, "police.officer")
    settings.OUTBOX_RELAY_ON_COMMIT = False
    settings.EMAIL_BACKEND = f"{__name__}.WatchingBackend"
    WatchingBackend.seen = []
    note = _queued(officer)
    assert notification_email_send(notification_id=note.pk) is True
    assert WatchingBackend.seen == [(False, E.SENDING)]
    sent = _state(note)
    assert sent.email_state == E.SENT and sent.emailed_at and sent.email_error == ""


def test_a_task_delivered_twice_while_the_first_sends_sends_nothing(officer, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    note = _queued(officer)
    Notification.objects.filter(pk=note.pk).update(
        email_state=E.SENDING, email_claimed_at=timezone.now(), email_attempts=1
    )
    assert notification_email_send(notification_id=note.pk) is False
    assert mail.outbox == [] and _state(note).email_state == E.SENDING


def test_a_claim_left_by_a_worker_stopped_while_handing_it_over_is_failed_and_never_sent_again(officer, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    note = _queued(officer)
    claimed = timezone.now() - EMAIL_CLAIM_STALE - timedelta(minutes=1)
    Notification.objects.filter(pk=note.pk).update(
        email_state=E.SENDING, email_claimed_at=claimed, email_handed_over_at=claimed, email_attempts=1
    )
    assert notification_email_send(notification_id=note.pk) is False  # the task, delivered again after the crash
    failed = _state(note)
    assert failed.email_state == E.FAILED and failed.email_error == STOPPED_MID_SEND
    assert mail.outbox == []


def test_a_claim_left_by_a_worker_stopped_before_handing_it_over_is_sent_again_once(officer, settings):
    """Nothing reached the mail service (the worker was killed while connecting): sent again, once."""
    settings.OUTBOX_RELAY_ON_COMMIT = False
    note = _queued(officer)
    claimed = timezone.now() - EMAIL_CLAIM_STALE - timedelta(minutes=1)
    Notification.objects.filter(pk=note.pk).update(email_state=E.SENDING, email_claimed_at=claimed, email_attempts=1)
    tasks_before = OutboxTask.objects.filter(task_name="portal.send_notification_email").count()
    assert notification_email_send(notification_id=note.pk) is False  # the task, delivered again after the crash
    queued = _state(note)
    assert (queued.email_state, queued.email_error) == (E.QUEUED, STOPPED_BEFORE_SENDING)
    assert OutboxTask.objects.filter(task_name="portal.send_notification_email").count() == tasks_before + 1
    assert notification_email_send(notification_id=note.pk) is True  # the task queued again
    assert notification_email_send(notification_id=note.pk) is False  # and that task, delivered twice
    assert len(mail.outbox) == 1 and _state(note).email_state == E.SENT and _state(note).email_attempts == 2


@pytest.mark.django_db(transaction=True)
def test_the_handover_is_marked_committed_before_the_mail_service_has_the_message(police, settings):
    officer = make_person(police, Role.OFFICER, "police.officer")
    settings.OUTBOX_RELAY_ON_COMMIT = False
    settings.EMAIL_BACKEND = f"{__name__}.HandoverWatchingBackend"
    HandoverWatchingBackend.seen = []
    note = _queued(officer)
    assert _state(note).email_handed_over_at is None
    assert notification_email_send(notification_id=note.pk) is True
    assert HandoverWatchingBackend.seen == [("opened", None), ("sending", True)]


def test_the_sweep_fails_what_nothing_will_finish_and_leaves_the_rest(officer, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    now = timezone.now()
    stopped, cut_early, sending, abandoned, retrying, waiting = (_queued(officer) for _ in range(6))
    stale = now - EMAIL_CLAIM_STALE - timedelta(seconds=1)
    Notification.objects.filter(pk=stopped.pk).update(
        email_state=E.SENDING, email_claimed_at=stale, email_handed_over_at=stale, email_attempts=1
    )
    Notification.objects.filter(pk=cut_early.pk).update(email_state=E.SENDING, email_claimed_at=stale, email_attempts=1)
    Notification.objects.filter(pk=sending.pk).update(
        email_state=E.SENDING, email_claimed_at=now - timedelta(minutes=1), email_attempts=1
    )
    Notification.objects.filter(pk=abandoned.pk).update(
        email_claimed_at=now - EMAIL_RETRY_GIVE_UP - timedelta(seconds=1), email_attempts=2, email_error="timeout"
    )
    Notification.objects.filter(pk=retrying.pk).update(
        email_claimed_at=now - timedelta(minutes=5), email_attempts=2, email_error="timeout"
    )
    assert notification_emails_sweep(now=now) == {"stopped": 1, "abandoned": 1, "resent": 1, "requeued": 0}
    assert (_state(stopped).email_state, _state(stopped).email_error) == (E.FAILED, STOPPED_MID_SEND)
    assert (_state(cut_early).email_state, _state(cut_early).email_error) == (E.QUEUED, STOPPED_BEFORE_SENDING)
    assert (_state(abandoned).email_state, _state(abandoned).email_error) == (
        E.FAILED,
        "The retries stopped. The last error: timeout",
    )
    assert [_state(n).email_state for n in (sending, retrying, waiting)] == [E.SENDING, E.QUEUED, E.QUEUED]
    assert notification_emails_sweep(now=now) == {"stopped": 0, "abandoned": 0, "resent": 0, "requeued": 0}


def test_beat_runs_the_sweep_every_few_minutes(settings):
    from portal.celery import app

    [entry] = [
        entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == "portal.sweep_stuck_emails"
    ]
    assert entry["schedule"] <= 300 and "portal.sweep_stuck_emails" in app.tasks


# --- The PCC office sees what was not sent, and why -----------------------------------------------------------
def _failed(person, title: str, error: str, state=E.FAILED) -> Notification:
    note = _queued(person, title=title)
    Notification.objects.filter(pk=note.pk).update(email_state=state, email_error=error)
    return note


def test_the_pcc_office_sees_each_email_not_sent_with_the_reason(pcc_officer, police_officer, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    officer = police_officer
    _failed(officer, "Plan A is waiting", "The email could not be made: BadHeaderError: newline")
    _failed(officer, "Plan B is waiting", "GOV.UK Notify refused it: bad address", state=E.REJECTED)
    sent = _queued(officer, title="Plan C is waiting")
    Notification.objects.filter(pk=sent.pk).update(email_state=E.SENT)
    _queued(officer, title="Plan D is waiting")  # still queued: not a failure (yet)

    office = signed_in(pcc_officer)
    page = office.get("/emails/not-sent/").content.decode()
    assert "Plan A is waiting" in page and "The email could not be made: BadHeaderError: newline" in page
    assert "Plan B is waiting" in page and "GOV.UK Notify refused it: bad address" in page
    assert "Plan C is waiting" not in page and "Plan D is waiting" not in page
    assert "2 emails not sent" in page

    start = office.get("/").content.decode()
    assert "2 emails could not be sent. See why." in start and 'href="/emails/not-sent/"' in start
    assert signed_in(police_officer).get("/emails/not-sent/").status_code == 403
    assert "/emails/not-sent/" not in signed_in(police_officer).get("/").content.decode()


def test_with_nothing_failed_the_page_says_so(pcc_officer):
    page = signed_in(pcc_officer).get("/emails/not-sent/").content.decode()
    assert "Every notification email has been sent or is waiting to be sent." in page


# --- Over SMTP: the handover is marked when the message itself goes, not before ---------------------------------
class _Sink(socketserver.StreamRequestHandler):
    """A mail server on loopback that notes each step of the SMTP conversation in `events`."""

    events: list[str] = []

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line.decode().strip().upper()
            if verb.startswith(("MAIL", "RCPT")):
                _Sink.events.append(verb[:4])
            if verb == "DATA":
                _Sink.events.append("DATA")
                self.wfile.write(b"354 go on\r\n")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                _Sink.events.append("message received")
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


def test_over_smtp_the_handover_comes_after_the_servers_go_ahead_and_before_the_message(settings):
    from portal.email_backends import SmtpEmailAdapter

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.server_address[1]
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    _Sink.events = []
    try:
        SmtpEmailAdapter().send(
            to="someone@example.org",
            subject="Hello",
            body="Line.\n.\nA line with only a full stop, as people write.",
            reference="n-1",
            handing_over=lambda: _Sink.events.append("handover"),
        )
    finally:
        server.shutdown()
        server.server_close()
    assert _Sink.events == ["MAIL", "RCPT", "DATA", "handover", "message received"]


def test_an_email_whose_task_was_lost_is_queued_again_and_sent_once(officer, settings):
    """A worker killed after taking the task from Redis, before starting it: Redis would hand it out again only
    after its visibility timeout. The sweep queues the task again; the late original then sends nothing."""
    settings.OUTBOX_RELAY_ON_COMMIT = False
    lost, fresh = _queued(officer), _queued(officer)
    now = timezone.now()
    Notification.objects.filter(pk=lost.pk).update(created_at=now - EMAIL_TASK_LOST_AFTER - timedelta(seconds=1))
    Notification.objects.filter(pk=fresh.pk).update(created_at=now - timedelta(seconds=30))
    tasks = OutboxTask.objects.filter(task_name="portal.send_notification_email")
    before = tasks.count()
    assert notification_emails_sweep(now=now) == {"stopped": 0, "abandoned": 0, "resent": 0, "requeued": 1}
    assert tasks.count() == before + 1 and tasks.latest("pk").kwargs == {"notification_id": lost.pk}
    assert notification_email_send(notification_id=lost.pk) is True  # the task queued again
    assert notification_email_send(notification_id=lost.pk) is False  # the original, after the timeout
    assert len(mail.outbox) == 1 and _state(lost).email_state == E.SENT
    assert notification_emails_sweep(now=now)["requeued"] == 0  # sent: nothing more to do
