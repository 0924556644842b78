"""Retention: at least 183 days, purged from the start of the chain only, and the purge audited."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from jiesu.audit.checks import audit_retention_check
from jiesu.audit.jobs import audit_purge_job
from jiesu.audit.models import AuditChainHead, AuditEntry
from jiesu.audit.services import PURGE_ACTION, audit_purge_expired, audit_record, audit_retention_days
from jiesu.audit.tests.tamper import tamper
from jiesu.audit.verify import audit_verify

pytestmark = pytest.mark.django_db
OLD = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)


def write(action: str, at: datetime, count: int = 1) -> list[int]:
    with time_machine.travel(at, tick=False):
        return [audit_record(actor=None, action=action, detail={"i": i}).sequence for i in range(count)]


def test_the_default_is_183_days_and_shorter_is_refused() -> None:
    assert audit_retention_days() == 183 == settings.JIESU_AUDIT_RETENTION_DAYS
    with override_settings(JIESU_AUDIT_RETENTION_DAYS=400):
        assert audit_retention_days() == 400
        assert audit_retention_check() == []
    with override_settings(JIESU_AUDIT_RETENTION_DAYS=182):
        with pytest.raises(ImproperlyConfigured, match="183"):
            audit_retention_days()
        with pytest.raises(ImproperlyConfigured):
            audit_purge_expired(OLD + timedelta(days=1000))
        assert [m.id for m in audit_retention_check()] == ["audit.E001"]


def test_old_entries_are_purged_and_the_rest_still_verifies() -> None:
    old = write("test.old", OLD, 3)
    recent = write("test.recent", OLD + timedelta(days=200), 2)
    removed = audit_purge_expired(OLD + timedelta(days=200 + 10))
    assert removed >= 3
    assert not AuditEntry.objects.filter(sequence__lte=old[-1]).exists()
    assert set(recent) <= set(AuditEntry.objects.values_list("sequence", flat=True))
    head = AuditChainHead.objects.get()
    assert head.anchor_sequence == old[-1]
    purge = AuditEntry.objects.get(action=PURGE_ACTION)
    assert purge.detail["anchor_sequence"] == old[-1] and purge.detail["removed"] == removed
    assert purge.detail["retention_days"] == 183
    report = audit_verify()
    assert report.intact, report.as_dict()
    assert report.anchor_sequence == old[-1]


def test_a_purge_never_skips_over_a_recent_entry() -> None:
    # Time ran backwards once (a clock fix): the purge stops at the first entry it must keep.
    write("test.old", OLD, 2)
    kept = write("test.recent", OLD + timedelta(days=300))
    write("test.old_again", OLD)
    audit_purge_expired(OLD + timedelta(days=300))
    assert AuditChainHead.objects.get().anchor_sequence == kept[0] - 1
    assert AuditEntry.objects.filter(action="test.old_again").exists()
    assert audit_verify().intact


def test_nothing_to_purge_records_nothing() -> None:
    write("test.recent", OLD)
    assert audit_purge_expired(OLD + timedelta(days=10)) == 0
    assert not AuditEntry.objects.filter(action=PURGE_ACTION).exists()


def test_the_worker_job_purges() -> None:
    assert ("jiesu.audit.jobs.audit_purge_job", 3600) in settings.WORKER_JOBS
    write("test.old", OLD, 2)
    write("test.recent", OLD + timedelta(days=400))
    assert audit_purge_job(OLD + timedelta(days=400)) >= 2
    assert audit_verify().intact


def test_purges_in_a_row_keep_the_chain_verifiable() -> None:
    write("test.first", OLD, 2)
    write("test.second", OLD + timedelta(days=100), 2)
    write("test.third", OLD + timedelta(days=300))
    audit_purge_expired(OLD + timedelta(days=200))
    audit_purge_expired(OLD + timedelta(days=300))
    assert AuditEntry.objects.filter(action=PURGE_ACTION).count() == 2
    assert not AuditEntry.objects.filter(action__in=["test.first", "test.second"]).exists()
    assert audit_verify().intact


def test_deleting_the_first_entries_without_the_purge_is_found() -> None:
    old = write("test.old", OLD, 3)
    write("test.recent", OLD + timedelta(days=300))
    audit_purge_expired(OLD + timedelta(days=300))
    first_kept = AuditChainHead.objects.get().anchor_sequence + 1
    tamper("DELETE FROM audit_auditentry WHERE sequence = %s", [first_kept])
    assert "gap" in {p.kind for p in audit_verify().problems}
    assert old  # purged legitimately above


def test_moving_the_anchor_by_hand_is_found() -> None:
    write("test.old", OLD, 3)
    write("test.recent", OLD + timedelta(days=300), 3)
    audit_purge_expired(OLD + timedelta(days=300))
    head = AuditChainHead.objects.get()
    # An attacker deletes one more entry at the start and moves the anchor over it.
    hidden = AuditEntry.objects.filter(sequence=head.anchor_sequence + 1).values_list("entry_hash", flat=True).get()
    tamper("DELETE FROM audit_auditentry WHERE sequence = %s", [head.anchor_sequence + 1])
    AuditChainHead.objects.update(anchor_sequence=head.anchor_sequence + 1, anchor_hash=hidden)
    assert {p.kind for p in audit_verify().problems} == {"anchor"}
