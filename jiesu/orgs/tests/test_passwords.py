"""Password policy: composition, history, minimum and maximum age, and who may change it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import PermissionDenied, ValidationFailed
from jiesu.orgs.models import AuthPolicy, PasswordHistory
from jiesu.orgs.security.passwords import password_change, password_is_expired, user_set_password
from jiesu.orgs.security.policy import auth_policy_current, auth_policy_update, password_problems
from jiesu.orgs.testing import PASSWORD, World

pytestmark = pytest.mark.django_db


def problems_of(raw: str, username: str = "") -> list[str]:
    return password_problems(raw, policy=auth_policy_current(), username=username)


def test_the_defaults_follow_the_level_3_practice() -> None:
    policy = auth_policy_current()
    assert (policy.min_length, policy.min_classes, policy.max_age_days, policy.min_age_days) == (8, 3, 90, 1)
    assert (policy.lockout_failures, policy.lockout_seconds, policy.history_count) == (5, 300, 5)


def test_a_short_password_is_refused_with_the_length_in_chinese() -> None:
    assert "密码长度不能少于 8 位" in problems_of("Ab1!x")


def test_two_character_classes_are_not_enough_and_the_missing_ones_are_named() -> None:
    [problem] = problems_of("abcdefgh12")
    assert "至少 3 类" in problem and "缺少：大写字母、符号" in problem
    assert problems_of("abcdEFGH12") == []
    assert problems_of("abcd-efgh-12") == []


def test_a_password_containing_the_username_is_refused() -> None:
    assert "密码不能包含用户名" in problems_of("WangJing-2026", username="wangjing")


def test_the_django_validator_reads_the_policy_and_speaks_chinese() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_password("abc")
    assert any("密码长度不能少于" in m for m in caught.value.messages)
    validate_password("Stronger-2026")


def test_a_stricter_policy_version_applies_at_once(world: World) -> None:
    auth_policy_update(actor=world.security_admin, values={"min_length": 14, "min_classes": 4})
    assert "密码长度不能少于 14 位" in problems_of("Abc-12345")
    assert auth_policy_current().version == 1
    auth_policy_update(actor=world.security_admin, values={"min_length": 10})
    current = auth_policy_current()
    assert (current.version, current.min_length, current.min_classes) == (2, 10, 4)
    entry = AuditEntry.objects.filter(action="auth.policy_change").first()
    assert entry is not None and entry.detail["changed"] == {"min_length": [14, 10]}


@pytest.mark.parametrize("who", ["system_admin", "audit_admin", "agent"])
def test_only_the_security_admin_changes_the_policy(world: World, who: str) -> None:
    with pytest.raises(PermissionDenied, match="只有安全管理员"):
        auth_policy_update(actor=getattr(world, who), values={"min_length": 6})
    assert not AuthPolicy.objects.exists()
    refused = AuditEntry.objects.get(action="auth.policy_change")
    assert refused.result == "failure" and refused.actor_id == getattr(world, who).pk


def test_out_of_range_policy_values_are_refused_in_chinese(world: World) -> None:
    with pytest.raises(ValidationFailed, match="密码最小长度"):
        auth_policy_update(actor=world.security_admin, values={"min_length": 3})
    with pytest.raises(ValidationFailed, match="未知的策略项"):
        auth_policy_update(actor=world.security_admin, values={"max_sessions": 3})


def test_setting_a_weak_password_is_refused_with_every_reason(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        user_set_password(user=world.agent, raw="agent", actor=world.agent)
    errors = caught.value.details["errors"]
    assert any("长度" in e for e in errors) and any("类" in e for e in errors) and "密码不能包含用户名" in errors
    assert world.agent.check_password(PASSWORD)
    assert AuditEntry.objects.get(action="auth.password_change").result == "failure"


def test_a_good_password_is_stored_with_history_and_audited(world: World) -> None:
    user_set_password(user=world.agent, raw="Renewed-2026a", actor=world.agent, source_address="10.0.0.8")
    world.agent.refresh_from_db()
    assert world.agent.check_password("Renewed-2026a")
    assert PasswordHistory.objects.filter(user=world.agent).count() == 1
    entry = AuditEntry.objects.get(action="auth.password_change")
    assert (entry.result, entry.source_address, entry.detail["by"]) == ("success", "10.0.0.8", "self")


def test_the_last_passwords_cannot_be_used_again(world: World) -> None:
    user = world.agent
    for raw in ("First-pass-1", "Second-pass-2", "Third-pass-3"):
        user_set_password(user=user, raw=raw, actor=user)
    for reused in ("First-pass-1", "Second-pass-2", "Third-pass-3"):
        with pytest.raises(ValidationFailed, match="不能与最近 5 次使用过的密码相同"):
            user_set_password(user=user, raw=reused, actor=user)


def test_history_reaches_back_only_as_far_as_the_policy_says(world: World) -> None:
    auth_policy_update(actor=world.security_admin, values={"history_count": 2})
    user = world.agent
    for raw in ("First-pass-1", "Second-pass-2", "Third-pass-3"):
        user_set_password(user=user, raw=raw, actor=user)
    user_set_password(user=user, raw="First-pass-1", actor=user)  # three changes ago: allowed again
    with pytest.raises(ValidationFailed):
        user_set_password(user=user, raw="Third-pass-3", actor=user)


def test_the_current_password_counts_as_used_even_without_history(world: World) -> None:
    with pytest.raises(ValidationFailed, match="不能与最近"):
        user_set_password(user=world.agent, raw=PASSWORD, actor=world.agent)


def test_a_password_older_than_the_maximum_age_has_expired(world: World) -> None:
    user = world.agent
    assert not password_is_expired(user)
    assert password_is_expired(user, now=timezone.now() + timedelta(days=91))
    auth_policy_update(actor=world.security_admin, values={"max_age_days": 0})
    assert not password_is_expired(user, now=timezone.now() + timedelta(days=900))


def test_changing_ones_own_password_needs_the_old_one_and_respects_the_minimum_age(world: World) -> None:
    user = world.agent
    with pytest.raises(ValidationFailed, match="原密码不正确"):
        password_change(user=user, old="wrong", new="Brand-new-2026")
    with pytest.raises(ValidationFailed, match="1 天内不能再次修改"):
        password_change(user=user, old=PASSWORD, new="Brand-new-2026")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        password_change(user=user, old=PASSWORD, new="Brand-new-2026")
    assert user.check_password("Brand-new-2026")


def test_an_expired_password_may_be_changed_whatever_the_minimum_age(world: World) -> None:
    auth_policy_update(actor=world.security_admin, values={"min_age_days": 100})
    with time_machine.travel(timezone.now() + timedelta(days=95)):
        password_change(user=world.agent, old=PASSWORD, new="After-expiry-26")


def test_a_reset_by_the_system_admin_must_be_changed_at_next_login(world: World) -> None:
    user_set_password(user=world.agent, raw="Temporary-2026", actor=world.system_admin)
    world.agent.refresh_from_db()
    assert world.agent.must_change_password and password_is_expired(world.agent)
    user_set_password(user=world.agent, raw="My-own-choice-26", actor=world.agent)
    world.agent.refresh_from_db()
    assert not world.agent.must_change_password


@pytest.mark.parametrize(
    ("actor", "target", "message"),
    [
        ("agent", "callback_agent", "只有系统管理员可以重置用户密码"),
        ("security_admin", "agent", "只有系统管理员可以重置用户密码"),
        ("system_admin", "audit_admin", "只有安全管理员可以重置管理员账号的密码"),
        ("audit_admin", "agent", "只有系统管理员可以重置用户密码"),
    ],
)
def test_resetting_someone_elses_password_follows_the_separation_of_duties(
    world: World, actor: str, target: str, message: str
) -> None:
    with pytest.raises(PermissionDenied, match=message):
        user_set_password(user=getattr(world, target), raw="Temporary-2026", actor=getattr(world, actor))
    assert getattr(world, target).check_password(PASSWORD)


def test_the_security_admin_resets_admin_passwords(world: World) -> None:
    user_set_password(user=world.system_admin, raw="Temporary-2026", actor=world.security_admin)
    assert world.system_admin.check_password("Temporary-2026")
