"""`jiesu due` and `jiesu calendar`."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiesu.sla.management.commands.due import Command as DueCommand
from jiesu.sla.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("start", "limit", "expected"),
    [
        ("2026-02-13T16:30", "2wh", "2026-02-14T10:00:00+08:00"),
        ("2026-02-13T16:30", "15wd", "2026-03-12T23:59:59+08:00"),
        ("2026-02-13T16:30", "7d", "2026-02-20T16:30:00+08:00"),
        ("2026-02-13T16:30", "24h", "2026-02-14T16:30:00+08:00"),
        ("2026-02-13T16:30", "30min", "2026-02-13T17:00:00+08:00"),
        ("2026-02-13T08:30:00Z", "2wh", "2026-02-14T10:00:00+08:00"),  # an explicit offset is respected
        ("2025-12-31", "1wd", "2026-01-04T23:59:59+08:00"),
        ("2026-09-30", "7wd", "2026-10-15T23:59:59+08:00"),
    ],
)
def test_due_prints_only_the_iso_deadline(start, limit, expected):
    assert run("due", "--from", start, "--limit", limit) == expected + "\n"


def test_due_end_of_working_day():
    assert run("due", "--from", "2026-02-13T10:00", "--limit", "1wd", "--end-of-working-day") == (
        "2026-02-14T17:30:00+08:00\n"
    )


@pytest.mark.parametrize(
    ("start", "limit", "message"),
    [
        ("2027-01-05T10:00", "2wh", "2027年的节假日与调休安排尚未录入，无法计算工作日"),
        ("2026-12-31T10:00", "1wd", "2027年的节假日与调休安排尚未录入，无法计算工作日"),
        ("2026-12-31T10:00", "2 weeks", "无法识别的时限"),
        ("yesterday", "2wh", "无法识别的起算时间"),
    ],
)
def test_due_refuses_with_a_chinese_reason(start, limit, message):
    with pytest.raises(CommandError, match=message):
        run("due", "--from", start, "--limit", limit)


def test_due_exit_status_and_stderr_from_the_command_line(capsys):
    with pytest.raises(SystemExit) as exited:
        DueCommand().run_from_argv(["jiesu", "due", "--from", "2027-03-01T10:00", "--limit", "1wd"])
    assert exited.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "2027年的节假日与调休安排尚未录入" in captured.err


def test_calendar_show_lists_holidays_and_make_up_workdays():
    output = run("calendar", "show", "2026")
    assert "国办发明电〔2025〕7号" in output
    assert "2026-02-14  周六  调休上班  春节" in output
    assert "2026-10-01  周四  放假" in output
    assert "全年工作日 248 天" in output


def test_calendar_show_of_a_missing_year():
    with pytest.raises(CommandError, match="2027年的节假日与调休安排尚未录入"):
        run("calendar", "show", "2027")


def test_calendar_set_builds_a_draft_year_that_takes_effect_when_complete():
    output = run("calendar", "set", "2027-01-01", "--off", "--name", "元旦", "--notice", "国办发明电〔2026〕1号")
    assert "尚未生效" in output
    year = CalendarYear.objects.get(year=2027)
    assert year.notice_number == "国办发明电〔2026〕1号"
    assert not year.is_complete
    with pytest.raises(CommandError, match="2027年"):
        run("due", "--from", "2026-12-31T10:00", "--limit", "1wd")
    run("calendar", "set", "2027-02-20", "--work", "--name", "春节")
    run("calendar", "complete", "2027")
    # 2027-01-01 (Fri) is off, so the first working day after 2026-12-31 is Monday 4 January.
    assert run("due", "--from", "2026-12-31T10:00", "--limit", "1wd") == "2027-01-04T23:59:59+08:00\n"
    assert "2027-02-20  周六  调休上班  春节" in run("calendar", "show", "2027")
    run("calendar", "clear", "2027-02-20")
    assert not CalendarDay.objects.filter(day=date(2027, 2, 20)).exists()
    run("calendar", "complete", "2027", "--undo")
    assert not CalendarYear.objects.get(year=2027).is_complete


def test_calendar_set_rejects_a_make_up_workday_on_a_weekday():
    with pytest.raises(CommandError, match="周一至周五本来就是工作日"):
        run("calendar", "set", "2027-01-04", "--work")


def test_calendar_import_json_and_export_roundtrip(tmp_path):
    source = tmp_path / "2027.json"
    source.write_text(
        json.dumps(
            {
                "year": 2027,
                "papers": ["https://www.gov.cn/example"],
                "days": [
                    {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
                    {"name": "春节", "date": "2027-02-06", "isOffDay": False},
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    assert "已导入 2027年 2 条记录（已生效）" in run("calendar", "import", str(source), "--notice", "测试通知")
    exported = json.loads(run("calendar", "export", "2027"))
    assert exported["notice_number"] == "测试通知"
    assert exported["notice_url"] == "https://www.gov.cn/example"
    assert exported["days"] == [
        {"day": "2027-01-01", "is_workday": False, "name": "元旦"},
        {"day": "2027-02-06", "is_workday": True, "name": "春节"},
    ]
    # Importing again replaces the year.
    again = tmp_path / "2027.csv"
    again.write_text("day,kind,name\n2027-01-01,休,元旦\n", encoding="utf-8")
    run("calendar", "import", str(again), "--draft")
    assert CalendarDay.objects.filter(day__year=2027).count() == 1
    assert not CalendarYear.objects.get(year=2027).is_complete


def test_calendar_import_reports_bad_files(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("day,kind,name\n2027-01-01,maybe,元旦\n", encoding="utf-8")
    with pytest.raises(CommandError, match="无法识别的类型"):
        run("calendar", "import", str(bad))
    with pytest.raises(CommandError):
        run("calendar", "import", str(tmp_path / "missing.json"))
