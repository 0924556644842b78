"""`jiesu security`: the operator lifts a lock or resets a lost authenticator, audited as the system."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from jiesu.audit.models import AuditEntry
from jiesu.orgs.security.testing import totp_enrolled
from jiesu.orgs.testing import PASSWORD, World

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("security", *args, stdout=out)
    return out.getvalue()


def test_unlock_lifts_the_lock(world: World) -> None:
    for _ in range(5):
        authenticate(None, username="secadmin", password="wrong")
    assert authenticate(None, username="secadmin", password=PASSWORD) is None
    assert "已解除 secadmin 的登录锁定" in run("unlock", "secadmin")
    assert authenticate(None, username="secadmin", password=PASSWORD) is not None
    entry = AuditEntry.objects.get(action="auth.unlock")
    assert entry.actor_id is None and entry.result == "success"
    assert "当前未被锁定" in run("unlock", "secadmin")


def test_totp_reset_removes_the_authenticator(world: World) -> None:
    totp_enrolled(world.security_admin)
    assert "已重置 secadmin 的动态口令" in run("totp-reset", "secadmin")
    world.security_admin.refresh_from_db()
    assert not world.security_admin.totp_enabled


def test_unknown_users_are_refused(world: World) -> None:
    with pytest.raises(CommandError, match="用户不存在：nobody"):
        run("unlock", "nobody")
