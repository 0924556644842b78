import os
import subprocess
import sys
import zipfile
from datetime import datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from docx import Document
from openpyxl import load_workbook

from jiesu.notify.tests.factories import email_config
from jiesu.notify.tests.servers import SmtpServer
from jiesu.orgs.testing import World
from jiesu.reports.models import GeneratedReport, ReportDelivery
from jiesu.tickets.tests.helpers import new_ticket

BEIJING = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[3]


def _run(*args: str) -> str:
    out = StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def _text(path: Path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.django_db
def test_a_monthly_report_is_written_to_out_and_opens_in_word_format(world: World, tmp_path: Path) -> None:
    for day in (3, 4):
        new_ticket(world, received_at=datetime(2026, 10, day, 10, 0, tzinfo=BEIJING))
    out, xlsx, package = tmp_path / "out" / "月报.docx", tmp_path / "台账.xlsx", tmp_path / "素材.zip"

    printed = _run("monthly", "--period", "2026-10", "--out", str(out), "--xlsx", str(xlsx), "--package", str(package))

    assert "2026年10月月报 第1版已生成：受理诉求2件" in printed
    text = _text(out)
    assert "2026年10月" in text and "2件" in text
    assert "台账" in load_workbook(xlsx, read_only=True).sheetnames
    assert zipfile.ZipFile(package).testzip() is None
    assert GeneratedReport.objects.get().version == 1


@pytest.mark.django_db
def test_half_year_is_written_with_a_hyphen(world: World, tmp_path: Path) -> None:
    _run("half-year", "--period", "2026-H1", "--out", str(tmp_path / "h.docx"))
    assert GeneratedReport.objects.get().kind == "half_year"


@pytest.mark.django_db
def test_a_special_report_by_dates_and_topic(world: World, tmp_path: Path) -> None:
    new_ticket(world, title="路灯不亮", received_at=datetime(2026, 10, 2, 20, 0, tzinfo=BEIJING))
    new_ticket(world, received_at=datetime(2026, 10, 2, 21, 0, tzinfo=BEIJING))
    out = tmp_path / "special.docx"

    printed = _run("special", "--from", "2026-10-01", "--to", "2026-10-09", "--topic", "路灯", "--out", str(out))

    assert "受理诉求1件" in printed
    assert out.exists()
    assert GeneratedReport.objects.get().topic == "路灯"


@pytest.mark.django_db
def test_a_special_report_of_one_area(world: World, tmp_path: Path) -> None:
    new_ticket(world, received_at=datetime(2026, 10, 2, 20, 0, tzinfo=BEIJING))
    new_ticket(
        world, received_at=datetime(2026, 10, 3, 9, 0, tzinfo=BEIJING), district=world.other_district,
        township=world.other_township,
    )  # fmt: skip
    out = tmp_path / "area.docx"

    printed = _run(
        "special", "--from", "2026-10-01", "--to", "2026-10-09", "--area", world.township.code, "--out", str(out)
    )

    assert "受理诉求1件" in printed and "望京街道" in _text(out)
    assert GeneratedReport.objects.get().district == world.township


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["monthly", "--period", "2026-10", "--family", "public-line", "--out", "x.docx"], "公共咨询线尚未启用"),
        (["monthly", "--period", "2026-10", "--family", "radio", "--out", "x.docx"], "报告系列“radio”无效"),
        (["fortnightly", "--period", "2026-10", "--out", "x.docx"], "报告类型“fortnightly”无效"),
        (["monthly", "--period", "2026-13", "--out", "x.docx"], "报告周期“2026-13”无效"),
        (["weekly", "--period", "2026-10", "--out", "x.docx"], "2026-W42"),
        (["weekly", "--out", "x.docx"], "请用 --period 指定报告期"),
        (["monthly", "--period", "2026-10"], "请用 --out"),
        (["special", "--from", "2026-10-09", "--to", "2026-10-01", "--out", "x.docx"], "晚于结束日期"),
        (["special", "--from", "2026-10-01", "--out", "x.docx"], "--from 和 --to"),
        (["send", "monthly", "--period", "2026-10"], "请用 --to 指定收件人"),
        (
            ["special", "--from", "2026-10-01", "--to", "2026-10-09", "--area", "999", "--out", "x.docx"],
            "区域不存在：999",
        ),
        (["monthly", "--period", "2026-10", "--area", "110105", "--out", "x.docx"], "只有专报可以按区域生成"),
        (["monthly", "extra"], "用法"),
    ],
)
def test_bad_input_is_refused_in_chinese(world: World, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not GeneratedReport.objects.exists()


@pytest.mark.django_db
def test_send_generates_when_needed_and_mails_the_pack(world: World, smtp: SmtpServer) -> None:
    email_config(smtp)

    printed = _run("send", "weekly", "--period", "2026-W42", "--to", "a@example.gov.cn,b@example.gov.cn")

    assert "第1版已生成" in printed and "a@example.gov.cn、b@example.gov.cn" in printed
    assert len(smtp.received) == 1
    assert ReportDelivery.objects.get().result == "sent"
    ledger = _run("ledger", "--year", "2026")
    assert "周报\t2026-W42\t截止 2026-10-25" in ledger
    assert "按时报送\ta@example.gov.cn、b@example.gov.cn" in ledger or "逾期报送" in ledger
    assert "月报：应报 12 期" in ledger


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_console_script_runs_end_to_end(tmp_path: Path) -> None:
    """`python -m jiesu report …` in a real subprocess, on the test database."""
    out = tmp_path / "周报.docx"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiesu.settings_test",
        "JIESU_REPORT_ROOT": str(tmp_path / "reports"),
    }
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{database['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        )
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "jiesu", "report", "weekly", "--period", "2026-W42", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "2026年第42周" in _text(out)

    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "jiesu",
            "report",
            "annual",
            "--period",
            "2026",
            "--family",
            "public-line",
            "--out",
            "x",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert refused.returncode == 1
    assert "公共咨询线尚未启用，暂无法生成该系列报告" in refused.stderr
    assert "Traceback" not in refused.stderr
