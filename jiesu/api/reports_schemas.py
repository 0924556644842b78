"""Schemas of the report endpoints, and the presenters that fill them from jiesu.reports."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from jiesu.api.schemas import MAX_ID, Code, Text64
from jiesu.reports.facts import ReportFacts
from jiesu.reports.models import FILE_FORMATS, GeneratedReport
from jiesu.reports.periods import ReportPeriod
from jiesu.reports.selectors import ContractCount, LedgerLine

KindName = Literal["daily", "weekly", "monthly", "quarterly", "half_year", "annual", "special"]
FamilyName = Literal["hotline", "public_line"]
Format = Literal["docx", "xlsx", "zip"]


class ReportChoiceIn(Schema):
    """Which report: a kind and its period, or a special report's window and topic."""

    kind: KindName = Field(
        ...,
        description="daily 日报 / weekly 周报 / monthly 月报 / quarterly 季报 / "
        "half_year 半年报 / annual 年报 / special 专报",
    )
    period: Code | None = Field(
        None, description="报告期：2026-10-14、2026-W42、2026-10、2026-Q3、2026-H2、2026；不填为上一个已结束的周期"
    )
    family: FamilyName = Field("hotline", description="hotline 12345热线 / public_line 公共咨询线（尚未启用）")
    start: date | None = Field(None, description="专报起始日期（含）")
    end: date | None = Field(None, description="专报截止日期（含）")
    topic: Text64 = Field("", description="专报主题：标题或内容中的关键词")
    district: Code | None = Field(None, description="专报区域：区的 id 或编码；不填为全部区域")


class PreviewIn(ReportChoiceIn):
    """The same choice, read from the query string."""


class PeriodOut(Schema):
    kind: str
    key: str
    label: str
    start: date
    end: date
    due_on: date = Field(description="报送时限：周期结束后 7 日")


class CountOut(Schema):
    name: str
    code: str
    value: int
    share: float = Field(description="占本期受理量的比例（0–1）")


class RateOut(Schema):
    code: str
    name: str
    numerator: float
    denominator: int | None
    value: float | None = Field(description="比例（0–1）；无分母时为 null（不适用）")
    target: float | None
    direction: str = Field(description="at_least 不低于 / at_most 不高于")
    met: bool | None


class UnitLineOut(Schema):
    name: str
    code: str
    received: int
    closed: int
    overdue: int
    on_time_rate: float | None


class NotableOut(Schema):
    number: str
    title: str
    district: str
    category: str
    reason: str


class DayCountOut(Schema):
    day: date
    count: int


class PreviewOut(Schema):
    period: PeriodOut
    family: str
    topic: str
    district: str
    scheme_code: str
    scheme_name: str
    received: int
    received_previous: int
    received_year_ago: int
    change_previous_pct: float | None = Field(description="环比变化（百分数，5.2 即上升 5.2%）；基期为 0 时为 null")
    change_year_ago_pct: float | None
    closed: int
    overdue: int
    returned: int
    repeat: int
    by_channel: list[CountOut]
    by_kind: list[CountOut]
    top_categories: list[CountOut]
    top_districts: list[CountOut]
    top_townships: list[CountOut]
    by_unit: list[UnitLineOut]
    daily: list[DayCountOut]
    rates: list[RateOut]
    notable: list[NotableOut]
    score: float | None
    narrative: list[str] = Field(description="报告正文段落（与 Word 报告相同）")


class FileOut(Schema):
    name: str
    size: int
    sha256: str
    url: str


class ReportOut(Schema):
    id: int = Field(ge=1, le=MAX_ID)
    kind: str
    family: str
    period_key: str
    period_label: str
    period_start: date
    period_end: date
    topic: str
    district: str = Field(description="专报区域（区或街道名称）；为空表示全部区域")
    version: int
    status: str
    generated_at: datetime
    generated_by: str | None = Field(description="生成人；为空表示后台按计划生成")
    summary: dict[str, Any]
    files: dict[str, FileOut] = Field(description="docx 报告 / xlsx 台账 / zip 素材包")


class LedgerLineOut(Schema):
    kind: str
    period: PeriodOut
    state: str = Field(description="on_time 按时报送 / late 逾期报送 / missing 未报送 / pending 未到期")
    state_label: str
    report_id: int | None
    version: int | None
    versions: int
    generated_at: datetime | None
    sent_at: datetime | None
    recipients: list[str]
    failed_sends: int


class ContractCountOut(Schema):
    kind: str
    owed: int = Field(description="合同约定的全年期数（52/12/4/2/1）")
    due_so_far: int
    on_time: int
    late: int
    missing: int


class LedgerOut(Schema):
    year: int
    family: str
    counts: list[ContractCountOut]
    lines: list[LedgerLineOut]


def period_out(period: ReportPeriod) -> PeriodOut:
    return PeriodOut(
        kind=period.kind, key=period.key, label=period.label, start=period.start, end=period.end, due_on=period.due_on
    )


def preview_out(facts: ReportFacts, narrative: list[str]) -> PreviewOut:
    def counts(rows: list[Any]) -> list[CountOut]:
        return [CountOut(name=r.name, code=r.code, value=r.value, share=r.share) for r in rows]

    return PreviewOut(
        period=period_out(facts.period),
        **{k: getattr(facts, k) for k in ("family", "topic", "district", "scheme_code", "scheme_name", "score")},
        **{k: getattr(facts, k) for k in ("received", "received_previous", "received_year_ago", "closed")},
        **{k: getattr(facts, k) for k in ("overdue", "returned", "repeat")},
        change_previous_pct=facts.change_previous_pct,
        change_year_ago_pct=facts.change_year_ago_pct,
        by_channel=counts(facts.by_channel),
        by_kind=counts(facts.by_kind),
        top_categories=counts(facts.top_categories),
        top_districts=counts(facts.top_districts),
        top_townships=counts(facts.top_townships),
        by_unit=[UnitLineOut(**asdict(u)) for u in facts.by_unit],
        daily=[DayCountOut(day=day, count=n) for day, n in facts.daily.items()],
        rates=[RateOut(**asdict(r)) for r in facts.rates],
        notable=[NotableOut(**{k: getattr(n, k) for k in NotableOut.model_fields}) for n in facts.notable],
        narrative=narrative,
    )


def report_out(report: GeneratedReport) -> ReportOut:
    files = {
        fmt: FileOut(
            name=report.download_name(fmt),
            size=getattr(report, f"{fmt}_size"),
            sha256=getattr(report, f"{fmt}_sha256"),
            url=f"/api/reports/{report.pk}/{fmt}",
        )
        for fmt in FILE_FORMATS
    }
    return ReportOut(
        id=report.pk,
        kind=report.kind,
        family=report.family,
        period_key=report.period_key,
        period_label=report.period_label,
        period_start=report.period_start,
        period_end=report.period_end,
        topic=report.topic,
        district=report.district.name if report.district is not None else "",
        version=report.version,
        status=report.status,
        generated_at=report.generated_at,
        generated_by=str(report.generated_by) if report.generated_by is not None else None,
        summary=report.summary,
        files=files,
    )


def ledger_out(year: int, family: str, lines: list[LedgerLine], counts: list[ContractCount]) -> LedgerOut:
    return LedgerOut(
        year=year,
        family=family,
        counts=[ContractCountOut(**asdict(c)) for c in counts],
        lines=[
            LedgerLineOut(
                kind=line.kind,
                period=period_out(line.period),
                state=line.state,
                state_label=line.state_label,
                report_id=line.report_id,
                version=line.version,
                versions=line.versions,
                generated_at=line.generated_at,
                sent_at=line.sent_at,
                recipients=line.recipients,
                failed_sends=line.failed_sends,
            )
            for line in lines
        ],
    )
