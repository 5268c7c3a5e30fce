"""The life of a data return, declared once (portal.workflow): uploaded, checked (again if a worker
stopped part-way), ready to apply or with errors, applied, or failed."""

from __future__ import annotations

from portal.workflow import Transition, Workflow

from . import rules
from .models import DataReturn

R = DataReturn.Status


def _partner(data_return):
    return data_return.partner


DATA_RETURN_FLOW = Workflow(
    name="data_return",
    model=DataReturn,
    states=R,
    lock_related=("partner",),
    transitions=[
        # The portal's own moves: the checks start (again, after a stopped worker), report, stop or fail.
        Transition("check", (R.UPLOADED, R.VALIDATING), R.VALIDATING, None, "Check", audit="data_return.check"),
        Transition("report", (R.VALIDATING,), None, None, "Report", audit="data_return.validate"),
        Transition("retry", (R.VALIDATING,), R.UPLOADED, None, "Retry", audit="data_return.retry"),
        Transition("fail", (R.UPLOADED, R.VALIDATING), R.FAILED, None, "Fail", audit="data_return.fail"),
        # The partner's officer applies it; checked again first, it may turn out not to pass any more, or
        # to revise other figures than those listed (then nothing is applied, and the report says why).
        Transition(
            "apply",
            (R.VALID,),
            R.APPLIED,
            rules.DATA_RETURN_SUBMIT,
            "Apply",
            permission_object=_partner,
            audit="data_return.apply",
            wrong_state="Only a data return that passed its checks can be applied",
        ),
        Transition(
            "recheck_failed", (R.VALID,), R.INVALID, None, "Checked again: errors", audit="data_return.recheck_failed"
        ),
        Transition(
            "revisions_changed",
            (R.VALID,),
            R.VALID,
            None,
            "Checked again: new revisions",
            audit="data_return.revisions_changed",
        ),
    ],
)
