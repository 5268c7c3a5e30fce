"""Every change to plans: writing them together (writing.py), sending a version for sign-off, each
partner's decision, and the reminders and escalations that make the duty to sign off visible (signoff.py).

Each service runs in one transaction, checks `by` through portal.permissions (the system actor passes),
writes an audit event against the plan (one history per plan), and tells people through the core
notifications. Versions and sign-offs move only through their workflows (targets/plans/workflows.py).
"""

from .common import (
    ATTACHMENT_KINDS,
    DEFAULT_SIGNOFF_WORKING_DAYS,
    ESCALATE_AFTER_WORKING_DAYS,
    REMIND_WITHIN_WORKING_DAYS,
)
from .signoff import (
    board_chairs,
    plan_signoff_reminders,
    plan_signoff_return,
    plan_signoff_sign,
    plan_version_send,
    required_partners,
    signatories_of,
    who_decided,
)
from .writing import (
    can_edit_section,
    plan_action_add,
    plan_action_update,
    plan_attachment_add,
    plan_comment_add,
    plan_create,
    plan_section_add,
    plan_section_update,
    plan_update,
    plan_version_start,
    section_editor_row,
)

__all__ = [
    "ATTACHMENT_KINDS",
    "DEFAULT_SIGNOFF_WORKING_DAYS",
    "ESCALATE_AFTER_WORKING_DAYS",
    "REMIND_WITHIN_WORKING_DAYS",
    "board_chairs",
    "can_edit_section",
    "plan_action_add",
    "plan_action_update",
    "plan_attachment_add",
    "plan_comment_add",
    "plan_create",
    "plan_section_add",
    "plan_section_update",
    "plan_signoff_reminders",
    "plan_signoff_return",
    "plan_signoff_sign",
    "plan_update",
    "plan_version_send",
    "plan_version_start",
    "required_partners",
    "section_editor_row",
    "signatories_of",
    "who_decided",
]
