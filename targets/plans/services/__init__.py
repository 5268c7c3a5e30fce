"""Every change to plans: writing them together (versions.py, sections.py, actions.py, comments.py),
sending a version for sign-off, each partner's decision, and the reminders and escalations that make the
duty to sign off visible (signoff.py).

Each service runs in one transaction, checks `by` through portal.permissions (the system actor passes),
writes an audit event against the plan (one history per plan), and tells people through the core
notifications. Versions and sign-offs move only through their workflows (targets/plans/workflows.py).
"""

from .actions import (
    PAST_DUE,
    can_record_progress,
    can_update_action,
    plan_action_add,
    plan_action_progress,
    plan_action_update,
)
from .comments import (
    can_resolve_comment,
    plan_comment_add,
    plan_comment_resolve,
)
from .common import (
    ATTACHMENT_KINDS,
    DEFAULT_SIGNOFF_WORKING_DAYS,
    ESCALATE_AFTER_WORKING_DAYS,
    REMIND_WITHIN_WORKING_DAYS,
    required_partners,
)
from .sections import (
    can_edit_section,
    plan_attachment_add,
    plan_section_add,
    plan_section_update,
    section_editor_row,
)
from .signoff import (
    board_chairs,
    pcc_office_people,
    plan_signoff_reminders,
    plan_signoff_return,
    plan_signoff_sign,
    plan_signoffs_flag_unsignable,
    plan_version_send,
    signatories_of,
    unsignable_message,
    who_decided,
)
from .versions import (
    ReassignNeeded,
    plan_contributors_leaving,
    plan_create,
    plan_update,
    plan_version_note,
    plan_version_start,
)

__all__ = [
    "ATTACHMENT_KINDS",
    "DEFAULT_SIGNOFF_WORKING_DAYS",
    "ESCALATE_AFTER_WORKING_DAYS",
    "PAST_DUE",
    "REMIND_WITHIN_WORKING_DAYS",
    "ReassignNeeded",
    "board_chairs",
    "can_edit_section",
    "can_record_progress",
    "can_resolve_comment",
    "can_update_action",
    "pcc_office_people",
    "plan_action_add",
    "plan_action_progress",
    "plan_action_update",
    "plan_attachment_add",
    "plan_comment_add",
    "plan_comment_resolve",
    "plan_contributors_leaving",
    "plan_create",
    "plan_section_add",
    "plan_section_update",
    "plan_signoff_reminders",
    "plan_signoff_return",
    "plan_signoff_sign",
    "plan_signoffs_flag_unsignable",
    "plan_update",
    "plan_version_note",
    "plan_version_send",
    "plan_version_start",
    "required_partners",
    "section_editor_row",
    "signatories_of",
    "unsignable_message",
    "who_decided",
]
