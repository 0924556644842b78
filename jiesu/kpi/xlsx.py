"""KPI documents as spreadsheet tables (jiesu.core.spreadsheet): the CLI's `--format xlsx` and
the dashboard's "导出 Excel" use the same tables. Rates stay fractions with a percent format."""

from __future__ import annotations

from typing import Any

from jiesu.core.spreadsheet import RATE, SheetTable
from jiesu.kpi.indicators import INDICATORS

MET_LABELS = {True: "达标", False: "未达标", None: "不适用"}
DIRECTION_SIGNS = {"at_least": "≥", "at_most": "≤"}


def _codes(document: dict[str, Any]) -> list[str]:
    groups = document["groups"]
    return list(groups[0]["indicators"]) if groups else list(INDICATORS)


def evaluation_tables(document: dict[str, Any]) -> list[SheetTable]:
    """Values per group, then every numerator and denominator, then the targets and their gaps."""
    codes = _codes(document)
    headers = ["编码", "名称", "综合得分", "付款比例", "表扬/批评加减分", *(INDICATORS[c].name for c in codes)]
    values = [
        [
            g["key"],
            g["name"],
            g["score"],
            g["payment"],
            g.get("adjustment"),
            *(g["indicators"][c]["value"] for c in codes),
        ]
        for g in document["groups"]
    ]
    formats = {3: RATE} | {5 + i: RATE for i, c in enumerate(codes) if INDICATORS[c].is_rate}
    parts = [
        [g["key"], g["name"], INDICATORS[c].name, cell["numerator"], cell["denominator"], cell["value"]]
        for g in document["groups"]
        for c, cell in g["indicators"].items()
    ]
    targets = [
        [
            g["key"],
            g["name"],
            INDICATORS[t["indicator"]].name,
            DIRECTION_SIGNS.get(t["direction"], ""),
            t["threshold"],
            g["indicators"].get(t["indicator"], {}).get("value"),
            t["gap"],
            MET_LABELS[t["met"]],
        ]
        for g in document["groups"]
        for t in g["targets"]
    ]
    title = f"{document['scheme']} {document['from']}至{document['to']}"
    tables = [
        SheetTable(title, headers, values, formats),
        SheetTable("分子分母", ["编码", "名称", "指标", "分子", "分母", "值"], parts),
    ]
    if targets:
        tables.append(
            SheetTable(
                "合同目标",
                ["编码", "名称", "指标", "方向", "目标", "实际", "差距", "结果"],
                targets,
                {4: RATE, 5: RATE, 6: RATE},
            )
        )
    return tables


def _value_format(code: str) -> dict[int, str]:
    return {4: RATE} if code != "score" and INDICATORS[code].is_rate else {}


def ranking_table(ranking: dict[str, Any]) -> SheetTable:
    order_by = ranking["order_by"]
    label = "综合得分" if order_by == "score" else INDICATORS[order_by].name
    headers = ["名次", "编码", "名称", label, "样本量", "综合得分"]
    rows = [[e["rank"], e["key"], e["name"], e["value"], e["volume"], e["score"]] for e in ranking["ranked"]]
    rows += [["不参与排名", e["key"], e["name"], e["value"], e["volume"], e["score"]] for e in ranking["unranked"]]
    formats = {3: RATE} if order_by != "score" and INDICATORS[order_by].is_rate else {}
    return SheetTable(f"排名（最小样本量 {ranking['min_volume']}）", headers, rows, formats)


def compare_table(comparison: dict[str, Any]) -> SheetTable:
    """One row per group and indicator: this period, the previous, a year earlier, and changes."""
    before = {g["key"]: g for g in (comparison["previous"] or {}).get("groups", [])}
    last_year = {g["key"]: g for g in (comparison["year_earlier"] or {}).get("groups", [])}
    rows = []
    for group in comparison["current"]["groups"]:
        key = group["key"]
        for code, cell in group["indicators"].items():
            change = comparison["changes"][key][code]
            rows.append(
                [
                    key,
                    group["name"],
                    INDICATORS[code].name,
                    cell["value"],
                    before.get(key, {}).get("indicators", {}).get(code, {}).get("value"),
                    last_year.get(key, {}).get("indicators", {}).get(code, {}).get("value"),
                    change["mom"],
                    change["yoy"],
                ]
            )
    headers = ["编码", "名称", "指标", "本期", "上期", "去年同期", "环比变化", "同比变化"]
    return SheetTable("环比同比", headers, rows)


def forecast_table(forecast: dict[str, Any]) -> SheetTable:
    rows = []
    for group in forecast["groups"]:
        for code, cell in group["indicators"].items():
            rows.append(
                [group["key"], group["name"], INDICATORS[code].name, cell["current"], cell["forecast"], cell["open"]]
            )
        score = group["score"]
        rows.append([group["key"], group["name"], "综合得分", score["current"], score["forecast"], None])
    return SheetTable(
        f"期末预测（截至 {forecast['today']}）", ["编码", "名称", "指标", "当前", "预测", "未结工单"], rows
    )
