from django.core.management.base import BaseCommand, CommandError

from portal.demo import demo_accounts, demo_command_refusal, demo_password


class Command(BaseCommand):
    help = (
        "Development only: print the demo accounts, their password and each authenticator secret. "
        "Refused with the production settings, or on a database with accounts that are not the demo's."
    )

    def handle(self, *args, **options):
        refusal = demo_command_refusal("demo_logins")
        if refusal:
            raise CommandError(refusal)
        rows = demo_accounts()
        out = self.stdout.write
        out("")
        out("Demo accounts (synthetic demo data)")
        out("===================================")
        out(f"Password for every account: {demo_password()}")
        out("Second factor: add the secret to an authenticator app (time-based, 6 digits, 30 s),")
        out("or print the current code with:  .venv/bin/python manage.py demo_otp_code <username>")
        out("")
        out(f"{'username':<24} {'role':<32} {'partner':<30} authenticator secret")
        for row in rows:
            out(f"{row['username']:<24} {row['role']:<32} {row['partner']:<30} {row['totp_secret']}")
        out("")
        out(f"Open http://127.0.0.1:{settings_port()}/ and sign in.")
        out(
            f"To try passkeys, open http://localhost:{settings_port()}/ instead (browsers refuse them on an IP address)."
        )


def settings_port() -> str:
    import os

    return os.environ.get("PORT", "8000")
