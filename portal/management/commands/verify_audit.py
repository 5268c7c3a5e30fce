from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.audit import audit_verify


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chain from the first event to the last, and hold it against the "
        "latest signed checkpoint (AUDIT_CHECKPOINT_FILE, else the security log)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint-file", help="A checkpoint file kept outside the database (default: AUDIT_CHECKPOINT_FILE)"
        )

    def handle(self, *args, **options):
        path = Path(options["checkpoint_file"]) if options.get("checkpoint_file") else None
        if path is not None and not path.exists():
            raise CommandError(f"No checkpoint file at {path}")
        result = audit_verify(checkpoint_file=path)
        report = result.chain
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event {report.broken_event_id}: {report.reason}. "
                f"{report.checked} events before it checked out."
            )
        if result.problems:
            raise CommandError("Audit log not intact: " + "; ".join(result.problems) + ".")
        lines = [f"Audit chain intact: {report.checked} events checked."]
        if result.checkpoint is None:
            lines.append(
                "No signed checkpoint to hold it against yet: the chain alone cannot show that the "
                "newest events were cut off or the log was reloaded."
            )
        else:
            lines.append(
                f"It matches the checkpoint of {result.checkpoint.at} ({result.checkpoint.count} events, "
                f"from {result.checkpoint_source})."
            )
            if result.unsigned_ids:
                first, last = result.unsigned_ids
                lines.append(f"Events {first} to {last} came after that checkpoint and are not covered by one yet.")
        self.stdout.write(self.style.SUCCESS(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)
