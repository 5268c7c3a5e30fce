"""Someone who may not see figures is told they are hidden by sharing rules, and what would open them."""

from __future__ import annotations

from datetime import date

import pytest

from partners.models import DataSharingAgreement
from targets import selectors, services
from tests.conftest import signed_in
from tests.factories import SYSTEM, add_figures, make_dsa

from .conftest import BIRMINGHAM

DSA = DataSharingAgreement
pytestmark = pytest.mark.django_db


@pytest.fixture
def target(sv, areas, police):
    """A police target on SV-1000 (split by sex and ethnicity) in Birmingham, with a month of figures."""
    add_figures(sv, areas[BIRMINGHAM])
    priority = services.priority_create(title="Reduce violence", slug="reduce-violence", by=SYSTEM)
    return services.target_create(
        priority=priority,
        indicator=sv,
        area=areas[BIRMINGHAM],
        owner=police,
        baseline_value=2,
        baseline_period_start=date(2025, 4, 1),
        baseline_period_end=date(2026, 3, 31),
        target_value=1,
        target_date=date(2027, 3, 31),
        by=SYSTEM,
    )


def pages(user, target) -> dict[str, str]:
    client = signed_in(user)
    return {
        url: client.get(url).content.decode()
        for url in (target.indicator.get_absolute_url(), target.get_absolute_url())
    }


@pytest.mark.parametrize("status", [DSA.Status.AWAITING_SIGNATURES, DSA.Status.SUSPENDED])
def test_a_probation_officer_is_shown_the_agreement_that_would_open_police_figures(
    status, police, probation, probation_officer, target
):
    agreement = make_dsa(police, [probation], [target.indicator], status=status, title="Violence figures for probation")
    for url, text in pages(probation_officer, target).items():
        assert "1.25" not in text, url
        assert "govuk-inset-text" in text and agreement.reference in text, url
        assert (
            f'<a class="govuk-link" href="{agreement.get_absolute_url()}">'
            f"{agreement.reference}: Violence figures for probation</a>"
        ) in text, url
        assert ("waiting for signatures" if status == DSA.Status.AWAITING_SIGNATURES else "suspended") in text


def test_with_no_agreement_the_hint_names_the_provider_to_ask(probation_officer, target):
    for url, text in pages(probation_officer, target).items():
        assert "Some data is hidden by sharing rules" in text, url
        assert "Ask West Midlands Police for a data-sharing agreement." in text, url
        assert "DSA-" not in text, url


def test_agreements_for_other_partners_or_that_are_over_are_not_offered(
    police, probation, opcc, probation_officer, target
):
    ended = make_dsa(police, [probation], [target.indicator], status=DSA.Status.REVOKED)
    elsewhere = make_dsa(police, [opcc], [target.indicator], status=DSA.Status.AWAITING_SIGNATURES)
    for url, text in pages(probation_officer, target).items():
        assert ended.reference not in text and elsewhere.reference not in text, url
        assert "Ask West Midlands Police" in text, url


def test_figures_shared_without_breakdowns_name_the_agreement_that_would_add_them(
    police, probation, probation_officer, target
):
    make_dsa(police, [probation], [target.indicator], level=DSA.Level.AGGREGATE)
    wider = make_dsa(
        police, [probation], [target.indicator], status=DSA.Status.AWAITING_SIGNATURES, level=DSA.Level.BREAKDOWNS
    )
    indicator = selectors.indicator_get(user=probation_officer, code=target.indicator.code)
    assert indicator.figures_shared and not indicator.breakdowns_shared
    assert indicator.sharing_hint.agreements == [wider]
    text = signed_in(probation_officer).get(target.indicator.get_absolute_url()).content.decode()
    assert "1.25" in text
    assert "Breakdowns of these figures (sex, ethnicity) are hidden by sharing rules." in text
    assert wider.get_absolute_url() in text
    assert selectors.target_get(user=probation_officer, pk=target.pk).sharing_hint is None


@pytest.mark.parametrize("person", ["police_officer", "pcc_officer"])
def test_no_hint_for_those_who_see_everything(request, person, target):
    user = request.getfixturevalue(person)
    assert selectors.indicator_get(user=user, code=target.indicator.code).sharing_hint is None
    assert selectors.target_get(user=user, pk=target.pk).sharing_hint is None
    for url, text in pages(user, target).items():
        assert "1.25" in text and "hidden by sharing rules" not in text, url
