"""Agreements run on the core workflow: the buttons on an agreement page are exactly the transitions the
workflow allows that person now, for every state and every role; services refuse the rest."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partners.models import DataSharingAgreement, Role
from partners.workflows import DSA_FLOW
from portal.security import StepUpRequired
from portal.workflow import WORKFLOWS
from tests.conftest import signed_in
from tests.factories import make_dsa, make_partner, make_person, refreshed

DSA = DataSharingAgreement
pytestmark = pytest.mark.django_db
STATES = [
    DSA.Status.DRAFT,
    DSA.Status.AWAITING_SIGNATURES,
    DSA.Status.ACTIVE,
    DSA.Status.SUSPENDED,
    DSA.Status.ENDED,
    DSA.Status.REVOKED,
]


@pytest.fixture
def people(police, probation, opcc, violence):
    council = make_partner("birmingham-council", "local_authority", "Birmingham City Council")
    return {
        "provider officer": make_person(police, Role.OFFICER),
        "provider signatory": make_person(police, Role.SIGNATORY),
        "recipient officer": make_person(probation, Role.OFFICER),
        "recipient signatory": make_person(probation, Role.SIGNATORY),
        "outsider signatory": make_person(council, Role.SIGNATORY),
        "board member": make_person(opcc, Role.BOARD_MEMBER),
        "pcc officer": make_person(opcc, Role.PCC_OFFICER),
        "pcc": make_person(opcc, Role.PCC),
    }


def _buttons(client, agreement) -> set[str]:
    response = client.get(f"/sharing-agreements/{agreement.pk}/")
    if response.status_code == 404:
        return {"(not visible)"}
    return set(re.findall(r'data-transition="(\w+)"', response.content.decode()))


@pytest.mark.parametrize("state", STATES)
def test_the_buttons_shown_are_the_transitions_allowed_for_every_role(state, people, police, probation, violence):
    agreement = make_dsa(police, [probation], [violence], status=state)
    for who, person in people.items():
        allowed = DSA_FLOW.allowed_names(person, agreement)
        shown = _buttons(signed_in(person), agreement)
        if shown == {"(not visible)"}:
            assert who in ("outsider signatory", "board member") and not allowed, who
            continue
        assert shown == allowed, f"{who} in {state}: shown {sorted(shown)}, allowed {sorted(allowed)}"
    # what each role may do, by state, in words the board would use
    expected = {
        DSA.Status.DRAFT: {"provider officer": {"edit", "send", "delete"}},
        DSA.Status.AWAITING_SIGNATURES: {
            "provider signatory": {"sign", "revoke"},
            "recipient signatory": {"sign"},
            "provider officer": set(),
            "pcc": {"revoke"},
        },
        DSA.Status.ACTIVE: {
            "provider officer": {"suspend"},
            "provider signatory": {"suspend", "revoke"},
            "pcc officer": {"suspend"},
            "pcc": {"suspend", "revoke"},
            "recipient signatory": set(),
        },
        DSA.Status.SUSPENDED: {"provider officer": {"resume"}, "provider signatory": {"resume", "revoke"}},
        DSA.Status.ENDED: {"provider signatory": set(), "pcc": set()},
        DSA.Status.REVOKED: {"provider signatory": set(), "pcc": set()},
    }[state]
    for who, names in expected.items():
        assert DSA_FLOW.allowed_names(people[who], agreement) == names, (state, who)


def test_every_workflow_declares_states_that_exist(people):
    for workflow in WORKFLOWS.values():
        values = set(workflow.states.values)
        for transition in workflow.transitions:
            assert set(transition.source) <= values, (workflow.name, transition.name)
            assert transition.target is None or transition.target in values, (workflow.name, transition.name)


def test_the_service_refuses_a_step_up_action_without_a_fresh_code(people, police, probation, violence):
    agreement = make_dsa(police, [probation], [violence])
    signatory = people["provider signatory"]
    with pytest.raises(StepUpRequired):
        from partners.services import dsa_suspend

        dsa_suspend(agreement=agreement, by=signatory, reason="Stop", confirmed_at=None)
    with pytest.raises(StepUpRequired):
        dsa_suspend(
            agreement=agreement,
            by=signatory,
            reason="Stop",
            confirmed_at=timezone.now() - timezone.timedelta(minutes=16),
        )
    assert refreshed(agreement).status == DSA.Status.ACTIVE


def test_a_transition_from_the_wrong_state_is_refused_with_words(people, police, probation, violence):
    from partners.services import dsa_resume

    agreement = make_dsa(police, [probation], [violence])
    with pytest.raises(ValidationError, match="Only a suspended agreement can be resumed"):
        dsa_resume(agreement=agreement, by=people["provider officer"], confirmed_at=timezone.now())
    with pytest.raises(PermissionDenied):
        dsa_resume(agreement=agreement, by=people["recipient officer"], confirmed_at=timezone.now())


def test_no_service_runs_without_someone_acting(police, probation, violence):
    from partners.services import dsa_draft, partner_create
    from tests.factories import terms

    with pytest.raises(TypeError):
        partner_create(name="X", short_name="X", slug="x", kind="other", by=None)
    with pytest.raises(TypeError):
        dsa_draft(provider=police, recipients=[probation], indicators=[violence], by=None, **terms())
