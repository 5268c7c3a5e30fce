"""The partners app's permission rules and the role permissions they need (registered with the core)."""

from __future__ import annotations

from portal.permissions import Rule, register_role_permissions, register_rules
from portal.roles import Role

PARTNER_VIEW = "partner.view"
PARTNER_ACT = "partner.act"
PARTNER_MANAGE = "partner.manage"  # add and change partners and areas (the PCC office)
MEMBERSHIP_MANAGE = "membership.manage"  # give and end people's roles at partners (the PCC office)
API_TOKEN_MANAGE = "api_token.manage"
DSA_VIEW = "dsa.view"
DSA_DRAFT = "dsa.draft"
DSA_SIGN = "dsa.sign"
DSA_SUSPEND = "dsa.suspend"
DSA_REVOKE = "dsa.revoke"

register_rules(
    {
        PARTNER_VIEW: Rule("partners.view_partner", refused="see the partner directory"),
        PARTNER_ACT: Rule("partners.act_for_partner", "act_for_partner", refused="act for this partner"),
        PARTNER_MANAGE: Rule("partners.change_partner", admin_override=True, refused="add or change partners"),
        MEMBERSHIP_MANAGE: Rule(
            "partners.change_membership", admin_override=True, refused="give people roles at partners or end them"
        ),
        API_TOKEN_MANAGE: Rule(
            "partners.manage_api_tokens", admin_override=True, refused="manage partner systems' API tokens"
        ),
        DSA_VIEW: Rule(
            "partners.view_datasharingagreement",
            "view_datasharingagreement",
            "partners.view_all_dsas",
            refused="see this data-sharing agreement",
        ),
        DSA_DRAFT: Rule(
            "partners.add_datasharingagreement",
            "act_for_partner",
            refused="draft data-sharing agreements for this partner",
        ),
        # Signing is a partner's own decision: only its signatories (the Commissioner for the PCC office).
        DSA_SIGN: Rule(
            "partners.sign_datasharingagreement",
            "sign_datasharingagreement",
            refused="sign this agreement: only a party's signatory signs for it",
        ),
        DSA_SUSPEND: Rule(
            "partners.suspend_datasharingagreement",
            "manage_datasharingagreement",
            "partners.suspend_any_dsa",
            refused="suspend this agreement",
        ),
        # Revoking is for good: the provider's signatory or the Commissioner; officers may only suspend.
        DSA_REVOKE: Rule(
            "partners.revoke_datasharingagreement",
            "manage_datasharingagreement",
            "partners.revoke_any_dsa",
            refused="revoke this agreement: only the provider's signatory or the Commissioner may",
        ),
    }
)

_EVERYONE = ["partners.view_partner", "partners.view_datasharingagreement"]
register_role_permissions(
    {
        Role.OFFICER: _EVERYONE
        + ["partners.act_for_partner", "partners.add_datasharingagreement", "partners.suspend_datasharingagreement"],
        Role.SIGNATORY: _EVERYONE
        + [
            "partners.act_for_partner",
            "partners.sign_datasharingagreement",
            "partners.suspend_datasharingagreement",
            "partners.revoke_datasharingagreement",
        ],
        Role.BOARD_MEMBER: _EVERYONE,
        Role.PCC_OFFICER: _EVERYONE
        + [
            "partners.manage_api_tokens",
            "partners.change_partner",
            "partners.change_membership",
            "partners.view_all_dsas",
            "partners.suspend_datasharingagreement",
            "partners.suspend_any_dsa",
        ],
        Role.PCC: _EVERYONE
        + [
            "partners.act_for_partner",
            "partners.sign_datasharingagreement",
            "partners.view_all_dsas",
            "partners.suspend_datasharingagreement",
            "partners.suspend_any_dsa",
            "partners.revoke_datasharingagreement",
            "partners.revoke_any_dsa",
        ],
    }
)
