"""`jiesu kpi`: the JSON document of issue 6, the table, the scheme list and the errors."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jiesu.__main__ import main
from jiesu.kpi.indicators import INDICATORS
from jiesu.kpi.tests.support import build_march_ledger
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db
MARCH = ("--from", "2024-03-01", "--to", "2024-03-31")


def run(*args: str) -> str:
    out = StringIO()
    call_command("kpi", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_shape_of_the_issue(world: World) -> None:
    build_march_ledger(world)
    document = json.loads(run("--scheme", "beijing-3rates", *MARCH, "--format", "json"))
    assert document["scheme"] == "beijing-3rates"
    assert (document["from"], document["to"]) == ("2024-03-01", "2024-03-31")
    [group] = document["groups"]
    assert group["key"] == "all"
    assert set(group["indicators"]) == set(INDICATORS)
    assert group["indicators"]["response_rate"] == {"numerator": 4, "denominator": 4, "value": 1}
    assert group["indicators"]["resolution_rate"] == {"numerator": 2, "denominator": 3, "value": 0.666667}
    assert group["indicators"]["satisfaction_rate"] == {"numerator": 1.9, "denominator": 3, "value": 0.633333}
    assert group["indicators"]["volume"] == {"numerator": 7, "denominator": None, "value": 7}
    # (0.10 × 1 + 0.50 × 2/3 + 0.40 × 1.9/3) × 100 = 10 + 100/3 + 76/3 = 68.67
    assert group["score"] == 68.67
    for cell in group["indicators"].values():
        assert set(cell) == {"numerator", "denominator", "value"}


def test_json_by_township_has_one_group_per_township(world: World) -> None:
    build_march_ledger(world)
    document = json.loads(run("--scheme", "beijing-3rates", *MARCH, "--by", "township", "--format", "json"))
    keys = {g["key"]: g for g in document["groups"]}
    assert set(keys) == {world.township.code, world.other_township.code}
    # the other township has only D, response-only: no resolution rate, so no composite score
    other = keys[world.other_township.code]
    assert other["indicators"]["resolution_rate"] == {"numerator": 0, "denominator": 0, "value": None}
    assert other["score"] is None


def test_yanta_scores_and_pays_and_civil_affairs_checks_targets(world: World) -> None:
    build_march_ledger(world)
    [yanta] = json.loads(run("--scheme", "yanta-quarterly", *MARCH, "--format", "json"))["groups"]
    # every deduction item falls to 0 except normal dispatch (100 % → 10); commendation base 20
    assert yanta["score"] == 30 and yanta["payment"] == 0.8
    [civil] = json.loads(run("--scheme", "civil-affairs-contract", *MARCH, "--format", "json"))["groups"]
    assert civil["score"] is None
    met = {t["indicator"]: t["met"] for t in civil["targets"]}
    assert met == {"response_rate": True, "resolution_rate": False, "satisfaction_rate": False, "callback_rate": False}


def test_the_table_speaks_chinese(world: World) -> None:
    build_march_ledger(world)
    text = run("--scheme", "beijing-3rates", *MARCH)
    assert "考核方案：beijing-3rates v1" in text
    assert "解决率：66.67%  2 / 3" in text
    assert "综合得分：68.67" in text


def test_list_schemes() -> None:
    text = run("--list-schemes")
    for code in ("beijing-3rates", "yanta-quarterly", "civil-affairs-contract", "panjin"):
        assert code in text


def test_unknown_scheme_and_bad_dates_are_refused_in_chinese() -> None:
    with pytest.raises(CommandError, match="考核方案“nope”不存在"):
        run("--scheme", "nope", *MARCH)
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD"):
        run("--scheme", "beijing-3rates", "--from", "2024-13-01", "--to", "2024-03-31")
    with pytest.raises(CommandError, match="开始日期不能晚于结束日期"):
        run("--scheme", "beijing-3rates", "--from", "2024-04-01", "--to", "2024-03-31")
    with pytest.raises(CommandError, match="请指定 --scheme"):
        run("--scheme", "beijing-3rates")


def test_the_console_script_exits_non_zero_with_the_message_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["jiesu", "kpi", "--scheme", "nope", *MARCH])
    assert exit_info.value.code != 0
    captured = capsys.readouterr()
    assert "考核方案“nope”不存在" in captured.err
    assert captured.out == ""
