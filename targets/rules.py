"""The targets app's permission rules and the role permissions they need (registered with the core).

Figures (observations) go to the indicator's provider, the PCC office and recipients of an active
data-sharing agreement covering the indicator (INDICATOR_DATA_VIEW / OBSERVATION_VIEW); breakdowns
need the *_BREAKDOWNS_VIEW rules as well. Definitions and status words go to every role.
"""

from __future__ import annotations

from portal.permissions import Rule, register_role_permissions, register_rules
from portal.roles import Role

INDICATOR_DATA_VIEW = "indicator_data.view"
INDICATOR_BREAKDOWNS_VIEW = "indicator_breakdowns.view"
OBSERVATION_VIEW = "observation.view"
OBSERVATION_BREAKDOWNS_VIEW = "observation.breakdowns_view"
DATA_RETURN_VIEW = "data_return.view"
DATA_RETURN_SUBMIT = "data_return.submit"
DATA_RETURN_REVIEW_ALL = "data_return.review_all"
TARGET_MANAGE = "target.manage"
PRIORITY_VIEW = "priority.view"  # priorities, indicator definitions, targets and their status words

register_rules(
    {
        INDICATOR_DATA_VIEW: Rule(
            "targets.view_observation",
            "view_indicator_data",
            "targets.view_all_observations",
            refused="see this indicator's figures: no data-sharing agreement shares them with your organisation",
        ),
        INDICATOR_BREAKDOWNS_VIEW: Rule(
            "targets.view_observation", "view_indicator_breakdowns", "targets.view_all_observations"
        ),
        OBSERVATION_VIEW: Rule(
            "targets.view_observation", "view_indicator_data", "targets.view_all_observations", via="indicator"
        ),
        OBSERVATION_BREAKDOWNS_VIEW: Rule(
            "targets.view_observation", "view_indicator_breakdowns", "targets.view_all_observations", via="indicator"
        ),
        DATA_RETURN_VIEW: Rule("targets.view_datareturn", "view_datareturn", "targets.view_all_datareturns"),
        # NOTE: "act_for_partner" is the partners app's object permission on a partner: submitting a
        # return is acting for one's own partner.
        DATA_RETURN_SUBMIT: Rule(
            "targets.add_datareturn", "act_for_partner", refused="submit figures for this partner"
        ),
        DATA_RETURN_REVIEW_ALL: Rule("targets.view_all_datareturns"),
        TARGET_MANAGE: Rule("targets.change_target", refused="set or change the board's targets"),
        PRIORITY_VIEW: Rule("targets.view_priority"),
    }
)

_EVERYONE = ["targets.view_observation", "targets.view_datareturn", "targets.view_priority"]
_PCC_OFFICE = _EVERYONE + ["targets.view_all_observations", "targets.view_all_datareturns", "targets.change_target"]
register_role_permissions(
    {
        Role.OFFICER: _EVERYONE + ["targets.add_datareturn"],
        Role.SIGNATORY: _EVERYONE,
        Role.BOARD_MEMBER: _EVERYONE + ["targets.change_target"],
        Role.PCC_OFFICER: _PCC_OFFICE,
        Role.PCC: _PCC_OFFICE,
    }
)

# --- Plans and sign-off (targets/plans) -------------------------------------------------------------
PLAN_VIEW = "plan.view"  # drafts: the owner and contributors; agreed versions: everyone with a role
PLAN_CREATE = "plan.create"  # a partner's officers for their partner; the PCC office for the board
PLAN_MANAGE = "plan.manage"  # run a plan: sections, actions, attachments, sending for sign-off
PLAN_CONTRIBUTE = "plan.contribute"  # write the sections and actions assigned to one's own partner
PLAN_SIGN = "plan.sign"  # sign off or return a version for one's own partner (signatories)
PLAN_SIGNOFF_RECORDS = "plan.signoff_records"  # every partner's full record of sign-offs (board, PCC office)

register_rules(
    {
        PLAN_VIEW: Rule("targets.view_plan", "view_plan", "targets.view_all_plans", refused="see this plan"),
        # A partner's own plans are run by that partner; the board's plans by the PCC office (granted on the
        # plan by the plan services): nobody runs every plan.
        PLAN_CREATE: Rule("targets.add_plan", "act_for_partner", refused="start a plan for this partner"),
        PLAN_MANAGE: Rule(
            "targets.manage_plan",
            "manage_plan",
            refused="run this plan: its owner does (the Office of the PCC for the board's plans)",
        ),
        PLAN_CONTRIBUTE: Rule(
            "targets.contribute_plan",
            "act_for_partner",
            refused="write or update this part of the plan: only the officers of the partner it is assigned to do",
        ),
        # Deciding is a partner's own: its signatories (the Commissioner for the PCC office), nobody else.
        PLAN_SIGN: Rule(
            "targets.sign_plan",
            "act_for_partner",
            refused="sign off or return a plan for this partner: only its own signatory decides for it",
        ),
        PLAN_SIGNOFF_RECORDS: Rule("targets.view_all_signoff_records", refused="see every partner's sign-off record"),
    }
)
register_role_permissions(
    {
        Role.OFFICER: ["targets.view_plan", "targets.add_plan", "targets.manage_plan", "targets.contribute_plan"],
        Role.SIGNATORY: ["targets.view_plan", "targets.sign_plan"],
        Role.BOARD_MEMBER: [
            "targets.view_plan",
            "targets.add_plan",
            "targets.manage_plan",
            "targets.view_all_signoff_records",
        ],
        Role.PCC_OFFICER: [
            "targets.view_plan",
            "targets.view_all_plans",
            "targets.add_plan",
            "targets.manage_plan",
            "targets.contribute_plan",
            "targets.view_all_signoff_records",
        ],
        # and, as the Commissioner, everything the officers may (portal.roles.ROLE_INCLUDES)
        Role.PCC: ["targets.view_plan", "targets.view_all_plans", "targets.sign_plan"],
    }
)
