"""Every change to the PCC's powers: partners' decisions (decisions.py), call-ins (callins.py), the PCC's own
decision log (pcc_decisions.py), senior appointments (appointments.py), the grounds for call-ins (grounds.py)
and the daily reminders (schedule.py). Each runs in one transaction, checks `by` through portal.permissions
and the workflows (callins/workflows.py), audits once and tells people through the core notifications."""

from .appointments import (  # noqa: F401
    appointment_confirm,
    appointment_consult,
    appointment_open,
    appointment_record_view,
    appointment_shortlist,
    appointment_withdraw,
)
from .callins import (  # noqa: F401
    ATTACHMENT_KINDS,
    callin_attachment_add,
    callin_determine,
    callin_discard,
    callin_draft,
    callin_issue,
    callin_response_save,
    callin_submit,
    callin_update,
    callin_withdraw,
)
from .decisions import (  # noqa: F401
    decision_log,
    decision_record_outcome,
    decision_take_effect,
    decision_waive,
    window_days_default,
)
from .grounds import ground_add, ground_set_active  # noqa: F401
from .pcc_decisions import next_number, pcc_decision_draft, pcc_decision_sign, pcc_decision_update, sign_now  # noqa: F401
from .schedule import callins_daily  # noqa: F401
