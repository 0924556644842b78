"""`jiesu kpi`: --format xlsx, --by agent, --rank, --compare, --forecast and adjustments."""

from __future__ import annotations

import json
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from jiesu.kpi.models import AssessmentAdjustment
from jiesu.kpi.tests.support import at, build_march_ledger, ticket
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db
MARCH = ("--from", "2024-03-01", "--to", "2024-03-31")
BEIJING = ("--scheme", "beijing-3rates", *MARCH)


def run(*args: str) -> str:
    out = StringIO()
    call_command("kpi", *args, stdout=out)
    return out.getvalue()


def test_xlsx_writes_the_same_numbers(world: World, tmp_path: Path) -> None:
    build_march_ledger(world)
    target = tmp_path / "kpi.xlsx"
    assert "已写入" in run(*BEIJING, "--format", "xlsx", "--output", str(target))
    book = load_workbook(BytesIO(target.read_bytes()))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[:3] == ["all", "全部", 68.67]
    assert row[header.index("解决率")] == pytest.approx(0.666667)
    assert "分子分母" in book.sheetnames


def test_xlsx_needs_an_output_file(world: World) -> None:
    with pytest.raises(CommandError, match="--output"):
        run(*BEIJING, "--format", "xlsx")


def test_by_agent(world: World) -> None:
    ticket(world, received_at=at(3, 6), created_by=world.agent)
    document = json.loads(run(*BEIJING, "--by", "agent", "--format", "json"))
    assert [g["key"] for g in document["groups"]] == ["agent"]


def test_rank_json_and_table(world: World) -> None:
    build_march_ledger(world)
    ranking = json.loads(run(*BEIJING, "--by", "township", "--rank", "--min-volume", "1", "--format", "json"))
    assert [(e["rank"], e["key"]) for e in ranking["ranked"]] == [(1, world.township.code)]
    assert [e["key"] for e in ranking["unranked"]] == [world.other_township.code]  # no score: response only
    text = run(*BEIJING, "--by", "township", "--rank", "--order-by", "response_rate", "--min-volume", "1")
    assert "排名：按响应率" in text and "望京街道" in text
    with pytest.raises(CommandError, match="指标不存在"):
        run(*BEIJING, "--rank", "--order-by", "beauty")


def test_compare_and_forecast(world: World, tmp_path: Path) -> None:
    build_march_ledger(world)
    comparison = json.loads(run(*BEIJING, "--compare", "--format", "json"))
    assert comparison["previous"]["from"] == "2024-02-01"
    assert "环比" in run(*BEIJING, "--compare")
    forecast = json.loads(run(*BEIJING, "--forecast", "--today", "2024-03-15", "--format", "json"))
    assert forecast["today"] == "2024-03-15" and forecast["indicators"]["volume"]["current"] == 7
    assert "期末预测" in run(*BEIJING, "--forecast", "--today", "2024-03-15")
    target = tmp_path / "f.xlsx"
    run(*BEIJING, "--forecast", "--today", "2024-03-15", "--format", "xlsx", "--output", str(target))
    assert load_workbook(target).worksheets[0].title.startswith("期末预测")
    with pytest.raises(CommandError, match="只能选一个"):
        run(*BEIJING, "--compare", "--forecast")


def test_adjustments_add_list_revoke(world: World) -> None:
    build_march_ledger(world)
    out = run(
        "adjustments",
        "add",
        "--scheme",
        "yanta-quarterly",
        "--kind",
        "criticism",
        "--on",
        "2024-03-10",
        "--points",
        "5",
        "--reason",
        "区政府通报批评",
        "--document",
        "雁政办〔2024〕1号",
        "--actor",
        "analyst",
    )
    assert "已录入" in out
    entry = AssessmentAdjustment.objects.get()
    assert entry.recorded_by == world.analyst and entry.unit is None
    listed = run("adjustments", "list", "--scheme", "yanta-quarterly")
    assert "-5.00" in listed and "整个中心" in listed and "雁政办〔2024〕1号" in listed
    [group] = json.loads(run("--scheme", "yanta-quarterly", *MARCH, "--format", "json"))["groups"]
    assert group["score"] == 25 and group["adjustment"] == -5
    run("adjustments", "revoke", "--id", str(entry.pk), "--reason", "录入错误")
    assert "已撤销" in run("adjustments", "list")
    with pytest.raises(CommandError, match="请指定 --kind"):
        run("adjustments", "add", "--scheme", "yanta-quarterly", "--on", "2024-03-10", "--points", "1", "--reason", "x")
    with pytest.raises(CommandError, match="单位不存在"):
        run(
            "adjustments",
            "add",
            "--scheme",
            "yanta-quarterly",
            "--kind",
            "commendation",
            "--on",
            "2024-03-10",
            "--points",
            "1",
            "--reason",
            "x",
            "--unit",
            "NOPE",
        )
