from django.core.management.base import BaseCommand

from portal.demo import demo_password, seed_all


class Command(BaseCommand):
    help = "Build the West Midlands demo board (idempotent: running it again changes nothing)."

    def handle(self, *args, **options):
        seed_all()
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        import os

        if not os.environ.get("DEMO_PASSWORD"):
            self.stdout.write(f"Demo password (generated, kept in var/demo-password): {demo_password()}")
