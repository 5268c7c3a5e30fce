"""Settings read from the environment.

DEBUG is off unless asked for (`make run` turns it on). With none of the production variables set,
the portal runs on an embedded default, local only: SQLite under var/, Celery eager, email to the
console, a per-checkout secret, localhost hosts, plain http (so `manage.py` works on a fresh checkout
with nothing set). Once any production variable is set, or DEBUG=0 is stated outright (the container
image does), it is the production shape: it refuses to start without all of them, with DEBUG on, with
placeholder or short keys, or without a way to send email, naming what to change.

The test suite's settings are portal/settings_test.py, chosen by pyproject.toml's pytest configuration.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# NOTE: true only while portal/settings_test.py imports this module (the test suite's settings, chosen by
# pytest's configuration): the suite runs the development shape on whatever database and broker it is
# given. No environment variable turns it on, so no deployment can.
_FOR_TEST_SUITE = "portal.settings_test" in sys.modules
DEBUG = env_bool("DEBUG", _FOR_TEST_SUITE)

PRODUCTION_VARIABLES = ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "PORTAL_BASE_URL"]
_PRODUCTION_SET = [name for name in PRODUCTION_VARIABLES if os.environ.get(name)]
# DEBUG=0 stated outright asks for the production shape, as the container image does.
_DEBUG_OFF_STATED = os.environ.get("DEBUG", "").strip().lower() in {"0", "false", "no", "off"}
# The embedded default: nothing of a deployment is set, so this is a checkout on someone's machine.
EMBEDDED = not _PRODUCTION_SET and not _DEBUG_OFF_STATED
# Local: served over plain http on this machine, static files from the source folders.
LOCAL = DEBUG or EMBEDDED

SECRET_KEY_MIN_LENGTH = 50  # as Django's own deployment check asks
AUDIT_CHECKPOINT_KEY_MIN_LENGTH = 32
_PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "placeholder")


def _is_placeholder(value: str) -> bool:
    """A value copied from .env.example or a template rather than chosen (CHANGE-ME-…, placeholder)."""
    lowered = value.strip().lower()
    return any(word in lowered for word in _PLACEHOLDER_WORDS)


def _key_problem(name: str, min_length: int) -> str | None:
    value = os.environ.get(name, "")
    make_one = """python -c 'import secrets; print(secrets.token_urlsafe(64))'"""
    if _is_placeholder(value):
        return f"{name} is a placeholder (as in .env.example). Set it to a long random value, made with: {make_one}"
    if len(value) < min_length:
        return (
            f"{name} is {len(value)} characters long. It must be at least {min_length} characters. "
            f"Make one with: {make_one}"
        )
    return None


def production_refusals() -> list[str]:
    """What stops a production start (DEBUG off, not the embedded default), one message each; empty if nothing."""
    problems = []
    missing = [name for name in PRODUCTION_VARIABLES if not os.environ.get(name)]
    if missing:
        problems.append("With DEBUG off the portal needs these environment variables: " + ", ".join(missing) + ".")
    if os.environ.get("SECRET_KEY"):
        problems.append(_key_problem("SECRET_KEY", SECRET_KEY_MIN_LENGTH))
    if os.environ.get("AUDIT_CHECKPOINT_KEY"):
        problems.append(_key_problem("AUDIT_CHECKPOINT_KEY", AUDIT_CHECKPOINT_KEY_MIN_LENGTH))
    for name in ("EMAIL_HOST_PASSWORD", "GOVUK_NOTIFY_API_KEY"):
        if _is_placeholder(os.environ.get(name, "")):
            problems.append(f"{name} is a placeholder (as in .env.example). Set the real one.")
    adapter = os.environ.get("EMAIL_ADAPTER", "").strip() or "smtp"
    if adapter == "smtp" and not os.environ.get("EMAIL_HOST", "").strip():
        problems.append(
            "The portal has no way to send email. Set EMAIL_HOST to your SMTP server, or set "
            "EMAIL_ADAPTER=govuk_notify with GOVUK_NOTIFY_API_KEY and GOVUK_NOTIFY_TEMPLATE_ID. "
            "Without one, notification emails would only be written to the log."
        )
    if os.environ.get("UPLOADS_S3_BUCKET") and importlib.util.find_spec("storages") is None:
        problems.append(
            "UPLOADS_S3_BUCKET is set but the S3 storage is not installed. Install the portal with its s3 "
            'extra (pip install ".[s3]"; the image has it), or unset UPLOADS_S3_BUCKET to keep uploads in MEDIA_ROOT.'
        )
    return [problem for problem in problems if problem]


if DEBUG and _PRODUCTION_SET and not _FOR_TEST_SUITE:
    raise ImproperlyConfigured(
        "DEBUG is on, and this environment sets "
        + ", ".join(_PRODUCTION_SET)
        + ", which only a deployment sets. DEBUG shows error details to anyone and turns off secure cookies, "
        "so it runs only on the embedded default. In a deployment, set DEBUG=0 or remove DEBUG. To develop on "
        "your own machine, unset " + ", ".join(_PRODUCTION_SET) + "."
    )
if not DEBUG and not EMBEDDED:
    _refusals = production_refusals()
    if _refusals:
        raise ImproperlyConfigured(
            "The portal cannot start in production:\n"
            + "".join(f"- {problem}\n" for problem in _refusals)
            + "See .env.example and docs/production.md."
        )


def _development_secret_key() -> str:
    """A per-checkout key kept under var/, so sessions survive restarts in development."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "csp",
    "portal",
    "partners",
    "targets",
    "callins",
    "funding",
]

MIDDLEWARE = [
    "portal.request_id.RequestIdMiddleware",
    "portal.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.SessionLimitsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
    "portal.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "portal.jinja2.environment",
            "autoescape": True,
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
    {
        # Django templates only where a library needs them (admin, DRF, drf-spectacular).
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
# A PostgreSQL read replica for the dashboards' snapshot reads only (portal/db_router.py); unset, all on default.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL and DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True)
    # tests use the primary's test database for both (Django's TEST MIRROR)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# NOTE: a database host that drops packets (not one that refuses) would otherwise hold each request until the
# kernel's TCP timeout; with this, it fails within seconds and people get the "service unavailable" page.
DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "2") or 2)
for _database in DATABASES.values():
    if _database["ENGINE"].endswith("postgresql"):
        _database.setdefault("OPTIONS", {}).setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
DATABASE_ROUTERS = ["portal.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails open: with Redis down or hung, a call costs at most 1 s, then the cache is skipped
            # for 15 s (a miss). Nothing kept in it is the only copy of anything.
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "DOWN_FOR_SECONDS": 15},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication and sessions --------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
# NOTE: no guardian ObjectPermissionBackend: nobody is ever put in a partner Group, and no code asks
# user.has_perm(perm, obj). Object permissions are granted to partner Groups and read only by
# portal/permissions.py, through the seats a person's memberships give.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

# NOTE: sessions live in the database only (not cached_db): a Redis outage must never sign anyone
# out or fail a request. One indexed read per request is cheap next to the page's own queries.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", 30 * 60))
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60))
SESSION_WARNING_SECONDS = 5 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
STEP_UP_SECONDS = 15 * 60

OTP_TOTP_ISSUER = "CJ Partnership Portal"

# Passkeys (WebAuthn, django-otp-webauthn) as an alternative second factor, after the password.
# No passwordless sign-in, so its authentication backend is not installed.
# A passkey is bound to the relying party ID: a host name (never an IP address) that the page's
# host equals or ends with. Browsers allow plain http only on localhost, so in development use
# http://localhost:8000 (not 127.0.0.1); in production the portal's own HTTPS host name.
# NOTE: changing WEBAUTHN_RP_ID later makes every registered passkey stop working.


def _webauthn_defaults() -> tuple[str, str]:
    if LOCAL:
        return "localhost", f"http://localhost:{os.environ.get('PORT', '8000')}"  # `make run PORT=…`
    host = next((h.lstrip(".") for h in ALLOWED_HOSTS if "*" not in h and h not in {"localhost", "127.0.0.1"}), "")
    return host, (f"https://{host}" if host else "")


_WEBAUTHN_RP_ID_DEFAULT, _WEBAUTHN_ORIGINS_DEFAULT = _webauthn_defaults()
OTP_WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID") or _WEBAUTHN_RP_ID_DEFAULT
OTP_WEBAUTHN_RP_NAME = "Criminal Justice Partnership Portal"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("WEBAUTHN_ORIGINS", _WEBAUTHN_ORIGINS_DEFAULT)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# --- Lockouts (NCSC password guidance; portal/lockout.py) ---
# A *username* is locked after LOCKOUT_USERNAME_FAILURES failed sign-ins: for 15 minutes, doubling
# with each further lockout, at most LOCKOUT_USERNAME_MAX, or until the PCC office unlocks it.
# An *address* with LOCKOUT_ADDRESS_FAILURES failed sign-ins within LOCKOUT_ADDRESS_WINDOW (someone
# trying many usernames) is refused for LOCKOUT_ADDRESS_TIME, without locking anyone's account.
LOCKOUT_USERNAME_FAILURES = int(
    os.environ.get("LOCKOUT_USERNAME_FAILURES") or os.environ.get("AXES_FAILURE_LIMIT") or 10
)
LOCKOUT_USERNAME_FIRST = timedelta(minutes=int(os.environ.get("LOCKOUT_USERNAME_MINUTES") or 15))
LOCKOUT_USERNAME_MAX = timedelta(hours=int(os.environ.get("LOCKOUT_USERNAME_MAX_HOURS") or 24))
LOCKOUT_ADDRESS_FAILURES = int(os.environ.get("LOCKOUT_ADDRESS_FAILURES") or 100)
LOCKOUT_ADDRESS_WINDOW = timedelta(minutes=int(os.environ.get("LOCKOUT_ADDRESS_WINDOW_MINUTES") or 60))
LOCKOUT_ADDRESS_TIME = timedelta(minutes=int(os.environ.get("LOCKOUT_ADDRESS_MINUTES") or 60))
# How to reach the PCC office's partnership team, shown on the sign-in page and to people whose account
# is locked or whose network is throttled. Locally (DEBUG or the embedded default) a made-up address and
# an Ofcom drama number stand in; in production, empty unless set: the office is then named without details.
PCC_OFFICE_CONTACT_EMAIL = os.environ.get(
    "PCC_OFFICE_CONTACT_EMAIL", "partnership@opcc.example" if LOCAL else ""
).strip()
PCC_OFFICE_CONTACT_PHONE = os.environ.get("PCC_OFFICE_CONTACT_PHONE", "0121 496 0000" if LOCAL else "").strip()
if os.environ.get("PCC_OFFICE_CONTACT", "").strip():
    raise ImproperlyConfigured(
        "PCC_OFFICE_CONTACT is replaced by PCC_OFFICE_CONTACT_EMAIL and PCC_OFFICE_CONTACT_PHONE. See .env.example."
    )
# The reverse proxies in front of the portal (addresses or CIDR ranges): only a request from one
# of them has its X-Forwarded-For believed (portal.security.client_ip). Empty: the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or CIDR range") from None

# django-axes counts failures per username only (the address throttle is the portal's own, so that
# a spray locks nobody's account), and decides the lock with portal.lockout.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = "portal.lockout.username_failure_limit"
# NOTE: a constant, not a callable: axes deletes every username's attempts older than this.
# It is how long a username's failures are remembered after its latest one: longer than the longest
# lockout, so that lockouts one after another keep doubling.
AXES_COOLOFF_TIME = LOCKOUT_USERNAME_MAX + timedelta(days=1)
# A correct password starts the count again, for that username only.
AXES_RESET_ON_SUCCESS = True
# Attempts refused during a lockout neither count nor make it longer: it ends when it said it would.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# NOTE: the lockout's timing is read from this log (one row per failure), so keep it on.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.views.auth.locked_out"
AXES_VERBOSE = False
# axes.W006 asks for "ip_address" in AXES_LOCKOUT_PARAMETERS; the portal throttles addresses itself.
# guardian.W001 asks for its ObjectPermissionBackend, which the portal leaves out on purpose (see
# AUTHENTICATION_BACKENDS).
SILENCED_SYSTEM_CHECKS = ["axes.W006", "guardian.W001"]

GUARDIAN_RAISE_403 = False
GUARDIAN_MONKEY_PATCH_USER = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous people see only public pages

# --- Security headers -------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not LOCAL:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
else:
    SECURE_HSTS_SECONDS = 0

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- I18N -------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = LOCAL
# NOTE: uploads live outside static/ and are never served by URL; views stream them as attachments.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never routed: uploads are only streamed by views as attachments
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
# Where uploads are kept (portal.files, through Django's storage API): MEDIA_ROOT, a volume every web and
# worker container mounts; or, when the machines share no disk, an S3-compatible bucket (the [s3] extra:
# django-storages and boto3). Keep the bucket private: files are only ever streamed by the views.
UPLOADS_S3_BUCKET = os.environ.get("UPLOADS_S3_BUCKET", "")
STORAGES["uploads"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}  # under MEDIA_ROOT
if UPLOADS_S3_BUCKET:
    STORAGES["uploads"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": UPLOADS_S3_BUCKET,
            "location": os.environ.get("UPLOADS_S3_PREFIX", "uploads"),
            # empty: AWS itself, and the machine's role or the standard AWS_* variables for the keys
            "endpoint_url": os.environ.get("UPLOADS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("UPLOADS_S3_REGION") or None,
            "access_key": os.environ.get("UPLOADS_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("UPLOADS_S3_SECRET_ACCESS_KEY") or None,
            "file_overwrite": False,
            "default_acl": None,  # the bucket's own (private) policy
        },
    }
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Email ------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@cjpartnership.example")
# How notification emails leave (portal/email_backends.py): "smtp" through EMAIL_BACKEND above, or
# "govuk_notify" through GOV.UK Notify (needs `pip install ".[notify]"` and one Notify email template
# whose subject is ((subject)) and body ((body))).
EMAIL_ADAPTER = os.environ.get("EMAIL_ADAPTER", "smtp").strip() or "smtp"
GOVUK_NOTIFY_API_KEY = os.environ.get("GOVUK_NOTIFY_API_KEY", "")
GOVUK_NOTIFY_TEMPLATE_ID = os.environ.get("GOVUK_NOTIFY_TEMPLATE_ID", "")
GOVUK_NOTIFY_BASE_URL = os.environ.get("GOVUK_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
if EMAIL_ADAPTER not in ("smtp", "govuk_notify"):
    raise ImproperlyConfigured(f'EMAIL_ADAPTER must be "smtp" or "govuk_notify", not "{EMAIL_ADAPTER}"')
if EMAIL_ADAPTER == "govuk_notify" and not (GOVUK_NOTIFY_API_KEY and GOVUK_NOTIFY_TEMPLATE_ID):
    raise ImproperlyConfigured("EMAIL_ADAPTER=govuk_notify needs GOVUK_NOTIFY_API_KEY and GOVUK_NOTIFY_TEMPLATE_ID")

# --- Celery -----------------------------------------------------------------------------
# The PCC's call-in window: a partner's decision may be called in for this many working days after it is logged.
CALLIN_WINDOW_WORKING_DAYS = int(os.environ.get("CALLIN_WINDOW_WORKING_DAYS", "5") or 5)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TIMEZONE = TIME_ZONE  # beat runs the daily jobs on UK local time
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# NOTE: visibility_timeout: a task taken by a worker that dies (SIGKILL, a container kill) is given
# to another worker after this long. It must exceed the longest task (CELERY_TASK_TIME_LIMIT, 300 s),
# or a task still running would be delivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "max_retries": 1,
    "visibility_timeout": 600,
}
CELERY_TASK_PUBLISH_RETRY = False
# In the embedded default there is no broker: the outbox relays each task as soon as its
# transaction commits, and the task runs in-process.
OUTBOX_RELAY_ON_COMMIT = CELERY_TASK_ALWAYS_EAGER
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "portal.relay_outbox", "schedule": 5.0},
    # A worker's heartbeat: /healthz says "degraded" when none has run for a minute (portal.schedule).
    "worker-heartbeat": {"task": "portal.worker_heartbeat", "schedule": 15.0},
    # Notification emails a stopped worker left claimed mid-send, or whose retries never came: failed, with why.
    "sweep-stuck-emails": {"task": "portal.sweep_stuck_emails", "schedule": 300.0},
    "daily-housekeeping": {"task": "portal.daily_housekeeping", "schedule": crontab(hour=6, minute=0)},
    "audit-checkpoint": {"task": "portal.audit_checkpoint", "schedule": crontab(minute=7)},
    # Data-sharing agreements: activation on the start date and expiry after the end date, then reminders.
    "dsa-daily-transitions": {"task": "partners.end_expired_dsas", "schedule": crontab(hour=0, minute=5)},
    "dsa-reminders": {"task": "partners.dsa_reminders", "schedule": crontab(hour=7, minute=0)},
    # Data returns whose checks stopped part-way (a worker killed mid-task): retried within 2 minutes, then failed.
    "sweep-stuck-returns": {"task": "targets.sweep_stuck_returns", "schedule": 15.0},
    # Targets' statuses and projections, worked out again every night (and whenever their figures change).
    "refresh-target-snapshots": {"task": "targets.refresh_all_snapshots", "schedule": crontab(hour=2, minute=15)},
    # Plans: reminders of sign-offs due within 3 working days or overdue; the board chair told after 5.
    "plan-signoff-reminders": {"task": "targets.plan_signoff_reminders", "schedule": crontab(hour=7, minute=30)},
    # Call-ins and senior appointments: reminders of responses, determinations and views; late responses escalated.
    "callins-daily": {"task": "callins.daily", "schedule": crontab(hour=7, minute=45)},
    "funding-daily": {"task": "funding.daily", "schedule": crontab(hour=8, minute=0)},
}

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.api_auth.PartnerSystemTokenAuthentication",
        "portal.api_auth.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "portal.api_base.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Each list's FilterSet (partners/filters.py, targets/filters.py) narrows what its selector gave.
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # drf-spectacular's, adding the refusals (400/401/403/404/415/429) each operation can give.
    "DEFAULT_SCHEMA_CLASS": "portal.api_schema.PortalAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["portal.api_auth.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"partner_system": os.environ.get("API_TOKEN_RATE", "600/hour")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Criminal Justice Partnership Portal API",
    "DESCRIPTION": "Partners, priorities, indicators, observations, targets, data returns, partnership plans, "
    "partners' decisions and the PCC's call-ins of them, the PCC's decisions and senior appointments. "
    "Every response is filtered by the caller's partner permissions and data-sharing agreements.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for each set of choices that appears under the same field name in several places.
    "ENUM_NAME_OVERRIDES": {
        "PartnerKindEnum": "partners.models.Partner.Kind",
        "AgreementStatusEnum": "partners.models.DataSharingAgreement.Status",
        "AgreementLevelEnum": "partners.models.DataSharingAgreement.Level",
        "DataReturnStatusEnum": "targets.models.DataReturn.Status",
        "DataReturnKindEnum": "targets.models.DataReturn.Kind",
        "TargetStatusEnum": "targets.models.Target.Status",
        "IndicatorFrequencyEnum": "targets.models.Indicator.Frequency",
        "PlanKindEnum": "targets.plans.models.Plan.Kind",
        "PlanVersionStatusEnum": "targets.plans.models.PlanVersion.Status",
        "PlanActionStatusEnum": "targets.plans.models.PlanAction.Status",
        "PlanSignOffStatusEnum": "targets.plans.models.PlanSignOff.Status",
        "PartnerDecisionStatusEnum": "callins.models.PartnerDecision.Status",
        "PartnerDecisionOutcomeEnum": "callins.models.PartnerDecision.Outcome",
        "CallInStatusEnum": "callins.models.CallIn.Status",
        "DeterminationOutcomeEnum": "callins.api.bodies.DETERMINATION_OUTCOMES",
        "PccDecisionStatusEnum": "callins.models.PccDecision.Status",
        "PccDecisionKindEnum": "callins.models.PccDecision.Kind",
        "FundKindEnum": "funding.models.Fund.Kind",
        "RoundStatusEnum": "funding.models.Round.Status",
        "ApplicationStatusEnum": "funding.models.Application.Status",
        "AwardStatusEnum": "funding.models.Award.Status",
    },
}
API_TOKEN_DEFAULT_DAYS = 90

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(task_id)s] %(message)s"},
        # one JSON object per line, for a log shipper (LOG_FORMAT=json; docker-compose.yml sets it)
        "json": {"()": "portal.request_id.JsonFormatter"},
    },
    "filters": {
        "expected_refusals": {"()": "portal.log_filters.ExpectedRefusals"},
        "context": {"()": "portal.request_id.ContextFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("LOG_FORMAT") == "json" else "plain",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.security.DisallowedHost": {"level": "ERROR"},
        # 403/404 in one line, no traceback (the refusal is recorded in the security log as well)
        "django.request": {"filters": ["expected_refusals"]},
    },
}

# --- Audit checkpoints (portal.audit) -----------------------------------------------------
# The key that signs checkpoints of the audit chain; never stored in the database. Defaults to one
# derived from SECRET_KEY; set its own so that rotating SECRET_KEY keeps old checkpoints checkable.
AUDIT_CHECKPOINT_KEY = os.environ.get("AUDIT_CHECKPOINT_KEY") or f"audit-checkpoint:{SECRET_KEY}"
# Where checkpoints are appended (one JSON line each), besides the log stream and the security
# log. Keep it where an operator keeps it: a volume, or a file shipped off the machine.
AUDIT_CHECKPOINT_FILE = os.environ.get("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit-checkpoints.jsonl"))

# The Prometheus scraper's bearer token for /metrics (portal/metrics.py); unset, /metrics does not exist (404).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

PORTAL_SERVICE_NAME = "Criminal Justice Partnership Portal"
# Where people reach the portal: every link in every email is made absolute with it.
# Development: http://localhost:PORT (`make run PORT=…` sets PORT).
PORTAL_BASE_URL = (os.environ.get("PORTAL_BASE_URL") or f"http://localhost:{os.environ.get('PORT', '8000')}").rstrip(
    "/"
)
DEMO_DATA_LABEL = "Synthetic demo data"
# The grants awarded, as 360Giving open data (funding/threesixty.py): each grant's identifier starts with the
# publisher's prefix (360Giving registers it: "360G-" and a name), and the funder is the Office of the PCC, named
# by its org-id (a list code from org-id.guide, then its number there). Set the registered ones in production.
THREESIXTY_PREFIX = os.environ.get("THREESIXTY_PREFIX", "360G-cjpportal")
THREESIXTY_FUNDER_ID = os.environ.get("THREESIXTY_FUNDER_ID", "GB-GOR-PC000123")
THREESIXTY_FUNDER_NAME = os.environ.get("THREESIXTY_FUNDER_NAME", "Office of the Police and Crime Commissioner")
