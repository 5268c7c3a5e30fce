"""Notifications: the one way every capability tells a person something.

A notification is always shown in the portal (the list at /notifications/ and the unread count
in the header) and is also emailed, unless the person opted out of its kind's email; nobody can
opt out of the in-portal copy. Each app registers its kinds at start-up (in its AppConfig.ready)
and calls notify() inside the transaction of the change it reports: the notifications and their
queued email tasks (the outbox) commit or roll back with that change, and a worker sends each
email after commit, once (portal.tasks.send_notification_email), through the deployment's
adapter (portal/email_backends.py), with absolute links (portal.mail). An email that cannot be
sent is marked failed with the reason, which the PCC office sees (portal.selectors.emails_not_sent_visible_to);
one printed to the console in development says so; neither is ever marked sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from .actors import require_actor
from .audit import audit_record
from .email_backends import EmailRejected, email_adapter
from .mail import mail_compose
from .models import Notification, NotificationPreference
from .outbox import outbox_enqueue
from .permissions import seats
from .tasks import TASK_OPTIONS

log = logging.getLogger(__name__)
EMAIL_TASK = "portal.send_notification_email"
URL_MAX_LENGTH = Notification._meta.get_field("url").max_length
# The email task's first try and its retries: after the last, a failure is final.
EMAIL_ATTEMPTS = 1 + TASK_OPTIONS["max_retries"]
# NOTE: longer than the task's hard time limit (TASK_OPTIONS, 300 s): a claim this old was left by a worker
# that stopped mid-send, since no worker can still be sending it.
EMAIL_CLAIM_STALE = timedelta(minutes=10)
# An email put back for a retry that has not come in this long (the task was lost) is given up.
EMAIL_RETRY_GIVE_UP = timedelta(hours=1)
# An email queued this long and never claimed: its task was lost (a worker killed after taking it from the
# broker holds it unacknowledged until the broker's visibility timeout, 10 minutes), so the sweep queues its
# task again; the claim makes the second task safe (whichever comes second finds it sent and sends nothing).
EMAIL_TASK_LOST_AFTER = timedelta(minutes=2)
STOPPED_MID_SEND = (
    "The worker stopped while sending this email, so it may not have arrived. It was not sent again, "
    "so that nobody gets it twice."
)
STOPPED_BEFORE_SENDING = "The worker stopped before it handed this email to the mail service: it is sent again."


# --- The kinds, registered by the apps at start-up -------------------------------------------------
@dataclass(frozen=True)
class NotificationKind:
    code: str  # "dsa.signature_requested": the app's name first
    label: str  # what the person chooses on their email settings page
    description: str  # when it comes, in a sentence (the checkbox's hint)
    email_default: bool = True
    # Who can get it: the roles (portal.roles.Role) its notify() calls reach. Empty: anyone.
    roles: frozenset[str] = frozenset()

    def offered_to(self, roles: Iterable[str]) -> bool:
        """Whether someone holding these roles could get this kind (so may choose its email)."""
        return not self.roles or not self.roles.isdisjoint(roles)


_KINDS: dict[str, NotificationKind] = {}


def register_kind(
    code: str, label: str, description: str, email_default: bool = True, roles: Iterable[str] = ()
) -> NotificationKind:
    """Declare a kind of notification (from an app's ready()); the same declaration twice is harmless.

    `roles`: the roles of the people its notify() calls reach (Role.SIGNATORY, …). Only people holding
    one of them are offered its email on their settings page; without roles, everyone is.
    """
    kind = NotificationKind(
        code=code,
        label=label,
        description=description,
        email_default=email_default,
        roles=frozenset(str(role) for role in roles),
    )
    known = _KINDS.get(code)
    if known is not None and known != kind:
        raise ImproperlyConfigured(f"the notification kind {code!r} is registered twice, differently")
    _KINDS[code] = kind
    return kind


def notification_kinds() -> list[NotificationKind]:
    """Every registered kind, in the order the apps registered them."""
    return list(_KINDS.values())


def notification_kinds_for(user) -> list[NotificationKind]:
    """The kinds this person could get, given the roles of their active seats (in registration order)."""
    roles = {seat.role for seat in seats(user)}
    return [kind for kind in notification_kinds() if kind.offered_to(roles)]


def notification_kind(code: str) -> NotificationKind:
    """The registered kind with this code (LookupError for one nobody registered)."""
    try:
        return _KINDS[code]
    except KeyError:
        raise LookupError(f"{code!r} is not a registered notification kind: register_kind() it at start-up") from None


def kind_label(code: str) -> str:
    """The kind's label; the code itself for a kind no app registers any more."""
    kind = _KINDS.get(code)
    return kind.label if kind else code


def portal_path(url: str) -> str | None:
    """url if it is a path on the portal (`/sharing-agreements/3/`), else None: never another site."""
    if not isinstance(url, str) or not url.startswith("/") or len(url) > URL_MAX_LENGTH:
        return None
    # NOTE: browsers read "\" as "/", so "/\evil.example" would leave the portal; control
    # characters are dropped by some, which can turn "/<TAB>/evil.example" into "//evil.example".
    if "\\" in url or any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("//"):
        return None
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=None) else None


# --- Writes ------------------------------------------------------------------------------------
def notify(*, users: Iterable, kind: str, title: str, body: str, url: str, by) -> list[Notification]:
    """Tell these people something: in the portal, and by email after commit unless they opted out.

    `users`: people or their ids. Must run inside the caller's transaction. `url` is a path inside the portal (the item it is
    about). Inactive people are skipped; so is the email of anyone without an address. `by` is who
    caused it: a person, or portal.actors.system(reason) for scheduled work.
    """
    require_actor(by)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify must be called inside the service's transaction")
    spec = notification_kind(kind)
    path = portal_path(url)
    if path is None:
        raise ValueError(f"a notification links to a path inside the portal, not {url!r}")
    ids = {getattr(user, "pk", user) for user in users}
    people = list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk"))
    if not people:
        return []
    chosen = dict(NotificationPreference.objects.filter(user__in=people, kind=kind).values_list("user_id", "email"))
    now = timezone.now()
    rows = [
        Notification(
            user=person,
            kind=kind,
            title=title[:200],
            body=body,
            url=path,
            created_at=now,
            email_state=(
                Notification.EmailState.QUEUED
                if person.email and chosen.get(person.pk, spec.email_default)
                else Notification.EmailState.NOT_EMAILED
            ),
        )
        for person in people
    ]
    Notification.objects.bulk_create(rows)
    for row in rows:
        if row.email_state == Notification.EmailState.QUEUED:
            outbox_enqueue(EMAIL_TASK, notification_id=row.pk)
    log.info(
        "notification %s to %d people (%d by email), caused by %s",
        kind,
        len(rows),
        sum(row.email_state == Notification.EmailState.QUEUED for row in rows),
        by.get_username(),
    )
    return rows


def notification_email_send(*, notification_id: int) -> bool:
    """The worker's side: email one notification, once; True if it was sent.

    Claim (queued to sending, committed), send outside any transaction or row lock, then record what
    happened in a second short write. A redelivered task finds it claimed or finished and sends nothing
    twice. A failure that a retry may cure (the mail service down) puts it back in the queue and raises,
    so the task retries with backoff, until the attempts run out; one that no retry can cure (the mail
    service refusing it, a message that cannot be made) fails it at once, with the reason kept.
    """
    notification = _email_claim(notification_id=notification_id)
    if notification is None:
        return False
    try:
        subject, text = mail_compose(
            title=notification.title,
            body=notification.body,
            url=notification.url,
            kind_label=kind_label(notification.kind),
        )
        adapter = email_adapter()
        adapter.send(
            to=notification.user.email,
            subject=subject,
            body=text,
            reference=f"notification-{notification.pk}",
            handing_over=lambda: _email_handing_over(notification_id=notification.pk),
        )
    except EmailRejected as exc:
        log.warning("the email of notification %s was refused: %s", notification.pk, exc)
        _email_record(notification_id=notification.pk, state=Notification.EmailState.REJECTED, error=str(exc))
        return False
    except ValueError as exc:  # BadHeaderError among them: the message itself cannot be sent
        log.warning("the email of notification %s cannot be sent: %s", notification.pk, exc)
        error = f"The email could not be made: {_error_words(exc)}"
        _email_record(notification_id=notification.pk, state=Notification.EmailState.FAILED, error=error)
        return False
    except Exception as exc:
        if notification.email_attempts >= EMAIL_ATTEMPTS:
            log.warning("the email of notification %s failed for good: %s", notification.pk, _error_words(exc))
            error = f"Not sent after {notification.email_attempts} tries. The last error: {_error_words(exc)}"
            _email_record(notification_id=notification.pk, state=Notification.EmailState.FAILED, error=error)
            return False
        _email_record(notification_id=notification.pk, state=Notification.EmailState.QUEUED, error=_error_words(exc))
        raise
    if adapter.prints_to_console:
        _email_record(notification_id=notification.pk, state=Notification.EmailState.CONSOLE)
        return False
    _email_record(notification_id=notification.pk, state=Notification.EmailState.SENT)
    return True


def _email_handing_over(*, notification_id: int) -> None:
    """Mark, committed, that the mail service may have the message from now on (a worker that stops after
    this may have sent it; one that stopped before had not)."""
    Notification.objects.filter(pk=notification_id, email_state=Notification.EmailState.SENDING).update(
        email_handed_over_at=timezone.now()
    )


def _stopped_claim(notification: Notification) -> None:
    """A claim left by a worker that stopped: if it had begun handing the email over, the email may have gone,
    so it is failed, never sent twice; if not, nothing was sent and it is queued to be sent again (unless
    its attempts are used up). Saves the row; the caller holds its lock."""
    if notification.email_handed_over_at is None and notification.email_attempts < EMAIL_ATTEMPTS:
        notification.email_state, notification.email_error = Notification.EmailState.QUEUED, STOPPED_BEFORE_SENDING
        notification.save(update_fields=["email_state", "email_error"])
        outbox_enqueue(EMAIL_TASK, notification_id=notification.pk)
        return
    notification.email_state, notification.email_error = Notification.EmailState.FAILED, STOPPED_MID_SEND
    notification.save(update_fields=["email_state", "email_error"])


def _error_words(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:400]


@transaction.atomic
def _email_claim(*, notification_id: int) -> Notification | None:
    """Take a queued notification's email for this worker (queued to sending); None if there is nothing to send.

    A claim left by a worker that stopped mid-send fails the email if it may have gone (never sent twice),
    and queues it again if the worker had not begun handing it over (_stopped_claim).
    """
    now = timezone.now()
    notification = Notification.objects.select_for_update().select_related("user").filter(pk=notification_id).first()
    if notification is None:
        return None
    if notification.email_state == Notification.EmailState.SENDING:
        if notification.email_claimed_at and notification.email_claimed_at < now - EMAIL_CLAIM_STALE:
            _stopped_claim(notification)
        return None  # another worker is sending it now (a task delivered twice), or it was dealt with just now
    if notification.email_state != Notification.EmailState.QUEUED:
        return None
    person = notification.user
    if not (person.is_active and person.email):
        notification.email_state = Notification.EmailState.NOT_EMAILED
        notification.save(update_fields=["email_state"])
        return None
    notification.email_state = Notification.EmailState.SENDING
    notification.email_claimed_at = now
    notification.email_handed_over_at = None
    notification.email_attempts += 1
    notification.save(update_fields=["email_state", "email_claimed_at", "email_handed_over_at", "email_attempts"])
    return notification


def _email_record(*, notification_id: int, state: str, error: str = "") -> None:
    """Record what became of a claimed email (one UPDATE, only while the claim still holds)."""
    fields = {"email_state": state, "email_error": error[:500]}
    if state == Notification.EmailState.SENT:
        fields["emailed_at"] = timezone.now()
    updated = Notification.objects.filter(pk=notification_id, email_state=Notification.EmailState.SENDING).update(
        **fields
    )
    if not updated:
        log.warning("the email of notification %s was no longer claimed when it became %s", notification_id, state)


def notification_emails_sweep(*, now=None) -> dict[str, int]:
    """Every few minutes (beat): fail, with the reason, the emails that nothing will finish.

    Claims left by a worker that stopped mid-send (older than any task may run): failed if the worker had begun
    handing the email over (it may have gone, so it is never sent again), queued to be sent again if it had
    not (resent); emails queued and never claimed for EMAIL_TASK_LOST_AFTER, whose task is queued again
    (requeued); and emails put back for a retry that never came (the task lost). Returns how many of each.
    """
    now = now or timezone.now()
    stopped = resent = 0
    with transaction.atomic():
        left = Notification.objects.select_for_update(skip_locked=True).filter(
            email_state=Notification.EmailState.SENDING, email_claimed_at__lt=now - EMAIL_CLAIM_STALE
        )
        for notification in left:
            _stopped_claim(notification)
            if notification.email_state == Notification.EmailState.QUEUED:
                resent += 1
            else:
                stopped += 1
    requeued = 0
    with transaction.atomic():
        lost = Notification.objects.select_for_update(skip_locked=True).filter(
            email_state=Notification.EmailState.QUEUED,
            email_claimed_at__isnull=True,
            created_at__lt=now - EMAIL_TASK_LOST_AFTER,
        )
        for notification in lost:
            outbox_enqueue(EMAIL_TASK, notification_id=notification.pk)
            requeued += 1
    abandoned = 0
    with transaction.atomic():
        stuck = Notification.objects.select_for_update(skip_locked=True).filter(
            email_state=Notification.EmailState.QUEUED,
            email_claimed_at__isnull=False,
            email_claimed_at__lt=now - EMAIL_RETRY_GIVE_UP,
        )
        for notification in stuck:
            notification.email_state = Notification.EmailState.FAILED
            notification.email_error = f"The retries stopped. The last error: {notification.email_error}"[:500]
            notification.save(update_fields=["email_state", "email_error"])
            abandoned += 1
    if stopped or abandoned or resent or requeued:
        log.warning(
            "emails given up: %d left mid-send by a stopped worker, %d whose retries stopped; "
            "%d queued again (their worker stopped before handing them over); %d tasks queued again (lost)",
            stopped,
            abandoned,
            resent,
            requeued,
        )
    return {"stopped": stopped, "abandoned": abandoned, "resent": resent, "requeued": requeued}


# NOTE: reading is not audited: it changes only the reader's own view of their own messages (no
# partner data, no one else's rights), and an event per click would bury the audit log's real
# changes. The read time is kept on the notification itself.
@transaction.atomic
def notification_mark_read(*, notification: Notification, by) -> Notification:
    """Mark one of the person's own notifications read (one already read keeps its first read time)."""
    if notification.user_id != getattr(by, "pk", None):
        raise PermissionDenied("A person marks only their own notifications as read.")
    now = timezone.now()
    if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
        notification.read_at = now
    return notification


@transaction.atomic
def notifications_mark_all_read(*, by) -> int:
    """Mark every unread notification of the person read; how many there were."""
    return Notification.objects.filter(user=by, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notification_preference_set(*, user, kind: str, email: bool, by) -> bool:
    """Choose whether a person also gets a kind by email (the in-portal copy always comes); True if it changed."""
    spec = notification_kind(kind)
    if getattr(by, "pk", None) != user.pk:
        raise PermissionDenied("A person chooses only their own emails.")
    current = NotificationPreference.objects.select_for_update().filter(user=user, kind=kind).first()
    before = current.email if current is not None else spec.email_default
    if before == email:
        return False
    if current is None:
        current = NotificationPreference.objects.create(user=user, kind=kind, email=email)
    else:
        current.email, current.updated_at = email, timezone.now()
        current.save(update_fields=["email", "updated_at"])
    audit_record(
        actor=by,
        action="notification.preference",
        obj=current,
        summary=f"{user.get_username()} turned {'on' if email else 'off'} emails about “{spec.label}”",
        before={"kind": kind, "email": before},
        after={"kind": kind, "email": email},
    )
    return True


@transaction.atomic
def notification_preferences_save(*, user, emailed: Iterable[str], by) -> int:
    """Set the email of every kind the person could get on (those in `emailed`) or off; how many changed.

    Kinds they cannot get now are left as they were: they were not on the page, so nobody chose them off.
    """
    emailed = set(emailed)
    return sum(
        notification_preference_set(user=user, kind=kind.code, email=kind.code in emailed, by=by)
        for kind in notification_kinds_for(user)
    )


# --- Reads -------------------------------------------------------------------------------------
def notification_list_visible_to(*, user) -> QuerySet:
    """The person's own notifications, newest first (nobody sees another person's)."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_unread_count(*, user) -> int:
    """How many of the person's notifications are unread (one query: the header asks on every page)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_email_choices(*, user) -> list[tuple[NotificationKind, bool]]:
    """Each kind the person could get and whether they get it by email."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return [(kind, chosen.get(kind.code, kind.email_default)) for kind in notification_kinds_for(user)]
