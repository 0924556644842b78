"""The second factor: enrolment, codes with replay protection, recovery codes and the reset."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import PermissionDenied, ValidationFailed
from jiesu.orgs.models import RecoveryCode, TotpDevice
from jiesu.orgs.security.login import LoginLocked, login_code_check
from jiesu.orgs.security.mfa import (
    recovery_codes_left,
    second_factor_verify,
    totp_enrol_confirm,
    totp_enrol_start,
    totp_enrolment_pending,
    totp_reset,
    user_requires_totp,
)
from jiesu.orgs.security.testing import totp_enrolled
from jiesu.orgs.security.totp import secret_from_base32, totp
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db


def now_code(key: bytes, offset: int = 0) -> str:
    return totp(key, time.time() + offset)


def wrong_code(key: bytes) -> str:
    """A code that is valid in none of the accepted steps (no chance of a lucky hit)."""
    valid = {now_code(key, offset) for offset in (-30, 0, 30)}
    return next(c for c in ("123456", "654321", "000000", "111111") if c not in valid)


def test_the_three_admin_roles_require_it_and_others_may_choose(world: World) -> None:
    assert all(user_requires_totp(u) for u in (world.system_admin, world.security_admin, world.audit_admin))
    assert not user_requires_totp(world.agent)
    totp_enrolled(world.agent)
    assert user_requires_totp(world.agent)


def test_enrolment_shows_a_secret_that_is_stored_only_encrypted(world: World) -> None:
    enrolment = totp_enrol_start(user=world.agent)
    key = secret_from_base32(enrolment.secret)
    assert enrolment.uri.startswith("otpauth://totp/") and f"secret={enrolment.secret}" in enrolment.uri
    sealed = bytes(TotpDevice.objects.get(user=world.agent).secret_sealed)
    assert key not in sealed and enrolment.secret.encode() not in sealed
    assert totp_enrolment_pending(user=world.agent) == enrolment  # shown again until confirmed
    assert not world.agent.totp_enabled


def test_a_wrong_code_does_not_confirm_the_enrolment(world: World) -> None:
    key = secret_from_base32(totp_enrol_start(user=world.agent).secret)
    with pytest.raises(ValidationFailed, match="验证码不正确"):
        totp_enrol_confirm(user=world.agent, code=wrong_code(key))
    world.agent.refresh_from_db()
    assert not world.agent.totp_enabled
    assert AuditEntry.objects.get(action="auth.totp_enrol").result == "failure"


def test_confirming_turns_it_on_and_hands_out_ten_recovery_codes(world: World) -> None:
    key = secret_from_base32(totp_enrol_start(user=world.agent).secret)
    codes = totp_enrol_confirm(user=world.agent, code=now_code(key))
    world.agent.refresh_from_db()
    assert world.agent.totp_enabled
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(RecoveryCode.objects.filter(user=world.agent).values_list("code_hash", flat=True))
    assert not stored & set(codes) and all(len(h) == 64 for h in stored)
    assert AuditEntry.objects.get(action="auth.totp_enrol").result == "success"


def test_a_confirmed_authenticator_cannot_be_replaced_without_a_reset(world: World) -> None:
    totp_enrolled(world.agent)
    with pytest.raises(ValidationFailed, match="联系安全管理员重置"):
        totp_enrol_start(user=world.agent)


def test_a_current_code_works_once(world: World) -> None:
    key = totp_enrolled(world.agent)
    with time_machine.travel(timezone.now() + timedelta(seconds=90), tick=False):
        code = now_code(key)
        assert second_factor_verify(user=world.agent, code=code) == "totp"
        assert second_factor_verify(user=world.agent, code=code) is None  # replay


def test_an_older_step_is_refused_once_a_newer_one_was_used(world: World) -> None:
    key = totp_enrolled(world.agent)
    with time_machine.travel(timezone.now() + timedelta(seconds=120), tick=False):
        assert second_factor_verify(user=world.agent, code=now_code(key, 30)) == "totp"
        assert second_factor_verify(user=world.agent, code=now_code(key)) is None


def test_wrong_and_stale_codes_are_refused(world: World) -> None:
    key = totp_enrolled(world.agent)
    with time_machine.travel(timezone.now() + timedelta(seconds=300), tick=False):
        assert second_factor_verify(user=world.agent, code=wrong_code(key)) is None
        assert second_factor_verify(user=world.agent, code=now_code(key, -90)) is None
        assert second_factor_verify(user=world.agent, code=now_code(key, -30)) == "totp"  # clock drift of one step


def test_a_user_without_an_authenticator_has_no_second_factor(world: World) -> None:
    assert second_factor_verify(user=world.agent, code="123456") is None


def test_a_recovery_code_works_exactly_once(world: World) -> None:
    key = secret_from_base32(totp_enrol_start(user=world.agent).secret)
    codes = totp_enrol_confirm(user=world.agent, code=now_code(key))
    assert second_factor_verify(user=world.agent, code=codes[3].upper()) == "recovery_code"
    assert second_factor_verify(user=world.agent, code=codes[3]) is None
    assert recovery_codes_left(user=world.agent) == 9
    assert second_factor_verify(user=world.agent, code="aaaa-bbbb-cccc") is None


def test_recovery_codes_of_one_user_do_not_work_for_another(world: World) -> None:
    key = secret_from_base32(totp_enrol_start(user=world.agent).secret)
    codes = totp_enrol_confirm(user=world.agent, code=now_code(key))
    totp_enrolled(world.leader)
    assert second_factor_verify(user=world.leader, code=codes[0]) is None


def test_wrong_codes_at_login_count_towards_the_lockout(world: World) -> None:
    key = totp_enrolled(world.agent)
    for _ in range(4):
        with pytest.raises(ValidationFailed, match="动态验证码不正确"):
            login_code_check(user=world.agent, code=wrong_code(key), source_address="10.3.3.3")
    with pytest.raises(LoginLocked):
        login_code_check(user=world.agent, code=wrong_code(key), source_address="10.3.3.3")
    with pytest.raises(LoginLocked):  # locked: even the right code is refused now
        login_code_check(user=world.agent, code=now_code(key, 30), source_address="10.4.4.4")
    reasons = AuditEntry.objects.filter(action="auth.login", result="failure").values_list("detail", flat=True)
    assert [r["reason"] for r in reasons.order_by("id")] == ["bad_code"] * 5 + ["locked"]


def test_the_security_admin_resets_a_lost_authenticator(world: World) -> None:
    totp_enrolled(world.system_admin)
    totp_reset(user=world.system_admin, actor=world.security_admin, source_address="10.2.2.2")
    world.system_admin.refresh_from_db()
    assert not world.system_admin.totp_enabled
    assert not TotpDevice.objects.filter(user=world.system_admin).exists()
    assert not RecoveryCode.objects.filter(user=world.system_admin).exists()
    assert user_requires_totp(world.system_admin)  # an admin must enrol again
    assert AuditEntry.objects.get(action="auth.totp_reset").actor_id == world.security_admin.pk


@pytest.mark.parametrize("who", ["system_admin", "audit_admin", "agent"])
def test_nobody_else_may_reset_an_authenticator(world: World, who: str) -> None:
    totp_enrolled(world.leader)
    with pytest.raises(PermissionDenied, match="只有安全管理员"):
        totp_reset(user=world.leader, actor=getattr(world, who))
    world.leader.refresh_from_db()
    assert world.leader.totp_enabled


def test_a_security_admin_cannot_reset_their_own_authenticator(world: World) -> None:
    totp_enrolled(world.security_admin)
    with pytest.raises(PermissionDenied, match="不能对自己的账号"):
        totp_reset(user=world.security_admin, actor=world.security_admin)
