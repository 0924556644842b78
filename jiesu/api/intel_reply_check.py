"""Reply check (反馈要素检查) endpoints: any text against the scheme in force at a moment, and a
ticket's latest reply against the elements its unit ticked. Thin: parse, call jiesu.intel.replycheck,
present. Advisory only: nothing is written."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Router, Schema
from pydantic import AwareDatetime, ConfigDict

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.schemas import NO_NUL
from jiesu.core.errors import PermissionDenied
from jiesu.intel.replycheck import (
    CHECKED_STATUSES,
    ElementFinding,
    ReplyCheck,
    reply_check_at,
    reply_check_visible,
    ticket_reply_check,
    ticket_reply_event,
)
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.choices import EventKind
from jiesu.tickets.selectors import ticket_get_for

router = Router(tags=["智能分析"])
Number = Annotated[str, Path(description="工单编号", pattern=r"^[0-9A-Za-z_-]{1,32}$")]
ReplyText = Annotated[str, Field(min_length=1, max_length=20000, pattern=NO_NUL)]


class ReplyCheckIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: ReplyText = Field(description="答复文本")
    at: AwareDatetime | None = Field(None, description="按该时间生效的要素方案检查（默认现在）")


class ElementOut(Schema):
    code: str
    label: str
    required: bool
    has_cues: bool = Field(description="false：该要素未配置识别线索，无法识别")
    found: bool
    spans: list[tuple[int, int]] = Field(description="证据在原文中的位置：[起, 止) 字符下标")
    evidence: list[str]


class ReplyCheckOut(Schema):
    scheme: str = Field(description="要素方案编码；空表示内置默认方案")
    scheme_name: str
    found: list[str]
    missing: list[str]
    elements: list[ElementOut]


class TicketReplyOut(ReplyCheckOut):
    event: EventKind = Field(description="反馈事件：replied（承办单位反馈）或 self_handled（直接答复）")
    replied_at: datetime
    text: str
    ticked: list[str] = Field(description="反馈时勾选的要素")
    ticked_not_found: list[str] = Field(description="已勾选但文本中未识别到的必备要素")
    found_not_ticked: list[str] = Field(description="文本中识别到但未勾选的要素")


class TicketReplyCheckOut(Schema):
    number: str
    reply: TicketReplyOut | None = Field(
        description="最近一次反馈的检查；工单不在已反馈待审核或已办结状态、或没有反馈文本时为空"
    )


def _element_out(e: ElementFinding) -> ElementOut:
    return ElementOut(
        code=e.code,
        label=e.label,
        required=e.required,
        has_cues=e.has_cues,
        found=e.found,
        spans=list(e.spans),
        evidence=list(e.evidence),
    )


def _check_fields(check: ReplyCheck) -> dict[str, object]:
    return {
        "scheme": check.scheme_code,
        "scheme_name": check.scheme_name,
        "found": check.found,
        "missing": check.missing,
        "elements": [_element_out(e) for e in check.elements],
    }


@router.post(
    "/intel/reply-check",
    response=responses({200: ReplyCheckOut}, 400),
    summary="反馈要素检查（任意文本）",
    description="识别答复文本中写明了哪些反馈要素（六要素），给出每个要素的证据位置。"
    "按 at 时刻生效的要素方案及其识别线索检查；没有生效方案时使用内置默认方案。结果仅供参考。",
)
def reply_check_endpoint(request: HttpRequest, payload: ReplyCheckIn) -> ReplyCheckOut:
    if user_scope(request_user(request)).nothing:
        raise PermissionDenied("您的角色无权使用反馈要素检查")
    check = reply_check_at(payload.text, payload.at or timezone.now())
    return ReplyCheckOut(**_check_fields(check))  # type: ignore[arg-type]


@router.get(
    "/tickets/{number}/reply-check",
    response=responses({200: TicketReplyCheckOut}, 404),
    summary="工单最近一次反馈的要素检查",
    description="已反馈待审核或已办结的工单：最近一次反馈文本中识别到的要素、已勾选但未识别到的必备要素、识别到但未勾选的要素。"
    "中心人员和作出反馈的单位可查看。",
)
def ticket_reply_check_endpoint(request: HttpRequest, number: Number) -> TicketReplyCheckOut:
    user = request_user(request)
    ticket = ticket_get_for(viewer=user, number=number)
    if ticket.status not in CHECKED_STATUSES:
        return TicketReplyCheckOut(number=ticket.number, reply=None)
    if not reply_check_visible(viewer=user, ticket=ticket, event=ticket_reply_event(ticket)):
        raise PermissionDenied("只有中心人员和作出反馈的单位可以查看反馈要素检查")
    result = ticket_reply_check(ticket)
    if result is None:
        return TicketReplyCheckOut(number=ticket.number, reply=None)
    reply = TicketReplyOut(
        event=EventKind(result.event.kind),
        replied_at=result.event.occurred_at,
        text=result.text,
        ticked=list(result.ticked),
        ticked_not_found=[e.code for e in result.ticked_not_found],
        found_not_ticked=[e.code for e in result.found_not_ticked],
        **_check_fields(result.check),  # type: ignore[arg-type]
    )
    return TicketReplyCheckOut(number=ticket.number, reply=reply)
