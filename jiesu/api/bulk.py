"""Bulk actions: one action (签收, 承办单位签收, 派单, 催办) on up to 500 tickets, one result each."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.schemas import BodyId, Code, Text5000
from jiesu.tickets.choices import EventKind
from jiesu.tickets.exporting.service import SELECTION_MAX
from jiesu.tickets.services.actions import ActionInput
from jiesu.tickets.services.bulk import tickets_bulk_perform

router = Router(tags=["工单"])


class BulkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: EventKind = Field(description="acknowledged、unit_acknowledged、dispatched 或 urged")
    # The service refuses more than SELECTION_MAX with a Chinese message; the schema only bounds the body.
    numbers: list[Code] = Field(max_length=SELECTION_MAX * 2, description=f"工单编号，最多 {SELECTION_MAX} 件")
    reason: Text5000 = Field("", description="派单说明或催办内容（催办时必填）")
    lead_unit_id: BodyId | None = Field(None, description="派单的主办单位（派单时必填）")
    assisting_unit_ids: list[BodyId] = Field(default_factory=list, max_length=50)


class BulkOutcomeOut(Schema):
    number: str
    done: bool
    code: str = Field(description="未完成时的错误代码，如 transition_not_allowed、action_forbidden、not_found")
    message: str = Field(description="未完成时的中文原因")


class BulkOut(Schema):
    action: str
    done: int
    refused: int
    results: list[BulkOutcomeOut]


@router.post(
    "/bulk",
    response=responses({200: BulkOut}, 400),
    summary="批量操作（签收、派单、催办）",
    description="对每件工单分别执行同一操作，各自独立提交：某件被拒绝（状态不符、无权限、已被他人处理）不影响其余工单，"
    f"结果逐件列出。您数据范围以外的编号报告为 not_found，不会被操作。一次最多 {SELECTION_MAX} 件。",
)
def bulk_endpoint(request: HttpRequest, payload: BulkIn) -> BulkOut:
    data = ActionInput(
        reason=payload.reason, lead_unit_id=payload.lead_unit_id, assisting_unit_ids=list(payload.assisting_unit_ids)
    )
    result = tickets_bulk_perform(
        numbers=payload.numbers, action=payload.action.value, actor=request_user(request), data=data
    )
    return BulkOut(
        action=result.action,
        done=result.done,
        refused=result.refused,
        results=[BulkOutcomeOut(number=o.number, done=o.done, code=o.code, message=o.message) for o in result.outcomes],
    )
