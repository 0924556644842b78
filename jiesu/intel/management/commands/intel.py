"""`jiesu intel train | classify | evaluate`: the category classifier on any labelled CSV file;
`jiesu intel hotspots`: hotspots of a CSV file or of the tickets (docs/intel.md). Errors are
reported in Chinese with a non-zero exit status."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jiesu.core.management.base import JiesuCommand, iso_date
from jiesu.intel import cli, tables
from jiesu.intel.cli import suggest as cli_suggest
from jiesu.intel.hotspots import hotspots_detect, parallel, report, sources
from jiesu.intel.hotspots.timing import StageTimes
from jiesu.intel.modelfile import model_load, model_save, sidecar
from jiesu.intel.training import DEFAULT_FOLDS, evaluation_report, intel_train, predict_top

OUTPUT_COLUMNS = ("predicted", "confidence", "alternatives")


def _columns(value: str) -> list[str]:
    columns = [c.strip() for c in value.split(",") if c.strip()]
    if not columns:
        raise CommandError("--text 需要至少一个列名，多个列用逗号分隔")
    return columns


class Command(JiesuCommand):
    help = "文本分类：train 训练模型，classify 批量分类，evaluate 在带标签的数据上评估模型"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        train = sub.add_parser("train", help="在带标签的 CSV 上训练分类模型（默认先做 5 折交叉验证）")
        classify = sub.add_parser("classify", help="用模型为 CSV 的每一行给出预测类别和置信度")
        evaluate = sub.add_parser("evaluate", help="在带标签的 CSV 上评估模型：各类别精确率、召回率、F1 和宏平均 F1")
        for each in (train, classify, evaluate):
            # Without --csv, train learns the ticket suggestions from the database (cli/suggest.py).
            required = each is not train
            each.add_argument("--csv", required=required, type=Path, help="CSV 文件（UTF-8 或 GB18030）")
            each.add_argument("--text", required=required, type=_columns, help="文本列，多个列用逗号分隔，如 标题,内容")
            each.add_argument("--model", required=required, type=Path, help="模型文件路径")
        for each in (train, evaluate):
            each.add_argument("--label", required=each is not train, help="标签（类别）列")
        train.add_argument("--no-cv", action="store_true", help="跳过交叉验证（更快，但模型文件中没有评估报告）")
        train.add_argument("--folds", type=int, default=DEFAULT_FOLDS, help="交叉验证折数（默认 5）")
        classify.add_argument("--out", required=True, type=Path, help="输出 CSV 文件（UTF-8，带 BOM）")
        self._add_hotspot_arguments(sub)
        for extension in cli.EXTENSIONS:
            extension.add_arguments(sub)

    def _add_hotspot_arguments(self, sub: Any) -> None:
        hot = sub.add_parser("hotspots", help="热点：按主题和地点聚类一段时间内的工单（或 CSV 中的留言）并排序")
        hot.add_argument("--csv", type=Path, help="CSV 文件；不给出时分析数据库中的工单")
        hot.add_argument("--id", help="编号列（与 --csv 一起使用）")
        hot.add_argument("--text", type=_columns, help="文本列，第一列为标题，如 留言主题,留言详情")
        hot.add_argument("--time", help="时间列，如 留言时间")
        hot.add_argument("--support", help="点赞（附议）数列，可选")
        hot.add_argument("--user", help="诉求人列，可选；用于统计不同诉求人数")
        hot.add_argument("--from", dest="date_from", type=iso_date, help="开始日期 YYYY-MM-DD（含）")
        hot.add_argument("--to", dest="date_to", type=iso_date, help="结束日期 YYYY-MM-DD（含）")
        hot.add_argument("--top", type=int, default=10, help="输出前 N 个热点（默认 10）")
        hot.add_argument("--format", choices=("json", "table"), default="table", help="输出格式（默认 table）")
        hot.add_argument(
            "--workers",
            type=int,
            default=parallel.available_workers(),
            help="大批量时并行计算的进程数（默认为本机可用的处理器数）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {
            "train": self._train,
            "classify": self._classify,
            "evaluate": self._evaluate,
            "hotspots": self._hotspots,
        }
        extended = cli.runners()
        if options["subcommand"] in extended:
            extended[options["subcommand"]](self, options)
            return
        handler[options["subcommand"]](options)

    def _train(self, options: dict[str, Any]) -> None:
        if options["csv"] is None:
            given = [f"--{n}" for n in ("text", "label", "model") if options[n]]
            if given:
                raise CommandError(f"{'、'.join(given)} 只能与 --csv 一起使用；不给 --csv 时从数据库的工单训练")
            cli_suggest.train_from_database(self, options)
            return
        missing = [f"--{n}" for n in ("text", "label", "model") if not options[n]]
        if missing:
            raise CommandError(f"使用 --csv 训练时还需要 {'、'.join(missing)}")
        path, columns, label = options["csv"], options["text"], options["label"]
        folds = 0 if options["no_cv"] else options["folds"]
        if folds == 1 or folds < 0:
            raise CommandError("--folds 至少为 2")
        table = tables.table_read(path, required=[*columns, label])
        details = {"text_columns": columns, "label_column": label, "source_file": path.name}
        model = intel_train(
            texts=tables.texts_of(table, columns),
            labels=tables.labels_of(table, label, path),
            folds=folds,
            details=details,
        )
        header = model_save(model, options["model"])
        if model.metadata["evaluation"]:
            self._report(model.metadata["evaluation"], f"{folds} 折交叉验证（{len(table.rows)} 行）")
        self.stdout.write(
            f"已训练 {len(model.metadata['classes'])} 个类别、{len(table.rows)} 行，用时 "
            f"{model.metadata['training_seconds']} 秒；模型：{options['model']}，说明：{sidecar(options['model'])}"
        )
        self.stdout.write(f"格式版本 {header['format_version']}，校验值 {header['payload_sha256'][:16]}")

    def _classify(self, options: dict[str, Any]) -> None:
        model = model_load(options["model"])
        path, columns = options["csv"], options["text"]
        table = tables.table_read(path, required=columns)
        started = time.perf_counter()
        ranked = predict_top(model, tables.texts_of(table, columns))
        seconds = time.perf_counter() - started
        rows = []
        for row, top in zip(table.rows, ranked, strict=True):
            alternatives = " | ".join(f"{label} {confidence:.2f}" for label, confidence in top)
            rows.append({**row, "predicted": top[0][0], "confidence": f"{top[0][1]:.4f}", "alternatives": alternatives})
        kept = [c for c in table.columns if c not in OUTPUT_COLUMNS]
        tables.table_write(options["out"], [*kept, *OUTPUT_COLUMNS], rows)
        self.stdout.write(
            f"已分类 {len(rows)} 行（{len(rows) / max(seconds, 1e-6):.0f} 行/秒），结果：{options['out']}"
        )

    def _evaluate(self, options: dict[str, Any]) -> None:
        model = model_load(options["model"])
        path, columns, label = options["csv"], options["text"], options["label"]
        table = tables.table_read(path, required=[*columns, label])
        truth = tables.labels_of(table, label, path)
        predicted = [top[0][0] for top in predict_top(model, tables.texts_of(table, columns), k=1)]
        report = evaluation_report(truth, predicted)
        unknown = sorted(set(truth) - set(model.metadata.get("classes", [])))
        if unknown:
            self.stdout.write(f"注意：模型不认识这些类别：{'、'.join(unknown)}")
        self._report(report, f"{path.name}（{len(truth)} 行）")
        if options["verbosity"] >= 2:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))

    def _report(self, report: dict[str, Any], title: str) -> None:
        self.stdout.write(f"评估：{title}")
        self.stdout.write(f"{'类别':<12}\t精确率\t召回率\tF1\t样本数")
        for name, values in report["classes"].items():
            self.stdout.write(
                f"{name:<12}\t{values['precision']:.4f}\t{values['recall']:.4f}\t{values['f1-score']:.4f}\t{values['support']}"
            )
        self.stdout.write(f"准确率 accuracy：{report['accuracy']:.4f}")
        self.stdout.write(f"宏平均 macro-F1：{report['macro_f1']:.4f}")

    def _hotspots(self, options: dict[str, Any]) -> None:
        first, last = options["date_from"], options["date_to"]
        if first and last and first > last:
            raise CommandError(f"开始日期 {first} 晚于结束日期 {last}")
        if options["top"] < 1:
            raise CommandError("--top 至少为 1")
        if options["workers"] < 1:
            raise CommandError("--workers 至少为 1")
        if options["csv"]:
            missing = [f"--{n}" for n in ("id", "text", "time") if not options[n]]
            if missing:
                raise CommandError(f"使用 --csv 时还需要 {'、'.join(missing)}")
            documents = sources.csv_documents(
                options["csv"],
                id_column=options["id"],
                text_columns=options["text"],
                time_column=options["time"],
                support_column=options["support"],
                user_column=options["user"],
            )
            window = sources.day_window(first, last) if first and last else None
            start = window.start if window else (sources.day_window(first, first).start if first else None)
            end = window.end if window else (sources.day_window(last, last).end if last else None)
        else:
            given = [f"--{n}" for n in ("id", "text", "time", "support", "user") if options[n]]
            if given:
                raise CommandError(f"{'、'.join(given)} 只能与 --csv 一起使用")
            window = sources.day_window(*sources.default_days(first, last))
            documents = sources.ticket_documents(window)
            start, end = window.start, window.end
        times = StageTimes()
        found = hotspots_detect(
            documents, start=start, end=end, limit=options["top"], workers=options["workers"], times=times
        )
        self.stdout.write(report.as_json(found) if options["format"] == "json" else report.as_table(found))
        if options["verbosity"] >= 2:  # on stderr: the JSON on stdout stays parseable
            self.stderr.write("\n".join([f"读入 {len(documents)} 条；各阶段耗时：", *times.lines()]))
