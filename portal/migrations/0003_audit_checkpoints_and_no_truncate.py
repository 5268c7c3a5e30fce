"""Audit checkpoints in the security log; on PostgreSQL, refuse TRUNCATE of the audit log as well.

TRUNCATE is refused unless the session has set `portal.allow_audit_truncate` to `on`, which only
the test suite does (portal.apps, with PORTAL_TESTING): tests empty every table between runs.
"""
from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION portal_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('portal.allow_audit_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'portal_auditevent is append-only: TRUNCATE refused';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS portal_auditevent_no_truncate ON portal_auditevent;
CREATE TRIGGER portal_auditevent_no_truncate
    BEFORE TRUNCATE ON portal_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION portal_auditevent_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS portal_auditevent_no_truncate ON portal_auditevent;
DROP FUNCTION IF EXISTS portal_auditevent_no_truncate();
"""


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def forwards(apps, schema_editor):
    _run(schema_editor, CREATE)


def backwards(apps, schema_editor):
    _run(schema_editor, DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0002_audit_append_only'),
    ]

    operations = [
        migrations.AlterField(
            model_name='securityevent',
            name='kind',
            field=models.CharField(choices=[('sign_in', 'Signed in'), ('sign_in_failed', 'Sign-in failed'), ('otp_failed', 'Second factor failed'), ('locked_out', 'Locked out'), ('unlocked', 'Unlocked'), ('sign_out', 'Signed out'), ('session_expired', 'Session expired'), ('access_denied', 'Access denied'), ('token_used', 'API token used'), ('token_refused', 'API token refused'), ('export', 'Export downloaded'), ('device_reset', 'Second-factor devices reset'), ('audit_checkpoint', 'Audit log checkpoint'), ('throttle_off', 'Rate limit not enforced')], db_index=True, max_length=20),
        ),
        migrations.RunPython(forwards, backwards),
    ]
