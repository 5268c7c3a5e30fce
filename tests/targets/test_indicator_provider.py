"""Changing an indicator's provider: refused while an agreement covers it, otherwise the grants follow."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from partners.models import DataSharingAgreement
from portal import permissions
from portal.models import AuditEvent
from targets import rules as target_rules
from targets import services
from targets.models import Indicator, IndicatorGroupObjectPermission
from tests.factories import make_dsa

DSA = DataSharingAgreement
pytestmark = pytest.mark.django_db


def grants(indicator: Indicator) -> set[tuple[str, str]]:
    return set(
        IndicatorGroupObjectPermission.objects.filter(content_object=indicator).values_list(
            "group__name", "permission__codename"
        )
    )


def sees(user, indicator) -> tuple[bool, bool]:
    fresh = get_user_model().objects.get(pk=user.pk)  # no cached permissions
    return (
        permissions.can(fresh, target_rules.INDICATOR_DATA_VIEW, indicator),
        permissions.can(fresh, target_rules.INDICATOR_BREAKDOWNS_VIEW, indicator),
    )


def test_a_new_provider_takes_over_the_grants(sv, police, probation, pcc_officer, police_officer, probation_officer):
    assert sees(police_officer, sv) == (True, True) and sees(probation_officer, sv) == (False, False)
    services.indicator_update(indicator=sv, by=pcc_officer, provider=probation)
    assert grants(sv) == {
        (probation.group.name, "view_indicator_data"),
        (probation.group.name, "view_indicator_breakdowns"),
    }
    assert sees(police_officer, sv) == (False, False) and sees(probation_officer, sv) == (True, True)
    event = AuditEvent.objects.filter(action="indicator.update").get()
    assert (event.before["provider"], event.after["provider"]) == (police.pk, probation.pk)


@pytest.mark.parametrize(
    "status", [DSA.Status.DRAFT, DSA.Status.AWAITING_SIGNATURES, DSA.Status.ACTIVE, DSA.Status.SUSPENDED]
)
def test_the_provider_cannot_change_while_an_agreement_covers_the_indicator(
    status, sv, police, probation, opcc, pcc_officer, police_officer, probation_officer
):
    agreement = make_dsa(police, [probation], [sv], status=status, level=DSA.Level.BREAKDOWNS)
    held = grants(sv)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.indicator_update(indicator=sv, by=pcc_officer, provider=opcc)
    message = refused.value.message_dict["provider"][0]
    assert message.startswith(f"This indicator is covered by data-sharing agreement {agreement.reference}; ")
    assert message.endswith(
        ("delete it" if status == DSA.Status.DRAFT else "end or revoke it") + " before changing the provider"
    )
    assert Indicator.objects.get(pk=sv.pk).provider == police
    assert grants(sv) == held and AuditEvent.objects.count() == events
    assert sees(police_officer, sv) == (True, True)
    assert sees(probation_officer, sv) == ((True, True) if status == DSA.Status.ACTIVE else (False, False))


def test_every_covering_agreement_is_named(sv, police, probation, opcc, pcc_officer):
    first = make_dsa(police, [probation], [sv])
    second = make_dsa(police, [opcc], [sv], status=DSA.Status.DRAFT)
    with pytest.raises(
        ValidationError,
        match=f"agreements {first.reference}, {second.reference}; end, revoke or "
        f"delete them before changing the provider",
    ):
        services.indicator_update(indicator=sv, by=pcc_officer, provider=probation)


@pytest.mark.parametrize("status", [DSA.Status.ENDED, DSA.Status.REVOKED])
def test_ended_or_revoked_agreements_do_not_stand_in_the_way(
    status, sv, police, probation, opcc, pcc_officer, probation_officer
):
    make_dsa(police, [probation], [sv], status=status, level=DSA.Level.BREAKDOWNS)
    services.indicator_update(indicator=sv, by=pcc_officer, provider=opcc)
    assert grants(sv) == {(opcc.group.name, "view_indicator_data"), (opcc.group.name, "view_indicator_breakdowns")}
    assert sees(probation_officer, sv) == (False, False)


def test_other_changes_are_allowed_while_an_agreement_covers_the_indicator(sv, police, probation, pcc_officer):
    make_dsa(police, [probation], [sv])
    services.indicator_update(indicator=sv, by=pcc_officer, name="Serious violence, per 1,000 people", provider=police)
    assert Indicator.objects.get(pk=sv.pk).name == "Serious violence, per 1,000 people"
