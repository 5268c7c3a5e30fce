"""Every change to priorities, indicators, targets, remits, data returns and observations.

Each service runs in one transaction, writes an audit event, grants or revokes object
permissions and queues tasks through the outbox. `by` is required: a person, who is checked, or
the system actor (portal.actors.system: the demo seed, a task), which is audited as such.
"""

from .backfill import observations_backfill  # noqa: F401
from .catalogue import (  # noqa: F401
    INDICATOR_PERMS,
    indicator_create,
    indicator_delete,
    indicator_update,
    priority_create,
    priority_update,
    remit_add,
    target_create,
    target_update,
)
from .returns import (  # noqa: F401
    DATA_RETURN_FOLDER,
    MAX_API_ROWS,
    MAX_VALIDATION_ATTEMPTS,
    STUCK_AFTER,
    data_return_apply,
    data_return_fail,
    data_return_upload,
    data_return_validate,
    data_returns_sweep_stuck,
    observations_submit_batch,
    revisions_confirm_text,
)
