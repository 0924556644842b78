"""`jiesu retention show | purge [--dry-run] | set`."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from jiesu.audit.models import AuditEntry
from jiesu.orgs.testing import World
from jiesu.retention.models import AttachmentPurge, RetentionPolicy
from jiesu.retention.tests.support import T0, attach, ticket_at, unique_content
from jiesu.tickets.services.attachments import attachment_path

pytestmark = pytest.mark.django_db
LATER = T0 + timedelta(days=731)


def run(*args: str) -> str:
    out = StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def test_show_prints_the_policies_in_force_and_what_is_due(world: World) -> None:
    attach(ticket_at(world, T0), unique_content("show"), T0)
    with time_machine.travel(LATER, tick=False):
        text = run("show")
    assert "最短保存期限（JIESU_RETENTION_MIN_DAYS）：730 天" in text
    assert "录音：保存 730 天" in text and "文字记录：保存 730 天" in text
    assert "到期待清理的附件：1 个；已清理：0 个" in text


def test_a_dry_run_lists_what_would_go_and_writes_nothing(world: World) -> None:
    ticket = ticket_at(world, T0)
    recording = attach(ticket, unique_content("dry"), T0)
    audit_before = AuditEntry.objects.count()
    with time_machine.travel(LATER, tick=False):
        text = run("purge", "--dry-run")
    assert f"附件 #{recording.pk} 工单 {ticket.number} 录音「录音.mp3」" in text
    assert "试运行：将清理 1 个附件，未做任何修改" in text
    assert AuditEntry.objects.count() == audit_before
    assert not AttachmentPurge.objects.exists()
    assert attachment_path(recording.sha256).exists()


def test_purge_removes_due_files(world: World) -> None:
    recording = attach(ticket_at(world, T0), unique_content("cli"), T0)
    with time_machine.travel(LATER, tick=False):
        text = run("purge")
    assert "已清理 1 个附件（录音 1 个），删除文件 1 个" in text
    assert not attachment_path(recording.sha256).exists()


def test_set_adds_a_version_and_refuses_one_below_the_floor() -> None:
    text = run("set", "--class", "recording", "--keep-days", "1095", "--notice", "新合同：录音保存 3 年")
    assert "已新增保存期限策略" in text and "录音保存 1095 天" in text
    assert RetentionPolicy.objects.filter(keep_days=1095).exists()
    with pytest.raises(CommandError, match="不能少于 730 天"):
        run("set", "--class", "text_record", "--keep-days", "365", "--notice", "缩短")
