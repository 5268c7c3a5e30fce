from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # NOTE: tasks too: in the embedded default the outbox relays by name to the tasks imported so far.
        from . import home_items, selectors, tasks  # noqa: F401  (start-page and partner-page sections, tasks)
