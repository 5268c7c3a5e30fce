import pytest
from django.core.exceptions import PermissionDenied

from partners import rules as partner_rules
from partners.models import Partner, PartnerGroupObjectPermission, Role
from partners.services import membership_end
from portal import permissions
from targets import rules as target_rules
from tests.factories import SYSTEM, make_partner, make_person


@pytest.mark.django_db
def test_an_officer_acts_for_their_own_partner_only(police, probation, police_officer):
    assert permissions.can(police_officer, partner_rules.PARTNER_ACT, police)
    assert not permissions.can(police_officer, partner_rules.PARTNER_ACT, probation)
    with pytest.raises(PermissionDenied):
        permissions.check(police_officer, partner_rules.PARTNER_ACT, probation)


@pytest.mark.django_db
def test_role_and_object_permission_must_come_from_the_same_membership(police, probation):
    # A board member at the police and an officer at probation may not act as an officer for the police.
    person = make_person(police, Role.BOARD_MEMBER)
    from partners.services import membership_add

    membership_add(user=person, partner=probation, role=Role.OFFICER, by=SYSTEM)
    assert permissions.acting_partner_ids(person, partner_rules.PARTNER_ACT, police) == []
    assert not permissions.can(person, partner_rules.PARTNER_ACT, police)
    assert permissions.can(person, partner_rules.PARTNER_ACT, probation)


@pytest.mark.django_db
def test_visible_returns_exactly_the_rows_granted(police, probation, police_officer):
    rows = permissions.visible(police_officer, partner_rules.PARTNER_ACT, Partner.objects.all())
    assert list(rows) == [police]


@pytest.mark.django_db
def test_an_ended_membership_gives_nothing(police, police_officer):
    from datetime import timedelta

    from django.utils import timezone

    membership = police_officer.memberships.get()
    membership_end(membership=membership, on=timezone.localdate() - timedelta(days=0), by=SYSTEM)
    police_officer._cjp_seats = None
    # Ends today: still active today, gone tomorrow.
    assert permissions.can(police_officer, partner_rules.PARTNER_ACT, police)
    membership.active_to = timezone.localdate() - timedelta(days=1)
    membership.active_from = membership.active_to
    membership.save()
    police_officer._cjp_seats = None
    assert not permissions.can(police_officer, partner_rules.PARTNER_ACT, police)
    assert not permissions.can(police_officer, partner_rules.PARTNER_VIEW)


@pytest.mark.django_db
def test_pcc_office_roles_hold_their_model_permissions(pcc_officer, police_officer):
    assert permissions.can(pcc_officer, permissions.AUDIT_VIEW)
    assert permissions.can(pcc_officer, partner_rules.API_TOKEN_MANAGE)
    assert not permissions.can(police_officer, permissions.AUDIT_VIEW)
    assert not permissions.can(police_officer, partner_rules.API_TOKEN_MANAGE)


@pytest.mark.django_db
def test_role_groups_are_synced_with_their_model_permissions():
    from django.contrib.auth.models import Group

    officer = Group.objects.get(name=permissions.role_group_name(Role.OFFICER))
    names = {f"{p.content_type.app_label}.{p.codename}" for p in officer.permissions.select_related("content_type")}
    assert "partners.view_partner" in names
    assert "portal.view_audit_log" not in names


@pytest.mark.django_db
def test_deleting_a_guarded_object_leaves_no_permission_rows():
    partner = make_partner("short-lived")
    assert PartnerGroupObjectPermission.objects.filter(content_object=partner).count() == 1
    group = partner.group
    partner.delete()
    group.delete()
    assert PartnerGroupObjectPermission.objects.count() == 0


@pytest.mark.django_db
def test_revoke_all_removes_every_grant(police):
    assert permissions.revoke_all(police) == 1
    assert not PartnerGroupObjectPermission.objects.filter(content_object=police).exists()


@pytest.mark.django_db
def test_partners_acting_for_needs_the_role_and_the_partners_own_grant(police, probation):
    from partners.selectors import partners_acting_for
    from partners.services import membership_add

    person = make_person(police, Role.BOARD_MEMBER)
    membership_add(user=person, partner=probation, role=Role.OFFICER, by=SYSTEM)
    assert partners_acting_for(user=person, action=target_rules.DATA_RETURN_SUBMIT) == [probation]
