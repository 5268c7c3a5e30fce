"""An agreement's text within its limits (partners/limits.py), refused by the service naming the term: the
forms and the API bodies take the same limits (tests/portal/test_every_form.py, tests/portal/test_api_text.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from partners import services
from partners.models import DataSharingAgreement as DSA
from tests.factories import SYSTEM, just_now, make_dsa, terms

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "term,value,message",
    [
        ("purpose", "p" * 10_001, "The purpose of sharing must be 10,000 characters or fewer"),
        ("contacts", "c" * 2_001, "The contacts must be 2,000 characters or fewer"),
        ("title", "Violence\nfigures", "The title must not contain line breaks or control characters"),
    ],
)
def test_a_draft_with_a_term_past_its_limit_is_refused_naming_it(police, probation, violence, term, value, message):
    with pytest.raises(ValidationError) as refused:
        services.dsa_draft(
            provider=police, recipients=[probation], indicators=[violence], by=SYSTEM, **terms(**{term: value})
        )
    assert refused.value.message_dict == {term: [message]}
    draft = make_dsa(police, [probation], [violence], status=DSA.Status.DRAFT)
    with pytest.raises(ValidationError) as refused:
        services.dsa_update(agreement=draft, by=SYSTEM, **{term: value})
    assert refused.value.message_dict == {term: [message]}


def test_a_reason_past_its_limit_is_refused(police, probation, police_signatory, violence):
    agreement = make_dsa(police, [probation], [violence])
    with pytest.raises(ValidationError) as refused:
        services.dsa_suspend(agreement=agreement, by=police_signatory, confirmed_at=just_now(), reason="r" * 5_001)
    assert refused.value.message_dict == {"reason": ["The reason must be 5,000 characters or fewer"]}
