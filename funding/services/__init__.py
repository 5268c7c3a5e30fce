"""Every change to the devolved funds: funds, income, applicants and programmes (funds.py), rounds (rounds.py),
applications (applications.py), assessment (assessment.py), awards, payments and spend returns (awards.py)
and the daily reminders (schedule.py). Each runs in one transaction, checks `by` through portal.permissions
and the workflows (funding/workflows.py), audits once and tells people through the core notifications."""

from .applications import (  # noqa: F401
    application_attachment_add,
    application_draft,
    application_submit,
    application_update,
    application_withdraw,
)
from .assessment import conflict_declare, score_record  # noqa: F401
from .awards import application_decline, award_cancel, award_make, instalment_pay, spend_return_submit  # noqa: F401
from .funds import fund_create, income_record, lock_fund, organisation_register, programme_create  # noqa: F401
from .rounds import round_close, round_close_for_applications, round_create, round_open  # noqa: F401
from .schedule import funding_daily  # noqa: F401
