"""Development and CI only: a signed-in, second-factor-verified browser session for an API tool."""

import secrets
import string
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.demo import demo_command_refusal
from portal.security import STEP_UP_AT_KEY, VERIFIED_AT_KEY


class Command(BaseCommand):
    help = (
        "Development and CI only: sign a person in as if they had given their password and a code, and print "
        "the session key and a CSRF token (space-separated), for API tools such as schemathesis: send "
        '"Cookie: sessionid=<key>; csrftoken=<token>" and "X-CSRFToken: <token>".'
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--step-up",
            action="store_true",
            help="Also count as a fresh code for step-up actions (signing, suspending, revoking) for 15 minutes",
        )

    def handle(self, *args, username, step_up, **options):
        # NOTE: it skips the password and the second factor: never in production, never on real accounts.
        refusal = demo_command_refusal("api_session")
        if refusal:
            raise CommandError(refusal)
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
        if device is None:
            raise CommandError(f"{username} is not an active person with an authenticator. Run `manage.py seed_demo`.")
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[VERIFIED_AT_KEY] = time.time()
        if step_up:
            session[STEP_UP_AT_KEY] = time.time()
        session.create()
        # Django's CSRF check compares the cookie with the header: any 32 letters and digits will do for both.
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        self.stdout.write(f"{session.session_key} {csrf}")
