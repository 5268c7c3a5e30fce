"""The lives of a funding round, an application and an award, declared once (portal.workflow). Services run
them (funding/services/); pages and the API will offer exactly what `available_to(user, obj)` returns.
Applications are guarded through their organisation (the rules' `via="organisation"`)."""

from __future__ import annotations

from portal.workflow import Transition, Workflow

from . import rules
from .models import Application, Award, Round

R = Round.Status
A = Application.Status
W = Award.Status

ROUND_FLOW = Workflow(
    name="funding_round",
    model=Round,
    states=R,
    lock_related=("fund",),
    transitions=[
        Transition(
            "open",
            (R.DRAFT,),
            R.OPEN,
            rules.FUND_MANAGE,
            "Open for applications",
            url_name="funding:round-open",
            wrong_state="Only a draft round can be opened",
        ),
        Transition(
            "assess",
            (R.OPEN,),
            R.ASSESSMENT,
            rules.FUND_MANAGE,
            "Close for applications and assess",
            url_name="funding:round-assess",
            wrong_state="Only an open round moves to assessment",
        ),
        Transition(
            "close",
            (R.ASSESSMENT,),
            R.CLOSED,
            rules.FUND_MANAGE,
            "Close the round",
            url_name="funding:round-close",
            style="warning",
            wrong_state="Only a round in assessment can be closed",
        ),
    ],
)

APPLICATION_FLOW = Workflow(
    name="application",
    model=Application,
    states=A,
    lock_related=("round", "organisation"),
    transitions=[
        Transition(
            "edit",
            (A.DRAFT,),
            None,
            rules.APPLICATION_DRAFT,
            "Change the draft",
            url_name="funding:application-edit",
            style="secondary",
            wrong_state="Only a draft application can be changed",
        ),
        Transition(
            "submit",
            (A.DRAFT,),
            A.SUBMITTED,
            rules.APPLICATION_DRAFT,
            "Submit the application",
            url_name="funding:application-submit",
            wrong_state="This application has already been submitted",
        ),
        Transition(
            "withdraw",
            (A.DRAFT, A.SUBMITTED, A.IN_ASSESSMENT),
            A.WITHDRAWN,
            rules.APPLICATION_DRAFT,
            "Withdraw the application",
            url_name="funding:application-withdraw",
            style="warning",
            wrong_state="A decided application cannot be withdrawn",
        ),
        Transition(
            "award",
            (A.SUBMITTED, A.IN_ASSESSMENT),
            A.AWARDED,
            rules.AWARD_MAKE,
            "Award a grant",
            url_name="funding:application-award",
            step_up=True,
            wrong_state="Only a submitted application can be awarded",
        ),
        Transition(
            "decline",
            (A.SUBMITTED, A.IN_ASSESSMENT),
            A.DECLINED,
            rules.AWARD_MAKE,
            "Decline",
            url_name="funding:application-decline",
            step_up=True,
            style="warning",
            wrong_state="Only a submitted application can be declined",
        ),
        # The portal's own move, when its round goes to assessment.
        Transition("assess", (A.SUBMITTED,), A.IN_ASSESSMENT, None, "Assess"),
    ],
)

AWARD_FLOW = Workflow(
    name="award",
    model=Award,
    states=W,
    lock_related=("fund", "organisation"),
    transitions=[
        Transition(
            "pay",
            (W.AWARDED, W.PAYING),
            None,  # paying, or completed with the last instalment
            rules.AWARD_PAY,
            "Record a payment",
            wrong_state="Payments are recorded only on an award being paid",
        ),
        Transition(
            "cancel",
            (W.AWARDED, W.PAYING),
            W.CANCELLED,
            rules.AWARD_MAKE,
            "Cancel the award",
            url_name="funding:award-cancel",
            step_up=True,
            style="warning",
            wrong_state="Only an award not yet paid in full can be cancelled",
        ),
    ],
)
