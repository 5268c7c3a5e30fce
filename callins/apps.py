from django.apps import AppConfig


class CallinsConfig(AppConfig):
    name = "callins"
    default_auto_field = "django.db.models.BigAutoField"
