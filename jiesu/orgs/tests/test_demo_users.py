"""Demo accounts: random passwords, a private logins file, and idempotent set-up."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command

from jiesu.orgs.choices import Role, UnitKind
from jiesu.orgs.demo import ACCOUNTS, CENTER_CODE, CENTER_NAME, KEPT, demo_password, demo_users_ensure
from jiesu.orgs.models import RoleGrant, Unit, User


def unit_id(code: str) -> int:
    return Unit.objects.get(code=code).pk


@pytest.mark.django_db  # the password policy is a database row (orgs.security.policy)
def test_demo_passwords_are_random_and_pass_the_password_rules() -> None:
    passwords = {demo_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in list(passwords)[:5]:
        validate_password(password)


@pytest.mark.django_db
def test_one_account_per_role_with_its_own_random_password(tmp_path: Path) -> None:
    logins = demo_users_ensure(path=tmp_path / "logins.txt")
    assert [x.username for x in logins] == [a.username for a in ACCOUNTS]
    assert all(x.created for x in logins)
    assert len({x.password for x in logins}) == len(logins)
    for login in logins:
        assert User.objects.get(username=login.username).check_password(login.password)
    granted = set(RoleGrant.objects.values_list("role", flat=True))
    assert granted == set(Role.values)
    center = Unit.objects.select_related("parent").get(code=CENTER_CODE)
    assert (center.name, center.kind, center.parent_id) == (CENTER_NAME, UnitKind.CENTER, unit_id("110000"))
    assert Unit.objects.filter(parent=center, kind=UnitKind.OFFICE).count() == 4
    assert User.objects.get(username="chaoyang").unit_id == unit_id("110105")
    assert User.objects.get(username="wangjing").unit_id == unit_id("110105026")
    assert User.objects.get(username="shejiu").unit_id == unit_id(f"{CENTER_CODE}-01")


@pytest.mark.django_db
def test_the_logins_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "logins.txt"
    logins = demo_users_ensure(path=path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    for login in logins:
        assert f"{login.username}\t" in text and login.password in text


@pytest.mark.django_db
def test_running_again_keeps_accounts_and_passwords(tmp_path: Path) -> None:
    path = tmp_path / "logins.txt"
    first = {x.username: x.password for x in demo_users_ensure(path=path)}
    units, grants = Unit.objects.count(), RoleGrant.objects.count()
    second = demo_users_ensure(path=path)
    assert not any(x.created for x in second)
    assert {x.username: x.password for x in second} == first  # read back from the logins file
    assert (Unit.objects.count(), RoleGrant.objects.count()) == (units, grants)
    for username, password in first.items():
        assert User.objects.get(username=username).check_password(password)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_without_the_logins_file_existing_passwords_are_not_shown(tmp_path: Path) -> None:
    demo_users_ensure(path=tmp_path / "first.txt")
    again = demo_users_ensure(path=tmp_path / "elsewhere.txt")
    assert {x.password for x in again} == {KEPT}


@pytest.mark.django_db
def test_reset_gives_every_account_a_new_password(tmp_path: Path) -> None:
    path = tmp_path / "logins.txt"
    before = {x.username: x.password for x in demo_users_ensure(path=path)}
    after = {x.username: x.password for x in demo_users_ensure(path=path, reset_passwords=True)}
    assert all(after[name] != before[name] for name in before)
    for username, password in after.items():
        user = User.objects.get(username=username)
        assert user.check_password(password) and not user.check_password(before[username])
    assert after[ACCOUNTS[0].username] in path.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_the_command_prints_the_table_once_and_writes_var(settings, tmp_path: Path, capsys) -> None:
    settings.VAR_DIR = tmp_path
    call_command("demo_users")
    out = capsys.readouterr().out
    assert "用户名" in out and "密码" in out and "北京市民政局12345分中心" in out
    password = User.objects.get(username="agent")
    file_text = (tmp_path / "demo-logins.txt").read_text(encoding="utf-8")
    agent_password = next(line.split("\t")[3] for line in file_text.splitlines() if line.startswith("agent\t"))
    assert agent_password in out and password.check_password(agent_password)
