"""Retention policies: 2-year defaults seeded, versions with effective dates, a floor, no edits."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import PermissionDenied, ValidationFailed
from jiesu.orgs.testing import World
from jiesu.retention.choices import RecordClass
from jiesu.retention.errors import PolicyBelowFloor, PolicyImmutable
from jiesu.retention.models import RetentionPolicy
from jiesu.retention.selectors import retention_rules_in_force
from jiesu.retention.services import POLICY_ACTION, retention_policy_create

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_two_years_for_recordings_and_text_records() -> None:
    rules = retention_rules_in_force()
    assert {c: r.keep_days for c, r in rules.items()} == {RecordClass.RECORDING: 730, RecordClass.TEXT_RECORD: 730}
    assert all("2 年" in r.policy.notice for r in rules.values() if r.policy)


def test_a_policy_below_the_floor_is_refused_in_chinese_and_audited(world: World) -> None:
    with pytest.raises(PolicyBelowFloor, match="不能少于 730 天"):
        retention_policy_create(
            record_class=RecordClass.RECORDING,
            keep_days=729,
            effective_from=timezone.localdate(),
            notice="缩短保存期",
            actor=world.system_admin,
        )
    assert RetentionPolicy.objects.count() == 2
    refusal = AuditEntry.objects.get(action=POLICY_ACTION)
    assert (refusal.result, refusal.detail["refused"], refusal.actor_id) == (
        "failure",
        "retention_below_floor",
        world.system_admin.pk,
    )


def test_the_floor_is_configurable() -> None:
    with override_settings(JIESU_RETENTION_MIN_DAYS=365):
        policy = retention_policy_create(
            record_class=RecordClass.TEXT_RECORD,
            keep_days=400,
            effective_from=timezone.localdate(),
            notice="其他业务合同：1 年",
            actor=None,
        )
        assert retention_rules_in_force()[RecordClass.TEXT_RECORD].policy == policy
    # Raised again, the floor outweighs the shorter policy already in force.
    assert retention_rules_in_force()[RecordClass.TEXT_RECORD].keep_days == 730


def test_a_new_version_applies_from_its_date_and_is_audited(world: World) -> None:
    today = timezone.localdate()
    policy = retention_policy_create(
        record_class=RecordClass.RECORDING,
        keep_days=1095,
        effective_from=today + timedelta(days=30),
        notice="新合同：录音保存 3 年",
        actor=world.system_admin,
    )
    assert policy.created_by == world.system_admin
    now = timezone.now()
    assert retention_rules_in_force(at=now)[RecordClass.RECORDING].keep_days == 730
    later = retention_rules_in_force(at=now + timedelta(days=31))
    assert (later[RecordClass.RECORDING].keep_days, later[RecordClass.TEXT_RECORD].keep_days) == (1095, 730)
    entry = AuditEntry.objects.get(action=POLICY_ACTION)
    assert (entry.result, entry.object_id, entry.detail["keep_days"]) == ("success", str(policy.pk), 1095)


def test_policies_are_never_edited_or_deleted() -> None:
    policy = RetentionPolicy.objects.first()
    assert policy is not None
    policy.keep_days = 10
    with pytest.raises(PolicyImmutable):
        policy.save()
    with pytest.raises(PolicyImmutable):
        policy.delete()


def test_back_dated_or_unexplained_versions_are_refused() -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationFailed, match="生效日期不能早于今天"):
        retention_policy_create(
            record_class=RecordClass.RECORDING,
            keep_days=900,
            effective_from=today - timedelta(days=1),
            notice="说明",
            actor=None,
        )
    with pytest.raises(ValidationFailed, match="请填写依据与说明"):
        retention_policy_create(
            record_class=RecordClass.RECORDING, keep_days=900, effective_from=today, notice="  ", actor=None
        )
    retention_policy_create(
        record_class=RecordClass.RECORDING, keep_days=900, effective_from=today, notice="说明", actor=None
    )
    with pytest.raises(ValidationFailed, match="已有保存期限策略"):
        retention_policy_create(
            record_class=RecordClass.RECORDING, keep_days=1000, effective_from=today, notice="说明", actor=None
        )


def test_only_the_system_admin_sets_policies(world: World) -> None:
    for user in (world.agent, world.security_admin, world.audit_admin):
        with pytest.raises(PermissionDenied, match="系统管理员"):
            retention_policy_create(
                record_class=RecordClass.RECORDING,
                keep_days=1000,
                effective_from=timezone.localdate(),
                notice="说明",
                actor=user,
            )
    assert RetentionPolicy.objects.count() == 2
