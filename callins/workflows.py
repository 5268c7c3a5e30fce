"""The lives of a partner's decision, a call-in, a PCC decision and a senior appointment, declared once
(portal.workflow). Services run them (callins/services/); pages and the API offer exactly what
`available_to(user, obj)` returns. Decisions, call-ins and appointments are guarded through their partner
(the rules' `via="partner"`)."""

from __future__ import annotations

from django.utils import timezone

from portal.workflow import Transition, Workflow

from . import rules
from .models import Appointment, CallIn, PartnerDecision, PccDecision

D = PartnerDecision.Status
C = CallIn.Status
P = PccDecision.Status
A = Appointment.Stage


def _may_take_effect(user, decision) -> bool:
    return not decision.why_not_in_effect()


def _may_be_waived(user, decision) -> bool:
    return decision.window_open() and not has_callin(decision)


def has_callin(decision) -> bool:
    try:
        return decision.callin is not None
    except CallIn.DoesNotExist:
        return False


DECISION_FLOW = Workflow(
    name="decision",
    model=PartnerDecision,
    states=D,
    lock_related=("partner",),
    transitions=[
        Transition(
            "take_effect",
            (D.LOGGED, D.RECONSIDERED),
            D.IN_EFFECT,
            rules.DECISION_LOG,
            "Record that it has taken effect",
            available=_may_take_effect,
            url_name="callins:decision-take-effect",
            wrong_state="Only a decision that is not paused or referred back can take effect",
        ),
        Transition(
            "waive",
            (D.LOGGED,),
            None,
            rules.DECISION_WAIVE,
            "Waive the call-in",
            step_up=True,
            style="secondary",
            available=_may_be_waived,
            url_name="callins:decision-waive",
            wrong_state="Only a decision that has not been called in can have its call-in waived",
        ),
        Transition(
            "reconsider",
            (D.REFERRED_BACK,),
            D.RECONSIDERED,
            rules.DECISION_LOG,
            "Record the final outcome",
            url_name="callins:decision-outcome",
            wrong_state="Only a decision referred back is reconsidered",
        ),
        # The portal's own moves, made by the call-in's transitions.
        Transition("pause", (D.LOGGED,), D.CALLED_IN, None, "Pause"),
        Transition("release", (D.CALLED_IN,), D.LOGGED, None, "Release"),
        Transition("refer_back", (D.CALLED_IN,), D.REFERRED_BACK, None, "Refer back"),
    ],
)


CALLIN_FLOW = Workflow(
    name="callin",
    model=CallIn,
    states=C,
    lock_related=("partner", "decision"),
    transitions=[
        Transition(
            "edit",
            (C.DRAFT,),
            None,
            rules.CALLIN_DRAFT,
            "Change the draft",
            style="secondary",
            url_name="callins:callin-edit",
            wrong_state="Only a draft call-in can be changed",
        ),
        Transition(
            "issue",
            (C.DRAFT,),
            C.ISSUED,
            rules.CALLIN_ISSUE,
            "Issue the call-in",
            step_up=True,
            url_name="callins:callin-issue",
            wrong_state="Only a draft call-in can be issued",
        ),
        Transition(
            "discard",
            (C.DRAFT,),
            None,
            rules.CALLIN_DRAFT,
            "Discard the draft",
            style="warning",
            url_name="callins:callin-discard",
            wrong_state="Only a draft call-in can be discarded",
        ),
        Transition(
            "respond",
            (C.ISSUED,),
            None,
            rules.CALLIN_RESPOND,
            "Write the response",
            style="secondary",
            url_name="callins:callin-respond",
            wrong_state="The response can be written only while the call-in waits for it",
        ),
        Transition(
            "submit",
            (C.ISSUED,),
            C.RESPONDED,
            rules.CALLIN_SUBMIT,
            "Submit the response",
            step_up=True,
            url_name="callins:callin-submit",
            wrong_state="The response has already been submitted",
        ),
        Transition(
            "determine",
            (C.RESPONDED,),
            None,  # stands or referred back: the determination says which
            rules.CALLIN_ISSUE,
            "Determine the call-in",
            step_up=True,
            url_name="callins:callin-determine",
            wrong_state="Only a call-in with the partner's response can be determined",
        ),
        Transition(
            "withdraw",
            (C.ISSUED, C.RESPONDED),
            C.WITHDRAWN,
            rules.CALLIN_ISSUE,
            "Withdraw the call-in",
            step_up=True,
            style="warning",
            url_name="callins:callin-withdraw",
            wrong_state="Only an open call-in can be withdrawn",
        ),
        Transition("close", (C.REFERRED_BACK,), C.CLOSED, None, "Close"),
    ],
)

PCC_DECISION_FLOW = Workflow(
    name="pcc_decision",
    model=PccDecision,
    states=P,
    transitions=[
        Transition(
            "edit",
            (P.DRAFT,),
            None,
            rules.PCC_DECISION_DRAFT,
            "Change the draft",
            style="secondary",
            url_name="callins:pcc-decision-edit",
            wrong_state="A signed decision cannot be changed",
        ),
        Transition(
            "sign",
            (P.DRAFT,),
            P.SIGNED,
            rules.PCC_DECISION_SIGN,
            "Sign and publish",
            step_up=True,
            url_name="callins:pcc-decision-sign",
            wrong_state="This decision has already been signed",
        ),
    ],
)


def _view_deadline_passed(user, appointment) -> bool:
    return appointment.stage == A.VIEW_RECORDED or (
        appointment.view_due is not None and appointment.view_due < timezone.localdate()
    )


APPOINTMENT_FLOW = Workflow(
    name="appointment",
    model=Appointment,
    states=A,
    state_field="stage",
    lock_related=("partner",),
    transitions=[
        Transition(
            "shortlist",
            (A.VACANCY,),
            A.SHORTLIST,
            rules.APPOINTMENT_RECORD,
            "Record the shortlist",
            style="secondary",
            url_name="callins:appointment-shortlist",
            wrong_state="Only a vacancy is shortlisted",
        ),
        Transition(
            "consult",
            (A.VACANCY, A.SHORTLIST),
            A.PCC_CONSULTED,
            rules.APPOINTMENT_RECORD,
            "Consult the PCC",
            url_name="callins:appointment-consult",
            wrong_state="The PCC has been consulted already",
        ),
        Transition(
            "record_view",
            (A.PCC_CONSULTED,),
            A.VIEW_RECORDED,
            rules.APPOINTMENT_VIEW_RECORD,
            "Record the PCC's view",
            url_name="callins:appointment-view",
            wrong_state="The PCC's view is recorded once, after the PCC is consulted",
        ),
        Transition(
            "appoint",
            (A.PCC_CONSULTED, A.VIEW_RECORDED),
            A.APPOINTED,
            rules.APPOINTMENT_RECORD,
            "Confirm the appointment",
            available=_view_deadline_passed,
            url_name="callins:appointment-appoint",
            wrong_state="An appointment is confirmed only after the PCC is consulted",
        ),
        Transition(
            "withdraw",
            (A.VACANCY, A.SHORTLIST, A.PCC_CONSULTED, A.VIEW_RECORDED),
            A.WITHDRAWN,
            rules.APPOINTMENT_RECORD,
            "Withdraw",
            style="warning",
            url_name="callins:appointment-withdraw",
            wrong_state="This appointment is closed",
        ),
    ],
)
