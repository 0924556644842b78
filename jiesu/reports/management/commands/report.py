"""`jiesu report …`: report packs on the command line (docs/reports.md).

    jiesu report KIND --period PERIOD [--family hotline|public-line] --out FILE [--xlsx FILE] [--package FILE]
    jiesu report special --from DATE --to DATE [--topic TEXT] [--area CODE] --out FILE
    jiesu report send KIND --period PERIOD --to a@b,c@d
    jiesu report ledger --year 2026

KIND is daily, weekly, monthly, quarterly, half-year or annual. Each run stores a new version of the
pack (audited), as the web page does, and copies the files where asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from jiesu.core.management.base import JiesuCommand, iso_date
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit
from jiesu.reports.choices import ReportFamily, ReportKind
from jiesu.reports.facts import family_check
from jiesu.reports.models import GeneratedReport
from jiesu.reports.periods import EXAMPLES, ReportPeriod, period_parse, period_special
from jiesu.reports.selectors import contract_counts, delivery_ledger, report_latest
from jiesu.reports.services import report_generate, report_send

AREA_KINDS = (UnitKind.DISTRICT, UnitKind.TOWNSHIP)
KINDS = ["daily", "weekly", "monthly", "quarterly", "half-year", "annual"]
FAMILIES = {"hotline": ReportFamily.HOTLINE.value, "public-line": ReportFamily.PUBLIC_LINE.value}
USAGE = (
    "用法：jiesu report KIND --period PERIOD --out FILE；jiesu report special …；"
    "jiesu report send KIND …；jiesu report ledger --year YYYY"
)


def _kind(text: str) -> str:
    if text not in KINDS:
        raise CommandError(f"报告类型“{text}”无效，应为 {'、'.join(KINDS)} 或 special、send、ledger")
    return text.replace("-", "_")


def _family(text: str) -> str:
    if text not in FAMILIES and text not in ReportFamily.values:
        raise CommandError(f"报告系列“{text}”无效，应为 hotline（12345热线）或 public-line（公共咨询线）")
    return family_check(FAMILIES.get(text, text))


def _area(code: str) -> Unit | None:
    if not code:
        return None
    found = Unit.objects.filter(code=code, kind__in=AREA_KINDS).first()
    if found is None:
        raise CommandError(f"区域不存在：{code}（应为区或街道/乡镇的编码）")
    return found


class Command(JiesuCommand):
    help = "生成报告（日报、周报、月报、季报、半年报、年报、专报），发送报告，查看报送台账"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("words", nargs="+", metavar="KIND", help="报告类型，或 special / send KIND / ledger")
        parser.add_argument("--period", help="报告期，如 2026-10-14、2026-W42、2026-10、2026-Q3、2026-H2、2026")
        parser.add_argument("--family", default="hotline", help="报告系列：hotline（默认）或 public-line")
        parser.add_argument("--out", type=Path, help="把报告 .docx 写到此文件")
        parser.add_argument("--xlsx", type=Path, help="把台账 .xlsx 写到此文件")
        parser.add_argument("--package", type=Path, help="把素材包 .zip 写到此文件")
        parser.add_argument("--from", dest="start", help="专报开始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="to", help="专报结束日期 YYYY-MM-DD；send 时为收件人，逗号分隔")
        parser.add_argument("--topic", default="", help="专报专题（关键词）")
        parser.add_argument("--area", default="", help="专报区域：区或街道（乡镇）的编码，含其下级；不填为全部区域")
        parser.add_argument("--year", type=int, help="报送台账的年份")

    def handle(self, *args: Any, **options: Any) -> None:
        words: list[str] = options["words"]
        family = _family(options["family"])
        action = words[0]
        if action == "ledger" and len(words) == 1:
            self._ledger(options["year"] or timezone.localdate().year, family)
        elif action == "send" and len(words) == 2:
            self._send(self._period(_kind(words[1]), options), family, options)
        elif action == "special" and len(words) == 1:
            self._generate(self._special(options), family, options)
        elif len(words) == 1:
            self._generate(self._period(_kind(action), options), family, options)
        else:
            raise CommandError(USAGE)

    def _period(self, kind: str, options: dict[str, Any]) -> ReportPeriod:
        if not options["period"]:
            raise CommandError(f"请用 --period 指定报告期，如 {EXAMPLES[ReportKind(kind)]}")
        return period_parse(kind, options["period"])

    def _special(self, options: dict[str, Any]) -> ReportPeriod:
        if not (options["start"] and options["to"]):
            raise CommandError("专报请用 --from 和 --to 指定起止日期（YYYY-MM-DD）")
        return period_special(iso_date(options["start"]), iso_date(options["to"]))

    def _generate(self, period: ReportPeriod, family: str, options: dict[str, Any]) -> None:
        if not (options["out"] or options["xlsx"] or options["package"]):
            raise CommandError("请用 --out 指定报告 .docx 的输出文件")
        report = report_generate(
            kind=period.kind, period=period, family=family, topic=options["topic"], district=_area(options["area"])
        )
        for fmt, target in (("docx", options["out"]), ("xlsx", options["xlsx"]), ("zip", options["package"])):
            if target is not None:
                _copy(report, fmt, target)
                self.stdout.write(f"已写入 {target}")
        received = report.summary.get("received", 0)
        self.stdout.write(
            f"{report.period_label}{report.get_kind_display()} 第{report.version}版已生成："
            f"受理诉求{received:,}件，用时{report.seconds:.1f}秒"
        )

    def _send(self, period: ReportPeriod, family: str, options: dict[str, Any]) -> None:
        if not options["to"]:
            raise CommandError("请用 --to 指定收件人邮箱，多个以逗号分隔")
        report = report_latest(family=family, kind=period.kind, period_key=period.key)
        if report is None:
            report = report_generate(kind=period.kind, period=period, family=family)
            self.stdout.write(f"{report.period_label}{report.get_kind_display()} 第{report.version}版已生成")
        delivery = report_send(report=report, recipients=options["to"])
        if delivery.error:
            raise CommandError(f"报告发送失败：{delivery.error}")
        self.stdout.write(f"已发送 {report.download_name('docx')} 等 3 个附件给 {'、'.join(delivery.recipients)}")

    def _ledger(self, year: int, family: str) -> None:
        lines = delivery_ledger(year=year, family=family)
        self.stdout.write(f"{year}年{ReportFamily(family).label}报告报送台账（时限：报告期结束后7日内）")
        for line in lines:
            sent = timezone.localtime(line.sent_at).strftime("%Y-%m-%d %H:%M") if line.sent_at else "—"
            made = timezone.localtime(line.generated_at).strftime("%Y-%m-%d %H:%M") if line.generated_at else "—"
            version = f"v{line.version}" if line.version else "—"
            self.stdout.write(
                f"{line.kind_label}\t{line.period.key}\t截止 {line.due_on}\t生成 {made} {version}\t"
                f"发送 {sent}\t{line.state_label}\t{'、'.join(line.recipients)}"
            )
        self.stdout.write("")
        for count in contract_counts(year, family, lines=lines):
            self.stdout.write(
                f"{count.kind_label}：应报 {count.owed} 期，已到期 {count.due_so_far} 期，按时 {count.on_time}，"
                f"逾期 {count.late}，未报送 {count.missing}"
            )


def _copy(report: GeneratedReport, fmt: str, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(report.file_path(fmt).read_bytes())
    except OSError as exc:
        raise CommandError(f"无法写入 {target}：{exc.strerror or exc}") from exc
