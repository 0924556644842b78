"""Callback (回访) endpoints: the due list, the coverage with its drill-down, and call attempts.

Thin: parse, call the selectors of jiesu.tickets.selectors_callbacks or ticket_callback_attempt,
present. Requester data is masked as in every ticket list (presenters.ticket_out).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import AwareDatetime, ConfigDict

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.filters import check_moment
from jiesu.api.presenters import event_out, ticket_out, ticket_state_out
from jiesu.api.schemas import MAX_OFFSET, EventOut, Id, TicketOut, TicketStateOut
from jiesu.orgs.models import User
from jiesu.tickets.choices import CallbackOutcome, Satisfaction
from jiesu.tickets.errors import StaleTicket, TicketInvalid
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import ticket_get_for
from jiesu.tickets.selectors_callbacks import (
    CallbackDueFilter,
    CoverageRow,
    callback_coverage,
    callback_coverage_tickets,
    callback_is_overdue,
    callbacks_due,
)
from jiesu.tickets.services.callbacks import CallbackAnswers, ticket_callback_attempt

router = Router(tags=["回访"])
Number = Annotated[str, Path(description="工单编号", pattern=r"^[0-9A-Za-z_-]{1,32}$")]
GroupKey = Annotated[str, Field(pattern=r"^(all|center|none|[0-9]{1,18})$")]


class CallbackDueIn(Schema):
    unit: Id | None = Field(None, description="主办单位 id（含下级单位）")
    district: Id | None = Field(None, description="所属区 id")
    overdue: bool | None = Field(None, description="true：只看回访已超时；false：只看未超时")
    attempted: bool | None = Field(None, description="true：只看拨打过未接通的；false：只看尚未拨打的")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class CallbackDueOut(TicketOut):
    closed_at: datetime | None
    callback_due_at: datetime | None = Field(description="回访时限（时限规则中“回访”环节；未配置时为空）")
    callback_overdue: bool
    callback_attempts: int = Field(description="本次办结后未接通的拨打次数")


class CallbackDueListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[CallbackDueOut]


class CoverageIn(Schema):
    date_from: date = Field(alias="from", description="办结日期起（含）")
    date_to: date = Field(alias="to", description="办结日期止（含）")
    by: Literal["unit", "district"] = Field("unit", description="unit：按主办单位；district：按所属区")


class CoverageRowOut(Schema):
    key: str = Field(description="分组编号：单位 id；center 为中心直接办结，none 为未标注所属区，all 为合计")
    name: str
    closed: int = Field(description="窗口内办结的工单数")
    covered: int = Field(description="其中已回访的（有效回访或按未联系上结束）")
    valid: int = Field(description="其中有效回访")
    invalid: int
    missing: int = Field(description="办结未回访")
    rate: float | None = Field(description="回访覆盖率 covered/closed；无办结工单时为空（不适用）")
    meets_target: bool = Field(description="是否达到 100% 的目标")


class CoverageOut(Schema):
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    by: str
    total: CoverageRowOut
    rows: list[CoverageRowOut]


class CoverageTicketsIn(CoverageIn):
    part: Literal["closed", "covered", "missing"] = "missing"
    key: GroupKey = "all"
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class CoverageTicketListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[TicketOut]


class AttemptIn(Schema):
    model_config = ConfigDict(extra="forbid")

    outcome: CallbackOutcome
    note: Annotated[str, Field(max_length=5000)] = ""
    at: AwareDatetime | None = Field(None, description="拨打时间（带时区）；缺省为现在")
    contacted: bool | None = Field(None, description="已接通时必填：是否联系（承办单位是否联系过诉求人）")
    resolved: bool | None = Field(None, description="已接通时必填：是否解决")
    satisfaction: Satisfaction | None = Field(None, description="已接通时必填：满意度")
    is_valid: bool = True
    expected_version: int | None = Field(None, ge=1, le=MAX_OFFSET)


class AttemptOut(Schema):
    id: int
    outcome: CallbackOutcome
    outcome_label: str
    attempted_at: datetime
    note: str
    callback_recorded: bool = Field(description="本次拨打是否形成回访记录（已接通，或达到拨打上限按无效回访结束）")
    event: EventOut | None
    ticket: TicketStateOut


def _due_out(ticket: Ticket, viewer: User, now: datetime) -> CallbackDueOut:
    base = ticket_out(ticket, viewer=viewer, now=now).model_dump()
    return CallbackDueOut.model_validate(
        {
            **base,
            "closed_at": ticket.closed_at,
            "callback_due_at": ticket.callback_due_at,
            "callback_overdue": callback_is_overdue(ticket, now),
            "callback_attempts": ticket.callback_attempts,
        }
    )


def _row_out(row: CoverageRow) -> CoverageRowOut:
    return CoverageRowOut(
        key=row.key,
        name=row.name,
        closed=row.closed,
        covered=row.covered,
        valid=row.valid,
        invalid=row.invalid,
        missing=row.missing,
        rate=row.rate,
        meets_target=row.meets_target,
    )


@router.get(
    "/callbacks/due",
    response=responses({200: CallbackDueListOut}, 400),
    summary="待回访工单",
    description="本人可见范围内已办结、本次办结后尚未回访的工单，按回访时限先后排列（已超时的在前）。"
    "回访员、坐席、班长、领导、分析员可用。",
)
def callbacks_due_endpoint(request: HttpRequest, filters: Query[CallbackDueIn]) -> CallbackDueListOut:
    user = request_user(request)
    now = timezone.now()
    wanted = CallbackDueFilter(
        unit_id=filters.unit, district_id=filters.district, overdue=filters.overdue, attempted=filters.attempted
    )
    qs = callbacks_due(viewer=user, filters=wanted, now=now).select_related("community")
    items = [_due_out(t, user, now) for t in qs[filters.offset : filters.offset + filters.limit]]
    return CallbackDueListOut(count=qs.count(), limit=filters.limit, offset=filters.offset, items=items)


@router.get(
    "/callbacks/coverage",
    response=responses({200: CoverageOut}, 400),
    by_alias=True,
    summary="回访覆盖率",
    description="窗口内（按办结日期）办结的工单与其中已回访的工单（有效回访，或多次未接通后按未联系上结束），"
    "合计及按承办单位或所属区分组；目标为 100%。",
)
def callbacks_coverage_endpoint(request: HttpRequest, params: Query[CoverageIn]) -> CoverageOut:
    report = callback_coverage(
        viewer=request_user(request), date_from=params.date_from, date_to=params.date_to, by=params.by
    )
    return CoverageOut(
        date_from=report.date_from,
        date_to=report.date_to,
        by=report.by,
        total=_row_out(report.total),
        rows=[_row_out(r) for r in report.rows],
    )


@router.get(
    "/callbacks/coverage/tickets",
    response=responses({200: CoverageTicketListOut}, 400),
    summary="回访覆盖率明细",
    description="覆盖率中一个数字背后的工单：part=closed（办结）、covered（已回访）、missing（办结未回访）；"
    "key 为分组编号（见 /callbacks/coverage 的 rows[].key），all 为合计。",
)
def callbacks_coverage_tickets_endpoint(
    request: HttpRequest, params: Query[CoverageTicketsIn]
) -> CoverageTicketListOut:
    user = request_user(request)
    qs = callback_coverage_tickets(
        viewer=user, date_from=params.date_from, date_to=params.date_to, part=params.part, by=params.by, key=params.key
    )
    now = timezone.now()
    page = qs.select_related("community")[params.offset : params.offset + params.limit]
    return CoverageTicketListOut(
        count=qs.count(),
        limit=params.limit,
        offset=params.offset,
        items=[ticket_out(t, viewer=user, now=now) for t in page],
    )


def _answers(payload: AttemptIn) -> CallbackAnswers | None:
    if payload.outcome != CallbackOutcome.REACHED:
        return None
    for field, label in (("contacted", "是否联系"), ("resolved", "是否解决")):
        if getattr(payload, field) is None:
            raise TicketInvalid(f"已接通的回访须填写{label}", field=field)
    return CallbackAnswers(
        contacted=bool(payload.contacted),
        resolved=bool(payload.resolved),
        satisfaction=payload.satisfaction or "",
        is_valid=payload.is_valid,
        note=payload.note,
    )


@router.post(
    "/tickets/{number}/callback-attempts",
    response=responses({201: AttemptOut}, 400, 404, 409),
    summary="记录一次回访拨打",
    description="outcome=reached 时须同时填写 contacted、resolved、satisfaction，形成回访记录"
    "（未解决或不满意自动转二次办理）；"
    "其他结果记为未接通。未接通次数达到时限规则集的上限（默认 3 次且分布在 2 个不同日期；空号、拒绝回访立即结束）时，"
    "回访按“未联系上、无效回访”结束。",
)
def callback_attempt_endpoint(request: HttpRequest, number: Number, payload: AttemptIn) -> Status[AttemptOut]:
    user = request_user(request)
    with transaction.atomic():
        # The ticket first: whoever may not see it learns nothing, not even that a field was bad.
        ticket = ticket_get_for(viewer=user, number=number)
        check_moment(payload.at, "at", "拨打时间")
        if payload.expected_version is not None and payload.expected_version != ticket.version:
            raise StaleTicket(expected_version=payload.expected_version, current_version=ticket.version)
        attempt = ticket_callback_attempt(
            ticket=ticket,
            actor=user,
            outcome=payload.outcome,
            note=payload.note,
            at=payload.at,
            answers=_answers(payload),
        )
    ticket.refresh_from_db(fields=["status", "version"])
    return Status(
        201,
        AttemptOut(
            id=attempt.pk,
            outcome=CallbackOutcome(attempt.outcome),
            outcome_label=CallbackOutcome(attempt.outcome).label,
            attempted_at=attempt.attempted_at,
            note=attempt.note,
            callback_recorded=attempt.callback_id is not None,
            event=event_out(attempt.event) if attempt.event is not None else None,
            ticket=ticket_state_out(ticket),
        ),
    )
