"""`jiesu intel hotspots` on a CSV file and on the tickets in the database."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jiesu.intel.tests.support import write_csv
from jiesu.tickets.tests.helpers import new_ticket

NOISE = {"主题": "幸福里小区夜间施工噪音扰民", "详情": "幸福里小区旁边工地夜间施工"}
ROWS = [
    {"编号": f"M{i}", **NOISE, "时间": f"2026/3/{i + 1} 20:00", "点赞": str(i), "用户": f"U{i}"} for i in range(4)
] + [
    {"编号": f"N{i}", "主题": topic, "详情": "", "时间": f"2026-03-{i + 1:02d} 09:00:00", "点赞": "0", "用户": f"V{i}"}
    for i, topic in enumerate(("公交车晚点", "路灯不亮", "医保报销咨询", "学校招生政策", "井盖缺失", "快递丢件"))
]  # fmt: skip
CSV_ARGS = ["--id", "编号", "--text", "主题,详情", "--time", "时间", "--support", "点赞", "--user", "用户"]


def hotspots(*args: str | Path) -> str:
    out = StringIO()
    call_command("intel", "hotspots", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_csv_json_lists_hotspots_best_first_with_label_size_first_last_and_ids(tmp_path):
    path = write_csv(tmp_path / "messages.csv", ROWS, encoding="gb18030")
    found = json.loads(hotspots("--csv", path, *CSV_ARGS, "--top", "5", "--format", "json"))
    assert found == json.loads(hotspots("--csv", path, *CSV_ARGS, "--top", "5", "--format", "json", "--workers", "2"))
    assert isinstance(found, list) and len(found) == 1
    hot = found[0]
    assert {"label", "size", "first", "last", "ids", "requesters", "support", "growth"} <= set(hot)
    assert hot["label"].startswith("幸福里小区") and hot["size"] == 4
    assert hot["ids"] == ["M0", "M1", "M2", "M3"]
    assert (hot["first"], hot["last"]) == ("2026-03-01 20:00:00", "2026-03-04 20:00:00")
    assert (hot["requesters"], hot["support"], hot["growth"]) == (4, 6, None)


def test_csv_dates_limit_the_window_and_the_table_is_in_chinese(tmp_path):
    path = write_csv(tmp_path / "messages.csv", ROWS)
    window = ["--from", "2026-03-03", "--to", "2026-03-31"]
    narrow = json.loads(hotspots("--csv", path, *CSV_ARGS, *window, "--format", "json"))
    assert narrow == []  # two messages left in the window: below the minimum of three
    table = hotspots("--csv", path, *CSV_ARGS, "--top", "1")
    assert table.splitlines()[0].startswith("排名\t热点\t件数\t诉求人")
    assert "幸福里小区" in table and "M0、M1、M2、M3" in table
    assert "没有发现热点" in hotspots("--csv", path, *CSV_ARGS, "--from", "2027-01-01", "--to", "2027-01-31")


def test_verbosity_2_writes_each_stage_time_to_stderr_and_keeps_the_json_clean(tmp_path):
    path = write_csv(tmp_path / "messages.csv", ROWS)
    args = ["hotspots", "--csv", str(path), *CSV_ARGS, "--format", "json"]
    out, err, quiet = StringIO(), StringIO(), StringIO()
    call_command("intel", *args, verbosity=2, stdout=out, stderr=err)
    assert json.loads(out.getvalue())[0]["ids"] == ["M0", "M1", "M2", "M3"]
    lines = err.getvalue().splitlines()
    assert lines[0] == f"读入 {len(ROWS)} 条；各阶段耗时："
    assert lines[1].startswith("地点与 n-gram（分块）\t") and lines[-1].startswith("标签\t")
    assert all(line.endswith(" 秒") for line in lines[1:])
    call_command("intel", *args, stdout=StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""


@pytest.mark.parametrize(
    ("rows", "args", "message"),
    [
        (ROWS, ["--id", "编号", "--text", "主题", "--time", "日期"], "缺少列：日期"),
        ([{**ROWS[0], "时间": "上周三"}], CSV_ARGS, "第 2 行“时间”列的时间无法识别"),
        ([{**ROWS[0], "点赞": "很多"}], CSV_ARGS, "第 2 行“点赞”列不是数字"),
        (ROWS, ["--id", "编号", "--text", "主题"], "使用 --csv 时还需要 --time"),
        (ROWS, [*CSV_ARGS, "--from", "2026-03-05", "--to", "2026-03-01"], "2026-03-05 晚于结束日期 2026-03-01"),
        (ROWS, [*CSV_ARGS, "--from", "2026-3-5"], "日期格式应为 YYYY-MM-DD"),
        (ROWS, [*CSV_ARGS, "--top", "0"], "--top 至少为 1"),
        (ROWS, [*CSV_ARGS, "--workers", "0"], "--workers 至少为 1"),
    ],
)
def test_csv_errors_are_in_chinese(tmp_path, rows, args, message):
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(CommandError, match=message):
        hotspots("--csv", path, *args)


def test_an_empty_or_missing_file_is_refused_in_chinese(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("编号,主题,详情,时间\n", encoding="utf-8")
    with pytest.raises(CommandError, match="没有数据行"):
        hotspots("--csv", empty, "--id", "编号", "--text", "主题,详情", "--time", "时间")
    with pytest.raises(CommandError, match="找不到文件"):
        hotspots("--csv", tmp_path / "nope.csv", "--id", "编号", "--text", "主题", "--time", "时间")


@pytest.mark.django_db
def test_csv_columns_without_a_file_are_refused():
    with pytest.raises(CommandError, match="--id、--time 只能与 --csv 一起使用"):
        hotspots("--id", "编号", "--time", "时间")


@pytest.mark.django_db
def test_database_mode_clusters_the_tickets_of_the_last_30_days(world):
    now = timezone.now()
    neighbours = [
        new_ticket(
            world,
            "幸福里小区夜间施工噪音扰民",
            content="幸福里小区旁边工地夜间施工，噪音很大",
            received_at=now - timedelta(days=d),
            requester_phone=f"1380000000{d}",
        )
        for d in (1, 2, 3, 5)
    ]
    earlier, too_old = (
        new_ticket(world, "幸福里小区工地夜间施工噪音", content="晚上施工", received_at=now - timedelta(days=days))
        for days in (40, 90)
    )
    for topic in ("公交车晚点", "路灯不亮", "医保报销咨询", "学校招生政策", "井盖缺失"):
        new_ticket(world, topic, content=topic, received_at=now - timedelta(days=4))
    found = json.loads(hotspots("--top", "3", "--format", "json"))
    assert len(found) == 1
    hot = found[0]
    assert sorted(hot["ids"]) == sorted(t.number for t in neighbours)
    assert earlier.number not in hot["ids"] and too_old.number not in hot["ids"]
    assert (hot["size"], hot["requesters"], hot["baseline"], hot["growth"]) == (4, 4, 1, 3.0)
    assert hot["label"].startswith("幸福里小区")
    longer = json.loads(hotspots("--from", (now - timedelta(days=45)).date().isoformat(), "--format", "json"))
    assert longer[0]["size"] == 5 and earlier.number in longer[0]["ids"]
