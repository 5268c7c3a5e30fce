"""The life of a data-sharing agreement, declared once: its states and every move between them.

Services run these transitions (partners/services/dsa.py); pages and the API offer exactly the
ones `DSA_FLOW.available_to(user, agreement)` returns.
"""

from __future__ import annotations

from portal.workflow import Transition, Workflow

from . import rules
from .models import DataSharingAgreement

DSA = DataSharingAgreement
S = DSA.Status


def _provider(agreement):
    return agreement.provider


def _has_a_party_to_sign_for(user, agreement) -> bool:
    from .selectors import dsa_unsigned_partners_for

    return bool(dsa_unsigned_partners_for(user=user, agreement=agreement))


DSA_FLOW = Workflow(
    name="dsa",
    model=DSA,
    states=S,
    describe=lambda a: f"agreement {a.reference}",
    lock_related=("provider",),
    transitions=[
        Transition(
            "sign",
            (S.AWAITING_SIGNATURES,),
            None,
            rules.DSA_SIGN,
            "Sign the agreement",
            step_up=True,
            available=_has_a_party_to_sign_for,
            url_name="partners:dsa-sign",
            wrong_state="This agreement is not waiting for signatures",
        ),
        Transition(
            "edit",
            (S.DRAFT,),
            None,
            rules.DSA_DRAFT,
            "Change the draft",
            permission_object=_provider,
            audit="dsa.update",
            style="secondary",
            url_name="partners:dsa-edit",
            wrong_state="Only a draft can be changed. Revoke this agreement and draft a new one instead.",
        ),
        Transition(
            "send",
            (S.DRAFT,),
            S.AWAITING_SIGNATURES,
            rules.DSA_DRAFT,
            "Send for signatures",
            permission_object=_provider,
            url_name="partners:dsa-send",
            wrong_state="This agreement has already been sent for signatures",
        ),
        Transition(
            "resume",
            (S.SUSPENDED,),
            S.ACTIVE,
            rules.DSA_SUSPEND,
            "Resume",
            step_up=True,
            style="secondary",
            url_name="partners:dsa-resume",
            wrong_state="Only a suspended agreement can be resumed",
        ),
        Transition(
            "suspend",
            (S.ACTIVE,),
            S.SUSPENDED,
            rules.DSA_SUSPEND,
            "Suspend",
            step_up=True,
            style="warning",
            url_name="partners:dsa-suspend",
            wrong_state="Only an active agreement can be suspended",
        ),
        Transition(
            "revoke",
            DSA.LIVE_STATUSES,
            S.REVOKED,
            rules.DSA_REVOKE,
            "Revoke",
            step_up=True,
            style="warning",
            url_name="partners:dsa-revoke",
            wrong_state="Only an agreement awaiting signatures, active or suspended can be revoked",
        ),
        Transition(
            "delete",
            (S.DRAFT,),
            None,
            rules.DSA_DRAFT,
            "Delete the draft",
            permission_object=_provider,
            style="warning",
            url_name="partners:dsa-delete",
            wrong_state="Only a draft can be deleted. Revoke the agreement instead.",
        ),
        # The portal's own moves: on the start date once every party has signed, and after the end date.
        Transition("activate", (S.AWAITING_SIGNATURES,), S.ACTIVE, None, "Activate"),
        Transition("end", DSA.LIVE_STATUSES, S.ENDED, None, "End"),
    ],
)
