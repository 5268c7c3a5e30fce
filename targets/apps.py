from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = "Priorities, targets and data returns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register with the core and with partners: permission rules, what agreements cover (and the
        # grants they imply), the start-page and partner-page sections.
        from datetime import timedelta

        from portal.notifications import register_kind
        from portal.roles import PCC_OFFICE_ROLES, Role
        from portal.schedule import register_scheduled
        from portal.security import step_up_action

        from . import accountability, home_items, rules, selectors, sharing  # noqa: F401
        from .plans import home_items as plan_home_items  # noqa: F401
        from .plans import reactions as plan_reactions  # noqa: F401
        from .plans import tasks as plan_tasks  # noqa: F401
        from .plans import workflows as plan_workflows  # noqa: F401

        sharing.register()
        step_up_action("signing off or returning a plan")
        register_scheduled(
            "targets.plan_signoff_reminders", "The daily reminders of plan sign-offs", timedelta(hours=26)
        )
        register_scheduled(
            "targets.refresh_all_snapshots", "The nightly refresh of targets' statuses", timedelta(hours=26)
        )
        # Each kind's roles are those of the people its notify() calls reach (targets/plans/services):
        # only they are offered its email on their settings page.
        signers = (Role.SIGNATORY, Role.PCC)
        plan_people = (Role.OFFICER, Role.SIGNATORY, *PCC_OFFICE_ROLES)
        register_kind(
            "plan.signoff_requested",
            "Plans sent for your sign-off",
            "When a plan version is sent to your organisation for sign-off.",
            roles=signers,
        )
        register_kind(
            "plan.signoff_due",
            "Plan sign-offs due soon or overdue",
            "Each working day from 3 working days before your organisation's sign-off is due.",
            roles=signers,
        )
        register_kind(
            "plan.signoff_escalated",
            "Sign-offs long overdue (for the board chair)",
            "When a partner is more than 5 working days late signing off a plan.",
            roles=(Role.BOARD_MEMBER,),
        )
        register_kind(
            "plan.agreed",
            "Plans agreed",
            "When every required partner has signed off a plan version.",
            roles=plan_people,
        )
        register_kind(
            "plan.returned",
            "Plans returned",
            "When a partner returns a plan version with reasons.",
            roles=plan_people,
        )
        register_kind(
            "plan.no_signatory",
            "Partners with nobody to sign off a plan",
            "When a partner whose sign-off a plan waits for has no signatory left (to the plan's owner and the "
            "PCC office).",
            roles=(Role.OFFICER, *PCC_OFFICE_ROLES),
        )
        register_kind(
            "plan.comment",
            "Comments on the sections you write",
            "When someone comments on a plan section your organisation writes, or replies to your comment.",
        )
