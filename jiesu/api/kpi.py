"""KPI endpoints: schemes, evaluation, ranking, compare (MoM / YoY), trend, forecast, the tickets
behind every number, and the commendation / criticism entries (docs/kpi.md).

Who sees what is jiesu.kpi.permissions.kpi_viewer_where, the rule of the dashboard and the CLI:
centre leaders, analysts and shift leads see the whole hotline, a unit's leaders and analysts
their subtree, everyone else gets 403 permission_denied.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.kpi_schemas import (
    AdjustmentIn,
    AdjustmentListIn,
    AdjustmentOut,
    DrillDownIn,
    DrillDownOut,
    ForecastIn,
    RankingIn,
    RevokeIn,
    SchemeOut,
    TrendIn,
    WindowIn,
    adjustment_out,
    scheme_out,
)
from jiesu.api.presenters import ticket_out
from jiesu.api.schemas import MAX_ID
from jiesu.core.errors import ValidationFailed
from jiesu.kpi.adjustments import adjustment_record, adjustment_revoke, adjustments_list
from jiesu.kpi.analysis import kpi_compare, kpi_forecast, kpi_ranking, kpi_trend
from jiesu.kpi.drilldown import drilldown_tickets
from jiesu.kpi.evaluation import kpi_evaluate, window_of_days
from jiesu.kpi.permissions import kpi_viewer_where
from jiesu.kpi.selectors import schemes_list
from jiesu.kpi.windows import MAX_WINDOW_DAYS, period_containing
from jiesu.orgs.models import Unit

router = Router(tags=["考核指标"])
AdjustmentId = Annotated[int, Path(description="表扬/批评记录编号", ge=1, le=MAX_ID)]
Document = dict[str, Any]


def _scope(request: HttpRequest) -> Q | None:
    return kpi_viewer_where(request_user(request))


def _window(params: WindowIn) -> dict[str, Any]:
    if params.start > params.end:
        raise ValidationFailed("开始日期不能晚于结束日期", field="from")
    if (params.end - params.start).days >= MAX_WINDOW_DAYS:
        raise ValidationFailed(f"考核期间不能超过 {MAX_WINDOW_DAYS} 天", field="to")
    return {"scheme_code": params.scheme, "start": params.start, "end": params.end, "by": params.by}


@router.get("/schemes", response=responses({200: list[SchemeOut]}), summary="考核方案及其版本")
def kpi_schemes_endpoint(request: HttpRequest) -> list[SchemeOut]:
    _scope(request)
    return [scheme_out(s) for s in schemes_list()]


@router.get(
    "/evaluate",
    response=responses({200: Document}, 400, 404),
    summary="指标、得分、目标与付款",
    description="与 `jiesu kpi --format json` 相同的文档：每组的指标（分子、分母、值）、综合得分、目标（含差距 gap）、"
    "付款比例和表扬/批评加减分。方案不存在时 404 kpi_unknown_scheme。",
)
def kpi_evaluate_endpoint(request: HttpRequest, params: Query[WindowIn]) -> Document:
    return kpi_evaluate(**_window(params), where=_scope(request))


@router.get("/ranking", response=responses({200: Document}, 400, 404), summary="排名（最小样本量规则）")
def kpi_ranking_endpoint(request: HttpRequest, params: Query[RankingIn]) -> Document:
    return kpi_ranking(**_window(params), where=_scope(request), order_by=params.order_by, min_volume=params.min_volume)


@router.get("/compare", response=responses({200: Document}, 400, 404), summary="环比与同比")
def kpi_compare_endpoint(request: HttpRequest, params: Query[WindowIn]) -> Document:
    return kpi_compare(**_window(params), where=_scope(request))


@router.get("/trend", response=responses({200: list[Document]}, 400, 404), summary="近若干考核期的趋势")
def kpi_trend_endpoint(request: HttpRequest, params: Query[TrendIn]) -> list[Document]:
    where = _scope(request)
    last = period_containing(params.scheme, params.on or timezone.localdate())
    codes = [c.strip() for c in params.codes.split(",") if c.strip()] if params.codes else None
    return kpi_trend(scheme_code=params.scheme, last=last, count=params.count, where=where, codes=codes)


@router.get("/forecast", response=responses({200: Document}, 400, 404), summary="期末预测")
def kpi_forecast_endpoint(request: HttpRequest, params: Query[ForecastIn]) -> Document:
    return kpi_forecast(**_window(params), where=_scope(request), today=params.today or timezone.localdate())


@router.get(
    "/tickets",
    response=responses({200: DrillDownOut}, 400, 404),
    summary="数字背后的工单（下钻）",
    description="某指标某组的分子或分母工单，个人信息已脱敏；count 与 evaluate 中的数字一致（满意率分子中的"
    "“基本满意”按系数折算，故分子列表的 count 可能大于分子）。",
)
def kpi_tickets_endpoint(request: HttpRequest, params: Query[DrillDownIn]) -> DrillDownOut:
    user = request_user(request)
    window = window_of_days(params.start, params.end)
    tickets = drilldown_tickets(
        viewer=user, code=params.indicator, part=params.part, window=window, by=params.by, key=params.key
    ).order_by("-received_at", "-pk")
    page = tickets.select_related("community")[params.offset : params.offset + params.limit]
    now = timezone.now()
    return DrillDownOut(
        count=tickets.count(),
        limit=params.limit,
        offset=params.offset,
        items=[ticket_out(t, viewer=user, now=now) for t in page],
    )


@router.get("/adjustments", response=responses({200: list[AdjustmentOut]}), summary="表扬/批评记录")
def kpi_adjustments_endpoint(request: HttpRequest, params: Query[AdjustmentListIn]) -> list[AdjustmentOut]:
    entries = adjustments_list(
        scheme_code=params.scheme, start=params.start, end=params.end, viewer=request_user(request)
    )
    return [adjustment_out(e) for e in entries]


@router.post(
    "/adjustments",
    response=responses({201: AdjustmentOut}, 400, 404),
    summary="录入表扬/批评",
    description="仅中心的领导、分析员和班长；方案须在该日期有“上级表扬/批评”考核项。",
)
def kpi_adjustment_create_endpoint(request: HttpRequest, payload: AdjustmentIn) -> Status[AdjustmentOut]:
    user = request_user(request)
    unit = None
    if payload.unit:
        unit = Unit.objects.filter(code=payload.unit).first()
        if unit is None:
            raise ValidationFailed(f"单位不存在：{payload.unit}", field="unit")
    entry = adjustment_record(
        scheme_code=payload.scheme,
        kind=payload.kind,
        occurred_on=payload.occurred_on,
        points=payload.points,
        reason=payload.reason,
        unit=unit,
        document_number=payload.document_number,
        actor=user,
    )
    return Status(201, adjustment_out(entry))


@router.post(
    "/adjustments/{adjustment_id}/revoke",
    response=responses({200: AdjustmentOut}, 400, 404, 409),
    summary="撤销表扬/批评记录",
)
def kpi_adjustment_revoke_endpoint(
    request: HttpRequest, adjustment_id: AdjustmentId, payload: RevokeIn
) -> AdjustmentOut:
    entry = adjustment_revoke(adjustment_id=adjustment_id, reason=payload.reason, actor=request_user(request))
    return adjustment_out(adjustments_list().get(pk=entry.pk))
