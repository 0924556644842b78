"""`jiesu security`: the operator's way out when no security admin can act in the web pages.

`unlock USERNAME` lifts a login lock early; `totp-reset USERNAME` removes a lost authenticator
(the user enrols again at the next login). Both are audited as done by the system.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from jiesu.core.management.base import JiesuCommand
from jiesu.orgs.models import User
from jiesu.orgs.security.lockout import account_unlock
from jiesu.orgs.security.mfa import totp_reset


class Command(JiesuCommand):
    help = "账号安全：解除登录锁定（unlock）、重置动态口令（totp-reset）"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{unlock,totp-reset}")
        actions.add_parser("unlock", help="解除账号的登录锁定").add_argument("username", help="用户名")
        actions.add_parser("totp-reset", help="重置账号的动态口令").add_argument("username", help="用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户不存在：{options['username']}")
        if options["action"] == "unlock":
            done = account_unlock(user=user, actor=None)
            self.stdout.write(f"已解除 {user.username} 的登录锁定" if done else f"{user.username} 当前未被锁定")
        else:
            totp_reset(user=user, actor=None)
            self.stdout.write(f"已重置 {user.username} 的动态口令，下次登录时需重新绑定")
