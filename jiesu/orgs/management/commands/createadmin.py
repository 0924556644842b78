"""`jiesu createadmin`: create a system, security or audit admin with a password the operator chooses.

There is no default password anywhere: the password is asked twice without echo, or read from
the first line of `--password-file` (for automated installs), and must pass the password policy.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from jiesu.core.management.base import JiesuCommand
from jiesu.orgs.choices import Role
from jiesu.orgs.models import Unit
from jiesu.orgs.security.roles import admin_create

ROLES = {"system_admin": Role.SYSTEM_ADMIN, "security_admin": Role.SECURITY_ADMIN, "audit_admin": Role.AUDIT_ADMIN}


class Command(JiesuCommand):
    help = "创建管理员账号（系统管理员、安全管理员或审计管理员）；密码由操作人输入，不存在默认密码"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="用户名（不提供则交互输入）")
        parser.add_argument(
            "--role", choices=sorted(ROLES), default="system_admin", help="管理员角色，默认 system_admin"
        )
        parser.add_argument("--display-name", default="", help="姓名")
        parser.add_argument("--unit", default="", help="所属单位编码（可选）")
        parser.add_argument("--password-file", help="从该文件的第一行读取密码（用于自动化部署；用后请删除文件）")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"] or input("用户名：").strip()
        unit = self._unit(options["unit"])
        password = self._password_from_file(options["password_file"]) if options["password_file"] else self._ask()
        try:
            user = admin_create(
                username=username,
                password=password,
                role=ROLES[options["role"]],
                display_name=options["display_name"],
                unit=unit,
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        label = Role(ROLES[options["role"]]).label
        self.stdout.write(f"已创建{label}账号：{user.username}。首次登录后须绑定动态口令（TOTP）。")

    def _unit(self, code: str) -> Unit | None:
        if not code:
            return None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise CommandError(f"单位不存在：{code}")
        return unit

    def _password_from_file(self, name: str) -> str:
        try:
            lines = Path(name).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise CommandError(f"无法读取密码文件：{name}（{exc.strerror}）") from exc
        if not lines or not lines[0]:
            raise CommandError(f"密码文件第一行为空：{name}")
        return lines[0]

    def _ask(self) -> str:
        first = getpass.getpass("密码：")
        second = getpass.getpass("再次输入密码：")
        if first != second:
            raise CommandError("两次输入的密码不一致")
        return first
