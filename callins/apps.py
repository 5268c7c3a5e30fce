from django.apps import AppConfig


class CallinsConfig(AppConfig):
    name = "callins"
    verbose_name = "The PCC's powers: decisions, call-ins, appointments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register with the core: permission rules, workflows, notification kinds, the daily job, step-up, the
        # start-page sections and the demo step (portal's ready() imports every tasks module).
        from datetime import timedelta

        from portal.notifications import register_kind
        from portal.roles import Role
        from portal.schedule import register_scheduled
        from portal.security import step_up_action

        from . import accountability, demo, home_items, rules, workflows  # noqa: F401

        step_up_action("issuing, determining or withdrawing a call-in, waiving one, or signing a PCC decision")
        step_up_action("submitting a response to a call-in")
        register_scheduled(
            "callins.daily", "The daily reminders of call-ins and senior appointments", timedelta(hours=26)
        )
        office = (Role.PCC_OFFICER, Role.PCC)
        partner = (Role.OFFICER, Role.SIGNATORY, Role.PCC)
        for code, words, when, roles in (
            (
                "callins.decision_logged",
                "Decisions logged by partners",
                "When a partner logs a significant decision.",
                office,
            ),
            (
                "callins.draft_ready",
                "Call-ins drafted for you to issue",
                "When the PCC office drafts a call-in.",
                (Role.PCC,),
            ),
            (
                "callins.issued",
                "Your decisions called in",
                "When the PCC calls in one of your organisation's decisions.",
                partner,
            ),
            (
                "callins.response_due",
                "Call-in responses due",
                "Each working day from 3 working days before a response is due.",
                partner,
            ),
            (
                "callins.response_late",
                "Call-in responses late",
                "When a partner's response to a call-in is late.",
                (Role.PCC,),
            ),
            ("callins.responded", "Responses to call-ins", "When a partner submits its response to a call-in.", office),
            (
                "callins.determination_due",
                "Determinations due",
                "Each working day from 3 working days before a determination is due.",
                office,
            ),
            (
                "callins.determined",
                "Call-ins determined",
                "When the PCC determines a call-in of your decision.",
                partner,
            ),
            ("callins.withdrawn", "Call-ins withdrawn", "When the PCC withdraws a call-in of your decision.", partner),
            (
                "callins.reconsideration_due",
                "Reconsiderations due",
                "Each working day from 3 working days before your final outcome is due.",
                partner,
            ),
            (
                "callins.outcome_recorded",
                "Final outcomes recorded",
                "When a partner records its final outcome after a referral back.",
                office,
            ),
            (
                "callins.decision_waived",
                "Call-ins waived",
                "When the PCC waives the call-in of your decision.",
                partner,
            ),
            (
                "callins.appointment_consulted",
                "Senior appointments: the PCC consulted",
                "When a partner consults the PCC on a senior appointment.",
                office,
            ),
            (
                "callins.view_due",
                "The PCC's views due",
                "Each working day from 3 working days before the PCC's view is due.",
                office,
            ),
            (
                "callins.appointment_view",
                "The PCC's view on your appointments",
                "When the PCC's view on your senior appointment is recorded.",
                partner,
            ),
            (
                "callins.appointment_made",
                "Senior appointments confirmed",
                "When a partner confirms a senior appointment.",
                office,
            ),
        ):
            register_kind(code, words, when, roles=roles)
