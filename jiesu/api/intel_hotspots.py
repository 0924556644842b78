"""Hotspot and burst-alert endpoints (热点 / 突增预警): the hotspots of a date range, the alerts, and
acknowledging or dismissing an alert. The center's leaders, analysts and shift leads read; analysts
and shift leads handle alerts; everyone else gets 403 permission_denied.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.schemas import MAX_ID
from jiesu.core.errors import ValidationFailed
from jiesu.intel.bursts import selectors
from jiesu.intel.bursts.services import alert_acknowledge, alert_dismiss
from jiesu.intel.choices import AlertStatus
from jiesu.intel.hotspots.snapshots import hotspots_as_of
from jiesu.intel.models import BurstAlert

router = Router(tags=["热点与突增预警"])
AlertId = Annotated[int, Path(description="预警 id", ge=1, le=MAX_ID)]
MAX_DAYS = 92
MAX_TOP = 100


class HotspotsIn(Schema):
    date_from: date | None = Field(None, alias="from", description="开始日期（含），默认结束日期前 29 天")
    date_to: date | None = Field(None, alias="to", description="结束日期（含），默认今天")
    top: int = Field(20, ge=1, le=MAX_TOP, description="最多返回几个热点")


class HotspotOut(Schema):
    label: str
    place: str
    problem: list[str]
    size: int
    requesters: int
    first: datetime
    last: datetime
    growth: float | None
    score: float
    tickets: list[str] = Field(description="工单编号")


class HotspotsOut(Schema):
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    as_of: datetime = Field(description="数据截至：此前受理的工单已计入（后台快照的计算时间，或本次请求的时间）")
    hotspots: list[HotspotOut]


class AlertsIn(Schema):
    status: AlertStatus | None = Field(None, description="new：新预警；acknowledged：已知悉；dismissed：已排除")


class AlertOut(Schema):
    id: int
    label: str
    status: AlertStatus
    window_start: date
    window_end: date
    count: int = Field(description="窗口内受理件数")
    expected: float = Field(description="季节基线（往年同期，无往年数据时为近期水平）")
    score: float = Field(description="突增程度：−log10 泊松尾概率")
    tickets: list[str]
    detected_at: datetime
    handled_by: str | None
    handled_at: datetime | None
    draft_reference: str


def alert_out(alert: BurstAlert) -> AlertOut:
    who = alert.handled_by
    return AlertOut(
        id=alert.pk,
        label=alert.label,
        status=AlertStatus(alert.status),
        window_start=alert.window_start,
        window_end=alert.window_end,
        count=alert.count,
        expected=alert.expected,
        score=alert.score,
        tickets=list(alert.ticket_numbers),
        detected_at=alert.detected_at,
        handled_by=(who.display_name or who.username) if who else None,
        handled_at=alert.handled_at,
        draft_reference=alert.draft_reference,
    )


def _days(params: HotspotsIn) -> tuple[date, date]:
    last = params.date_to or timezone.localdate()
    first = params.date_from or last - timedelta(days=29)
    if first > last:
        raise ValidationFailed("开始日期不能晚于结束日期", field="from")
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed(f"时间跨度不能超过 {MAX_DAYS} 天", field="to")
    return first, last


@router.get("/hotspots", response=responses({200: HotspotsOut}, 400), summary="热点", by_alias=True)
def hotspots_endpoint(request: HttpRequest, params: Query[HotspotsIn]) -> HotspotsOut:
    selectors.reader_check(request_user(request))
    first, last = _days(params)
    result = hotspots_as_of(first, last, top=params.top)
    rows = [
        HotspotOut(
            label=h.label,
            place=h.place,
            problem=h.problem,
            size=h.size,
            requesters=h.requesters,
            first=timezone.make_aware(h.first),
            last=timezone.make_aware(h.last),
            growth=None if h.growth is None else round(h.growth, 3),
            score=round(h.score, 2),
            tickets=h.ids,
        )
        for h in result.found
    ]
    return HotspotsOut(date_from=first, date_to=last, as_of=result.as_of, hotspots=rows)


@router.get("/alerts", response=responses({200: list[AlertOut]}, 400), summary="突增预警（新预警在前）")
def alerts_endpoint(request: HttpRequest, params: Query[AlertsIn]) -> list[AlertOut]:
    user = request_user(request)
    return [alert_out(a) for a in selectors.alerts_for(user, status=params.status or "")[:200]]


@router.post("/alerts/{pk}/acknowledge", response=responses({200: AlertOut}, 404, 409), summary="突增预警：已知悉")
def alert_acknowledge_endpoint(request: HttpRequest, pk: AlertId) -> AlertOut:
    user = request_user(request)
    selectors.alert_get_for(user, pk)
    return alert_out(alert_acknowledge(alert_id=pk, actor=user))


@router.post("/alerts/{pk}/dismiss", response=responses({200: AlertOut}, 404, 409), summary="突增预警：排除")
def alert_dismiss_endpoint(request: HttpRequest, pk: AlertId) -> AlertOut:
    user = request_user(request)
    selectors.alert_get_for(user, pk)
    return alert_out(alert_dismiss(alert_id=pk, actor=user))
