import os

from django.core.management.base import BaseCommand, CommandError

from portal.demo import demo_command_refusal, demo_password, seed_all


class Command(BaseCommand):
    help = (
        "Development only: build the West Midlands demo board (idempotent: running it again changes nothing). "
        "Refused with the production settings, or on a database with accounts that are not the demo's."
    )

    def handle(self, *args, **options):
        refusal = demo_command_refusal("seed_demo")
        if refusal:
            raise CommandError(refusal)
        seed_all()
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        if not os.environ.get("DEMO_PASSWORD"):
            self.stdout.write(f"Demo password (generated, kept in var/demo-password): {demo_password()}")
