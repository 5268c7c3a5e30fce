"""Notifications: in the portal always, by email after commit unless opted out; the pages; the email adapters."""

from __future__ import annotations

import json
import re
import smtplib
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners import services as partner_services
from partners.models import DataSharingAgreement, Role
from portal import notifications
from portal.actors import system
from portal.email_backends import EmailRejected, GovukNotifyEmailAdapter, SmtpEmailAdapter, email_adapter
from portal.models import AuditEvent, Notification, NotificationPreference, OutboxTask
from portal.notifications import (
    notification_email_send,
    notification_mark_read,
    notification_preference_set,
    notifications_mark_all_read,
    notify,
    register_kind,
)
from tests.conftest import signed_in
from tests.factories import make_dsa, make_indicator, make_person

pytestmark = pytest.mark.django_db
DSA = DataSharingAgreement
BASE = "https://portal.example.org"
KIND = "test.plan_due"
QUIET_KIND = "test.digest"


@pytest.fixture(autouse=True)
def kinds(monkeypatch, settings):
    """Two kinds of our own, registered for the test only (the apps' kinds stay registered)."""
    monkeypatch.setattr(notifications, "_KINDS", dict(notifications._KINDS))
    register_kind(KIND, "Plans due for sign-off", "When a plan waits for your sign-off.")
    register_kind(QUIET_KIND, "Weekly digest", "A summary each Monday.", email_default=False)
    settings.PORTAL_BASE_URL = BASE
    settings.EMAIL_ADAPTER = "smtp"


@pytest.fixture
def officer(police):
    return make_person(police, Role.OFFICER, "police.officer")


@pytest.fixture
def colleague(police):
    return make_person(police, Role.OFFICER, "police.colleague")


TEST_ACTOR = system("test")


def tell(users, *, kind=KIND, url="/partners/", title="A plan is waiting for your sign-off", by=TEST_ACTOR):
    with transaction.atomic():
        return notify(users=users, kind=kind, title=title, body="The 2027 plan is ready.", url=url, by=by)


def text_of(response) -> str:
    """The page's words as a screen reader reads them (tags out, whitespace folded)."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split()).replace(" ,", ",")


def links_in(body: str) -> list[str]:
    return re.findall(r"\S+://\S+|(?<!\S)/\S*", body)


# --- The service ---------------------------------------------------------------------------------------
def test_it_appears_in_the_portal_at_once_and_by_email_only_after_commit(
    officer, colleague, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            rows = notify(
                users=[officer, colleague],
                kind=KIND,
                title="A plan is waiting for your sign-off",
                body="The 2027 plan is ready.",
                url="/partners/",
                by=system("test"),
            )
            assert {n.user for n in Notification.objects.all()} == {officer, colleague}
            assert mail.outbox == []  # queued, not sent, while the transaction is open
    assert sorted(message.to for message in mail.outbox) == [[colleague.email], [officer.email]]
    message = mail.outbox[0]
    assert message.subject == "A plan is waiting for your sign-off"
    assert "The 2027 plan is ready." in message.body
    assert f"Open it in the portal: {BASE}/partners/" in message.body
    assert links_in(message.body) and all(link.startswith(BASE + "/") for link in links_in(message.body))
    assert {n.email_state for n in Notification.objects.all()} == {Notification.EmailState.SENT}
    assert all(n.emailed_at for n in Notification.objects.all()) and all(n.read_at is None for n in rows)


def test_no_email_and_no_notification_if_the_transaction_rolls_back(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError, match="later"):
            with transaction.atomic():
                tell([officer])
                raise RuntimeError("something later in the request fails")
    assert callbacks == [] and mail.outbox == []
    assert not Notification.objects.exists() and not OutboxTask.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_must_run_inside_the_callers_transaction(officer):
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        notify(users=[officer], kind=KIND, title="t", body="b", url="/", by=system("test"))
    assert not Notification.objects.exists()


def test_it_needs_to_know_who_caused_it(officer):
    with pytest.raises(TypeError):
        tell([officer], by=None)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "partners/",
        "",
        "/" + "x" * 300,
    ],
)
def test_it_links_only_to_a_path_inside_the_portal(officer, url):
    with pytest.raises(ValueError):
        tell([officer], url=url)
    assert not Notification.objects.exists()


def test_it_refuses_a_kind_nobody_registered(officer):
    with pytest.raises(LookupError):
        tell([officer], kind="nobody.registered")


def test_a_kind_registered_twice_differently_is_refused():
    register_kind(KIND, "Plans due for sign-off", "When a plan waits for your sign-off.")  # the same: fine
    with pytest.raises(ImproperlyConfigured):
        register_kind(KIND, "Something else", "Another description.")


def test_people_who_left_get_nothing_and_people_without_an_address_get_it_in_the_portal_only(
    officer, colleague, police, django_capture_on_commit_callbacks
):
    left = make_person(police, Role.OFFICER, "police.left")
    left.is_active = False
    left.save(update_fields=["is_active"])
    colleague.email = ""
    colleague.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        tell([officer, colleague, left, officer])  # (the officer once, however often named)
    assert sorted(n.user.username for n in Notification.objects.all()) == ["police.colleague", "police.officer"]
    assert Notification.objects.get(user=colleague).email_state == Notification.EmailState.NOT_EMAILED
    assert [message.to for message in mail.outbox] == [[officer.email]]


def test_opting_out_of_a_kinds_email_stops_the_email_but_not_the_portal_copy(
    officer, colleague, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        assert notification_preference_set(user=officer, kind=KIND, email=False, by=officer)
    with django_capture_on_commit_callbacks(execute=True):
        tell([officer, colleague])
    assert Notification.objects.filter(user=officer, kind=KIND).count() == 1
    assert Notification.objects.get(user=officer).email_state == Notification.EmailState.NOT_EMAILED
    assert [message.to for message in mail.outbox] == [[colleague.email]]


def test_a_kind_off_by_default_is_emailed_only_to_those_who_opt_in(
    officer, colleague, django_capture_on_commit_callbacks
):
    notification_preference_set(user=colleague, kind=QUIET_KIND, email=True, by=colleague)
    with django_capture_on_commit_callbacks(execute=True):
        tell([officer, colleague], kind=QUIET_KIND)
    assert Notification.objects.filter(kind=QUIET_KIND).count() == 2
    assert [message.to for message in mail.outbox] == [[colleague.email]]


def test_a_change_of_email_choice_is_audited_and_no_change_is_not(officer):
    assert not notification_preference_set(user=officer, kind=KIND, email=True, by=officer)  # the default already
    assert not AuditEvent.objects.filter(action="notification.preference").exists()
    assert notification_preference_set(user=officer, kind=KIND, email=False, by=officer)
    event = AuditEvent.objects.get(action="notification.preference")
    assert event.actor == officer and event.before == {"kind": KIND, "email": True}
    assert event.after == {"kind": KIND, "email": False}
    assert NotificationPreference.objects.get(user=officer, kind=KIND).email is False


def test_nobody_chooses_another_persons_emails(officer, colleague):
    with pytest.raises(PermissionDenied):
        notification_preference_set(user=officer, kind=KIND, email=False, by=colleague)
    assert (
        not NotificationPreference.objects.exists()
        and not AuditEvent.objects.filter(action="notification.preference").exists()
    )


def test_nobody_marks_another_persons_notification_read(officer, colleague):
    [mine] = tell([officer])
    with pytest.raises(PermissionDenied):
        notification_mark_read(notification=mine, by=colleague)
    assert Notification.objects.get(pk=mine.pk).read_at is None


def test_marking_read_keeps_the_first_read_time_and_mark_all_touches_only_ones_own(officer, colleague):
    [first] = tell([officer])
    [second, theirs] = sorted(tell([officer, colleague]), key=lambda n: n.user_id != officer.pk)
    read = notification_mark_read(notification=first, by=officer).read_at
    assert read is not None
    assert notification_mark_read(notification=Notification.objects.get(pk=first.pk), by=officer).read_at == read
    assert notifications_mark_all_read(by=officer) == 1
    assert Notification.objects.get(pk=first.pk).read_at == read
    assert Notification.objects.get(pk=second.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_database_refuses_a_link_to_another_site(officer):
    [note] = tell([officer])
    for url in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.filter(pk=note.pk).update(url=url)


def test_the_unread_count_is_one_query(officer, django_assert_num_queries):
    tell([officer])
    tell([officer])
    with django_assert_num_queries(1):
        assert notifications.notification_unread_count(user=officer) == 2


# --- Sending the email: once, retried on failure, never again once refused -----------------------------
class FailingBackend(BaseEmailBackend):
    """An SMTP server that is down: the only thing mocked here (it is outside the machine)."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such user")})


def _queued(officer) -> Notification:
    with transaction.atomic():  # committed without relaying, so the test sends it itself
        [note] = notify(users=[officer], kind=KIND, title="t", body="b", url="/", by=system("test"))
    return note


def test_a_redelivered_email_task_sends_nothing_twice(officer, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    note = _queued(officer)
    assert notification_email_send(notification_id=note.pk) is True
    assert notification_email_send(notification_id=note.pk) is False
    assert len(mail.outbox) == 1
    sent = Notification.objects.get(pk=note.pk)
    assert sent.email_state == Notification.EmailState.SENT and sent.email_attempts == 1


def test_a_failed_send_leaves_it_queued_for_the_retry(officer, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    note = _queued(officer)
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notification_email_send(notification_id=note.pk)
    waiting = Notification.objects.get(pk=note.pk)
    assert waiting.email_state == Notification.EmailState.QUEUED  # the claim given back for the retry
    assert waiting.email_attempts == 1 and "SMTPServerDisconnected" in waiting.email_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_email_send(notification_id=note.pk) is True
    assert len(mail.outbox) == 1


def test_an_address_the_mail_server_refuses_is_not_tried_again(officer, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    note = _queued(officer)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assert notification_email_send(notification_id=note.pk) is False
    assert Notification.objects.get(pk=note.pk).email_state == Notification.EmailState.REJECTED
    assert notification_email_send(notification_id=note.pk) is False


def test_the_smtp_adapter_sends_through_djangos_email_backend():
    assert SmtpEmailAdapter().send(to="someone@example.org", subject="Hello", body="Body", reference="r-1") == "r-1"
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [(["someone@example.org"], "Hello", "Body")]


def test_the_adapter_is_chosen_by_settings(settings):
    assert isinstance(email_adapter(), SmtpEmailAdapter)
    settings.EMAIL_ADAPTER = "pigeon"
    with pytest.raises(ImproperlyConfigured):
        email_adapter()
    settings.EMAIL_ADAPTER = "govuk_notify"
    settings.GOVUK_NOTIFY_API_KEY, settings.GOVUK_NOTIFY_TEMPLATE_ID = "", ""
    with pytest.raises(ImproperlyConfigured):
        email_adapter()


# --- GOV.UK Notify, against a fake Notify on loopback ------------------------------------------------------
SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"cjp_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"


def _error(status: int, error: str, message: str) -> tuple[int, dict]:
    return status, {"errors": [{"error": error, "message": message}], "status_code": status}


class FakeNotify:
    """POST /v2/notifications/email as GOV.UK Notify answers it: JWT bearer auth (HS256, signed with the
    key's secret, iss = the service id, iat within 30 seconds), then the body checked."""

    def __init__(self):
        self.received: list[dict] = []
        self.fail_with: tuple[int, dict] | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, answer = fake.answer(self.path, self.headers, raw)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, path: str, headers, raw: bytes) -> tuple[int, dict]:
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        try:
            claims = jwt.decode(
                auth[len("Bearer ") :], SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]}
            )
        except jwt.InvalidTokenError:
            return _error(403, "AuthError", "Invalid token: API key not found")
        if claims["iss"] != SERVICE_ID:
            return _error(403, "AuthError", "Invalid token: service not found")
        if abs(time.time() - claims["iat"]) > 30:
            return _error(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
        if path != "/v2/notifications/email":
            return _error(404, "NotFoundError", "Not found")
        if headers.get("Content-Type") != "application/json":
            return _error(400, "BadRequestError", "Content-Type must be application/json")
        body = json.loads(raw)
        if self.fail_with:
            return self.fail_with
        if body.get("template_id") != TEMPLATE_ID:
            return _error(400, "BadRequestError", "Template not found")
        if "@" not in body.get("email_address", ""):
            return _error(400, "ValidationError", "email_address Not a valid email address")
        missing = {"subject", "body"} - set(body.get("personalisation") or {})
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(sorted(missing))}")
        self.received.append(body)
        notification_id = f"740e5834-3a29-46b4-9a6f-{len(self.received):012d}"
        return 201, {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": {
                "subject": body["personalisation"]["subject"],
                "body": body["personalisation"]["body"],
                "from_email": "portal@notifications.service.gov.uk",
                "one_click_unsubscribe_url": None,
            },
            "uri": f"https://api.notifications.service.gov.uk/v2/notifications/{notification_id}",
            "template": {
                "id": TEMPLATE_ID,
                "version": 1,
                "uri": f"https://api.notifications.service.gov.uk/v2/template/{TEMPLATE_ID}",
            },
        }


@pytest.fixture
def fake_notify(monkeypatch, settings):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)  # loopback only: never through a proxy, never the internet
    fake = FakeNotify()
    fake.thread.start()
    settings.EMAIL_ADAPTER = "govuk_notify"
    settings.GOVUK_NOTIFY_API_KEY = API_KEY
    settings.GOVUK_NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.GOVUK_NOTIFY_BASE_URL = fake.url
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_the_notify_adapter_sends_with_a_signed_token_and_the_template(fake_notify):
    adapter = email_adapter()
    assert isinstance(adapter, GovukNotifyEmailAdapter)
    sent_id = adapter.send(to="someone@example.org", subject="Hello", body="Line one\n\nLine two", reference="n-7")
    assert sent_id == "740e5834-3a29-46b4-9a6f-000000000001"
    assert fake_notify.received == [
        {
            "email_address": "someone@example.org",
            "template_id": TEMPLATE_ID,
            "personalisation": {"subject": "Hello", "body": "Line one\n\nLine two"},
            "reference": "n-7",
        }
    ]


def test_a_notification_goes_through_notify_after_commit_with_absolute_links(
    officer, fake_notify, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            [note] = notify(
                users=[officer],
                kind=KIND,
                title="A plan is waiting",
                body="Sign it.",
                url="/partners/",
                by=system("test"),
            )
            assert fake_notify.received == []
    [sent] = fake_notify.received
    assert sent["email_address"] == officer.email and sent["reference"] == f"notification-{note.pk}"
    assert sent["personalisation"]["subject"] == "A plan is waiting"
    body = sent["personalisation"]["body"]
    assert f"{BASE}/partners/" in body and all(link.startswith(BASE + "/") for link in links_in(body))
    assert mail.outbox == []  # not through SMTP as well
    assert Notification.objects.get(pk=note.pk).email_state == Notification.EmailState.SENT


def test_notify_refusing_the_message_is_final_and_its_outage_is_retried(officer, fake_notify, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    note = _queued(officer)
    fake_notify.fail_with = _error(500, "Exception", "Internal server error")
    with pytest.raises(Exception, match="500"):
        notification_email_send(notification_id=note.pk)
    assert Notification.objects.get(pk=note.pk).email_state == Notification.EmailState.QUEUED
    fake_notify.fail_with = _error(400, "BadRequestError", "Can't send to this recipient using a team-only API key")
    assert notification_email_send(notification_id=note.pk) is False
    assert Notification.objects.get(pk=note.pk).email_state == Notification.EmailState.REJECTED
    assert fake_notify.received == []


def test_notify_refuses_a_token_signed_with_the_wrong_secret(fake_notify):
    adapter = GovukNotifyEmailAdapter(
        api_key=f"cjp_test-{SERVICE_ID}-{'0' * 8}-0000-0000-0000-{'0' * 12}",
        template_id=TEMPLATE_ID,
        base_url=fake_notify.url,
    )
    with pytest.raises(Exception, match="403") as refused:
        adapter.send(to="someone@example.org", subject="s", body="b", reference="r")
    assert not isinstance(refused.value, EmailRejected)  # a wrong key is fixed by the operator, then retried
    assert fake_notify.received == []


# --- The pages -------------------------------------------------------------------------------------------
def test_the_header_shows_the_unread_count_in_words(officer):
    client = signed_in(officer)
    home = text_of(client.get("/"))
    assert "Notifications" in home and "Notifications, " not in home
    for _ in range(3):
        tell([officer])
    assert "Notifications, 3 unread" in text_of(client.get("/"))
    notifications_mark_all_read(by=officer)
    assert "Notifications, " not in text_of(client.get("/partners/"))


def test_no_notifications_link_before_the_second_factor(officer):
    tell([officer])
    page = signed_in(officer, verified=False).get("/sign-in/two-factor/")
    assert page.status_code == 200 and "/notifications/" not in page.content.decode()


def test_the_list_shows_ones_own_newest_first_with_unread_ones_marked_in_words(officer, colleague):
    [old] = tell([officer], title="The older one")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2), read_at=timezone.now())
    tell([officer], title="The newer one")
    tell([colleague], title="Someone else's")
    page = signed_in(officer).get("/notifications/")
    text = text_of(page)
    assert "You have 1 unread notification." in text
    assert text.index("Unread The newer one") < text.index("The older one")
    assert "Unread The older one" not in text and "Someone else's" not in text
    assert "Mark all as read" in text and "Plans due for sign-off" in text


def test_the_list_is_paged(officer):
    for n in range(30):
        tell([officer], title=f"Number {n:02d}")
    client = signed_in(officer)
    first, second = client.get("/notifications/"), client.get("/notifications/?page=2")
    assert len(re.findall(r"data-notification=", first.content.decode())) == 25
    assert len(re.findall(r"data-notification=", second.content.decode())) == 5
    assert "Number 29" in text_of(first) and "Number 00" in text_of(second)


def test_an_empty_list_says_so(officer):
    text = text_of(signed_in(officer).get("/notifications/"))
    assert "You have no notifications." in text and "Mark all as read" not in text


def test_opening_one_marks_it_read_and_goes_to_its_item(officer):
    [note] = tell([officer], url="/partners/?tab=agreements")
    response = signed_in(officer).get(f"/notifications/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == "/partners/?tab=agreements"
    assert Notification.objects.get(pk=note.pk).read_at is not None


def test_another_persons_notification_is_not_found_and_stays_unread(officer, colleague):
    [theirs] = tell([colleague])
    assert signed_in(officer).get(f"/notifications/{theirs.pk}/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize("stored", ["/\t/evil.example/", "/\n/evil.example/", "/.\\evil.example/"])
def test_opening_never_redirects_off_the_portal(officer, stored):
    [note] = tell([officer])
    Notification.objects.filter(pk=note.pk).update(url=stored)  # as if written around the service
    response = signed_in(officer).get(f"/notifications/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert Notification.objects.get(pk=note.pk).read_at is not None


def test_mark_all_as_read_is_a_post_for_ones_own(officer, colleague):
    tell([officer, colleague])
    client = signed_in(officer)
    assert client.get("/notifications/mark-all-read/").status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    response = client.post("/notifications/mark-all-read/", follow=True)
    assert response.redirect_chain == [("/notifications/", 302)]
    assert "All your notifications are marked as read." in text_of(response)
    assert "You have read all your notifications." in text_of(response)
    assert list(Notification.objects.filter(read_at__isnull=True).values_list("user", flat=True)) == [colleague.pk]


def test_the_email_settings_page_offers_each_kind_the_person_can_get_with_its_current_choice(officer):
    text = signed_in(officer).get("/account/notifications/").content.decode()
    assert 'type="checkbox"' in text and "Plans agreed" in text
    assert re.search(rf'value="{re.escape(KIND)}" checked', text)
    assert re.search(rf'value="{re.escape(QUIET_KIND)}"(?![^>]*checked)', text)  # off by default
    assert officer.email in text


def test_unticking_a_kind_stops_its_email_and_keeps_it_in_the_portal(officer, django_capture_on_commit_callbacks):
    client = signed_in(officer)
    every_other = [k.code for k in notifications.notification_kinds_for(officer) if k.code not in (KIND, QUIET_KIND)]
    response = client.post("/account/notifications/", {"emailed": every_other}, follow=True)
    assert "Your email choices are saved." in text_of(response)
    assert NotificationPreference.objects.get(user=officer, kind=KIND).email is False
    assert not NotificationPreference.objects.filter(kind__in=every_other).exists()  # unchanged: their defaults
    with django_capture_on_commit_callbacks(execute=True):
        tell([officer])
    assert mail.outbox == [] and Notification.objects.filter(user=officer).count() == 1
    assert "Notifications, 1 unread" in text_of(client.get("/"))


def test_the_email_settings_page_refuses_an_unknown_kind(officer):
    response = signed_in(officer).post("/account/notifications/", {"emailed": ["made.up"]})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not NotificationPreference.objects.exists()


# --- Each person is offered the kinds they can get -----------------------------------------------------------
SIGNATURES = "Agreements waiting for your signature"
ESCALATIONS = "Sign-offs long overdue (for the board chair)"


def offered(user) -> set[str]:
    return {kind.code for kind in notifications.notification_kinds_for(user)}


def ended(person) -> None:
    """As if the person's every seat ended yesterday (they left the partner)."""
    today = timezone.localdate()
    person.memberships.update(active_from=today - timedelta(days=30), active_to=today - timedelta(days=1))


def test_a_kind_is_offered_to_the_roles_it_goes_to_and_one_without_roles_to_everyone(police, opcc):
    register_kind("test.for_signers", "For signers", "Only signatories get it.", roles=[Role.SIGNATORY, Role.PCC])
    officer = make_person(police, Role.OFFICER, "an.officer")
    signatory = make_person(police, Role.SIGNATORY, "a.signatory")
    commissioner = make_person(opcc, Role.PCC, "the.commissioner")
    nobody = make_person(police, Role.OFFICER, "left.the.police")
    ended(nobody)
    assert "test.for_signers" in offered(signatory) and "test.for_signers" in offered(commissioner)
    assert "test.for_signers" not in offered(officer) and "test.for_signers" not in offered(nobody)
    assert {KIND, QUIET_KIND} <= offered(officer) and {KIND, QUIET_KIND} <= offered(nobody)
    with pytest.raises(ImproperlyConfigured):  # the same code with another audience
        register_kind("test.for_signers", "For signers", "Only signatories get it.", roles=[Role.SIGNATORY])
    register_kind("test.for_signers", "For signers", "Only signatories get it.", roles=[Role.PCC, Role.SIGNATORY])


def test_the_apps_kinds_are_offered_only_to_those_they_reach(police, opcc):
    officer = make_person(police, Role.OFFICER, "an.officer")
    signatory = make_person(police, Role.SIGNATORY, "a.signatory")
    chair = make_person(opcc, Role.BOARD_MEMBER, "the.chair")
    pcc_officer = make_person(opcc, Role.PCC_OFFICER, "a.pcc.officer")
    commissioner = make_person(opcc, Role.PCC, "the.commissioner")
    signing = {"dsa.signature_requested", "dsa.review_due", "dsa.ending", "plan.signoff_requested", "plan.signoff_due"}
    assert signing <= offered(signatory) and signing <= offered(commissioner)
    assert not signing & (offered(officer) | offered(chair) | offered(pcc_officer))
    assert "plan.signoff_escalated" in offered(chair)
    assert not {"plan.signoff_escalated"} & (offered(officer) | offered(signatory) | offered(pcc_officer))
    for person in (officer, signatory, pcc_officer, commissioner):
        assert {"plan.agreed", "plan.returned"} <= offered(person)
    assert not {"plan.agreed", "plan.returned"} & offered(chair)


def test_the_settings_page_lists_only_what_the_person_can_get(police, opcc, officer):
    signatory = make_person(police, Role.SIGNATORY, "police.signatory")
    chair = make_person(opcc, Role.BOARD_MEMBER, "the.chair")
    officer_page = text_of(signed_in(officer).get("/account/notifications/"))
    assert "Plans agreed" in officer_page and SIGNATURES not in officer_page and ESCALATIONS not in officer_page
    signatory_page = text_of(signed_in(signatory).get("/account/notifications/"))
    assert SIGNATURES in signatory_page and ESCALATIONS not in signatory_page
    chair_page = text_of(signed_in(chair).get("/account/notifications/"))
    assert ESCALATIONS in chair_page and SIGNATURES not in chair_page and "Plans agreed" not in chair_page


def test_saving_the_page_leaves_the_kinds_it_did_not_show_as_they_were(police, officer):
    # Chosen while a signatory (or by the default): the officer's page no longer shows it, so it must not change.
    notification_preference_set(user=officer, kind="dsa.signature_requested", email=False, by=officer)
    NotificationPreference.objects.create(user=officer, kind="plan.signoff_escalated", email=True)
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    client = signed_in(officer)
    response = client.post("/account/notifications/", {"emailed": [KIND]}, follow=True)
    assert "Your email choices are saved." in text_of(response)
    chosen = dict(NotificationPreference.objects.filter(user=officer).values_list("kind", "email"))
    assert chosen["dsa.signature_requested"] is False and chosen["plan.signoff_escalated"] is True
    assert chosen["plan.agreed"] is False and KIND not in chosen  # shown: unticked is saved; ticked is the default
    changed = {e.after["kind"] for e in AuditEvent.objects.filter(action="notification.preference", id__gt=last_event)}
    assert changed and all(kind in offered(officer) for kind in changed)


def test_a_kind_the_page_did_not_offer_cannot_be_chosen(officer):
    response = signed_in(officer).post("/account/notifications/", {"emailed": ["dsa.signature_requested"]})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not NotificationPreference.objects.filter(kind="dsa.signature_requested").exists()


def test_someone_with_no_role_is_told_there_is_nothing_to_choose(police, monkeypatch):
    monkeypatch.setattr(notifications, "_KINDS", {k: v for k, v in notifications._KINDS.items() if v.roles})
    former = make_person(police, Role.OFFICER, "former.officer")
    ended(former)
    page = text_of(signed_in(former).get("/account/notifications/"))
    assert "There are no emails for you to choose" in page and 'type="checkbox"' not in page


# --- Data-sharing agreements arrive in the portal and by email -----------------------------------------------
@pytest.fixture
def sharing(police, probation):
    police_signatory = make_person(police, Role.SIGNATORY, "police.signatory")
    probation_signatory = make_person(probation, Role.SIGNATORY, "probation.signatory")
    violence = make_indicator("SV-1000", police)
    return police_signatory, probation_signatory, violence


def test_an_agreement_sent_for_signature_reaches_each_signatory_in_the_portal_and_by_email(
    police, probation, officer, sharing, django_capture_on_commit_callbacks
):
    police_signatory, probation_signatory, violence = sharing
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        partner_services.dsa_send(agreement=agreement, by=officer)
    assert sorted(m.to for m in mail.outbox) == sorted([[police_signatory.email], [probation_signatory.email]])
    assert all(f"{BASE}/sharing-agreements/{agreement.pk}/" in m.body for m in mail.outbox)
    note = Notification.objects.get(user=probation_signatory)
    assert note.kind == "dsa.signature_requested" and note.url == agreement.get_absolute_url()
    client = signed_in(probation_signatory)
    assert "Notifications, 1 unread" in text_of(client.get("/"))
    assert f"Unread Data-sharing agreement {agreement.reference} is waiting for your signature" in text_of(
        client.get("/notifications/")
    )
    assert client.get(f"/notifications/{note.pk}/")["Location"] == f"/sharing-agreements/{agreement.pk}/"
    assert not Notification.objects.filter(user=officer).exists()  # an officer of a partner with a signatory
    # Everyone it reached may choose its email on their settings page.
    assert all(n.kind in offered(n.user) for n in Notification.objects.select_related("user"))


def test_a_signatory_who_opted_out_of_signature_emails_still_sees_the_request(
    police, probation, officer, sharing, django_capture_on_commit_callbacks
):
    police_signatory, probation_signatory, violence = sharing
    notification_preference_set(
        user=probation_signatory, kind="dsa.signature_requested", email=False, by=probation_signatory
    )
    agreement = make_dsa(police, [probation], [violence], status=DSA.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        partner_services.dsa_send(agreement=agreement, by=officer)
    assert [m.to for m in mail.outbox] == [[police_signatory.email]]
    assert Notification.objects.filter(user=probation_signatory, kind="dsa.signature_requested").count() == 1


def test_review_and_end_reminders_reach_the_parties_signatories(
    police, probation, sharing, settings, django_capture_on_commit_callbacks
):
    police_signatory, probation_signatory, violence = sharing
    today = date(2026, 11, 2)  # a Monday: review and end within 20 working days
    agreement = make_dsa(
        police,
        [probation],
        [violence],
        as_of=today,
        start_date=today,
        review_date=today + timedelta(days=20),
        end_date=today + timedelta(days=25),
    )
    Notification.objects.all().delete()  # the signature requests of make_dsa
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert partner_services.dsa_send_reminders(today=today) == 2
    kinds = sorted(Notification.objects.values_list("user__username", "kind"))
    assert kinds == [
        ("police.signatory", "dsa.ending"),
        ("police.signatory", "dsa.review_due"),
        ("probation.signatory", "dsa.ending"),
        ("probation.signatory", "dsa.review_due"),
    ]
    assert len(mail.outbox) == 4
    assert all(f"{BASE}/sharing-agreements/{agreement.pk}/" in m.body for m in mail.outbox)
    ending = Notification.objects.filter(kind="dsa.ending").first()
    assert "ends on" in ending.title and ending.url == agreement.get_absolute_url()
