"""Partner services: partners, areas and memberships; data-sharing agreements; partner-system tokens."""

from .core import (  # noqa: F401
    PARTNER_FIELDS,
    area_upsert,
    membership_add,
    membership_end,
    on_membership_end,
    partner_create,
    partner_update,
)
from .dsa import (  # noqa: F401
    DSA,
    DSA_FIELDS,
    DSA_TERMS,
    REMINDER_WORKING_DAYS,
    dsa_delete,
    dsa_draft,
    dsa_resume,
    dsa_revoke,
    dsa_send,
    dsa_sign,
    dsa_suspend,
    dsa_update,
)
from .dsa_schedule import (  # noqa: F401
    dsa_activate_if_due,
    dsa_daily_transitions,
    dsa_end_if_expired,
    dsa_request_signatures,
    dsa_send_reminders,
)
from .tokens import api_token_create, api_token_revoke  # noqa: F401
