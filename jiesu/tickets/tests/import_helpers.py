"""Ledger files for the import tests: the default (jiesu) column set, written as real files."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from jiesu.tickets.models import Category
from jiesu.tickets.services.categories import categories_load_csv

COLUMNS = [
    "工单编号", "来源平台", "受理渠道", "来电时间", "诉求人", "联系电话", "证件号码", "是否保密", "诉求类型",
    "紧急程度", "是否复杂", "标题", "诉求内容", "问题分类", "发生地址", "所属区", "所属街乡镇", "所属社区",
    "主办单位", "协办单位", "签收时间", "首次联系时间", "派单时间", "反馈时间", "办结时间", "办理结果",
    "是否退单", "回访时间", "是否有效回访", "是否联系", "是否解决", "满意度", "考核范围",
]  # fmt: skip

FULL_ROW: dict[str, str] = {
    "工单编号": "BJ2024041500001",
    "受理渠道": "电话",
    "来电时间": "2024-04-15 08:30:00",
    "诉求人": "张三",
    "联系电话": "13800000000",
    "诉求类型": "投诉",
    "紧急程度": "一般",
    "标题": "小区暖气不热",
    "诉求内容": "望京西园三区暖气不热，室温不足16度",
    "问题分类": "城乡建设/供暖/暖气不热",
    "发生地址": "望京西园三区",
    "所属区": "朝阳区",
    "所属街乡镇": "望京街道",
    "主办单位": "望京街道",
    "协办单位": "社会救助处",
    "签收时间": "2024-04-15 08:35:00",
    "首次联系时间": "2024-04-15 09:00:00",
    "派单时间": "2024-04-15 09:10:00",
    "反馈时间": "2024-04-16 10:00:00",
    "办结时间": "2024-04-16 15:00:00",
    "办理结果": "已协调供热公司上门维修，室温恢复",
    "是否退单": "否",
    "回访时间": "2024-04-17 10:00:00",
    "是否联系": "是",
    "是否解决": "是",
    "满意度": "满意",
    "考核范围": "全部考核",
}

# The first stages only: received, acknowledged, dispatched (a newer export fills in the rest).
LATER_COLUMNS = ("首次联系时间", "反馈时间", "办结时间", "办理结果", "回访时间", "是否联系", "是否解决", "满意度")


def row(number: str = "BJ2024041500001", **changes: str) -> dict[str, str]:
    return {**FULL_ROW, "工单编号": number, **changes}


def early(values: dict[str, str]) -> dict[str, str]:
    return {k: ("" if k in LATER_COLUMNS else v) for k, v in values.items()}


def write_csv(
    path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8", columns: list[str] | None = None
) -> Path:
    columns = columns or COLUMNS
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for values in rows:
            writer.writerow([values.get(c, "") for c in columns])
    return path


def load_categories(tmp_path: Path) -> Category:
    source = tmp_path / "categories.csv"
    source.write_text("一级分类,二级分类,三级分类\n城乡建设,供暖,暖气不热\n城乡建设,供暖,停暖\n", encoding="utf-8")
    categories_load_csv(path=source)
    return Category.objects.get(name="暖气不热")


def as_dict(summary: Any) -> dict[str, Any]:
    return dict(summary.as_dict())
