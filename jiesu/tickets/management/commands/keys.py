"""`jiesu keys new | status | rotate`: the field keys that seal personal data (docs/personal-data.md).

The work is generic and lives in jiesu.core.sealing (every sealed column of every app: ticket
requesters, TOTP secrets); this command sits in tickets only because it writes an audit line,
which core may not. Exit status 1, with the reason, when a value opens under no configured key.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError, CommandParser

from jiesu.audit.models import AuditResult
from jiesu.audit.services import audit_record
from jiesu.core.crypto import field_key_new
from jiesu.core.keyring import keyring
from jiesu.core.management.base import JiesuCommand
from jiesu.core.sealing import BATCH_SIZE, RotationReport, sealed_rotate, sealed_status

ROTATE_ACTION = "keys.rotate"
MAX_LISTED = 20
PROGRESS_ROWS = 50_000


class Command(JiesuCommand):
    help = "字段加密密钥：new 生成新密钥；status 统计各密钥下的加密值；rotate 用当前密钥重新加密"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        sub.add_parser("new", help="生成一个新的字段加密密钥（32 位十六进制），只打印，不保存")
        sub.add_parser("status", help="统计每个加密字段在各密钥下的值的数量")
        rotate = sub.add_parser("rotate", help="用当前密钥重新加密仍在已退役密钥下的值，并重算电话检索摘要")
        rotate.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help=f"每个事务处理的行数（默认 {BATCH_SIZE}）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "new":
            self.stdout.write(field_key_new())
            return
        try:
            ring = keyring()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        retired = "、".join(c.key_id.hex() for c in ring.retired) or "无"
        self.stdout.write(f"当前密钥：{ring.active.key_id.hex()}；已退役密钥：{retired}")
        if options["subcommand"] == "status":
            self._status()
        else:
            self._rotate(max(1, options["batch_size"]))

    def _status(self) -> None:
        status = sealed_status()
        for label, counts in status.counts.items():
            self.stdout.write(f"{label}：")
            if not counts:
                self.stdout.write("  （无数据）")
            for key, count in sorted(counts.items()):
                self.stdout.write(f"  {key}：{count}")
        if status.unreadable:
            raise CommandError(f"有 {status.unreadable} 个值不能用任何已配置的密钥解开", returncode=1)

    def _rotate(self, batch_size: int) -> None:
        started = time.perf_counter()

        shown: list[tuple[str, int]] = [("", 0)]  # the last progress line: model, rows

        def progress(label: str, report: RotationReport) -> None:
            last_label, last_rows = shown[-1]
            if label != last_label or report.rows - last_rows >= PROGRESS_ROWS:
                self.stdout.write(f"正在处理 {label}（累计 {report.rows} 行）")
                shown.append((label, report.rows))

        report = sealed_rotate(batch_size=batch_size, progress=progress)
        seconds = time.perf_counter() - started
        failed = bool(report.failures)
        audit_record(
            actor=None,
            action=ROTATE_ACTION,
            result=AuditResult.FAILURE if failed else AuditResult.SUCCESS,
            detail={**report.as_detail(), "key_id": keyring().active.key_id.hex()},
        )
        self._write_report(report, seconds)
        if failed:
            raise CommandError(
                f"有 {len(report.failures)} 个值不能用任何已配置的密钥解开，未能重新加密："
                "请把加密它们的旧密钥加入 JIESU_FIELD_KEYS_RETIRED 后重新执行 jiesu keys rotate",
                returncode=1,
            )

    def _write_report(self, report: RotationReport, seconds: float) -> None:
        self.stdout.write(f"共检查 {report.rows} 行，用时 {seconds:.1f} 秒")
        for label, count in sorted(report.resealed.items()):
            self.stdout.write(f"  重新加密 {label}：{count}")
        for label, count in sorted(report.digests.items()):
            self.stdout.write(f"  重算检索摘要 {label}：{count}")
        if not (report.resealed or report.digests):
            self.stdout.write("  没有需要重新加密的值")
        if report.changed_meanwhile:
            self.stdout.write(
                f"  {report.changed_meanwhile} 行在处理期间被修改，已跳过：请再执行一次 jiesu keys rotate"
            )
        for failure in report.failures[:MAX_LISTED]:
            self.stdout.write(self.style.ERROR(f"  无法解开：{failure}"))
        if not report.failures and not report.changed_meanwhile:
            self.stdout.write(self.style.SUCCESS("全部加密值都已在当前密钥下；确认无误后可移除已退役密钥"))
