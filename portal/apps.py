from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from .permissions import sync_role_groups
    from .schedule import scheduled_runs_sync

    sync_role_groups()
    scheduled_runs_sync()


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from axes.signals import user_locked_out
        from django.utils.module_loading import autodiscover_modules

        # NOTE: Celery's autodiscovery is lazy; in the embedded default (eager) the outbox runs
        # tasks in the web process, so every app's tasks module must be imported here.
        autodiscover_modules("tasks")

        from django.conf import settings as _settings

        from . import home_items  # noqa: F401  (registers the start-page sections)
        from .schedule import HEARTBEAT, HEARTBEAT_EVERY, register_scheduled

        if not _settings.CELERY_TASK_ALWAYS_EAGER:
            register_scheduled(
                HEARTBEAT, "The workers' heartbeat (a worker took a task in the last minute)", HEARTBEAT_EVERY
            )
        from .admin import make_read_only

        # NOTE: the admin app's ready() ran first and imported every admin module: now make the ones
        # Django and the third-party apps registered read-only too.
        make_read_only()

        # NOTE: role Groups are derived from ROLE_PERMISSIONS after every migrate (and flush).
        # Not limited to this app's signal: the permissions of apps migrated after it must exist.
        post_migrate.connect(_sync_roles, dispatch_uid="portal.sync_roles")
        from django.conf import settings
        from django.db.backends.signals import connection_created

        if getattr(settings, "AUDIT_LOG_TRUNCATE_FOR_TESTS", False):  # only portal/settings_test.py sets it
            connection_created.connect(_allow_audit_truncate_in_tests, dispatch_uid="portal.test_truncate")
        user_locked_out.connect(_record_lockout, dispatch_uid="portal.lockout")


def _record_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    from .services import account_lockout_record

    account_lockout_record(username=username or "", request=request)


def _allow_audit_truncate_in_tests(sender, connection, **kwargs):
    """The test suite empties every table between tests (TRUNCATE): the audit log's trigger lets it,
    on the test suite's connections only (the test settings, portal/settings_test.py, ask for it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET portal.allow_audit_truncate = 'on'")
