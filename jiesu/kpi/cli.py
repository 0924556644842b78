"""Text output of `jiesu kpi` (the `--format table` of each mode) and its adjustments
subcommands; the command itself (management/commands/kpi.py) only parses and dispatches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.management.base import CommandError

from jiesu.core.management.base import iso_date
from jiesu.kpi.adjustments import adjustment_record, adjustment_revoke, adjustments_list
from jiesu.kpi.indicators import INDICATORS
from jiesu.orgs.models import Unit, User

Write = Callable[[str], None]
MET_LABELS = {True: "达标", False: "未达标", None: "不适用"}


def percent(value: Any) -> str:
    return "不适用" if value is None else f"{value * 100:.2f}%"


def shown(code: str, value: Any) -> str:
    if code == "score":
        return "不适用" if value is None else str(value)
    return percent(value) if INDICATORS[code].is_rate else ("不适用" if value is None else str(value))


def evaluation_text(document: dict[str, Any], write: Write) -> None:
    write(f"考核方案：{document['scheme']} v{document['version']}　期间：{document['from']} 至 {document['to']}")
    for group in document["groups"]:
        score = "不适用" if group["score"] is None else group["score"]
        write(f"\n【{group['name']}】（{group['key']}）综合得分：{score}")
        if group["payment"] is not None:
            write(f"  付款比例：{percent(group['payment'])}")
        if group.get("adjustment") is not None:
            write(f"  表扬/批评加减分：{group['adjustment']}")
        for code, cell in group["indicators"].items():
            ratio = f"  {cell['numerator']} / {cell['denominator']}" if INDICATORS[code].is_rate else ""
            write(f"  {INDICATORS[code].name}：{shown(code, cell['value'])}{ratio}")
        for target in group["targets"]:
            sign = "≥" if target["direction"] == "at_least" else "≤"
            gap = "" if target["gap"] is None else f"，差距 {target['gap'] * 100:+.2f} 个百分点"
            write(
                f"  目标 {INDICATORS[target['indicator']].name} {sign} {percent(target['threshold'])}："
                f"{MET_LABELS[target['met']]}{gap}"
            )


def ranking_text(ranking: dict[str, Any], write: Write) -> None:
    code = ranking["order_by"]
    label = "综合得分" if code == "score" else INDICATORS[code].name
    write(f"排名：按{label}　期间：{ranking['from']} 至 {ranking['to']}　最小样本量：{ranking['min_volume']}")
    for entry in ranking["ranked"]:
        value = shown(code, entry["value"])
        write(f"{entry['rank']:>4}  {entry['name']}（{entry['key']}）  {value}  样本 {entry['volume']}")
    if ranking["unranked"]:
        write("不参与排名（样本量不足或不适用）：")
        for entry in ranking["unranked"]:
            write(f"      {entry['name']}（{entry['key']}）  {shown(code, entry['value'])}  样本 {entry['volume']}")


def _change(code: str, value: Any) -> str:
    if value is None:
        return "不适用"
    return f"{value * 100:+.2f}%" if not INDICATORS[code].is_rate else f"{value * 100:+.2f} 个百分点"


def compare_text(comparison: dict[str, Any], write: Write) -> None:
    current = comparison["current"]
    write(f"考核方案：{current['scheme']}　本期：{current['from']} 至 {current['to']}")
    for group in current["groups"]:
        score = comparison["score_changes"][group["key"]]
        write(
            f"\n【{group['name']}】（{group['key']}）综合得分：{shown('score', group['score'])}"
            f"　环比 {score['mom'] if score['mom'] is not None else '不适用'}"
            f"　同比 {score['yoy'] if score['yoy'] is not None else '不适用'}"
        )
        for code, cell in group["indicators"].items():
            change = comparison["changes"][group["key"]][code]
            write(
                f"  {INDICATORS[code].name}：{shown(code, cell['value'])}"
                f"　环比 {_change(code, change['mom'])}　同比 {_change(code, change['yoy'])}"
            )


def forecast_text(forecast: dict[str, Any], write: Write) -> None:
    write(f"期末预测：{forecast['scheme']}　{forecast['from']} 至 {forecast['to']}（截至 {forecast['today']}）")
    write(forecast["method"])
    for group in forecast["groups"]:
        score = group["score"]
        write(
            f"\n【{group['name']}】（{group['key']}）综合得分：{shown('score', score['current'])} → "
            f"{shown('score', score['forecast'])}"
        )
        for code, cell in group["indicators"].items():
            opened = "" if cell["open"] is None else f"（未结 {cell['open']}）"
            write(
                f"  {INDICATORS[code].name}：{shown(code, cell['current'])} → {shown(code, cell['forecast'])}{opened}"
            )


def _actor(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"用户不存在：{username}")
    return user


def _unit(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise CommandError(f"单位不存在：{code}")
    return unit


def _required(options: dict[str, Any], *names: str) -> None:
    missing = [f"--{n.replace('_', '-')}" for n in names if not options.get(n)]
    if missing:
        raise CommandError(f"请指定 {'、'.join(missing)}")


def adjustments_command(verb: str, options: dict[str, Any], write: Write) -> None:
    """`jiesu kpi adjustments add|list|revoke`."""
    if verb == "add":
        _required(options, "scheme", "kind", "on", "points", "reason")
        entry = adjustment_record(
            scheme_code=options["scheme"],
            kind=options["kind"],
            occurred_on=iso_date(options["on"]),
            points=options["points"],
            reason=options["reason"],
            unit=_unit(options.get("unit")),
            document_number=options.get("document") or "",
            actor=_actor(options.get("actor")),
        )
        write(f"已录入 #{entry.pk}：{entry}")
    elif verb == "revoke":
        _required(options, "id", "reason")
        entry = adjustment_revoke(
            adjustment_id=options["id"], reason=options["reason"], actor=_actor(options.get("actor"))
        )
        write(f"已撤销 #{entry.pk}")
    else:
        start: date | None = iso_date(options["start"]) if options.get("start") else None
        end: date | None = iso_date(options["end"]) if options.get("end") else None
        for e in adjustments_list(scheme_code=options.get("scheme"), start=start, end=end):
            unit = e.unit.name if e.unit else "整个中心"
            revoked = f"\t已撤销（{e.revoke_reason}）" if e.revoked_at else ""
            write(
                f"#{e.pk}\t{e.occurred_on}\t{e.scheme_code}\t{e.get_kind_display()}\t{e.signed_points:+}\t{unit}\t"
                f"{e.document_number}\t{e.reason}{revoked}"
            )
