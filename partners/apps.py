from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register the start-page and partner-page sections (portal's ready() imports every tasks module).
        from portal.security import step_up_action

        from . import home_items, selectors  # noqa: F401

        step_up_action("signing, suspending, resuming or revoking a data-sharing agreement")
