from django.core.management.base import BaseCommand, CommandError

from portal.audit import audit_verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain from the first event to the last."

    def handle(self, *args, **options):
        report = audit_verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event {report.broken_event_id}: {report.reason}. "
                f"{report.checked} events before it checked out."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events checked."))
