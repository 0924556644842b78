"""Report-pack endpoints: preview a report's figures and text, generate a pack, read a generated
version and download its files, and the delivery ledger of a year.

Report packs cover the whole hotline: leaders, analysts and shift leads of the center read them;
analysts and shift leads generate. Everyone else gets 403 permission_denied. Generation runs in the
request (seconds: the contract's benchmark is ≤ 10 s for a month of 100,000 tickets); the web page
runs the same service in the background with a progress bar.
"""

from __future__ import annotations

from typing import Annotated

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.reports_schemas import (
    FamilyName,
    Format,
    LedgerOut,
    PreviewIn,
    PreviewOut,
    ReportChoiceIn,
    ReportOut,
    ledger_out,
    preview_out,
    report_out,
)
from jiesu.api.schemas import MAX_ID
from jiesu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit, User
from jiesu.orgs.security.sessions import client_address
from jiesu.reports.choices import ReportKind
from jiesu.reports.downloads import CONTENT_TYPES, report_file_for
from jiesu.reports.facts import report_facts
from jiesu.reports.models import GeneratedReport
from jiesu.reports.narrative import report_narrative
from jiesu.reports.periods import ReportPeriod, period_parse, period_special
from jiesu.reports.permissions import MAKE_DENIED, READ_DENIED, can_make_reports, can_read_reports
from jiesu.reports.schedules import last_finished_period
from jiesu.reports.selectors import contract_counts, delivery_ledger
from jiesu.reports.services import report_generate

router = Router(tags=["报告"])

ReportId = Annotated[int, Path(description="已生成报告的 id", ge=1, le=MAX_ID)]
SPECIAL_MAX_DAYS = 366  # as the web form (jiesu.web.forms.reports): a special report spans ≤ a year


def _reader(request: HttpRequest) -> User:
    user = request_user(request)
    if not can_read_reports(user):
        raise PermissionDenied(READ_DENIED)
    return user


def _maker(request: HttpRequest) -> User:
    user = _reader(request)
    if not can_make_reports(user):
        raise PermissionDenied(MAKE_DENIED)
    return user


def _period(choice: ReportChoiceIn) -> ReportPeriod:
    if choice.kind != "special":
        if choice.period:
            return period_parse(choice.kind, choice.period)
        return last_finished_period(choice.kind, timezone.localdate())
    if choice.start is None or choice.end is None:
        raise ValidationFailed("专报须填写起止日期（start、end）", field="start" if choice.start is None else "end")
    if (choice.end - choice.start).days >= SPECIAL_MAX_DAYS:
        raise ValidationFailed(f"专报时间跨度不能超过 {SPECIAL_MAX_DAYS} 天", field="end")
    return period_special(choice.start, choice.end)


def _district(ref: str | None) -> Unit | None:
    if not ref:
        return None
    districts = Unit.objects.filter(kind=UnitKind.DISTRICT)
    # isdigit() alone accepts "²", which int() refuses; ids beyond bigint match nothing.
    by_id = ref.isascii() and ref.isdigit() and int(ref) <= MAX_ID
    found = (districts.filter(pk=int(ref)) if by_id else districts.none()).first()
    found = found or districts.filter(code=ref).first()
    if found is None:
        raise ValidationFailed(f"区不存在：{ref}", field="district")
    return found


@router.get(
    "/preview",
    response=responses({200: PreviewOut}, 400),
    summary="预览报告（数据与正文）",
    description="报告将写入的全部数字（受理量及环比同比、分类、区域、承办单位、三率与目标、重点工单、每日受理量）"
    "和正文段落，与生成的 Word 报告一致；不保存任何内容。报告期格式错误时返回 400 validation_failed。",
)
def report_preview_endpoint(request: HttpRequest, choice: Query[PreviewIn]) -> PreviewOut:
    _reader(request)
    period = _period(choice)
    special = period.kind == ReportKind.SPECIAL
    facts = report_facts(
        period=period,
        family=choice.family,
        topic=choice.topic if special else "",
        district=_district(choice.district) if special else None,
    )
    return preview_out(facts, report_narrative(facts))


@router.post(
    "",
    response=responses({201: ReportOut}, 400, 409),
    summary="生成报告",
    description="生成该期的 Word 报告、Excel 台账和素材包并保存为新版本（重新生成保留之前的版本），"
    "返回版本及其文件地址。仅分析员和班长可生成。",
)
def report_generate_endpoint(request: HttpRequest, payload: ReportChoiceIn) -> Status[ReportOut]:
    user = _maker(request)
    period = _period(payload)
    special = period.kind == ReportKind.SPECIAL
    report = report_generate(
        kind=period.kind,
        period=period,
        family=payload.family,
        topic=payload.topic if special else "",
        district=_district(payload.district) if special else None,
        actor=user,
    )
    return Status(201, report_out(report))


@router.get(
    "/ledger",
    response=responses({200: LedgerOut}, 400),
    summary="报送台账",
    description="该年每个合同周期（周报 52、月报 12、季报 4、半年报 2、年报 1）的生成时间、首次发送时间和收件人、"
    "是否在周期结束后 7 日内报送，以及各类报告的完成情况。",
)
def report_ledger_endpoint(
    request: HttpRequest,
    year: Annotated[int | None, Query(description="年度，默认今年", ge=2000, le=2100)] = None,
    family: Annotated[FamilyName, Query(description="系列")] = "hotline",
) -> LedgerOut:
    _reader(request)
    year = year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise ValidationFailed("年度应在 2000 至 2100 之间", field="year")
    lines = delivery_ledger(year=year, family=family)
    return ledger_out(year, family, lines, contract_counts(year, family, lines=lines))


def _report(report_id: int) -> GeneratedReport:
    report = GeneratedReport.objects.select_related("generated_by").filter(pk=report_id).first()
    if report is None:
        raise NotFound("报告不存在")
    return report


@router.get("/{report_id}", response=responses({200: ReportOut}, 404), summary="已生成的报告")
def report_get_endpoint(request: HttpRequest, report_id: ReportId) -> ReportOut:
    _reader(request)
    return report_out(_report(report_id))


@router.get(
    "/{report_id}/{fmt}",
    response=responses({200: None}, 404),
    summary="下载报告文件",
    description="docx 报告 / xlsx 台账 / zip 素材包。每次下载记入审计日志。",
    openapi_extra={"responses": {200: {"description": "文件", "content": {t: {} for t in CONTENT_TYPES.values()}}}},
)
def report_file_endpoint(request: HttpRequest, report_id: ReportId, fmt: Format) -> FileResponse:
    report, path = report_file_for(
        report_id=report_id, fmt=fmt, viewer=request_user(request), source_address=client_address(request), source="api"
    )
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=report.download_name(fmt), content_type=CONTENT_TYPES[fmt]
    )
    response["Cache-Control"] = "no-store"
    return response
