"""Lockout per account and per source address, through the authentication backend."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import timezone

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import PermissionDenied
from jiesu.orgs.models import LoginThrottle, ThrottleScope
from jiesu.orgs.security.lockout import account_unlock, login_lock_clear, login_lock_get
from jiesu.orgs.security.login import login_succeeded
from jiesu.orgs.security.policy import auth_policy_update
from jiesu.orgs.testing import PASSWORD, World

pytestmark = pytest.mark.django_db


def request_from(address: str) -> HttpRequest:
    return RequestFactory().post("/login/", REMOTE_ADDR=address)


def attempt(username: str, password: str, address: str = "10.1.1.1") -> bool:
    return authenticate(request_from(address), username=username, password=password) is not None


def fail(username: str, times: int, address: str = "10.1.1.1") -> None:
    for _ in range(times):
        assert not attempt(username, "wrong-password", address)


def test_the_right_password_logs_in(world: World) -> None:
    assert attempt("agent", PASSWORD)


def test_five_failures_lock_the_account_even_against_the_right_password(world: World) -> None:
    fail("agent", 4)
    assert attempt("agent", PASSWORD)  # four failures: not yet locked
    fail("agent", 5)
    assert not attempt("agent", PASSWORD)
    assert not attempt("agent", PASSWORD, address="10.9.9.9")  # from anywhere
    lock = login_lock_get(username="agent", address=None)
    assert lock is not None and lock.scope == ThrottleScope.ACCOUNT
    assert "账号已锁定" in lock.message and "5 分钟" in lock.message


def test_the_lock_expires_after_the_lockout_period(world: World) -> None:
    fail("agent", 5)
    with time_machine.travel(timezone.now() + timedelta(seconds=299)):
        assert not attempt("agent", PASSWORD)
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        assert attempt("agent", PASSWORD)


def test_failures_outside_the_window_do_not_add_up(world: World) -> None:
    fail("agent", 4)
    with time_machine.travel(timezone.now() + timedelta(seconds=901)):
        fail("agent", 4)
        assert attempt("agent", PASSWORD)


def test_a_complete_login_resets_the_account_count(world: World) -> None:
    fail("agent", 4)
    login_succeeded(user=world.agent, source_address="10.1.1.1")
    fail("agent", 4)
    assert attempt("agent", PASSWORD)


def test_unknown_account_names_lock_like_real_ones(world: World) -> None:
    fail("nobody", 5)
    assert login_lock_get(username="nobody", address=None) is not None


def test_spraying_from_one_address_locks_the_address_for_every_account(world: World) -> None:
    for name in ("a1", "a2", "a3", "a4"):
        fail(name, 4, address="10.6.6.6")
    fail("a5", 3, address="10.6.6.6")
    assert attempt("agent", PASSWORD, address="10.6.6.6")  # 19 failures: still open
    fail("a5", 1, address="10.6.6.6")
    assert not attempt("agent", PASSWORD, address="10.6.6.6")
    assert attempt("agent", PASSWORD, address="10.7.7.7")
    lock = login_lock_get(username="agent", address="10.6.6.6")
    assert lock is not None and lock.scope == ThrottleScope.ADDRESS and "网络地址" in lock.message


def test_the_address_limit_can_be_turned_off(world: World) -> None:
    auth_policy_update(actor=world.security_admin, values={"address_lockout_failures": 0})
    for name in ("a1", "a2", "a3", "a4", "a5", "a6"):
        fail(name, 4, address="10.6.6.6")
    assert attempt("agent", PASSWORD, address="10.6.6.6")


def test_the_policy_sets_the_threshold_and_the_period(world: World) -> None:
    auth_policy_update(actor=world.security_admin, values={"lockout_failures": 3, "lockout_seconds": 600})
    fail("agent", 3)
    with time_machine.travel(timezone.now() + timedelta(seconds=500)):
        assert not attempt("agent", PASSWORD)


def test_every_failure_and_the_lock_are_audited(world: World) -> None:
    fail("agent", 5)
    assert not attempt("agent", PASSWORD)
    reasons = list(
        AuditEntry.objects.filter(action="auth.login", result="failure").order_by("id").values_list("detail", flat=True)
    )
    assert [r["reason"] for r in reasons] == ["bad_password"] * 5 + ["locked"]
    lockout = AuditEntry.objects.get(action="auth.lockout")
    assert lockout.source_address == "10.1.1.1" and lockout.detail["scope"] == "account"


def test_the_security_admin_unlocks_an_account(world: World) -> None:
    fail("agent", 5)
    assert account_unlock(user=world.agent, actor=world.security_admin, source_address="10.2.2.2")
    assert attempt("agent", PASSWORD)
    entry = AuditEntry.objects.get(action="auth.unlock")
    assert entry.actor_id == world.security_admin.pk and entry.result == "success"
    assert not account_unlock(user=world.agent, actor=world.security_admin)  # nothing left to lift


def test_the_security_admin_unlocks_an_address(world: World) -> None:
    for name in ("a1", "a2", "a3", "a4", "a5"):
        fail(name, 4, address="10.6.6.6")
    assert login_lock_clear(scope=ThrottleScope.ADDRESS, key="10.6.6.6", actor=world.security_admin)
    assert attempt("agent", PASSWORD, address="10.6.6.6")


@pytest.mark.parametrize("who", ["system_admin", "audit_admin", "agent"])
def test_nobody_else_may_unlock(world: World, who: str) -> None:
    fail("agent", 5)
    with pytest.raises(PermissionDenied, match="只有安全管理员"):
        account_unlock(user=world.agent, actor=getattr(world, who))
    assert not attempt("agent", PASSWORD)
    assert AuditEntry.objects.get(action="auth.unlock").result == "failure"


def test_a_security_admin_cannot_unlock_their_own_account(world: World) -> None:
    fail("secadmin", 5)
    with pytest.raises(PermissionDenied, match="不能对自己的账号"):
        account_unlock(user=world.security_admin, actor=world.security_admin)


def test_counts_live_in_the_database_for_every_process(world: World) -> None:
    fail("agent", 2)
    row = LoginThrottle.objects.get(scope=ThrottleScope.ACCOUNT, key="agent")
    assert row.failures == 2 and row.locked_until is None
