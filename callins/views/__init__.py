"""The PCC's powers' pages: load → check → form → service → redirect (one module a topic)."""

from .appointments import (  # noqa: F401
    appointment_appoint,
    appointment_consult,
    appointment_detail,
    appointment_list,
    appointment_open,
    appointment_shortlist,
    appointment_view,
    appointment_withdraw,
)
from .callins import (  # noqa: F401
    callin_detail,
    callin_discard,
    callin_draft,
    callin_edit,
    callin_issue,
    callin_list,
    grounds,
)
from .decisions import (  # noqa: F401
    decision_detail,
    decision_list,
    decision_log,
    decision_outcome,
    decision_take_effect,
    decision_waive,
)
from .pcc_decisions import (  # noqa: F401
    pcc_decision_detail,
    pcc_decision_draft,
    pcc_decision_edit,
    pcc_decision_list,
    pcc_decision_sign,
)
from .responses import (  # noqa: F401
    callin_attachment,
    callin_determine,
    callin_respond,
    callin_submit,
    callin_withdraw,
)
