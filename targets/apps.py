from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = "Priorities, targets and data returns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register the start-page and partner-page sections (portal's ready() imports every tasks module).
        from . import home_items, selectors  # noqa: F401
