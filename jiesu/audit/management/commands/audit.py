"""`jiesu audit verify [--from SEQ] [--format json]`: check the audit hash chain.

Exit status 0 when the chain is intact, 1 when any entry was edited, deleted, inserted or moved.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jiesu.audit.verify import ChainReport, audit_verify
from jiesu.core.management.base import JiesuCommand


class Command(JiesuCommand):
    help = "安全审计日志工具：verify 校验 SM3 哈希链，发现被修改、删除或插入的记录"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        verify = sub.add_parser("verify", help="校验审计哈希链（完好时退出码为 0，否则为 1）")
        verify.add_argument("--from", dest="from_sequence", type=int, default=None, help="从该序号开始校验")
        verify.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")
        verify.add_argument("--max-problems", type=int, default=20, help="最多列出的问题数")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = audit_verify(from_sequence=options["from_sequence"], max_problems=options["max_problems"])
        seconds = time.perf_counter() - started
        if options["format"] == "json":
            self.stdout.write(json.dumps({**report.as_dict(), "seconds": round(seconds, 3)}, ensure_ascii=False))
        else:
            self._write_text(report, seconds)
        if not report.intact:
            raise CommandError(f"审计日志校验未通过：发现 {report.problem_count} 处问题", returncode=1)

    def _write_text(self, report: ChainReport, seconds: float) -> None:
        span = "无记录" if report.first_sequence is None else f"第 {report.first_sequence} 至 {report.last_sequence} 条"
        self.stdout.write(f"已校验 {report.checked} 条审计记录（{span}），用时 {seconds:.1f} 秒")
        if report.anchor_sequence:
            self.stdout.write(f"链起点：第 {report.anchor_sequence} 条之前的记录已按保存期清理")
        if report.intact:
            self.stdout.write(self.style.SUCCESS("审计哈希链完整，未发现篡改"))
            return
        self.stdout.write(self.style.ERROR(f"发现 {report.problem_count} 处问题，前 {len(report.problems)} 处："))
        for problem in report.problems:
            self.stdout.write(f"  - {problem.message}")
