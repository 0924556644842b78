"""Moving tickets through their lifecycle with the detail page's forms."""

import pytest

from jiesu.orgs.testing import World
from jiesu.tickets.choices import EventKind, Kind, Satisfaction, TicketStatus, Urgency
from jiesu.tickets.models import Callback, Ticket
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import act, page_text


def status_of(ticket: Ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).status


@pytest.mark.django_db
def test_a_ticket_goes_through_its_whole_lifecycle_through_the_forms(login_as: LoginAs, world: World) -> None:
    ticket = new_ticket(world)
    agent, township = login_as(world.agent), login_as(world.township_staff)

    response = act(agent, ticket, "acknowledged")
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.number}/"
    assert status_of(ticket) == TicketStatus.ACKNOWLEDGED

    act(agent, ticket, "triaged", kind=Kind.COMPLAINT, urgency=Urgency.URGENT, is_complex="on", reason="供暖投诉")
    triaged = Ticket.objects.get(pk=ticket.pk)
    assert triaged.status == TicketStatus.TRIAGED and triaged.kind == Kind.COMPLAINT and triaged.is_complex

    page = page_text(agent.get(f"/tickets/{ticket.number}/"))
    assert 'id="action-dispatched"' in page and "<optgroup" in page
    act(agent, ticket, "dispatched", lead_unit=world.township.pk, assisting_units=[world.office.pk])
    dispatched = Ticket.objects.get(pk=ticket.pk)
    assert dispatched.status == TicketStatus.DISPATCHED and dispatched.lead_unit == world.township

    assert 'id="action-unit_acknowledged"' in page_text(township.get(f"/tickets/{ticket.number}/"))
    act(township, ticket, "unit_acknowledged")
    assert status_of(ticket) == TicketStatus.HANDLING
    act(township, ticket, "replied", text="已联系供热公司，室温恢复至20度")
    assert status_of(ticket) == TicketStatus.REPLIED

    act(agent, ticket, "closed", reason="反馈完整")
    assert status_of(ticket) == TicketStatus.CLOSED
    response = act(
        agent, ticket, "callback_recorded", contacted="yes", resolved="yes", satisfaction="satisfied", is_valid="on"
    )
    followed = agent.get(response["Location"])
    text = page_text(followed)
    assert "已完成「回访」" in text and "已办结" in text
    callback = Callback.objects.get(ticket=ticket)
    assert callback.is_valid and callback.resolved and callback.satisfaction == Satisfaction.SATISFIED
    kinds = list(Ticket.objects.get(pk=ticket.pk).events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.RECEIVED,
        EventKind.ACKNOWLEDGED,
        EventKind.TRIAGED,
        EventKind.DISPATCHED,
        EventKind.UNIT_ACKNOWLEDGED,
        EventKind.REPLIED,
        EventKind.CLOSED,
        EventKind.CALLBACK_RECORDED,
    ]


@pytest.mark.django_db
def test_a_stale_form_is_refused_without_applying(login_as: LoginAs, world: World) -> None:
    ticket = new_ticket(world)
    stale_version = ticket.version
    act(login_as(world.shift_lead), ticket, "acknowledged")  # someone else was quicker
    response = act(login_as(world.agent), ticket, "merged", version=stale_version, master_number="X", reason="重复")
    assert response.status_code == 409
    text = page_text(response)
    assert "该工单已被他人处理，请刷新" in text
    assert 'value="X"' in text  # the typed input is still there
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == TicketStatus.ACKNOWLEDGED and fresh.events.count() == 2


@pytest.mark.django_db
def test_a_refused_action_shows_the_chinese_reason_and_keeps_the_input(login_as: LoginAs, world: World) -> None:
    ticket = new_ticket(world)
    response = act(login_as(world.agent), ticket, "merged", master_number="20990101999999", reason="与前一单重复")
    assert response.status_code == 400
    text = page_text(response)
    assert "主工单不存在" in text
    assert 'value="20990101999999"' in text and "与前一单重复" in text
    assert '<details class="action" id="action-merged" open>' in text
    assert status_of(ticket) == TicketStatus.RECEIVED


@pytest.mark.django_db
def test_a_missing_required_reason_is_shown_beside_the_field(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    response = act(login_as(world.township_staff), ticket, "return_requested", reason="")
    assert response.status_code == 400
    text = page_text(response)
    assert "「申请退单」填写有误" in text and "此项必填" in text
    assert status_of(ticket) == TicketStatus.HANDLING


@pytest.mark.django_db
def test_an_action_the_user_may_not_do_is_refused_in_chinese(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.DISPATCHED)
    response = act(login_as(world.agent), ticket, "unit_acknowledged")
    assert response.status_code == 403
    assert "无权执行「承办单位签收」" in page_text(response)
    assert status_of(ticket) == TicketStatus.DISPATCHED


@pytest.mark.django_db
def test_the_center_handles_returns_and_units_forward_down(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.TRIAGED)
    agent, district = login_as(world.agent), login_as(world.district_staff)
    act(agent, ticket, "dispatched", lead_unit=world.district.pk)
    act(district, ticket, "unit_acknowledged")
    page = page_text(district.get(f"/tickets/{ticket.number}/"))
    assert 'id="action-forwarded"' in page and "望京街道" in page
    act(district, ticket, "forwarded", lead_unit=world.township.pk, reason="属地街道办理")
    forwarded = Ticket.objects.get(pk=ticket.pk)
    assert forwarded.status == TicketStatus.DISPATCHED and forwarded.lead_unit == world.township
    township = login_as(world.township_staff)
    act(township, ticket, "unit_acknowledged")
    act(township, ticket, "return_requested", reason="不属于本街道职责")
    assert status_of(ticket) == TicketStatus.RETURN_REQUESTED
    act(login_as(world.shift_lead), ticket, "return_approved", reason="重新分拣")
    assert status_of(ticket) == TicketStatus.TRIAGED


@pytest.mark.django_db
def test_extension_request_takes_a_local_date_time(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    response = act(
        login_as(world.township_staff), ticket, "extension_requested", until="2099-05-06T17:30", reason="需协调多部门"
    )
    assert response.status_code == 302
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.extension_pending
    assert fresh.extension_requested_until is not None
    assert fresh.extension_requested_until.isoformat() == "2099-05-06T09:30:00+00:00"
