"""Words that say what is true about agreements: a fully signed agreement that has not started yet,
and a level of detail its indicators can really give."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners import services
from partners.models import DataSharingAgreement
from tests.conftest import signed_in
from tests.factories import SYSTEM, make_dsa, make_indicator, refreshed, terms

DSA = DataSharingAgreement
pytestmark = pytest.mark.django_db


def _signed_ahead(police, probation, violence):
    today = timezone.localdate()
    start = today + timedelta(days=14)
    agreement = make_dsa(
        police,
        [probation],
        [violence],
        status=DSA.Status.AWAITING_SIGNATURES,
        start_date=start,
        end_date=start + timedelta(days=365),
        review_date=start + timedelta(days=100),
    )
    for party in (police, probation):
        services.dsa_sign(agreement=agreement, by=SYSTEM, partner=party)
    agreement = refreshed(agreement)
    assert agreement.status == DSA.Status.AWAITING_SIGNATURES
    return agreement, f"Signed — starts {start.day} {start:%B %Y}"


def test_a_fully_signed_agreement_that_has_not_started_says_so_everywhere(police, probation, police_officer, violence):
    agreement, words = _signed_ahead(police, probation, violence)
    client = signed_in(police_officer)
    for path in ("/sharing-agreements/", f"/sharing-agreements/{agreement.pk}/", f"/partners/{police.slug}/"):
        page = client.get(path).content.decode()
        assert re.search(rf'class="govuk-tag[^"]*">\s*{words}\s*<', page), path
        assert not re.search(r'class="govuk-tag[^"]*">\s*Awaiting signatures', page), path
    assert client.get(f"/api/v1/sharing-agreements/{agreement.pk}/").json()["status_label"] == words


def test_one_still_waiting_for_a_signature_says_awaiting_signatures(police, probation, violence):
    agreement = make_dsa(
        police,
        [probation],
        [violence],
        status=DSA.Status.AWAITING_SIGNATURES,
        start_date=timezone.localdate() + timedelta(days=14),
        end_date=timezone.localdate() + timedelta(days=400),
        review_date=timezone.localdate() + timedelta(days=100),
    )
    services.dsa_sign(agreement=agreement, by=SYSTEM, partner=police)
    assert refreshed(agreement).status_words == "Awaiting signatures"


def test_an_agreement_cannot_promise_breakdowns_of_an_indicator_published_as_totals_only(police, probation):
    totals_only = make_indicator("DA-1000", police, breakdowns=())
    with pytest.raises(ValidationError) as refused:
        services.dsa_draft(
            provider=police,
            recipients=[probation],
            indicators=[totals_only],
            by=SYSTEM,
            **terms(level=DSA.Level.BREAKDOWNS),
        )
    assert "DA-1000 is published as totals only" in refused.value.message_dict["level"][0]
    assert not DSA.objects.exists()
    agreement = services.dsa_draft(
        provider=police, recipients=[probation], indicators=[totals_only], by=SYSTEM, **terms(level=DSA.Level.AGGREGATE)
    )
    with pytest.raises(ValidationError):
        services.dsa_update(agreement=agreement, by=SYSTEM, level=DSA.Level.BREAKDOWNS)
    assert refreshed(agreement).level == DSA.Level.AGGREGATE


def test_the_drafting_page_names_the_level_problem(police, probation, police_officer):
    totals_only = make_indicator("DA-1000", police, breakdowns=())
    today = timezone.localdate()
    data = {
        "title": "Domestic abuse",
        "purpose": "Risk assessment",
        "lawful_basis": DSA.LawfulBasis.PUBLIC_TASK,
        "special_category_data": "no",
        "criminal_offence_data": "no",
        "recipients": [probation.pk],
        "indicators": [totals_only.pk],
        "level": DSA.Level.BREAKDOWNS,
        "retention": "2 years",
        "security_measures": "Two factors",
        "contacts": "DPOs",
    }
    for name, day in (
        ("start_date", today),
        ("end_date", today + timedelta(days=300)),
        ("review_date", today + timedelta(days=100)),
    ):
        data.update({f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year})
    response = signed_in(police_officer).post("/sharing-agreements/new/", data)
    assert response.status_code == 200
    assert "DA-1000 is published as totals only" in response.content.decode()
    assert not DSA.objects.exists()


def test_the_demo_promises_no_breakdowns_its_indicators_cannot_give():
    from targets.demo import INDICATORS
    from targets.demo_sharing import AGREEMENTS

    breakdowns = {spec.code: bool(spec.breakdowns) for spec in INDICATORS}
    promised = {code for spec in AGREEMENTS if spec.level == DSA.Level.BREAKDOWNS for code in spec.indicators}
    assert promised and promised <= set(breakdowns), sorted(promised - set(breakdowns))
    assert not [code for code in promised if not breakdowns[code]]
