"""Number formats of the reports pages, the same as the narrative's: 1,234 件, 98.5%, 上升5.2%."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def thousands(value: int | float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


@register.filter
def percent(fraction: float | None) -> str:
    """A fraction (0.985) as a percentage with one decimal; None is 不适用 (no denominator)."""
    if fraction is None:
        return "不适用"
    return f"{fraction * 100:.1f}%"


@register.filter
def change(pct: float | None) -> str:
    """A change in percent (5.2 = +5.2 %) in words; None when the base period had nothing."""
    if pct is None:
        return "—（基期无数据）"
    if pct == 0:
        return "持平"
    return f"{'上升' if pct > 0 else '下降'}{abs(pct):.1f}%"
