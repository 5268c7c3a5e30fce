from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Devolved funds: funds, rounds, applications, awards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register with the core: permission rules, workflows, notification kinds, the daily job, step-up, the
        # start-page sections and the demo step (portal's ready() imports every tasks module).
        from datetime import timedelta

        from portal.notifications import register_kind
        from portal.roles import Role
        from portal.schedule import register_scheduled
        from portal.security import step_up_action

        from . import demo, home_items, rules, workflows  # noqa: F401

        step_up_action("awarding or declining a grant")
        register_scheduled("funding.daily", "The daily reminders of late spend returns", timedelta(hours=26))
        office = (Role.PCC_OFFICER, Role.PCC)
        applicant = (Role.OFFICER, Role.SIGNATORY, Role.PCC)
        for code, words, when, roles in (
            (
                "funding.application_submitted",
                "Applications for funding",
                "When an organisation submits an application to a funding round.",
                office,
            ),
            ("funding.awarded", "Grants awarded to you", "When the PCC awards your organisation a grant.", applicant),
            (
                "funding.declined",
                "Applications declined",
                "When the PCC declines your organisation's application, with the reasons.",
                applicant,
            ),
            (
                "funding.cancelled",
                "Grants cancelled",
                "When the PCC cancels your organisation's grant, with the reasons.",
                applicant,
            ),
            (
                "funding.spend_returned",
                "Spend returns",
                "When a grantee submits its quarterly spend and outcomes return.",
                office,
            ),
            (
                "funding.spend_return_late",
                "Late spend returns",
                "Each working day while your grant's spend return is late.",
                applicant,
            ),
        ):
            register_kind(code, words, when, roles=roles)
