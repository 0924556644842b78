"""`jiesu tokens`: create, list and revoke bearer tokens of the JSON API."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from jiesu.core.management.base import JiesuCommand
from jiesu.orgs.models import ApiToken, User
from jiesu.orgs.services import api_token_create, api_token_revoke


class Command(JiesuCommand):
    help = "API 访问令牌：创建（create）、列出（list）、吊销（revoke）"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = actions.add_parser("create", help="为用户创建令牌；令牌原文只显示这一次")
        create.add_argument("username", help="用户名")
        create.add_argument("--name", required=True, help="令牌用途，如“市级平台对接”")
        listing = actions.add_parser("list", help="列出令牌（不含原文）")
        listing.add_argument("username", nargs="?", help="只列出该用户的令牌")
        revoke = actions.add_parser("revoke", help="吊销令牌，吊销后立即失效")
        revoke.add_argument("id", type=int, help="令牌编号（见 list）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self._create(options["username"], options["name"])
        elif options["action"] == "list":
            self._list(options.get("username"))
        else:
            self._revoke(options["id"])

    def _create(self, username: str, name: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户不存在：{username}")
        if not user.is_active:
            raise CommandError(f"用户已停用：{username}")
        if not name.strip():
            raise CommandError("请用 --name 说明令牌用途")
        token, raw = api_token_create(user=user, name=name.strip())
        self.stdout.write(f"已为 {username} 创建令牌 #{token.pk}（{token.name}）。令牌原文只显示这一次，请妥善保存：")
        self.stdout.write(raw)

    def _list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("id")
        if username:
            tokens = tokens.filter(user__username=username)
        for token in tokens:
            state = f"已吊销 {timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M}" if token.revoked_at else "有效"
            used = f"{timezone.localtime(token.last_used_at):%Y-%m-%d %H:%M}" if token.last_used_at else "从未使用"
            self.stdout.write(f"#{token.pk}\t{token.user.username}\t{token.name}\t{state}\t最近使用：{used}")

    def _revoke(self, token_id: int) -> None:
        api_token_revoke(token_id=token_id, actor=None)
        self.stdout.write(f"已吊销令牌 #{token_id}")
