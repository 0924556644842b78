"""Schemas of the KPI endpoints (/api/kpi/*). The figures themselves are the documents of
jiesu.kpi (evaluation, ranking, compare, trend, forecast), passed through as JSON objects whose
shape docs/kpi.md describes; the inputs are validated here."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from jiesu.api.schemas import MAX_OFFSET, Code, TicketOut
from jiesu.kpi.models import AssessmentAdjustment, AssessmentScheme

ByName = Literal["all", "unit", "district", "township", "category", "kind", "agent"]


class WindowIn(Schema):
    scheme: Code = Field(..., description="考核方案编码，如 beijing-3rates、yanta-quarterly")
    start: date = Field(..., alias="from", description="开始日期（含），北京时间自然日")
    end: date = Field(..., alias="to", description="结束日期（含）")
    by: ByName = Field(
        "all",
        description="分组：all 全部 / unit 主办单位 / district 区 / township 街乡镇 / "
        "category 问题分类 / kind 诉求类型 / agent 受理坐席",
    )


class RankingIn(WindowIn):
    order_by: Code = Field("score", description="排名依据：score 综合得分，或指标编码（如 resolution_rate）")
    min_volume: int | None = Field(None, ge=0, le=10**9, description="参与排名的最小样本量；不填取方案设置")


class ForecastIn(WindowIn):
    today: date | None = Field(None, description="预测基准日期；不填为今天")


class TrendIn(Schema):
    scheme: Code = Field(..., description="考核方案编码")
    on: date | None = Field(None, description="最后一个考核期包含的日期；不填为今天")
    count: int = Field(12, ge=1, le=36, description="考核期个数")
    codes: str | None = Field(None, max_length=1000, description="只返回这些指标（逗号分隔）；不填为全部")


class DrillDownIn(WindowIn):
    indicator: Code = Field(..., description="指标编码")
    part: Literal["numerator", "denominator"] = Field(..., description="numerator 分子 / denominator 分母")
    key: Code = Field("all", description="分组的编码（evaluate 返回的 key）；by=all 时为 all")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class DrillDownOut(Schema):
    count: int = Field(description="工单数；分母等于该组的分母，分子不带系数时等于分子")
    limit: int
    offset: int
    items: list[TicketOut]


class SchemeItemOut(Schema):
    indicator_code: str
    label: str
    kind: str
    max_points: Decimal
    params: dict[str, Any]


class SchemeOut(Schema):
    code: str
    version: int
    name: str
    period: str
    period_start_day: int = Field(description="周期起始日：1 为自然月/季度，19 为上月 19 日至本月 18 日")
    effective_from: date
    effective_to: date | None
    fairly_satisfied_coefficient: Decimal
    ranking_min_volume: int
    payment_rule: dict[str, Any]
    items: list[SchemeItemOut]


class AdjustmentIn(Schema):
    scheme: Code
    kind: Literal["commendation", "criticism"] = Field(..., description="commendation 表扬 / criticism 批评")
    occurred_on: date
    # A number, not a Decimal: pydantic would declare "any string" for a Decimal in the OpenAPI spec.
    points: float = Field(..., gt=0, le=100, description="分值（正数，最多两位小数；批评为扣分）")
    reason: str = Field(..., min_length=1, max_length=2000)
    unit: Code | None = Field(None, description="单位编码；不填为整个中心")
    document_number: str = Field("", max_length=128)


class RevokeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class AdjustmentListIn(Schema):
    scheme: Code | None = None
    start: date | None = Field(None, alias="from")
    end: date | None = Field(None, alias="to")


class AdjustmentOut(Schema):
    id: int
    scheme: str
    kind: str
    kind_label: str
    unit: str | None = Field(description="单位编码；整个中心为 null")
    unit_name: str | None
    occurred_on: date
    points: Decimal = Field(description="带符号：表扬为正，批评为负")
    reason: str
    document_number: str
    recorded_by: str | None
    recorded_at: datetime
    revoked_at: datetime | None
    revoke_reason: str


def scheme_out(scheme: AssessmentScheme) -> SchemeOut:
    return SchemeOut(
        code=scheme.code,
        version=scheme.version,
        name=scheme.name,
        period=scheme.period,
        period_start_day=scheme.period_start_day,
        effective_from=scheme.effective_from,
        effective_to=scheme.effective_to,
        fairly_satisfied_coefficient=scheme.fairly_satisfied_coefficient,
        ranking_min_volume=scheme.ranking_min_volume,
        payment_rule=scheme.payment_rule,
        items=[
            SchemeItemOut(
                indicator_code=i.indicator_code, label=i.label, kind=i.kind, max_points=i.max_points, params=i.params
            )
            for i in scheme.items.all()
        ],
    )


def adjustment_out(entry: AssessmentAdjustment) -> AdjustmentOut:
    return AdjustmentOut(
        id=entry.pk,
        scheme=entry.scheme_code,
        kind=entry.kind,
        kind_label=entry.get_kind_display(),
        unit=(entry.unit.code or str(entry.unit.pk)) if entry.unit else None,
        unit_name=entry.unit.name if entry.unit else None,
        occurred_on=entry.occurred_on,
        points=entry.signed_points,
        reason=entry.reason,
        document_number=entry.document_number,
        recorded_by=entry.recorded_by.username if entry.recorded_by else None,
        recorded_at=entry.recorded_at,
        revoked_at=entry.revoked_at,
        revoke_reason=entry.revoke_reason,
    )
