"""The test suite's settings: portal/settings.py with what only tests may have.

pyproject.toml's pytest configuration chooses this module (DJANGO_SETTINGS_MODULE), and the tests that
start a worker in a process of its own pass it on. Nothing a deployment sets in its environment turns any
of this on: a deployment would have to name this module, which says what it is.

While this module imports portal.settings, DEBUG defaults to on and DEBUG with DATABASE_URL and REDIS_URL
is allowed, so that the suite runs the development shape on the PostgreSQL and Redis that CI gives it.
"""

import os

from portal.settings import *  # noqa: F403
from portal.settings import DATABASES, STORAGES

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
