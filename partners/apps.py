from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register with the core: permission rules, where people's seats come from, the start-page and
        # partner-page sections (portal's ready() imports every tasks module).
        from datetime import timedelta

        from portal.directory import register_partner_choices
        from portal.permissions import register_seat_source
        from portal.schedule import register_scheduled
        from portal.security import step_up_action

        from . import accountability, home_items, rules, selectors, workflows  # noqa: F401

        register_seat_source(selectors.seats_of)
        register_scheduled(
            "partners.end_expired_dsas", "The nightly check of agreements' start and end dates", timedelta(hours=26)
        )
        register_partner_choices(selectors.partner_choices)

        step_up_action("signing, suspending, resuming or revoking a data-sharing agreement")

        from portal.notifications import register_kind
        from portal.roles import Role

        # Every agreement notification goes to the people who sign for the parties (services/dsa_schedule.py):
        # only they are offered its email on their settings page.
        signers = (Role.SIGNATORY, Role.PCC)
        register_kind(
            "dsa.signature_requested",
            "Agreements waiting for your signature",
            "When a data-sharing agreement is sent to your organisation for signature.",
            roles=signers,
        )
        register_kind(
            "dsa.review_due",
            "Agreement reviews coming up",
            "20 and 5 working days before an agreement your organisation is party to is due for review.",
            roles=signers,
        )
        register_kind(
            "dsa.ending",
            "Agreements ending soon",
            "20 and 5 working days before an agreement your organisation is party to ends.",
            roles=signers,
        )
