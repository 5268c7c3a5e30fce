"""What a drill does to the portal: a few people viewing pages, uploading and applying returns and signing off a
plan; notifications made as a service makes them; and, after the fault, the checks that nothing was lost."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections import Counter

import requests
from common import UPLOADERS, VIEWED_PAGES, VIEWERS, Client, Report, Stack, wait_for  # noqa: E402

# --- The load: a few people viewing pages, uploading and applying returns, signing off a plan -------------


def small_return(template: str, n: int) -> bytes:
    """A small valid return: the first row of the partner's own template, its figures scaled by 1, 2 or 3."""
    lines = template.strip().splitlines()
    header, row = lines[0].split(","), lines[1].split(",")
    fields = dict(zip(header, row))
    factor = 1 + n % 3
    for name in ("value", "numerator"):
        if fields.get(name):
            number = float(fields[name]) * factor
            fields[name] = str(int(number)) if number.is_integer() else f"{number:g}"
    keep = [name for name in header if name != "example"]
    return (",".join(keep) + "\n" + ",".join(fields[name] for name in keep) + "\n").encode()


class Load:
    """Threads doing what people do; each request's time, status and phase kept."""

    def __init__(self, stack: Stack, *, viewers=VIEWERS, uploaders=UPLOADERS, upload_every: float = 4.0):
        self.stack = stack
        self.viewers = [stack.client(name) for name in viewers]
        self.uploaders = [stack.client(name) for name in uploaders]
        self.upload_every = upload_every
        self.samples: list[tuple[str, str, int, float]] = []  # phase, what, status (0: no answer), seconds
        self.uploaded: list[int] = []
        self.templates: dict[str, str] = {}
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._n = 0

    def _timed(self, what: str, call) -> requests.Response | None:
        started = time.perf_counter()
        phase = self.stack.phase
        try:
            response = call()
            status = response.status_code
        except (requests.RequestException, RuntimeError) as exc:  # RuntimeError: a page without its form
            response, status = None, 0
            with self._lock:
                self.errors.append(f"{what}: {type(exc).__name__}")
        with self._lock:
            self.samples.append((phase, what, status, time.perf_counter() - started))
        return response

    def _view(self, client: Client) -> None:
        n = 0
        while not self._stop.is_set():
            path = VIEWED_PAGES[n % len(VIEWED_PAGES)]
            try:
                self._timed("page", lambda path=path: client.get(path))
            except requests.RequestException:
                pass  # counted by the client (status 0)
            n += 1
            time.sleep(0.05)

    def upload(self, client: Client) -> int | None:
        with self._lock:
            self._n += 1
            n = self._n
        if client.username not in self.templates:
            template = client.get("/data-returns/template.csv")
            if template.status_code != 200:
                with self._lock:
                    self.errors.append(f"the return template answered {template.status_code}")
                return None
            self.templates[client.username] = template.text
        content = small_return(self.templates[client.username], n)
        files = {"file": (f"drill-{n}.csv", content, "text/csv")}
        answer = self._timed("upload", lambda: client.form("/data-returns/upload/", {}, files=files))
        if answer is not None and answer.status_code == 302:
            found = re.search(r"/data-returns/(\d+)/", answer.headers.get("Location", ""))
            if found:
                with self._lock:
                    self.uploaded.append(int(found.group(1)))
                return int(found.group(1))
        with self._lock:
            self.errors.append(f"upload answered {getattr(answer, 'status_code', 'nothing')}")
        return None

    def _uploads(self, client: Client) -> None:
        while not self._stop.wait(self.upload_every):
            self.upload(client)

    def start(self, *, uploads: bool = True) -> None:
        workers = [(self._view, c) for c in self.viewers]
        if uploads:
            workers += [(self._uploads, c) for c in self.uploaders]
        for target, client in workers:
            thread = threading.Thread(target=target, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)
        self._threads, self._stop = [], threading.Event()

    def times(self, phase: str, what: str = "page") -> list[float]:
        return [s for p, w, status, s in self.samples if p == phase and w == what and status]

    def statuses(self, phase: str | None = None) -> Counter:
        return Counter(status for p, w, status, s in self.samples if phase in (None, p))

    def apply(self, client: Client, pk: int) -> str:
        """Apply a checked return as its uploader does; again (confirming) when figures changed since its
        checks (another return applied first), as the page asks. The return's status at the end."""
        for _ in range(3):
            client.form(f"/data-returns/{pk}/apply/", {"confirm_revisions": "on"})
            status = self.stack.value("SELECT status FROM targets_datareturn WHERE id = %s", [pk])
            if status != "valid":
                return status
        return status


def sign_off_pending_plan(stack: Stack) -> int:
    """The demo's one pending sign-off (Birmingham YJS on plan 2, version 2), signed through the pages with a
    fresh code; the plan is then agreed and everyone on it told. Returns the HTTP status of the sign-off."""
    signatory = stack.client("yjs.birmingham.signatory")
    signatory.step_up()
    answer = signatory.form(
        "/plans/2/versions/2/sign-offs/birmingham-yjs/sign/", {"statement": "Signed in a drill", "confirm": "on"}
    )
    return answer.status_code


def notify_many(stack: Stack, count: int) -> None:
    """`count` notifications (with their emails) in one transaction, as a service makes them: inside the portal,
    through portal.notifications.notify, to the demo's people in turn."""
    stack.shell(
        "from django.db import transaction\n"
        "from portal.actors import system\n"
        "from portal.notifications import notify\n"
        "from django.contrib.auth import get_user_model\n"
        "people = list(get_user_model().objects.exclude(email='').filter(is_active=True).values_list('pk', flat=True))\n"
        "with transaction.atomic():\n"
        f"    for n in range({count}):\n"
        "        notify(users=[people[n % len(people)]], kind='plan.comment', url='/plans/2/', by=system('fault drill'),\n"
        "               title=f'Fault drill message {n}', body='A message made by a fault drill.')\n"
    )


def notification_email_outcome(stack: Stack, after_id: int) -> dict:
    """The notifications made since after_id, by email state, and the emails each person should have had."""
    rows = stack.query(
        "SELECT n.email_state, lower(u.email) FROM portal_notification n JOIN portal_user u ON u.id = n.user_id "
        "WHERE n.id > %s",
        [after_id],
    )
    states = Counter(state for state, _ in rows)
    sent_to = Counter(email for state, email in rows if state == "sent")
    return {"states": states, "sent_to": sent_to, "total": len(rows)}


def sink_by_recipient(stack: Stack) -> Counter:
    out: Counter = Counter()
    for (rcpt, _subject), n in stack.smtp.counts().items():
        out[rcpt] += n
    return out


def slowest(stack: Stack, phase: str) -> tuple[float, str]:
    """The longest any single request of the phase took, and which it was."""
    rows = [(seconds, what) for p, what, status, seconds in stack.requests if p == phase]
    return max(rows) if rows else (0.0, "none")


def kill_group(process: subprocess.Popen, sig=signal.SIGKILL) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# --- After the fault: nothing lost ---------------------------------------------------------------------------
CHECKED = ("valid", "invalid", "applied", "failed")


def outbox_pending(stack: Stack) -> int:
    return stack.value("SELECT count(*) FROM portal_outboxtask WHERE status = 'pending'")


def check_nothing_lost(stack: Stack, load: Load, report: Report, *, first_note: int, since: float) -> None:
    """Once the fault is over: the outbox empties, every return is checked and (valid ones) applied by its
    uploader, and every notification made during the drill is emailed exactly once (the sink's count)."""
    pending = outbox_pending(stack)
    drained = wait_for("the outbox to drain", lambda: outbox_pending(stack) == 0, timeout=120)
    report.check(
        "Outbox after the fault",
        "empty: everything published",
        f"{pending} waiting when the fault ended; "
        + (f"empty {time.monotonic() - since:.0f} s after" if drained else "still not empty after 120 s"),
        bool(drained),
    )

    def all_checked():
        rows = stack.query("SELECT status FROM targets_datareturn")
        return rows and all(status in CHECKED for (status,) in rows)

    wait_for("every return to be checked", all_checked, timeout=150)
    checked = dict(stack.query("SELECT id, status FROM targets_datareturn"))
    uploader = dict(
        stack.query("SELECT r.id, u.username FROM targets_datareturn r JOIN portal_user u ON u.id = r.uploaded_by_id")
    )
    clients = {client.username: client for client in load.uploaders}
    for pk, status in sorted(checked.items()):
        if status == "valid" and uploader.get(pk) in clients:
            load.apply(clients[uploader[pk]], pk)
    final = dict(stack.query("SELECT id, status FROM targets_datareturn"))
    report.check(
        "Returns uploaded during the drill",
        "every one checked, and applied",
        f"{len(final)} returns; checks: {dict(Counter(checked.values()))}; in the end: {dict(Counter(final.values()))}",
        bool(final) and set(checked.values()) <= set(CHECKED) and set(final.values()) == {"applied"},
    )

    def emails_done():
        outcome = notification_email_outcome(stack, first_note)
        return outcome["states"]["queued"] + outcome["states"]["sending"] == 0 and outbox_pending(stack) == 0

    wait_for("every email to be sent", emails_done, timeout=120)
    time.sleep(2)  # a duplicate would arrive now
    outcome = notification_email_outcome(stack, first_note)
    sink = sink_by_recipient(stack)
    report.check(
        "Notifications made during the drill",
        "every email sent (none queued, sending or failed)",
        f"{outcome['total']} notifications: {dict(outcome['states'])}",
        outcome["total"] > 0 and set(outcome["states"]) <= {"sent", "not_emailed"},
    )
    differing = {
        key: (sink.get(key, 0), outcome["sent_to"].get(key, 0))
        for key in set(sink) | set(outcome["sent_to"])
        if sink.get(key, 0) != outcome["sent_to"].get(key, 0)
    }
    report.check(
        "Emails the SMTP sink received",
        "exactly one for each notification marked sent",
        f"{sum(sink.values())} received, {sum(outcome['sent_to'].values())} marked sent; "
        f"recipients differing (sink, marked): {differing or 'none'}",
        sink == outcome["sent_to"],
    )


def first_notification(stack: Stack) -> int:
    return stack.value("SELECT coalesce(max(id), 0) FROM portal_notification")


def worker_ready(stack: Stack) -> None:
    """Wait for the worker's first heartbeat (beat sends one every 15 s)."""
    wait_for("the worker's heartbeat", lambda: stack.value("SELECT count(*) FROM portal_scheduledrun"), timeout=60)
