"""`jiesu demo-users`: the demo sub-center and one account per role, with random passwords."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from jiesu.core.management.base import JiesuCommand
from jiesu.orgs.demo import demo_users_ensure, logins_path, logins_render


class Command(JiesuCommand):
    help = "创建演示分中心和每个角色一个演示账号（随机密码，只显示一次并写入 var/demo-logins.txt）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset-passwords", action="store_true", help="为已有的演示账号重新生成密码")

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_users_ensure(reset_passwords=options["reset_passwords"])
        self.stdout.write(logins_render(logins))
        self.stdout.write(f"演示账号已写入 {logins_path()}（仅本人可读）")
