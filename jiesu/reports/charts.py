"""The report's charts as PNG bytes, drawn with matplotlib (Agg) in a CJK font.

Charts are drawn at a modest resolution: they are read on A4 paper and in Word, and a monthly pack
must render in seconds. Each figure is created and closed here, never through pyplot's global
state, so concurrent renders in the worker do not draw into each other's figures; a bare Figure
saves PNG through the Agg canvas, so no global backend switch is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from io import BytesIO

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from jiesu.core.errors import ValidationFailed
from jiesu.reports.facts import ReportFacts

CJK_FAMILY = "Noto Sans CJK SC"
DPI = 110
WIDTH, HEIGHT = 6.4, 3.2  # inches: the text width of an A4 page with GB/T 9704 margins
BAR, TARGET, MISSED = "#2f6fb0", "#c0392b", "#e67e22"
CHART_NAMES = ("chart_daily", "chart_categories", "chart_districts", "chart_rates")


class FontMissing(ValidationFailed):
    code = "report_font_missing"


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The file of the CJK font; a clear Chinese error when the set-up did not install it."""
    try:
        return str(font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False))
    except ValueError as error:
        raise FontMissing(f"未找到中文字体“{CJK_FAMILY}”，无法绘制报告图表。请安装 fonts-noto-cjk 后重试。") from error


def _figure(height: float = HEIGHT) -> Figure:
    cjk_font()
    return Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")


def _png(figure: Figure) -> bytes:
    out = BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _empty(axes: object, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes)  # type: ignore[attr-defined]
    axes.set_axis_off()  # type: ignore[attr-defined]


def _daily(facts: ReportFacts) -> bytes:
    figure = _figure()
    axes = figure.add_subplot()
    days = sorted(facts.daily)
    values = [facts.daily[day] for day in days]
    if not days or not any(values):
        _empty(axes, "本期无受理诉求")
    else:
        labels = [f"{day.month}/{day.day}" for day in days]
        axes.plot(range(len(days)), values, color=BAR, marker="o" if len(days) <= 31 else None, markersize=3)
        step = max(1, len(days) // 12)
        axes.set_xticks(range(0, len(days), step), labels[::step])
        axes.set_ylabel("受理量（件）")
        axes.set_ylim(bottom=0)
        axes.grid(axis="y", alpha=0.3)
    axes.set_title("每日受理诉求量")
    return _png(figure)


def _bars(title: str, names: Sequence[str], values: Sequence[int]) -> bytes:
    figure = _figure(max(2.2, 0.28 * len(names) + 1.0))
    axes = figure.add_subplot()
    if not names:
        _empty(axes, "本期无数据")
    else:
        positions = range(len(names))
        axes.barh(positions, values, color=BAR)
        axes.set_yticks(positions, [name[:18] for name in names])
        axes.invert_yaxis()
        for position, value in zip(positions, values, strict=True):
            axes.annotate(f"{value:,}", (value, position), xytext=(3, 0), textcoords="offset points", va="center")
        axes.set_xlabel("件数")
        axes.margins(x=0.12)
    axes.set_title(title)
    return _png(figure)


def _rates(facts: ReportFacts) -> bytes:
    figure = _figure()
    axes = figure.add_subplot()
    lines = [line for line in facts.rates if line.value is not None]
    if not lines:
        _empty(axes, "本期无考核数据")
    else:
        positions = range(len(lines))
        values = [float(line.value or 0) * 100 for line in lines]
        colors = [BAR if line.met is not False else MISSED for line in lines]
        axes.bar(positions, values, color=colors, width=0.55, label="实际值")
        targets = [(p, float(line.target) * 100) for p, line in zip(positions, lines, strict=True) if line.target]
        if targets:
            axes.scatter(
                [p for p, _ in targets], [t for _, t in targets], marker="_", s=900, color=TARGET, label="目标值"
            )
        axes.set_xticks(positions, [line.name for line in lines])
        axes.set_ylim(0, 105)
        axes.set_ylabel("%")
        axes.legend(loc="lower right")
    axes.set_title("三率及考核指标与目标")
    return _png(figure)


def report_charts(facts: ReportFacts) -> dict[str, bytes]:
    """PNG bytes per chart: daily trend, top categories, districts, rates against targets."""
    with matplotlib.rc_context({"font.family": CJK_FAMILY, "axes.unicode_minus": False, "font.size": 9}):
        return {
            "chart_daily": _daily(facts),
            "chart_categories": _bars(
                "诉求分类排名", [c.name for c in facts.top_categories], [c.value for c in facts.top_categories]
            ),
            "chart_districts": _bars(
                "区域分布", [c.name for c in facts.top_districts], [c.value for c in facts.top_districts]
            ),
            "chart_rates": _rates(facts),
        }
