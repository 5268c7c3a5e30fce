from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = "Priorities, targets and data returns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register with the core and with partners: permission rules, what agreements cover (and the
        # grants they imply), the start-page and partner-page sections.
        from . import home_items, rules, selectors, sharing  # noqa: F401

        sharing.register()
