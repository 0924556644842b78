"""`jiesu demo`: the one-shot set-up behind `make demo` (after migrate). Safe to run again."""

from __future__ import annotations

from typing import Any

from jiesu.core.management.base import JiesuCommand
from jiesu.orgs.demo import logins_path, logins_render
from jiesu.tickets.demo.setup import DEMO_DAYS, DEMO_SEED, DEMO_TICKETS, demo_setup


class Command(JiesuCommand):
    help = (
        "演示环境一键准备：北京市单位树、问题分类、演示账号；数据库中没有工单时再生成 "
        f"{DEMO_TICKETS} 张演示工单（{DEMO_DAYS} 天，种子 {DEMO_SEED}）"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("正在准备演示环境 …")
        result = demo_setup()
        self.stdout.write(result.units)
        self.stdout.write(result.categories)
        self.stdout.write(result.reply_elements)
        if result.data is None:
            self.stdout.write("数据库中已有工单，未生成演示工单")
        else:
            s = result.data.summary
            self.stdout.write(
                f"演示工单：导入 {s.created} 张（拒绝 {s.rejected}），待办操作 {result.data.live.steps} 步"
            )
        self.stdout.write("")
        self.stdout.write(logins_render(result.logins))
        self.stdout.write(f"登录信息已保存在 {logins_path()}（仅本人可读；jiesu demo-users --reset-passwords 可重置）")
