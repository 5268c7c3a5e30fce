"""The audit chain notices what is missing and what was forged: signed checkpoints kept outside the
database, and TRUNCATE refused on PostgreSQL."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from partners.services import partner_create
from portal.audit import Checkpoint, audit_checkpoint, audit_record, audit_verify, checkpoint_sign
from portal.models import AuditEvent, SecurityEvent
from tests.factories import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoint_file(tmp_path, settings):
    path = tmp_path / "audit" / "checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_FILE = str(path)
    return path


def _bypass(sql: str) -> None:
    """Tamper as someone with database access would (triggers off on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE portal_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE portal_auditevent ENABLE TRIGGER USER")


def _events(n: int) -> None:
    for i in range(n):
        partner_create(name=f"Partner {i}", short_name=f"P{i}", slug=f"partner-{i}", kind="other", by=SYSTEM)


def test_a_checkpoint_is_written_to_the_file_the_log_stream_and_the_security_log(checkpoint_file, caplog):
    _events(3)
    with caplog.at_level(logging.INFO, logger="portal.audit.checkpoint"):
        checkpoint = audit_checkpoint()
    assert checkpoint.count == AuditEvent.objects.count() == 3
    assert checkpoint.head == AuditEvent.objects.order_by("-id").first().hash
    line = json.loads(checkpoint_file.read_text().splitlines()[-1])
    assert line["count"] == 3 and line["signature"] == checkpoint.signature
    assert any(checkpoint.signature in r.getMessage() for r in caplog.records)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.AUDIT_CHECKPOINT).count() == 1
    assert audit_verify().ok


def test_emptying_the_log_is_noticed(checkpoint_file):
    _events(4)
    audit_checkpoint()
    _bypass("DELETE FROM portal_auditevent")
    SecurityEvent.objects.all().delete()  # the attacker empties the security log too: the file remains
    result = audit_verify()
    assert result.chain.ok and result.chain.checked == 0  # the chain alone says "intact"
    assert not result.ok
    assert "4 event(s) are missing" in result.problems[0]
    with pytest.raises(CommandError, match="4 event"):
        call_command("verify_audit")


def test_reloading_all_but_the_last_five_events_is_noticed(checkpoint_file):
    _events(8)
    audit_checkpoint()
    last_five = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:5])
    _bypass(f"DELETE FROM portal_auditevent WHERE id IN ({', '.join(str(i) for i in last_five)})")
    result = audit_verify()
    assert result.chain.ok  # what is left still chains
    assert "5 event(s) are missing" in " ".join(result.problems)


def test_a_replaced_log_with_the_same_count_is_noticed(checkpoint_file):
    _events(3)
    audit_checkpoint()
    _bypass("DELETE FROM portal_auditevent")
    with transaction.atomic():
        for i in range(3):
            audit_record(
                action="partner.create", object_type="partners.partner", object_id=i, summary=f"Rewritten history {i}"
            )
    result = audit_verify()
    assert result.chain.ok and not result.ok
    assert "does not match the checkpoint" in result.problems[0]


def test_events_appended_after_the_latest_checkpoint_are_named_as_not_yet_covered(checkpoint_file, capsys):
    _events(2)
    checkpoint = audit_checkpoint()
    with transaction.atomic():
        forged = audit_record(
            action="dsa.sign",
            object_type="partners.datasharingagreement",
            object_id=1,
            summary="Signed for everyone (appended through the code path)",
        )
    result = audit_verify()
    assert result.ok and result.checkpoint == checkpoint
    assert result.unsigned_ids == (forged.pk, forged.pk)
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert f"Events {forged.pk} to {forged.pk} came after that checkpoint" in out


def test_a_checkpoint_written_without_the_key_is_refused(checkpoint_file, settings):
    _events(2)
    audit_checkpoint()
    settings.AUDIT_CHECKPOINT_KEY = "a key the attacker made up"
    forged = checkpoint_sign(Checkpoint(at="2030-01-01T00:00:00+00:00", count=1, last_id=1, head="0" * 64))
    settings.AUDIT_CHECKPOINT_KEY = f"audit-checkpoint:{settings.SECRET_KEY}"
    with open(checkpoint_file, "a") as out:
        out.write(forged.as_json() + "\n")
    result = audit_verify()
    assert result.forged_checkpoints == 1
    assert not result.ok and "signature that does not check" in result.problems[0]


def test_without_any_checkpoint_verify_says_what_the_chain_alone_cannot_show(capsys):
    _events(1)
    call_command("verify_audit")
    assert "No signed checkpoint" in capsys.readouterr().out


@pytest.mark.postgres
def test_postgres_refuses_truncate_of_the_audit_log():
    _events(1)
    with connection.cursor() as cursor:
        cursor.execute("SET portal.allow_audit_truncate = 'off'")
    try:
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("TRUNCATE portal_auditevent")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET portal.allow_audit_truncate = 'on'")
    assert AuditEvent.objects.count() == 1
