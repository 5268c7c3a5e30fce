"""The admin cannot write around the services: superusers only, every model admin read-only, and the few
changes an administrator needs are actions that call a service."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from partners.models import ApiToken
from partners.services import api_token_create
from portal.models import AuditEvent, OutboxTask
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 20)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return user


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_registered_model_admin_refuses_add_change_and_delete_even_to_a_superuser(root):
    request = _request(root)
    assert len(admin.site._registry) >= 15
    writable = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        if model_admin.has_add_permission(request):
            writable.append(f"{label}: add")
        if model_admin.has_change_permission(request) or model_admin.has_change_permission(request, None):
            writable.append(f"{label}: change")
        if model_admin.has_delete_permission(request):
            writable.append(f"{label}: delete")
        for inline in model_admin.get_inline_instances(request):
            if (
                inline.has_add_permission(request, None)
                or inline.has_change_permission(request)
                or inline.has_delete_permission(request)
            ):
                writable.append(f"{label}: inline {type(inline).__name__}")
        assert model_admin.has_view_permission(request), label
    assert not writable, writable


def test_only_superusers_get_into_the_admin(police, root):
    staff = make_person(police, username="staff.person", is_staff=True)
    assert not admin.site.has_permission(_request(staff))
    assert admin.site.has_permission(_request(root))
    response = signed_in(staff).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert signed_in(root).get("/admin/portal/auditevent/").status_code == 200


def test_a_change_form_post_changes_nothing(police, root):
    token, _ = api_token_create(name="Feed", partner=police, days=30, by=root)
    before = AuditEvent.objects.count()
    response = signed_in(root).post(
        f"/admin/partners/apitoken/{token.pk}/change/", {"name": "Renamed", "revoked_at": ""}
    )
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.name == "Feed" and AuditEvent.objects.count() == before


def test_an_admin_action_calls_the_service_and_is_audited(police, root):
    token, _ = api_token_create(name="Feed", partner=police, days=30, by=root)
    response = signed_in(root).post("/admin/partners/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.user.is_active
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk), actor=root).exists()


def test_failed_outbox_tasks_are_queued_again_through_the_service(root, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    row = OutboxTask.objects.create(
        task_name="portal.record_probe",
        kwargs={"label": "x"},
        status=OutboxTask.Status.FAILED,
        attempts=20,
        last_error="broker down",
    )
    response = signed_in(root).post(
        "/admin/portal/outboxtask/", {"action": "queue_again", "_selected_action": [row.pk]}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == OutboxTask.Status.PENDING and row.attempts == 0
    assert AuditEvent.objects.filter(action="outbox.requeue", object_id=str(row.pk)).exists()
    assert ApiToken.objects.count() == 0
