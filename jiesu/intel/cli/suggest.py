"""`jiesu intel train` without --csv (learn the ticket suggestions from the database),
`jiesu intel models` (versions and their figures) and `jiesu intel activate N`
(docs/intel-suggestions.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiesu.core.errors import DomainError
from jiesu.core.management.base import iso_date
from jiesu.intel.models import ModelVersion
from jiesu.intel.suggest.dataset import DEFAULT_LIMIT
from jiesu.intel.suggest.registry import model_activate
from jiesu.intel.suggest.selectors import acceptance_recent, head_label, head_order, model_versions
from jiesu.intel.suggest.services import suggestions_train


def add_arguments(sub: Any) -> None:
    train = sub.choices["train"]
    train.add_argument("--since", type=iso_date, help="（数据库训练）只用该日期（含）之后受理的工单 YYYY-MM-DD")
    train.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help=f"（数据库训练）最多使用最新的 N 条（默认 {DEFAULT_LIMIT}）"
    )
    train.add_argument("--no-activate", action="store_true", help="（数据库训练）训练后不启用新版本，保留当前版本")
    train.add_argument("--note", default="", help="（数据库训练）版本说明")
    sub.add_parser("models", help="列出工单智能建议模型的各版本及其评估结果")
    activate = sub.add_parser("activate", help="启用指定版本的工单智能建议模型")
    activate.add_argument("version", type=int, help="版本号，如 3")


def _figures(version: ModelVersion) -> list[str]:
    heads = (version.evaluation or {}).get("heads") or {}
    lines = []
    for head in sorted(heads, key=head_order):
        f = heads[head]
        if not f.get("rows"):
            lines.append(f"    {head_label(head)}：留出集中无样本")
            continue
        lines.append(
            f"    {head_label(head)}：准确率 {f['accuracy']:.4f}，宏平均 F1 {f['macro_f1']:.4f}，"
            f"前 3 命中率 {f['top3_accuracy']:.4f}，样本 {f['rows']}"
        )
    return lines


def train_from_database(command: BaseCommand, options: dict[str, Any]) -> None:
    if options["limit"] < 1:
        raise CommandError("--limit 至少为 1")
    try:
        version = suggestions_train(
            since=options["since"], limit=options["limit"], activate=not options["no_activate"], note=options["note"]
        )
    except DomainError as error:
        raise CommandError(error.message) from error
    evaluation = version.evaluation or {}
    command.stdout.write(
        f"已训练 v{version.version}：{version.rows} 条工单（最新 20% 留出评估：训练 {evaluation.get('train_rows')} 条，"
        f"评估 {evaluation.get('test_rows')} 条）；模型：{version.path}"
    )
    command.stdout.write("\n".join(_figures(version)))
    command.stdout.write(f"SHA-256 {version.sha256}；{'已启用' if version.is_active else '未启用（--no-activate）'}")


def models(command: BaseCommand, options: dict[str, Any]) -> None:
    versions = model_versions()
    if not versions:
        command.stdout.write("尚无模型版本；运行 jiesu intel train 从数据库训练")
        return
    for version in versions:
        state = "（启用中）" if version.is_active else ""
        command.stdout.write(
            f"v{version.version}{state} 训练于 {version.trained_at:%Y-%m-%d %H:%M}，{version.rows} 条，"
            f"{version.note or '无说明'}"
        )
        command.stdout.write("\n".join(_figures(version)))
    rates = acceptance_recent()
    shown = [f"{name} {r['accepted']}/{r['total']}" for name, r in rates.items() if r["total"]]
    command.stdout.write("近 30 天采纳：" + ("，".join(shown) if shown else "暂无反馈"))


def activate(command: BaseCommand, options: dict[str, Any]) -> None:
    try:
        version = model_activate(version=options["version"], actor=None)
    except DomainError as error:
        raise CommandError(error.message) from error
    command.stdout.write(f"已启用 v{version.version}")


COMMANDS = {"models": models, "activate": activate}
