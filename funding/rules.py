"""The funding app's permission rules and the role permissions they need (registered with the core).

Applications and awards are guarded through the applying organisation (`via="organisation"`): the partner's
Group holds apply_for_organisation on its own organisation, so its officers see and draft their own; the
PCC office sees every one; board members see fund positions and the grants awarded.
"""

from __future__ import annotations

from portal.permissions import Rule, register_role_permissions, register_rules
from portal.roles import Role

FUND_VIEW = "fund.view"  # fund positions (PCC office, board members)
FUND_MANAGE = "fund.manage"  # set up funds, record income, run rounds (PCC office)
APPLICATION_VIEW = "application.view"
APPLICATION_DRAFT = "application.draft"  # draft, change, submit and withdraw (the applicant's officers)
APPLICATION_ASSESS = "application.assess"  # score and declare conflicts (PCC officers)
AWARD_MAKE = "award.make"  # award or decline (the Commissioner)
AWARD_VIEW = "award.view"
AWARD_PAY = "award.pay"  # record payments (PCC office)
SPEND_RETURN_SUBMIT = "spend_return.submit"  # the grantee's officers

register_rules(
    {
        FUND_VIEW: Rule("funding.view_fund", refused="see the funds' positions"),
        FUND_MANAGE: Rule(
            "funding.manage_funds", refused="set up funds, record income or run rounds: the PCC office does"
        ),
        APPLICATION_VIEW: Rule(
            "funding.view_application",
            "apply_for_organisation",
            "funding.view_all_applications",
            via="organisation",
            refused="see this application",
        ),
        APPLICATION_DRAFT: Rule(
            "funding.add_application",
            "apply_for_organisation",
            via="organisation",
            refused="apply for this organisation: its officers do",
        ),
        APPLICATION_ASSESS: Rule(
            "funding.assess_application", refused="assess applications: the PCC office's officers do"
        ),
        AWARD_MAKE: Rule("funding.award_grant", refused="award or decline grants: the Commissioner does"),
        AWARD_VIEW: Rule(
            "funding.view_award",
            "apply_for_organisation",
            "funding.view_all_awards",
            via="organisation",
            refused="see this award",
        ),
        AWARD_PAY: Rule("funding.manage_funds", refused="record payments: the PCC office does"),
        SPEND_RETURN_SUBMIT: Rule(
            "funding.change_spendreturn",
            "apply_for_organisation",
            via="organisation",
            refused="submit this grant's spend returns: the grantee's officers do",
        ),
    }
)

_APPLICANT = ["funding.view_application", "funding.add_application", "funding.view_award", "funding.change_spendreturn"]
register_role_permissions(
    {
        Role.OFFICER: _APPLICANT,
        Role.SIGNATORY: _APPLICANT,
        Role.BOARD_MEMBER: ["funding.view_fund", "funding.view_award", "funding.view_all_awards"],
        Role.PCC_OFFICER: [
            "funding.view_fund",
            "funding.manage_funds",
            "funding.view_application",
            "funding.view_all_applications",
            "funding.assess_application",
            "funding.view_award",
            "funding.view_all_awards",
        ],
        # and, as the Commissioner, everything the officers may (portal.roles.ROLE_INCLUDES)
        Role.PCC: ["funding.award_grant"],
    }
)
