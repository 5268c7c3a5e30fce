import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from partners.services import partner_create
from portal.audit import audit_record, audit_verify_chain
from portal.models import AuditEvent
from tests.factories import SYSTEM


def _bypass_trigger(sql: str) -> None:
    """Tamper the way an attacker with database access would (on PostgreSQL, with the trigger off)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE portal_auditevent DISABLE TRIGGER portal_auditevent_append_only")
        cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE portal_auditevent ENABLE TRIGGER portal_auditevent_append_only")


def _tamper(pk: int, summary: str) -> None:
    _bypass_trigger(f"UPDATE portal_auditevent SET summary = '{summary}' WHERE id = {int(pk)}")


@pytest.mark.django_db
def test_every_service_write_adds_a_chained_event(police):
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == ["partner.create"]
    assert events[0].prev_hash == "0" * 64
    partner_create(name="CPS", short_name="CPS", slug="cps", kind="prosecution", by=SYSTEM)
    last_two = list(AuditEvent.objects.order_by("id"))[-2:]
    assert last_two[1].prev_hash == last_two[0].hash
    assert audit_verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        audit_record(action="x", summary="outside")


@pytest.mark.django_db
def test_verify_audit_names_the_first_altered_event(police, probation, capsys):
    call_command("verify_audit")
    assert "intact: 2 events" in capsys.readouterr().out
    first = AuditEvent.objects.order_by("id").first()
    _tamper(first.pk, "Nothing to see here")
    with pytest.raises(CommandError, match=f"broken at event {first.pk}: its content does not match"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_verify_audit_detects_a_removed_event(police, probation):
    first, second = AuditEvent.objects.order_by("id")
    _bypass_trigger(f"DELETE FROM portal_auditevent WHERE id = {int(first.pk)}")
    report = audit_verify_chain()
    assert report.broken_event_id == second.pk
    assert "link" in report.reason


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_trigger_refuses_update_and_delete(police):
    from django.db import DatabaseError

    event = AuditEvent.objects.first()
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(summary="changed")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
    assert audit_verify_chain().ok


@pytest.mark.django_db
def test_audit_log_page_is_for_the_pcc_office_only(pcc_officer, police_officer, client_for):
    response = client_for(pcc_officer).get("/audit/?action=partner")
    assert response.status_code == 200
    assert "Partner West Midlands Police added" in response.content.decode()
    assert client_for(police_officer).get("/audit/").status_code == 403


@pytest.mark.django_db
def test_audit_log_filters_by_action(pcc_officer, client_for):
    body = client_for(pcc_officer).get("/audit/?action=membership.add").content.decode()
    assert "membership.add" in body
    assert "<code>partner.create</code>" not in body
