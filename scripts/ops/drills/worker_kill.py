"""Drill: the Celery worker killed (SIGKILL to its whole process group, as a container kill) in the middle
of checking a return, then again in the middle of sending emails; each time it is started again.

Expected: the return ends checked (or failed with a message for the uploader), without anyone acting; no
email is sent twice or lost: every email is sent once within the drill, including those the killed worker had
taken. (The portal sends an email at most once: one cut mid-send is never sent again and, once its claim is
stale, is marked failed with the reason the PCC office sees; the drill runs that sweep with its clock on.)

    .venv/bin/python scripts/ops/drills/worker_kill.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Report, Stack, say, wait_for  # noqa: E402
from load import first_notification, notification_email_outcome, notify_many, sink_by_recipient, worker_ready  # noqa: E402

ROWS = 40_000  # a return whose checks take a few seconds, so that the kill lands in them
EMAILS = 16
# A slow mail service, slow before it takes the message (DATA): the kill lands mid-send, before the message is
# handed over, the case where an email sent at most once is lost.
SMTP_DELAY = 1.5


def big_return(template: str) -> bytes:
    lines = template.strip().splitlines()
    header = [name for name in lines[0].split(",") if name != "example"]
    row = dict(zip(lines[0].split(","), lines[1].split(",")))
    line = ",".join(row[name] for name in header)
    return ("\n".join([",".join(header)] + [line] * ROWS) + "\n").encode()


def kill_worker(stack: Stack, why: str) -> None:
    say(f"SIGKILL to the worker's process group ({why})")
    stack.apps["worker"].kill()
    stack.start("worker")


def main() -> int:
    report = Report("worker_kill")
    stack = Stack("worker_kill")
    try:
        stack.prepare()
        stack.start_all()
        worker_ready(stack)
        first_note = first_notification(stack)
        officer = stack.client("police.officer")

        # 1. Mid-check -------------------------------------------------------------------------------------
        content = big_return(officer.get("/data-returns/template.csv").text)
        files = {"file": ("drill-big.csv", content, "text/csv")}
        answer = officer.form("/data-returns/upload/", {}, files=files)
        pk = int(answer.headers["Location"].rstrip("/").split("/")[-2])
        status_of = lambda: stack.value("SELECT status FROM targets_datareturn WHERE id = %s", [pk])  # noqa: E731
        checking = wait_for("the checks to start", lambda: status_of() == "validating", timeout=60, every=0.1)
        progress = stack.value("SELECT progress FROM targets_datareturn WHERE id = %s", [pk])
        kill_worker(stack, f"return {pk} checking, {progress}% done")
        killed_at = time.monotonic()
        report.check("The kill landed in a return's checks", "status 'validating' at the kill", status_of(), checking)

        # 2. Mid-send --------------------------------------------------------------------------------------
        worker_ready(stack)
        stack.smtp.delay = SMTP_DELAY
        notify_many(stack, EMAILS)
        sending = wait_for(
            "an email mid-send",
            lambda: notification_email_outcome(stack, first_note)["states"]["sending"],
            timeout=60,
            every=0.1,
        )
        in_flight = notification_email_outcome(stack, first_note)["states"]["sending"]
        kill_worker(stack, f"{in_flight} emails mid-send")
        stack.smtp.delay = 0
        report.check("The kill landed mid-send", "≥ 1 email 'sending' at the kill", in_flight, sending)

        # 3. What became of them ---------------------------------------------------------------------------
        ended = wait_for(
            "the return to end checked or failed",
            lambda: status_of() in ("valid", "invalid", "failed"),
            timeout=240,
            every=1,
        )
        took = time.monotonic() - killed_at
        row = stack.query(
            "SELECT status, row_count, validation_attempts, failure_message FROM targets_datareturn WHERE id = %s",
            [pk],
        )[0]
        report.check(
            "The return killed mid-check",
            "ends checked, or failed with a message, by itself (sweep: within ~2 min)",
            f"{row[0]} after {took:.0f} s; {row[1]} rows; attempt {row[2]}"
            + (f"; message: {row[3]}" if row[3] else ""),
            bool(ended) and (row[0] in ("valid", "invalid") or (row[0] == "failed" and bool(row[3]))),
        )

        def settled():
            states = notification_email_outcome(stack, first_note)["states"]
            return states["queued"] == 0 and states["sending"] <= in_flight

        wait_for("the other emails to be sent", settled, timeout=30)
        time.sleep(3)
        before_sweep = notification_email_outcome(stack, first_note)
        # NOTE: a claim left by a stopped worker is dealt with after 10 minutes (portal.notifications.
        # EMAIL_CLAIM_STALE) by the sweep beat runs every 5; the drill runs that sweep with its clock 11 minutes
        # on rather than wait. One the worker had not begun handing over is queued again and sent; one it had
        # may have arrived, so it is failed with the reason, never sent twice.
        swept = (
            stack.shell(
                "from datetime import timedelta\n"
                "from django.utils import timezone\n"
                "from portal.notifications import notification_emails_sweep\n"
                "print(notification_emails_sweep(now=timezone.now() + timedelta(minutes=11)))"
            )
            .strip()
            .splitlines()[-1]
        )

        def all_done():
            states = notification_email_outcome(stack, first_note)["states"]
            return states["queued"] == 0 and states["sending"] == 0

        wait_for("the emails queued again to be sent", all_done, timeout=90)
        outcome = notification_email_outcome(stack, first_note)
        failed = stack.query(
            "SELECT email_error FROM portal_notification WHERE id > %s AND email_state = 'failed'", [first_note]
        )
        sink = sink_by_recipient(stack)
        extra, missing = sink - outcome["sent_to"], outcome["sent_to"] - sink
        reached = sum(extra.values())  # in the sink, not marked sent: cut after the message went (failed)
        reserved = before_sweep["states"]["queued"]
        sent = sum(outcome["sent_to"].values())
        report.check(
            "Emails sent twice",
            "none",
            f"sink received {sum(sink.values())}: {sent} marked sent (each once), {reached} failed after arriving",
            not missing and reached <= len(failed),
        )
        report.check(
            "Emails the killed worker had taken but not started",
            "sent once, within the drill (their tasks, held by Redis until its visibility timeout, queued again "
            "by the sweep)",
            f"{reserved} still queued {took:.0f} s after the kill; after the sweep: {dict(outcome['states'])}",
            outcome["states"]["queued"] == 0 and not missing,
        )
        lost = outcome["total"] - sent - reached
        report.check(
            "Emails cut mid-send",
            "none lost: sent again once if the message had not gone; failed with the reason if it had",
            f"{in_flight} cut; sweep (clock +11 min): {swept}; now {dict(outcome['states'])}; "
            f"{lost} lost; failed: {[f[0][:40] + '…' for f in failed] or 'none'}",
            lost == 0 and all_done(),
        )
    finally:
        stack.close()
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
