"""The plan pages: load → check → form → service → redirect (one module a topic)."""

from .actions import (  # noqa: F401
    action_add,
    action_edit,
    action_progress,
)
from .plans import (  # noqa: F401
    plan_compare,
    plan_create,
    plan_detail,
    plan_edit,
    plan_history,
    plan_list,
    plan_version_start,
)
from .sections import (  # noqa: F401
    attachment_add,
    attachment_download,
    comment_add,
    comment_resolve,
    section_add,
    section_edit,
)
from .signoff import (  # noqa: F401
    signoff_return,
    signoff_sign,
)
from .versions import (  # noqa: F401
    version_detail,
    version_note,
    version_pdf,
    version_print,
    version_send,
)
