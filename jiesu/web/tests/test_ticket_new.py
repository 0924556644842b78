"""The new-ticket form: creates through ticket_create, keeps input and shows Chinese errors."""

import pytest

from jiesu.orgs.testing import World
from jiesu.tickets.choices import EventKind, TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text


def form_data(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "楼道灯不亮",
        "content": "三号楼二单元楼道灯坏了一个月",
        "channel": "phone",
        "kind": "help",
        "urgency": "normal",
        "requester_name": "李四",
        "requester_phone": "13900001111",
        "address": "望京西园三区",
        "district": world.district.pk,
        "township": world.township.pk,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_form_offers_the_district_and_township_selects(login_as: LoginAs, world: World) -> None:
    text = page_text(login_as(world.agent).get("/tickets/new"))
    assert "新建工单" in text and "朝阳区" in text and "望京街道" in text
    assert "<optgroup" in text  # townships grouped by district


@pytest.mark.django_db
def test_an_agent_creates_a_ticket(login_as: LoginAs, world: World) -> None:
    response = login_as(world.agent).post("/tickets/new", form_data(world), follow=True)
    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == f"/tickets/{ticket.number}/"
    assert ticket.status == TicketStatus.RECEIVED and ticket.created_by == world.agent
    assert ticket.township == world.township and ticket.requester_phone == "13900001111"
    assert ticket.events.get().kind == EventKind.RECEIVED
    assert f"工单 {ticket.number} 已受理" in page_text(response)


@pytest.mark.django_db
def test_errors_are_chinese_beside_the_fields_and_the_input_is_kept(login_as: LoginAs, world: World) -> None:
    data = form_data(world, title="   ", requester_phone="abc", channel="fax", township=world.other_township.pk)
    response = login_as(world.agent).post("/tickets/new", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    text = page_text(response)
    assert "标题不能为空" in text or "此项必填" in text
    assert "联系电话只能包含数字" in text
    assert "选项无效，请重新选择" in text
    assert "所选街乡镇不属于所选区" in text
    assert "三号楼二单元楼道灯坏了一个月" in text and 'value="李四"' in text and 'value="abc"' in text
    assert not Ticket.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["township_staff", "leader", "analyst", "callback_agent", "outsider"])
def test_only_center_operators_may_create_tickets(login_as: LoginAs, world: World, role: str) -> None:
    client = login_as(getattr(world, role))
    assert client.get("/tickets/new").status_code == 403
    assert client.post("/tickets/new", form_data(world)).status_code == 403
    assert not Ticket.objects.exists()
