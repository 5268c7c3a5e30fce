"""The life of a plan version and of each partner's sign-off, declared once (portal.workflow)."""

from __future__ import annotations

from portal.workflow import Transition, Workflow

from .. import rules
from .models import PlanSignOff, PlanVersion

V = PlanVersion.Status
S = PlanSignOff.Status


def _plan(version):
    return version.plan


def _signing_partner(signoff):
    return signoff.partner


def _plan_of_signoff(signoff):
    return signoff.version.plan


PLAN_VERSION_FLOW = Workflow(
    name="plan_version",
    model=PlanVersion,
    states=V,
    describe=str,
    lock_related=("plan", "plan__owner"),
    audit_object=_plan,
    transitions=[
        Transition(
            "send",
            (V.DRAFT,),
            V.IN_SIGNOFF,
            rules.PLAN_MANAGE,
            "Send for sign-off",
            permission_object=_plan,
            audit="plan.send",
            url_name="targets:plan-version-send",
            wrong_state="Only a draft can be sent for sign-off",
        ),
        # The portal's own moves: every required partner signed; one returned it; a newer version was agreed.
        Transition("agree", (V.IN_SIGNOFF,), V.AGREED, None, "Agree", audit="plan.agree"),
        Transition("return", (V.IN_SIGNOFF,), V.RETURNED, None, "Return", audit="plan.return"),
        Transition("supersede", (V.AGREED,), V.SUPERSEDED, None, "Supersede", audit="plan.supersede"),
    ],
)

SIGNOFF_FLOW = Workflow(
    name="plan_signoff",
    model=PlanSignOff,
    states=S,
    describe=str,
    lock_related=("partner", "version", "version__plan"),
    audit_object=_plan_of_signoff,
    transitions=[
        Transition(
            "sign",
            (S.PENDING,),
            S.SIGNED,
            rules.PLAN_SIGN,
            "Sign off",
            step_up=True,
            permission_object=_signing_partner,
            audit="plan.signoff_sign",
            url_name="targets:plan-signoff-sign",
            wrong_state="This partner's decision on this version has already been made",
        ),
        Transition(
            "return",
            (S.PENDING,),
            S.RETURNED,
            rules.PLAN_SIGN,
            "Return it with reasons",
            step_up=True,
            permission_object=_signing_partner,
            audit="plan.signoff_return",
            style="warning",
            url_name="targets:plan-signoff-return",
            wrong_state="This partner's decision on this version has already been made",
        ),
        Transition("close", (S.PENDING,), S.CLOSED, None, "Close", audit="plan.signoff_close"),
    ],
)
