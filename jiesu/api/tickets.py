"""Ticket endpoints: intake, lists (also due soon / overdue), detail, timeline, every action, attachments.

Endpoints stay thin: parse, resolve references, call a service or selector, present the result.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Path, Query, Router, Status, UploadedFile

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.filters import check_moment, ticket_search_from
from jiesu.api.presenters import (
    attachment_out,
    due_ticket_out,
    event_out,
    ticket_detail_out,
    ticket_out,
    ticket_state_out,
)
from jiesu.api.schemas import (
    ActionIn,
    ActionOut,
    AttachmentOut,
    DueFilterIn,
    DueTicketListOut,
    EventOut,
    RevealIn,
    RevealOut,
    TicketCreateIn,
    TicketDetailOut,
    TicketFilterIn,
    TicketListOut,
)
from jiesu.core.errors import ValidationFailed
from jiesu.orgs.models import Unit, User
from jiesu.orgs.security.sessions import client_address
from jiesu.reminders.selectors import tickets_due_soon, tickets_overdue
from jiesu.tickets.choices import EventKind
from jiesu.tickets.errors import StaleTicket, TicketInvalid
from jiesu.tickets.models import Category, Ticket
from jiesu.tickets.selectors import (
    ticket_actions_for,
    ticket_assisting_units,
    ticket_get_for,
    ticket_timeline,
    tickets_search,
)
from jiesu.tickets.services.actions import ActionInput, ticket_perform
from jiesu.tickets.services.attachments import attachment_store
from jiesu.tickets.services.intake import TicketDraft, ticket_create
from jiesu.tickets.services.pii import requester_reveal

router = Router(tags=["工单"])

# Ticket numbers are ours (digits); the pattern also keeps NUL and odd bytes away from the database.
Number = Annotated[str, Path(description="工单编号", pattern=r"^[0-9A-Za-z_-]{1,32}$")]
ACTION_DESCRIPTION = (
    "action 为事件类型（EventKind）。各操作读取的字段：dispatched / redispatched：lead_unit_id（必填）、"
    "assisting_unit_ids、reason；forwarded：lead_unit_id；triaged：category_id、kind、urgency、is_complex、reason；"
    "replied / self_handled：text；contacted：reached、reason；callback_recorded：contacted、resolved、satisfaction、"
    "is_valid、reason；callback_attempted：outcome（reached 时另需 contacted、resolved、satisfaction）、reason；"
    "extension_requested：until、reason；extension_approved：until（可选）；merged：master_number；"
    "exclusion_requested / unreasonable_requested：reason_code、scope、reason（附佐证材料请用 "
    "/tickets/{number}/exclusion-requests）；sector_confirmed：answer、reason；其余操作：reason。"
    "给出 expected_version 时，若工单已被他人修改则返回 409 stale_ticket。"
)
FILE_SCHEMA = {"additionalProperties": False, "properties": {"file": {"minLength": 1}}}


def _unit_from_ref(ref: int | str | None, field: str, label: str) -> Unit | None:
    if ref is None:
        return None
    unit = Unit.objects.filter(pk=ref).first() if isinstance(ref, int) else Unit.objects.filter(code=ref).first()
    if unit is None:
        raise TicketInvalid(f"{label}不存在：{ref}", field=field)
    return unit


def _category_from_ref(ref: int | str | None) -> Category | None:
    if ref is None:
        return None
    qs = Category.objects.all()
    category = qs.filter(pk=ref).first() if isinstance(ref, int) else qs.filter(code=ref).first()
    if category is None:
        raise TicketInvalid(f"问题分类不存在：{ref}", field="category")
    return category


def _draft(payload: TicketCreateIn) -> TicketDraft:
    check_moment(payload.received_at, "received_at", "受理时间")
    data = payload.model_dump(exclude={"district", "township", "community", "category"})
    return TicketDraft(
        **data,
        district=_unit_from_ref(payload.district, "district", "所属区"),
        township=_unit_from_ref(payload.township, "township", "所属街乡镇"),
        community=_unit_from_ref(payload.community, "community", "所属社区村"),
        category=_category_from_ref(payload.category),
    )


def _detail(ticket: Ticket, viewer: User) -> TicketDetailOut:
    merged_into = ticket.merged_into.number if ticket.merged_into_id and ticket.merged_into else None
    return ticket_detail_out(
        ticket,
        viewer=viewer,
        assisting_units=ticket_assisting_units(ticket=ticket),
        allowed_actions=ticket_actions_for(ticket=ticket, viewer=viewer),
        merged_into=merged_into,
    )


@router.post("", response=responses({201: TicketDetailOut}, 400), summary="受理新工单")
def ticket_create_endpoint(request: HttpRequest, payload: TicketCreateIn) -> Status[TicketDetailOut]:
    user = request_user(request)
    ticket = ticket_create(draft=_draft(payload), actor=user)
    return Status(201, _detail(ticket_get_for(viewer=user, pk=ticket.pk), user))


@router.get("", response=responses({200: TicketListOut}, 400), summary="工单列表")
def ticket_list_endpoint(request: HttpRequest, filters: Query[TicketFilterIn]) -> TicketListOut:
    user = request_user(request)
    qs = tickets_search(viewer=user, search=ticket_search_from(filters))
    total = qs.count()
    page = qs.select_related("community")[filters.offset : filters.offset + filters.limit]
    now = timezone.now()
    return TicketListOut(
        count=total,
        limit=filters.limit,
        offset=filters.offset,
        items=[ticket_out(t, viewer=user, now=now) for t in page],
    )


@router.get(
    "/due",
    response=responses({200: DueTicketListOut}, 400),
    summary="即将到期 / 已超期的工单",
    description="任一环节（签收、派单、承办单位签收、反馈、回访、行业确认）即将到期或已超期、尚未完成的工单，"
    "按该环节时限先后排列；中心用户看全部环节，承办单位只看本单位负责的环节。",
)
def ticket_due_endpoint(request: HttpRequest, filters: Query[DueFilterIn]) -> DueTicketListOut:
    user = request_user(request)
    unit = Unit.objects.filter(pk=filters.unit).first() if filters.unit is not None else None
    if filters.unit is not None and unit is None:
        raise ValidationFailed(f"单位不存在：{filters.unit}", field="unit")
    if filters.kind == "soon":
        qs = tickets_due_soon(user, timedelta(hours=filters.within_hours), unit=unit)
    else:
        qs = tickets_overdue(user, unit=unit)
    page = qs.select_related("district", "township", "community", "category", "lead_unit")
    now = timezone.now()
    items = [due_ticket_out(t, now, viewer=user) for t in page[filters.offset : filters.offset + filters.limit]]
    return DueTicketListOut(count=qs.count(), limit=filters.limit, offset=filters.offset, items=items)


@router.get("/{number}", response=responses({200: TicketDetailOut}, 404), summary="工单详情")
def ticket_detail_endpoint(request: HttpRequest, number: Number) -> TicketDetailOut:
    user = request_user(request)
    return _detail(ticket_get_for(viewer=user, number=number), user)


@router.post(
    "/{number}/reveal",
    response=responses({200: RevealOut}, 400, 404),
    summary="查看诉求人完整信息",
    description="返回所请求字段的完整内容（其余字段省略）。须填写查看原因；每次查看（含被拒绝的）都记入审计日志。"
    "热线中心的坐席、班长、回访员可以查看；承办单位人员仅在工单由本单位办理期间、且诉求人未要求保密时可以查看。",
    exclude_none=True,
)
def ticket_reveal_endpoint(
    request: HttpRequest, response: HttpResponse, number: Number, payload: RevealIn
) -> RevealOut:
    user = request_user(request)
    ticket = ticket_get_for(viewer=user, number=number)
    values = requester_reveal(
        ticket, actor=user, fields=list(payload.fields), reason=payload.reason, source_address=client_address(request)
    )
    response["Cache-Control"] = "no-store"
    return RevealOut.model_validate(values)


@router.get("/{number}/events", response=responses({200: list[EventOut]}, 404), summary="工单时间线")
def ticket_events_endpoint(request: HttpRequest, number: Number) -> list[EventOut]:
    ticket = ticket_get_for(viewer=request_user(request), number=number)
    return [event_out(e) for e in ticket_timeline(ticket=ticket)]


def _action_input(payload: ActionIn) -> ActionInput:
    check_moment(payload.until, "until", "延期时限")
    data = payload.model_dump(exclude={"expected_version", "satisfaction", "scope", "answer", "outcome"})
    return ActionInput(
        **data,
        satisfaction=payload.satisfaction or "",
        outcome=payload.outcome or "",
        scope=payload.scope or "",
        answer=payload.answer or "",
    )


@router.post(
    "/{number}/actions/{action}",
    response=responses({200: ActionOut}, 400, 404, 409),
    summary="对工单执行一项操作（签收、派单、反馈、办结、回访……）",
    description=ACTION_DESCRIPTION,
)
def ticket_action_endpoint(
    request: HttpRequest, number: Number, action: EventKind, payload: ActionIn | None = None
) -> ActionOut:
    user = request_user(request)
    payload = payload or ActionIn.model_validate({})  # acknowledging and the like need no body at all
    with transaction.atomic():
        ticket = ticket_get_for(viewer=user, number=number)
        expected = payload.expected_version
        if expected is not None and expected != ticket.version:
            raise StaleTicket(expected_version=expected, current_version=ticket.version)
        event = ticket_perform(ticket=ticket, action=action.value, actor=user, data=_action_input(payload))
    ticket.refresh_from_db(fields=["status", "version"])
    return ActionOut(event=event_out(event), ticket=ticket_state_out(ticket))


def _clean_name(value: str, limit: int) -> str:
    return value.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")[:limit]


@router.post(
    "/{number}/attachments",
    response=responses({201: AttachmentOut}, 400, 404),
    summary="上传附件",
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": FILE_SCHEMA}}}},
)
def attachment_upload_endpoint(request: HttpRequest, number: Number, file: File[UploadedFile]) -> Status[AttachmentOut]:
    user = request_user(request)
    ticket = ticket_get_for(viewer=user, number=number)
    if not file.size:
        raise ValidationFailed("附件是空文件", field="file")
    attachment = attachment_store(
        ticket=ticket,
        stream=file,
        original_name=_clean_name(file.name or "", 255),
        content_type=_clean_name(file.content_type or "", 128),
        actor=user,
    )
    return Status(201, attachment_out(attachment))


@router.get("/{number}/attachments", response=responses({200: list[AttachmentOut]}, 404), summary="附件列表")
def attachment_list_endpoint(request: HttpRequest, number: Number) -> list[AttachmentOut]:
    ticket = ticket_get_for(viewer=request_user(request), number=number)
    return [attachment_out(a) for a in ticket.attachments.select_related("uploaded_by").order_by("uploaded_at", "id")]
