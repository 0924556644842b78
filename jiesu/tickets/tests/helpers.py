"""Bring tickets into any status through the real services (test set-up only)."""

from __future__ import annotations

from collections.abc import Callable

from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.services import dispatch, handling, intake


def new_ticket(world: World, title: str = "小区暖气不热", **fields: object) -> Ticket:
    draft = intake.TicketDraft(title=title, content="室温不足16度", district=world.district, township=world.township)
    for name, value in fields.items():
        setattr(draft, name, value)
    return intake.ticket_create(draft=draft, actor=world.agent)


def _dispatched(w: World, t: Ticket) -> None:
    dispatch.ticket_acknowledge(ticket=t, actor=w.agent)
    dispatch.ticket_triage(ticket=t, actor=w.agent)
    dispatch.ticket_dispatch(ticket=t, actor=w.agent, lead_unit=w.township)


def _handling(w: World, t: Ticket) -> None:
    _dispatched(w, t)
    dispatch.ticket_unit_acknowledge(ticket=t, actor=w.township_staff)


def _replied(w: World, t: Ticket) -> None:
    _handling(w, t)
    handling.ticket_reply(ticket=t, actor=w.township_staff, text="已协调供热公司上门维修")


def _closed(w: World, t: Ticket) -> None:
    _replied(w, t)
    handling.ticket_review(ticket=t, actor=w.agent, accept=True)


def _self_handled(w: World, t: Ticket) -> None:
    dispatch.ticket_acknowledge(ticket=t, actor=w.agent)
    handling.ticket_self_handle(ticket=t, actor=w.agent, answer="已告知供暖投诉渠道")


def _return_requested(w: World, t: Ticket) -> None:
    _handling(w, t)
    dispatch.ticket_return_request(ticket=t, actor=w.township_staff, reason="不属于本街道职责")


def _acknowledged(w: World, t: Ticket) -> None:
    dispatch.ticket_acknowledge(ticket=t, actor=w.agent)


def _triaged(w: World, t: Ticket) -> None:
    _acknowledged(w, t)
    dispatch.ticket_triage(ticket=t, actor=w.agent)


def _suspended(w: World, t: Ticket) -> None:
    _handling(w, t)
    handling.ticket_suspend(ticket=t, actor=w.shift_lead, reason="等待司法鉴定")


def _returned_to_city(w: World, t: Ticket) -> None:
    _return_requested(w, t)
    dispatch.ticket_return_decide(ticket=t, actor=w.shift_lead, decision="city", reason="非本区事项")


def _merged(w: World, t: Ticket) -> None:
    intake.ticket_merge(ticket=t, master=new_ticket(w, "主工单"), actor=w.agent)


PATHS: dict[str, Callable[[World, Ticket], None]] = {
    TicketStatus.RECEIVED: lambda w, t: None,
    TicketStatus.ACKNOWLEDGED: _acknowledged,
    TicketStatus.TRIAGED: _triaged,
    TicketStatus.DISPATCHED: _dispatched,
    TicketStatus.HANDLING: _handling,
    TicketStatus.RETURN_REQUESTED: _return_requested,
    TicketStatus.SUSPENDED: _suspended,
    TicketStatus.REPLIED: _replied,
    TicketStatus.CLOSED: _closed,
    TicketStatus.RETURNED_TO_CITY: _returned_to_city,
    TicketStatus.MERGED: _merged,
}


def ticket_in(world: World, status: str, *, self_handled: bool = False) -> Ticket:
    ticket = new_ticket(world)
    if status == TicketStatus.CLOSED and self_handled:
        _self_handled(world, ticket)
    else:
        PATHS[status](world, ticket)
    assert ticket.status == status, (ticket.status, status)
    return Ticket.objects.get(pk=ticket.pk)


REQUESTER_NAME, REQUESTER_PHONE, REQUESTER_ID_NUMBER = "王小明", "13812341234", "110105199001011234"


def requester_ticket(world: World, status: str = TicketStatus.RECEIVED, *, confidential: bool = False) -> Ticket:
    """A ticket with a full requester (name, phone, ID number), moved to `status`, read back."""
    ticket = new_ticket(
        world,
        requester_name=REQUESTER_NAME,
        requester_phone=REQUESTER_PHONE,
        requester_id_number=REQUESTER_ID_NUMBER,
        requester_confidential=confidential,
    )
    PATHS[status](world, ticket)
    return Ticket.objects.get(pk=ticket.pk)
