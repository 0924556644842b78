"""Repeat and duplicate links (jiesu.intel.duplicates): a ticket's links both ways within the
caller's data scope, and the center's "not a repeat" decision. Thin: parse, call, present."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.presenters import actor_out
from jiesu.api.schemas import MAX_ID, ActorOut
from jiesu.intel.choices import LinkKind, LinkStatus
from jiesu.intel.duplicates.selectors import LinkView, link_get_for, links_of
from jiesu.intel.duplicates.services import link_dismiss
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.selectors import ticket_get_for

router = Router(tags=["重复诉求"])
Number = Annotated[str, Path(description="工单编号", pattern=r"^[0-9A-Za-z_-]{1,32}$")]
LinkId = Annotated[int, Path(description="关联 id", ge=1, le=MAX_ID)]


class LinkedTicketOut(Schema):
    number: str
    title: str
    status: TicketStatus
    received_at: datetime


class LinkOut(Schema):
    id: int
    direction: str = Field(description="repeats：本单重复了对方（对方较早）；repeated_by：对方重复了本单")
    kind: LinkKind
    score: float = Field(description="相似度（同一诉求人、同一地点同一问题为 1）")
    status: LinkStatus
    detected_at: datetime
    decided_by: ActorOut | None
    decided_at: datetime | None
    ticket: LinkedTicketOut = Field(description="关联的另一张工单")


def _link_out(view: LinkView) -> LinkOut:
    link, other = view.link, view.counterpart
    return LinkOut(
        id=link.pk,
        direction="repeats" if view.outgoing else "repeated_by",
        kind=LinkKind(link.kind),
        score=link.score,
        status=LinkStatus(view.status),
        detected_at=link.detected_at,
        decided_by=actor_out(link.decided_by),
        decided_at=link.decided_at,
        ticket=LinkedTicketOut(
            number=other.number, title=other.title, status=TicketStatus(other.status), received_at=other.received_at
        ),
    )


@router.get(
    "/tickets/{number}/links",
    response=responses({200: list[LinkOut]}, 404),
    summary="工单的重复诉求关联",
    description="同一诉求人重复来电、同一地点同一问题、内容近似（疑似重复）。只列出调用者有权查看的工单。",
)
def ticket_links_endpoint(request: HttpRequest, number: Number) -> list[LinkOut]:
    user = request_user(request)
    ticket = ticket_get_for(viewer=user, number=number)
    return [_link_out(view) for view in links_of(ticket=ticket, viewer=user)]


@router.post(
    "/intel/links/{link_id}/dismiss",
    response=responses({200: LinkOut}, 404, 409),
    summary="标记“不是重复”",
    description="热线中心坐席或班长排除一条关联；记录处理人和时间。已处理的关联返回 409。",
)
def link_dismiss_endpoint(request: HttpRequest, link_id: LinkId) -> LinkOut:
    user = request_user(request)
    link = link_get_for(viewer=user, pk=link_id)
    link_dismiss(link=link, actor=user)
    view = next(v for v in links_of(ticket=link.ticket, viewer=user) if v.link.pk == link.pk)
    return _link_out(view)
