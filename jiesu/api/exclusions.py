"""Exclusion (剔除) and unreasonable-appeal (不合理诉求认定) endpoints: the reason list, the
request list, filing a request with its evidence, and the center's decision.

Thin: parse, call jiesu.tickets.selectors_exclusions / services.assessment, present.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Path, Query, Router, Schema, Status, UploadedFile
from pydantic import BeforeValidator

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.presenters import actor_out, attachment_out, unit_ref
from jiesu.api.schemas import MAX_ID, MAX_OFFSET, NO_NUL, ActorOut, AttachmentOut, Id, UnitRef
from jiesu.core.errors import PermissionDenied
from jiesu.orgs.models import User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.choices import AssessmentScope, ExclusionDecision, ExclusionKind
from jiesu.tickets.models import ExclusionReason, ExclusionRequest
from jiesu.tickets.selectors import ticket_get_for
from jiesu.tickets.selectors_exclusions import (
    ExclusionRequestSearch,
    exclusion_reason_labels,
    exclusion_reasons_history,
    exclusion_reasons_in_force,
    exclusion_request_evidence,
    exclusion_request_get_for,
    exclusion_requests_search,
)
from jiesu.tickets.services.assessment import AssessmentRequest, exclusion_request_decide, ticket_assessment_request
from jiesu.tickets.services.exclusion_reasons import exclusion_reasons_can_manage

router = Router(tags=["剔除与不合理诉求"])
Number = Annotated[str, Path(description="工单编号", pattern=r"^[0-9A-Za-z_-]{1,32}$")]
RequestId = Annotated[int, Path(description="申请 id", ge=1, le=MAX_ID)]
Scope = Literal["", "excluded", "response_only"]


def _iso_date_only(value: object) -> object:
    # pydantic would also read a number as a Unix timestamp; a date here is always YYYY-MM-DD.
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("日期格式应为 YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
# Merged into the generated form schema: unknown fields are refused, as the parser does.
REQUEST_FORM_SCHEMA = {"additionalProperties": False}


class ReasonOut(Schema):
    id: int
    kind: ExclusionKind
    code: str
    label: str
    description: str
    default_scope: AssessmentScope = Field(description="查是后的考核范围（申请未指定时采用）")
    request_within_days: int | None = Field(description="办结后多少天内可以申请；空表示不限")
    evidence_required: bool
    position: int
    effective_from: date
    effective_to: date | None = Field(description="失效日期（不含当日）；空表示长期有效")


class ReasonsIn(Schema):
    kind: ExclusionKind | None = Field(None, description="exclusion：剔除；unreasonable：不合理诉求")
    on: IsoDate | None = Field(None, description="查看该日有效的清单；默认今天")
    history: bool = Field(False, description="true：列出全部历史版本")


def _reason_out(r: ExclusionReason) -> ReasonOut:
    return ReasonOut(
        id=r.pk,
        kind=ExclusionKind(r.kind),
        code=r.code,
        label=r.label,
        description=r.description,
        default_scope=AssessmentScope(r.default_scope),
        request_within_days=r.request_within_days,
        evidence_required=r.evidence_required,
        position=r.position,
        effective_from=r.effective_from,
        effective_to=r.effective_to,
    )


def _ensure_reader(user: User) -> None:
    if user_scope(user).nothing and not exclusion_reasons_can_manage(user):
        raise PermissionDenied("您的角色无权查看剔除原因清单")


@router.get("/exclusion-reasons", response=responses({200: list[ReasonOut]}), summary="剔除 / 不合理诉求原因清单")
def exclusion_reason_list_endpoint(request: HttpRequest, filters: Query[ReasonsIn]) -> list[ReasonOut]:
    _ensure_reader(request_user(request))
    if filters.history:
        rows = list(exclusion_reasons_history(kind=filters.kind))
    else:
        rows = exclusion_reasons_in_force(on=filters.on or timezone.localdate(), kind=filters.kind)
    return [_reason_out(r) for r in rows]


class TicketBriefOut(Schema):
    number: str
    title: str
    lead_unit: UnitRef | None


class RequestOut(Schema):
    id: int
    ticket: TicketBriefOut
    kind: ExclusionKind
    reason_code: str
    reason_label: str
    scope: AssessmentScope = Field(description="申请的考核范围（查是后生效）")
    statement: str
    submitted_at: datetime
    submitted_by: ActorOut | None
    decision: ExclusionDecision
    decided_at: datetime | None
    reviewer: ActorOut | None
    decision_note: str
    evidence: list[AttachmentOut] = Field(description="佐证材料（下载：/api/tickets/{number}/attachments/{id}）")


class RequestListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[RequestOut]


class RequestsIn(Schema):
    decision: ExclusionDecision | None = Field(None, description="pending：待审核；approved：查是；rejected：查否")
    kind: ExclusionKind | None = None
    unit: Id | None = Field(None, description="主办单位 id")
    date_from: IsoDate | None = Field(None, alias="from", description="申请日期起（含）")
    date_to: IsoDate | None = Field(None, alias="to", description="申请日期止（含）")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def request_out(row: ExclusionRequest, labels: dict[str, str]) -> RequestOut:
    ticket = row.ticket
    return RequestOut(
        id=row.pk,
        ticket=TicketBriefOut(number=ticket.number, title=ticket.title, lead_unit=unit_ref(ticket.lead_unit)),
        kind=ExclusionKind(row.kind),
        reason_code=row.reason_code,
        reason_label=labels.get(row.reason_code, row.reason_code),
        scope=AssessmentScope(row.scope),
        statement=row.statement,
        submitted_at=row.submitted_at,
        submitted_by=actor_out(row.submitted_by),
        decision=ExclusionDecision(row.decision),
        decided_at=row.decided_at,
        reviewer=actor_out(row.reviewer),
        decision_note=row.decision_note,
        evidence=[attachment_out(a) for a in exclusion_request_evidence(row)],
    )


def _labels(kind: str) -> dict[str, str]:
    return exclusion_reason_labels(kind=kind)


@router.get(
    "/exclusion-requests",
    response=responses({200: RequestListOut}, 400),
    summary="剔除 / 不合理诉求申请列表",
    description="中心用户看全部申请，承办单位看本单位（含下级）工单的申请。待审核的按申请时间先后，其余按申请时间倒序。",
)
def exclusion_request_list_endpoint(request: HttpRequest, filters: Query[RequestsIn]) -> RequestListOut:
    user = request_user(request)
    search = ExclusionRequestSearch(
        decision=filters.decision or "",
        kind=filters.kind or "",
        unit_id=filters.unit,
        submitted_from=filters.date_from,
        submitted_to=filters.date_to,
    )
    qs = exclusion_requests_search(viewer=user, search=search)
    page = list(qs[filters.offset : filters.offset + filters.limit])
    labels = {kind: _labels(kind) for kind in ExclusionKind.values}
    return RequestListOut(
        count=qs.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[request_out(r, labels[r.kind]) for r in page],
    )


class DecisionIn(Schema):
    approve: bool = Field(description="true：查是（同意）；false：查否（驳回，须填写审核意见）")
    note: str = Field("", max_length=2000, pattern=NO_NUL, description="审核意见")


@router.post(
    "/exclusion-requests/{pk}/decision",
    response=responses({200: RequestOut}, 400, 404, 409),
    summary="审核剔除 / 不合理诉求申请",
    description="热线中心班长审核。查是后工单的考核范围改为申请的范围（不合理诉求另标记为不合理诉求）；查否不改变考核范围。",
)
def exclusion_request_decide_endpoint(request: HttpRequest, pk: RequestId, payload: DecisionIn) -> RequestOut:
    user = request_user(request)
    row = exclusion_request_get_for(viewer=user, pk=pk)
    exclusion_request_decide(request=row, actor=user, approve=payload.approve, note=payload.note)
    row = exclusion_request_get_for(viewer=user, pk=pk)
    return request_out(row, _labels(row.kind))


@router.post(
    "/tickets/{number}/exclusion-requests",
    response=responses({201: RequestOut}, 400, 404, 409),
    summary="申请剔除或认定不合理诉求（可附佐证材料）",
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": REQUEST_FORM_SCHEMA}}}},
    description="multipart/form-data：kind、reason_code、scope（可空，按原因默认）、statement，"
    "以及任意个 evidence 文件。"
    "由工单的主办单位申请；原因须在申请当日的清单中有效，并满足其申请期限和佐证材料要求。",
)
def exclusion_request_create_endpoint(
    request: HttpRequest,
    number: Number,
    kind: Form[ExclusionKind],
    reason_code: Form[Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)]],
    statement: Form[Annotated[str, Field(min_length=1, max_length=4000, pattern=NO_NUL)]],
    scope: Form[Scope] = "",
    evidence: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[RequestOut]:
    user = request_user(request)
    ticket = ticket_get_for(viewer=user, number=number)
    draft = AssessmentRequest(kind, reason_code, statement, scope, list(evidence or []))
    row = ticket_assessment_request(ticket=ticket, actor=user, request=draft)
    row = exclusion_request_get_for(viewer=user, pk=row.pk)
    return Status(201, request_out(row, _labels(row.kind)))
