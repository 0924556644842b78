"""The tables of the KPI pages, built once from kpi_evaluate's documents and read twice: by the
templates (text and drill-down links) and by "导出 Excel" (numbers kept as numbers, a rate as a
fraction with a percent format), so the workbook always holds the rows the page shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from jiesu.core.spreadsheet import RATE, SheetTable
from jiesu.web.views.kpi_common import (
    KpiQuery,
    drill_link,
    indicator_name,
    is_rate,
    show_number,
    show_points,
    show_value,
)

# The figures a leader looks at first when the scheme names none of its own (beijing-3rates does).
MAIN_INDICATORS = (
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_completion_rate",
    "return_rate",
    "direct_answer_rate",
    "callback_rate",
)
POINTS = "0.00"
DIRECTION_SIGNS = {"at_least": "≥", "at_most": "≤"}


@dataclass(frozen=True)
class Cell:
    """One cell: what the page shows, what the workbook holds, and where the number leads."""

    text: str
    value: Any = None
    href: str | None = None
    css: str = ""


@dataclass(frozen=True)
class Column:
    title: str
    number_format: str | None = None


@dataclass(frozen=True)
class KpiTable:
    key: str
    title: str
    columns: Sequence[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    # What each row is about (an indicator code, a group key), for pages that pick rows out.
    row_keys: list[str] = field(default_factory=list)

    def rows_of(self, keys: Sequence[str]) -> list[list[Cell]]:
        by_key = dict(zip(self.row_keys, self.rows, strict=True))
        return [by_key[k] for k in keys if k in by_key]

    def sheet(self) -> SheetTable:
        formats = {i: c.number_format for i, c in enumerate(self.columns) if c.number_format}
        return SheetTable(
            title=self.title,
            headers=[c.title for c in self.columns],
            rows=[[cell.value for cell in row] for row in self.rows],
            formats=formats,
            widths=[24] + [14] * (len(self.columns) - 1),
        )


def text(value: str) -> Cell:
    return Cell(text=value, value=value)


def value_cell(query: KpiQuery, code: str, figures: dict[str, Any], *, by: str = "all", key: str = "all") -> Cell:
    """An indicator's value, leading to the tickets of its numerator."""
    return Cell(
        text=show_value(code, figures["value"]),
        value=figures["value"],
        href=drill_link(query, indicator=code, part="numerator", by=by, key=key),
    )


def part_cell(
    query: KpiQuery, code: str, figures: dict[str, Any], part: str, *, by: str = "all", key: str = "all"
) -> Cell:
    number = figures[part]
    if number is None:
        return Cell(text="—")
    return Cell(
        text=show_number(number), value=number, href=drill_link(query, indicator=code, part=part, by=by, key=key)
    )


def volume_cell(query: KpiQuery, group: dict[str, Any], *, by: str = "all") -> Cell:
    figures = group["indicators"].get("volume")
    if figures is None:
        return Cell(text="—")
    number = figures["numerator"]
    href = drill_link(query, indicator="volume", part="numerator", by=by, key=group["key"])
    return Cell(text=show_number(number), value=number, href=href)


def target_cells(target: dict[str, Any] | None) -> list[Cell]:
    """目标, 差距 (value − threshold, negative = short of target) and 是否达标."""
    if target is None:
        return [Cell(text="—"), Cell(text="—"), Cell(text="—")]
    sign = DIRECTION_SIGNS.get(target["direction"], "")
    gap = target.get("gap")
    met = target["met"]
    verdict = "不适用" if met is None else ("达标" if met else "未达标")
    css = "" if met is None else ("success" if met else "error")
    return [
        Cell(text=f"{sign}{show_value('', target['threshold'])}", value=target["threshold"]),
        Cell(text=show_points(gap) if gap is not None else "—", value=gap, css="error" if gap and gap < 0 else ""),
        Cell(text=verdict, value=verdict, css=css),
    ]


def indicator_table(query: KpiQuery, group: dict[str, Any], changes: dict[str, Any] | None = None) -> KpiTable:
    """Every rate of one group: value, numerator, denominator, target, gap, MoM and YoY."""
    targets = {t["indicator"]: t for t in group["targets"]}
    columns = [
        Column("指标"),
        Column("数值", RATE),
        Column("分子"),
        Column("分母"),
        Column("目标", RATE),
        Column("差距（百分点）", RATE),
        Column("是否达标"),
        Column("环比", RATE),
        Column("同比", RATE),
    ]
    rows, keys = [], []
    for code, figures in group["indicators"].items():
        if not is_rate(code):
            continue
        change = (changes or {}).get(code) or {}
        keys.append(code)
        rows.append(
            [
                text(indicator_name(code)),
                value_cell(query, code, figures),
                part_cell(query, code, figures, "numerator"),
                part_cell(query, code, figures, "denominator"),
                *target_cells(targets.get(code)),
                Cell(text=show_points(change.get("mom")), value=change.get("mom")),
                Cell(text=show_points(change.get("yoy")), value=change.get("yoy")),
            ]
        )
    return KpiTable("indicators", "考核指标", columns, rows, keys)


@dataclass(frozen=True)
class Card:
    """A KPI card: the cells of its indicator's row in the indicator table."""

    name: str
    value: Cell
    numerator: Cell
    denominator: Cell
    target: Cell
    gap: Cell
    verdict: Cell
    mom: Cell
    yoy: Cell


def indicator_cards(table: KpiTable, codes: Sequence[str]) -> list[Card]:
    """Cards for `codes`, in the column order of indicator_table."""
    return [Card(row[0].text, *row[1:]) for row in table.rows_of(codes)]


def groups_table(
    query: KpiQuery, document: dict[str, Any], *, by: str, by_label: str, codes: Sequence[str]
) -> KpiTable:
    """One row per group (kind, category, area, unit, agent): volume, the chosen rates, score."""
    columns = [Column(by_label), Column("受理量")] + [Column(indicator_name(c), RATE) for c in codes]
    columns.append(Column("得分", POINTS))
    rows, keys = [], []
    for group in document["groups"]:
        keys.append(group["key"])
        cells = [text(group["name"]), volume_cell(query, group, by=by)]
        for code in codes:
            figures = group["indicators"].get(code)
            cells.append(value_cell(query, code, figures, by=by, key=group["key"]) if figures else Cell(text="—"))
        score = group["score"]
        cells.append(Cell(text="—" if score is None else f"{score:g}", value=score))
        rows.append(cells)
    return KpiTable(f"groups-{by}", f"按{by_label}", columns, rows, keys)


def forecast_table(query: KpiQuery, forecast: dict[str, Any]) -> KpiTable:
    """期末预测: each rate now, its forecast at the period's end, and the open tickets it rests on."""
    columns = [Column("指标"), Column("当前", RATE), Column("期末预测", RATE), Column("未完成工单")]
    rows, keys = [], []
    for code, figures in forecast["indicators"].items():
        if not is_rate(code):
            continue
        keys.append(code)
        open_count = figures.get("open")
        rows.append(
            [
                text(indicator_name(code)),
                Cell(text=show_value(code, figures["current"]), value=figures["current"]),
                Cell(text=show_value(code, figures["forecast"]), value=figures["forecast"]),
                Cell(text="—" if open_count is None else str(open_count), value=open_count),
            ]
        )
    return KpiTable("forecast", "期末预测", columns, rows, keys)
