"""`jiesu createadmin`: no default password, the policy applies, one admin role, no superusers."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jiesu.audit.models import AuditEntry
from jiesu.orgs.choices import Role
from jiesu.orgs.models import PasswordHistory, RoleGrant, User
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db
GOOD = "Admin-Pass-2026"


def password_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "password.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args: str) -> str:
    out = StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_system_admin_from_a_password_file(tmp_path: Path) -> None:
    output = run(
        "--username", "root1", "--display-name", "张管理", "--password-file", password_file(tmp_path, GOOD + "\n")
    )
    user = User.objects.get(username="root1")
    assert "已创建系统管理员账号：root1" in output
    assert user.check_password(GOOD) and user.is_staff and not user.is_superuser
    assert set(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == {Role.SYSTEM_ADMIN}
    assert user.password_changed_at is not None and not user.must_change_password
    assert PasswordHistory.objects.filter(user=user).count() == 1
    assert AuditEntry.objects.filter(action="account.create_admin", object_id=str(user.pk)).exists()


def test_security_and_audit_admins_are_created_the_same_way(tmp_path: Path) -> None:
    run("--username", "sec1", "--role", "security_admin", "--password-file", password_file(tmp_path, GOOD))
    user = User.objects.get(username="sec1")
    assert user.roles == {Role.SECURITY_ADMIN} and not user.is_staff


@pytest.mark.parametrize(
    ("password", "message"),
    [("admin", "密码长度不能少于 8 位"), ("adminadmin", "至少 3 类"), ("Root1-Root1", "密码不能包含用户名")],
)
def test_a_weak_password_is_refused_and_nothing_is_created(tmp_path: Path, password: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("--username", "root1", "--password-file", password_file(tmp_path, password))
    assert not User.objects.filter(username="root1").exists()


def test_an_empty_or_missing_password_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="第一行为空"):
        run("--username", "root1", "--password-file", password_file(tmp_path, "\n" + GOOD))
    with pytest.raises(CommandError, match="无法读取密码文件"):
        run("--username", "root1", "--password-file", str(tmp_path / "absent.txt"))


def test_an_existing_username_is_refused(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="用户名已存在：agent"):
        run("--username", "agent", "--password-file", password_file(tmp_path, GOOD))


def test_ordinary_roles_cannot_be_created_this_way(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        run("--username", "x1", "--role", "agent", "--password-file", password_file(tmp_path, GOOD))


def test_the_interactive_prompt_asks_twice_and_refuses_a_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only the terminal prompt is replaced; the checks and the account are real.
    answers = iter([GOOD, GOOD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="两次输入的密码不一致"):
        run("--username", "root2")
    answers = iter([GOOD, GOOD])
    run("--username", "root2")
    assert User.objects.get(username="root2").check_password(GOOD)


def test_the_interactive_prompt_refuses_a_weak_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "12345678")
    with pytest.raises(CommandError, match="至少 3 类"):
        run("--username", "root3")


def test_createsuperuser_is_refused_in_favour_of_createadmin() -> None:
    with pytest.raises(PermissionError, match="jiesu createadmin"):
        call_command("createsuperuser", "--noinput", "--username", "boss", "--email", "b@example.cn")
    assert not User.objects.filter(username="boss").exists()
