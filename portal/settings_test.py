"""The test suite's settings: portal/settings.py with what only tests may have.

pyproject.toml's pytest configuration chooses this module (DJANGO_SETTINGS_MODULE), and the tests that
start a worker in a process of its own pass it on. Nothing a deployment sets in its environment turns any
of this on: a deployment would have to name this module, which says what it is.

While this module imports portal.settings, DEBUG defaults to on and DEBUG with DATABASE_URL and REDIS_URL
is allowed, so that the suite runs the development shape on the PostgreSQL and Redis that CI gives it.
"""

import os

# NOTE: under pytest-xdist each worker process runs tests at once with the others: give each its own Redis
# database (the cache holds per-person counts such as rate limits), below the one CI names (gw0: 15 -> 14).
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER.startswith("gw") and os.environ.get("REDIS_URL", "").rsplit("/", 1)[-1].isdigit():
    _base, _db = os.environ["REDIS_URL"].rsplit("/", 1)
    os.environ["REDIS_URL"] = f"{_base}/{max(0, int(_db) - 1 - int(_XDIST_WORKER[2:]))}"

from portal.settings import *  # noqa: E402, F403
from portal.settings import DATABASES, STORAGES  # noqa: E402

# Signing in hundreds of test people with the real hasher would take minutes.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# NOTE: no persistent connections: live-server and race-test threads would keep the test database busy.
DATABASES["default"]["CONN_MAX_AGE"] = 0

# Static files from the source folders, whatever DEBUG says: no collectstatic before a test run.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True

# Checkpoints go to the security log only, unless a file is named.
AUDIT_CHECKPOINT_FILE = os.environ.get("AUDIT_CHECKPOINT_FILE", "")

# The suite empties every table between tests (TRUNCATE): the audit log's PostgreSQL trigger lets that
# through on the suite's own connections only (portal.apps, portal/migrations/0002_audit_triggers.py).
AUDIT_LOG_TRUNCATE_FOR_TESTS = True
