"""The callins app's permission rules and the role permissions they need (registered with the core).

A partner's decisions, the call-ins on them and its appointments are guarded through the partner itself
(`via="partner"`: the partner's own Group holds act_for_partner on it): the deciding partner sees its own,
the PCC office sees every one, and everyone else sees only what the public register publishes.
"""

from __future__ import annotations

from portal.permissions import Rule, register_role_permissions, register_rules
from portal.roles import Role

DECISION_VIEW = "decision.view"
DECISION_LOG = "decision.log"  # log a decision, mark it in effect, record its final outcome (its officers)
DECISION_WAIVE = "decision.waive"  # give up the power to call it in (the Commissioner)
CALLIN_VIEW = "callin.view"
CALLIN_DRAFT = "callin.draft"  # the PCC office drafts (and discards a draft)
CALLIN_ISSUE = "callin.issue"  # the Commissioner issues, determines and withdraws
CALLIN_RESPOND = "callin.respond"  # the partner's officers draft its response
CALLIN_SUBMIT = "callin.submit"  # the partner's signatory submits it
CALLIN_GROUNDS = "callin.grounds"  # keep the list of grounds (PCC office)
PCC_DECISION_VIEW = "pcc_decision.view"  # drafts included (PCC office); signed ones are public
PCC_DECISION_DRAFT = "pcc_decision.draft"
PCC_DECISION_SIGN = "pcc_decision.sign"
APPOINTMENT_VIEW = "appointment.view"
APPOINTMENT_RECORD = "appointment.record"  # the partner's officers record the post and its stages
APPOINTMENT_VIEW_RECORD = "appointment.view_record"  # the PCC office records the PCC's view
POWERS_COUNTS = "powers.counts"  # how many decisions, call-ins and appointments (board members, PCC office)

register_rules(
    {
        DECISION_VIEW: Rule(
            "callins.view_partnerdecision",
            "act_for_partner",
            "callins.view_all_decisions",
            via="partner",
            refused="see this partner's decisions",
        ),
        DECISION_LOG: Rule(
            "callins.add_partnerdecision",
            "act_for_partner",
            via="partner",
            refused="log or update this partner's decisions: its officers do",
        ),
        DECISION_WAIVE: Rule("callins.waive_callin", refused="waive the call-in of a decision: the Commissioner does"),
        CALLIN_VIEW: Rule(
            "callins.view_callin",
            "act_for_partner",
            "callins.view_all_callins",
            via="partner",
            refused="see this call-in",
        ),
        CALLIN_DRAFT: Rule("callins.draft_callin", refused="draft call-ins: the PCC office does"),
        CALLIN_ISSUE: Rule(
            "callins.issue_callin", refused="issue, determine or withdraw a call-in: the Commissioner does"
        ),
        CALLIN_RESPOND: Rule(
            "callins.respond_callin",
            "act_for_partner",
            via="partner",
            refused="write this partner's response: its officers and signatories do",
        ),
        CALLIN_SUBMIT: Rule(
            "callins.submit_callin_response",
            "act_for_partner",
            via="partner",
            refused="submit this partner's response: its signatory does",
        ),
        CALLIN_GROUNDS: Rule("callins.manage_callin_grounds", refused="change the list of call-in grounds"),
        PCC_DECISION_VIEW: Rule("callins.view_all_pcc_decisions", refused="see the PCC's draft decisions"),
        PCC_DECISION_DRAFT: Rule("callins.draft_pcc_decision", refused="prepare PCC decisions: the PCC office does"),
        PCC_DECISION_SIGN: Rule("callins.sign_pcc_decision", refused="sign PCC decisions: the Commissioner does"),
        APPOINTMENT_VIEW: Rule(
            "callins.view_appointment",
            "act_for_partner",
            "callins.view_all_appointments",
            via="partner",
            refused="see this partner's senior appointments",
        ),
        APPOINTMENT_RECORD: Rule(
            "callins.add_appointment",
            "act_for_partner",
            via="partner",
            refused="record this partner's senior appointments: its officers do",
        ),
        APPOINTMENT_VIEW_RECORD: Rule(
            "callins.record_pcc_view", refused="record the PCC's view on an appointment: the PCC office does"
        ),
        POWERS_COUNTS: Rule("callins.view_callin", refused="see the counts of decisions and call-ins"),
    }
)

_PARTNER_SEES = ["callins.view_partnerdecision", "callins.view_callin", "callins.view_appointment"]
register_role_permissions(
    {
        Role.OFFICER: _PARTNER_SEES
        + ["callins.add_partnerdecision", "callins.respond_callin", "callins.add_appointment"],
        Role.SIGNATORY: _PARTNER_SEES
        + ["callins.add_partnerdecision", "callins.respond_callin", "callins.submit_callin_response"],
        Role.BOARD_MEMBER: ["callins.view_callin"],
        Role.PCC_OFFICER: _PARTNER_SEES
        + [
            "callins.view_all_decisions",
            "callins.view_all_callins",
            "callins.view_all_appointments",
            "callins.view_all_pcc_decisions",
            "callins.draft_callin",
            "callins.manage_callin_grounds",
            "callins.draft_pcc_decision",
            "callins.record_pcc_view",
        ],
        # and, as the Commissioner, everything the officers may (portal.roles.ROLE_INCLUDES)
        Role.PCC: ["callins.issue_callin", "callins.sign_pcc_decision", "callins.waive_callin"],
    }
)
