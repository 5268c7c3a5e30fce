from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = "Priorities, targets and data returns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register the start-page and partner-page sections, and the tasks: the web process relays
        # outbox rows by task name, so the task must be known there too, not only in the worker.
        from . import home_items, selectors, tasks  # noqa: F401
