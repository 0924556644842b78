"""The ledger export: content read back with openpyxl, masking, scope, audit, volume, the job, the CLI."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import NotFound, ValidationFailed
from jiesu.core.masking import mask_phone
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.exporting.jobs import export_job_file, export_job_for, export_job_start, export_job_wait
from jiesu.tickets.exporting.ledger import HEADERS
from jiesu.tickets.exporting.service import (
    EXPORT_ACTION,
    SELECTION_MAX,
    search_description,
    tickets_export,
    tickets_for_export,
)
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import TicketSearch
from jiesu.tickets.tests.helpers import REQUESTER_NAME, REQUESTER_PHONE, requester_ticket, ticket_in

ROOT = Path(__file__).resolve().parents[3]


def read(path: Path) -> list[tuple[object, ...]]:
    sheet = load_workbook(path, read_only=True).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def export(world: World, tmp_path: Path, viewer: object, **search: object) -> list[tuple[object, ...]]:
    path = tmp_path / "ledger.xlsx"
    tickets = tickets_for_export(viewer=viewer, search=TicketSearch(**search))  # type: ignore[arg-type]
    tickets_export(tickets=tickets, actor=viewer, path=path, filters={"test": True})  # type: ignore[arg-type]
    return read(path)


def test_the_ledger_has_chinese_headers_and_one_row_per_ticket(world: World, tmp_path: Path) -> None:
    ticket = requester_ticket(world, TicketStatus.HANDLING)
    rows = export(world, tmp_path, world.agent)
    assert rows[0] == tuple(HEADERS)
    assert HEADERS[:3] == ["工单编号", "受理时间", "受理渠道"] and "办理结果" in HEADERS
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["工单编号"] == ticket.number and row["标题"] == "小区暖气不热"
    assert row["状态"] == "办理中" and row["主办单位"] == "望京街道"
    assert row["所属区"] == "朝阳区" and row["所属街乡镇"] == "望京街道"
    assert row["是否超期"] == "否" and row["退单次数"] == 0 and row["考核范围"] == "全部考核"
    local = timezone.localtime(ticket.received_at).replace(tzinfo=None, microsecond=0)
    received = row["受理时间"]
    assert isinstance(received, datetime) and received.replace(microsecond=0) == local


def test_requesters_are_masked_and_a_confidential_number_stays_with_the_center(world: World, tmp_path: Path) -> None:
    requester_ticket(world, TicketStatus.HANDLING, confidential=True)
    center = dict(zip(HEADERS, export(world, tmp_path, world.agent)[1], strict=True))
    assert center["诉求人"] == REQUESTER_NAME[0] + "**" and center["联系电话"] == "138****1234"
    unit = dict(zip(HEADERS, export(world, tmp_path, world.township_staff)[1], strict=True))
    assert unit["联系电话"] == "（诉求人要求保密）"
    cells = [str(c) for row in read(tmp_path / "ledger.xlsx") for c in row]
    assert REQUESTER_PHONE not in cells and REQUESTER_NAME not in cells


def test_an_export_covers_only_the_viewers_scope_and_is_audited(world: World, tmp_path: Path) -> None:
    ticket_in(world, TicketStatus.RECEIVED)
    assert len(export(world, tmp_path, world.other_staff)) == 1  # the header only
    assert len(export(world, tmp_path, world.agent, statuses=("received",))) == 2
    entry = AuditEntry.objects.filter(action=EXPORT_ACTION).order_by("-id").first()
    assert entry is not None and entry.actor_id == world.agent.pk
    assert entry.detail["rows"] == 1 and entry.detail["filters"] == {"test": True}


def test_a_phone_keyword_is_masked_in_the_audit_log_and_the_job_label(world: World, tmp_path: Path) -> None:
    requester_ticket(world, TicketStatus.HANDLING)
    spaced = f" {REQUESTER_PHONE[:3]}-{REQUESTER_PHONE[3:7]}-{REQUESTER_PHONE[7:]} "
    for keyword in (REQUESTER_PHONE, spaced):
        search = TicketSearch(keyword=keyword, statuses=("handling",))
        filters = search_description(search)
        assert filters == {"keyword": mask_phone(keyword), "statuses": ("handling",)}
        rows = tickets_export(
            tickets=tickets_for_export(viewer=world.agent, search=search),
            actor=world.agent,
            path=tmp_path / "phone.xlsx",
            filters=filters,
        )
        assert rows == 1  # the search itself still finds the requester's ticket
        entry = AuditEntry.objects.filter(action=EXPORT_ACTION).latest("id")
        digits = str(entry.detail).replace("-", "")
        assert REQUESTER_PHONE not in digits and entry.detail["filters"]["keyword"].count("*") == 4
    assert search_description(TicketSearch(keyword="暖气")) == {"keyword": "暖气"}


def test_a_selection_is_limited_and_stays_in_scope(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.RECEIVED)
    assert list(tickets_for_export(viewer=world.other_staff, numbers=[ticket.number])) == []
    assert [t.number for t in tickets_for_export(viewer=world.agent, numbers=[ticket.number])] == [ticket.number]
    with pytest.raises(ValidationFailed, match="一次最多选择 500 件"):
        tickets_for_export(viewer=world.agent, numbers=[str(n) for n in range(SELECTION_MAX + 1)])


def bulk_tickets(world: World, count: int) -> None:
    # Volume only: 2,000 tickets through the intake service would take minutes.
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            number=f"V{n:08d}",
            title=f"批量工单 {n}",
            requester_name="李四",
            requester_phone="13900001111",
            received_at=now,
            district=world.district,
            township=world.township,
        )
        for n in range(count)
    )


def test_two_thousand_rows_stream_with_a_fixed_number_of_queries(
    world: World, tmp_path: Path, django_assert_max_num_queries: object
) -> None:
    bulk_tickets(world, 2000)
    seen: list[tuple[int, int]] = []
    path = tmp_path / "big.xlsx"
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        rows = tickets_export(
            tickets=tickets_for_export(viewer=world.agent),
            actor=world.agent,
            path=path,
            filters={},
            progress=lambda done, total: seen.append((done, total)),
        )
    assert rows == 2000 and seen[0] == (0, 2000) and seen[-1] == (2000, 2000)
    content = read(path)
    assert len(content) == 2001 and content[1][7] == "李*" and content[1][8] == "139****1111"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_reaches_its_total_and_only_its_owner_gets_the_file(world: World) -> None:
    ticket_in(world, TicketStatus.RECEIVED)
    job = export_job_start(tickets=tickets_for_export(viewer=world.agent), actor=world.agent, filters={})
    export_job_wait(job.id, timeout=60)
    done, path = export_job_file(job.id, world.agent)
    assert done.state == "done" and done.rows == done.processed == done.total == 1 and done.percent == 100
    assert len(read(path)) == 2
    with pytest.raises(NotFound):
        export_job_for(job.id, world.shift_lead)
    with pytest.raises(NotFound):
        export_job_file("no-such-job", world.agent)


def test_the_command_writes_a_ledger_as_a_user(world: World, tmp_path: Path) -> None:
    ticket_in(world, TicketStatus.RECEIVED)
    ticket_in(world, TicketStatus.ACKNOWLEDGED)
    out = tmp_path / "cli.xlsx"
    call_command("tickets_export", "-o", str(out), "--status", "received", "--as", "agent")
    assert len(read(out)) == 2
    entry = AuditEntry.objects.filter(action=EXPORT_ACTION).latest("id")
    assert entry.actor_id == world.agent.pk and entry.detail["filters"]["source"] == "cli"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_console_script_exports_and_refuses_in_chinese(world: World, tmp_path: Path) -> None:
    ticket_in(world, TicketStatus.RECEIVED)
    out = tmp_path / "console.xlsx"
    command = [sys.executable, "-m", "jiesu", "tickets-export", "-o", str(out), "--from", "2000-01-01"]
    env = {"DJANGO_SETTINGS_MODULE": "jiesu.settings_test", **_database_env()}
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr
    assert "已导出 1 件工单" in done.stdout and len(read(out)) == 2
    bad = subprocess.run([*command[:-2], "--as", "nobody"], capture_output=True, text=True, cwd=ROOT, env=env)  # noqa: S603
    assert bad.returncode == 1 and "用户不存在：nobody" in bad.stderr


def _database_env() -> dict[str, str]:
    """The child process must open the test database, not the one the settings would name."""
    import os

    from django.db import connection

    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "DATABASE_URL", "JIESU_FIELD_KEY"}}
    env["JIESU_SECRET_KEY"] = "test-secret-key-not-for-production"
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{settings['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        )
    return env
