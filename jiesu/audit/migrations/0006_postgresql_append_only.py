"""PostgreSQL only: a trigger that refuses UPDATE and DELETE on audit entries, and the one
function through which the retention purge may delete (see docs/audit.md).

`jiesu_audit_purge(up_to)` deletes the chain prefix up to a sequence. It sets the transaction-local
setting `jiesu.audit_purge` that the trigger requires, and the trigger additionally refuses rows
younger than the legal 183 days whatever the application is configured to. SQLite has no such
guard; there the ORM refusals and the hash chain are the protection.
"""

from django.db import migrations

from jiesu.core.sql import postgresql_only

FORWARD = """
CREATE OR REPLACE FUNCTION jiesu_audit_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('jiesu.audit_purge', true) = 'on'
       AND OLD.occurred_at < now() - interval '183 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '审计记录只能追加，不能修改或删除（% 第 % 条）', TG_OP, OLD.sequence
        USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION jiesu_audit_entry_guard();

CREATE OR REPLACE FUNCTION jiesu_audit_purge(up_to bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    removed bigint;
BEGIN
    PERFORM set_config('jiesu.audit_purge', 'on', true);
    DELETE FROM audit_auditentry WHERE sequence <= up_to;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('jiesu.audit_purge', 'off', true);
    RETURN removed;
END
$$;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS jiesu_audit_entry_guard();
DROP FUNCTION IF EXISTS jiesu_audit_purge(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_sequence_unique"),
    ]

    operations = [
        postgresql_only(FORWARD, BACKWARD),
    ]
