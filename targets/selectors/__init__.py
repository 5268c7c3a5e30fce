"""Reads of priorities, indicators, targets, observations and data returns, filtered for the viewer.

Visibility: priorities, indicator definitions, targets and their status words go to everyone
with a role (PRIORITY_VIEW). Figures (observations) go to the indicator's provider, the PCC
office and, later, recipients of a data-sharing agreement (INDICATOR_DATA_VIEW /
OBSERVATION_VIEW; breakdowns need the *_BREAKDOWNS_VIEW rules as well). A target's status word
is shown to everyone even when its figures are not (it says how, not how much).
"""

from .indicators import (  # noqa: F401
    indicator_get,
    indicator_list,
    indicators_narrowed,
    observations_narrowed,
    observations_visible_to,
)
from .returns import (  # noqa: F401
    RevisedFigure,
    RevisedFigures,
    data_return_get,
    data_return_report_table,
    data_return_revisions,
    data_return_revisions_table,
    data_return_template,
    data_returns_awaiting_action,
    data_returns_narrowed,
    data_returns_visible_to,
    partner_remits_and_targets,
)
from .sharing import (  # noqa: F401
    FIGURES_HIDDEN,
    SharingHint,
    dsa_sharing_hint,
    dsa_that_would_open,
)
from .targets import (  # noqa: F401
    PRIORITY_PREVIEW,
    STATUS_ORDER,
    TargetDetail,
    priority_get,
    priority_list,
    status_counts,
    target_get,
    target_list_visible_to,
    targets_in_status,
    targets_narrowed,
    targets_visible_to,
    with_status,
    worst_first,
)
