"""`jiesu intel train` (from the database), `jiesu intel models`, `jiesu intel activate N`."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jiesu.intel.models import ModelVersion
from jiesu.intel.tests.suggest_support import categories_make, history_make
from jiesu.orgs.testing import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("intel_model_root")]


def intel(*args: str) -> str:
    out = StringIO()
    call_command("intel", *args, stdout=out)
    return out.getvalue()


def test_train_models_and_activate(tmp_path: Path, world: World) -> None:
    assert "尚无模型版本" in intel("models")
    with pytest.raises(CommandError, match="至少需要"):
        intel("train")
    history_make(world, categories_make(tmp_path))
    output = intel("train", "--note", "首个版本")
    assert "已训练 v1：150 条工单" in output and "已启用" in output
    assert "问题分类（三级）：准确率" in output and "主办单位" in output
    output = intel("train", "--no-activate", "--limit", "100", "--since", "2000-01-01")
    assert "已训练 v2：100 条工单" in output and "未启用" in output
    listing = intel("models")
    assert "v1（启用中）" in listing and "v2 训练于" in listing and "首个版本" in listing
    assert "近 30 天采纳：暂无反馈" in listing
    assert intel("activate", "2").strip() == "已启用 v2"
    assert ModelVersion.objects.get(is_active=True).version == 2
    with pytest.raises(CommandError, match="v9 不存在"):
        intel("activate", "9")


def test_train_keeps_the_csv_options_apart(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="只能与 --csv 一起使用"):
        intel("train", "--text", "标题")
    with pytest.raises(CommandError, match="还需要 --text、--label、--model"):
        intel("train", "--csv", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="--limit 至少为 1"):
        intel("train", "--limit", "0")
