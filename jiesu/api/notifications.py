"""The caller's in-app notifications: list, mark one read, mark all read. Nobody sees or marks
another user's notifications: those answer 404, as if they did not exist."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import Field

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.schemas import MAX_ID, MAX_OFFSET
from jiesu.core.errors import NotFound
from jiesu.notify.choices import NotificationLevel
from jiesu.notify.models import Notification
from jiesu.notify.selectors import notifications_for
from jiesu.notify.services import notification_mark_read, notifications_mark_all_read

router = Router(tags=["通知"])

NotificationId = Annotated[int, Path(description="通知 id", ge=1, le=MAX_ID)]


class NotificationFilterIn(Schema):
    unread: bool = Field(False, description="true：只看未读通知")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    link: str = Field(description="相关页面（通常是工单详情页）的站内地址，可能为空")
    level: NotificationLevel
    level_label: str
    created_at: datetime
    read_at: datetime | None
    is_read: bool


class NotificationListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[NotificationOut]


class MarkedOut(Schema):
    marked: int = Field(description="本次标为已读的通知条数")


def notification_out(notification: Notification) -> NotificationOut:
    return NotificationOut(
        id=notification.pk,
        title=notification.title,
        body=notification.body,
        link=notification.link,
        level=NotificationLevel(notification.level),
        level_label=notification.get_level_display(),
        created_at=notification.created_at,
        read_at=notification.read_at,
        is_read=notification.read_at is not None,
    )


@router.get("", response=responses({200: NotificationListOut}), summary="我的通知（最新的在前）")
def notification_list_endpoint(request: HttpRequest, filters: Query[NotificationFilterIn]) -> NotificationListOut:
    qs = notifications_for(user=request_user(request), unread_only=filters.unread)
    page = qs[filters.offset : filters.offset + filters.limit]
    return NotificationListOut(
        count=qs.count(), limit=filters.limit, offset=filters.offset, items=[notification_out(n) for n in page]
    )


@router.post("/read-all", response=responses({200: MarkedOut}), summary="全部标为已读")
def notification_read_all_endpoint(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=notifications_mark_all_read(user=request_user(request)))


@router.post("/{notification_id}/read", response=responses({200: NotificationOut}, 404), summary="标为已读")
def notification_read_endpoint(request: HttpRequest, notification_id: NotificationId) -> NotificationOut:
    """Marking a read notification again is harmless: it keeps its first read time."""
    user = request_user(request)
    mine = notifications_for(user=user)
    if not mine.filter(pk=notification_id).exists():
        raise NotFound("通知不存在")
    notification_mark_read(notification_id=notification_id, user=user)
    return notification_out(mine.get(pk=notification_id))
