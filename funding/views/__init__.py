"""The devolved funds' pages: funds, rounds, applications and their assessment, awards, programmes."""

from .applications import (  # noqa: F401
    application_assess,
    application_attachment,
    application_award,
    application_conflict,
    application_decline,
    application_detail,
    application_documents,
    application_draft,
    application_edit,
    application_list,
    application_submit,
    application_withdraw,
)
from .awards import award_cancel, award_detail, award_export, award_list, instalment_pay, spend_return  # noqa: F401
from .funds import (  # noqa: F401
    fund_create,
    fund_detail,
    fund_export,
    fund_list,
    income_record,
    index,
    organisation_list,
    organisation_register,
    programme_create,
    programme_detail,
    programme_list,
)
from .rounds import (  # noqa: F401
    moderation,
    moderation_export,
    round_assess,
    round_close,
    round_create,
    round_detail,
    round_list,
    round_open,
)
