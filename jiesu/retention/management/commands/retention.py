"""`jiesu retention show | purge [--dry-run] | set`: retention policies of recordings and text records.

`show` prints the policies in force, those scheduled and how many attachments are due; `purge
--dry-run` lists what a purge would remove without writing anything; `purge` runs it (as the daily
worker job does); `set` adds a policy version, audited as done by the system.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from jiesu.core.management.base import JiesuCommand, iso_date
from jiesu.retention.choices import RecordClass, record_class_of
from jiesu.retention.models import AttachmentPurge
from jiesu.retention.selectors import (
    attachments_due_for_purge,
    retention_floor_days,
    retention_policies_scheduled,
    retention_rules_in_force,
)
from jiesu.retention.services import DEFAULT_BATCH, retention_policy_create, retention_purge

LIST_LIMIT = 200


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


class Command(JiesuCommand):
    help = "录音和文字记录的保存期限：show 查看策略，purge 清理到期附件（--dry-run 只列出不删除），set 新增策略版本"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        sub.add_parser("show", help="当前生效和已排定的保存期限策略，以及到期待清理的附件数")
        purge = sub.add_parser("purge", help="清理保存期满的附件文件（附件记录保留）")
        purge.add_argument("--dry-run", action="store_true", help="只列出将被清理的附件，不做任何修改")
        purge.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="每个事务处理的附件数")
        add = sub.add_parser("set", help="新增一个保存期限策略版本")
        add.add_argument("--class", dest="record_class", required=True, choices=RecordClass.values, help="记录类别")
        add.add_argument("--keep-days", type=int, required=True, help="保存天数")
        add.add_argument("--effective-from", type=iso_date, default=None, help="生效日期 YYYY-MM-DD（默认今天）")
        add.add_argument("--notice", required=True, help="依据与说明")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "show":
            self._show()
        elif options["subcommand"] == "set":
            self._set(options)
        elif options["dry_run"]:
            self._dry_run()
        else:
            self._purge(options["batch"])

    def _show(self) -> None:
        now = timezone.now()
        self.stdout.write(f"最短保存期限（JIESU_RETENTION_MIN_DAYS）：{retention_floor_days()} 天")
        self.stdout.write("当前生效的保存期限策略：")
        for rule in retention_rules_in_force(at=now).values():
            policy = rule.policy
            if policy is None:
                self.stdout.write(f"  {rule.record_class.label}：{rule.keep_days_text}")
                continue
            who = policy.created_by or "系统"
            self.stdout.write(
                f"  {rule.record_class.label}：保存 {rule.keep_days_text}"
                f"（策略 #{policy.pk}，{policy.effective_from} 起，{who} 于 {_local(policy.created_at)} 设定；"
                f"依据：{policy.notice}）"
            )
        for policy in retention_policies_scheduled(at=now):
            self.stdout.write(f"已排定：{policy}，依据：{policy.notice}")
        due = attachments_due_for_purge(now=now)
        self.stdout.write(f"到期待清理的附件：{due.count()} 个；已清理：{AttachmentPurge.objects.count()} 个")

    def _dry_run(self) -> None:
        now = timezone.now()
        due = attachments_due_for_purge(now=now).select_related("ticket")
        total = due.count()
        for attachment in due[:LIST_LIMIT]:
            started = max(attachment.uploaded_at, attachment.ticket_ended_at)  # type: ignore[attr-defined]
            self.stdout.write(
                f"  附件 #{attachment.pk} 工单 {attachment.ticket.number} {record_class_of(attachment.kind).label}"
                f"「{attachment.original_name}」 {attachment.size_bytes} 字节，保存期自 {_local(started)} 起算"
            )
        if total > LIST_LIMIT:
            self.stdout.write(f"  ……另有 {total - LIST_LIMIT} 个未列出")
        self.stdout.write(f"试运行：将清理 {total} 个附件，未做任何修改")

    def _purge(self, batch: int) -> None:
        if batch < 1:
            raise CommandError("--batch 必须是正整数")
        report = retention_purge(batch=batch)
        classes = "，".join(f"{RecordClass(c).label} {n} 个" for c, n in sorted(report.by_class.items())) or "无"
        self.stdout.write(f"已清理 {report.purged} 个附件（{classes}），删除文件 {report.files_removed} 个")
        if report.files_still_needed:
            self.stdout.write(f"{report.files_still_needed} 个文件仍被未到期的相同内容附件使用，暂不删除")

    def _set(self, options: dict[str, Any]) -> None:
        policy = retention_policy_create(
            record_class=RecordClass(options["record_class"]),
            keep_days=options["keep_days"],
            effective_from=options["effective_from"] or timezone.localdate(),
            notice=options["notice"],
            actor=None,
        )
        self.stdout.write(f"已新增保存期限策略 #{policy.pk}：{policy}")
