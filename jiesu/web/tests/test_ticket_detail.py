"""The detail page: facts with masked personal data, deadlines, timeline, attachments, scope."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.services import dispatch
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text


@pytest.mark.django_db
def test_the_detail_shows_facts_with_personal_data_masked(login_as: LoginAs, world: World) -> None:
    ticket = new_ticket(
        world, requester_name="王五", requester_phone="13812341234", requester_id_number="110105199001011234"
    )
    text = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert ticket.title in text and "室温不足16度" in text and "已受理" in text
    assert "138****1234" in text and "王*" in text and "110105********1234" in text
    assert "13812341234" not in text and "王五" not in text and "199001011234" not in text
    assert "朝阳区" in text and "望京街道" in text


@pytest.mark.django_db
def test_deadlines_show_the_remaining_time_and_overdue_ones_are_red(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    Ticket.objects.filter(pk=ticket.pk).update(reply_due_at=timezone.now() - timedelta(hours=3, minutes=5))
    text = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert "各环节时限" in text and "反馈办理结果" in text
    assert "超期 3小时" in text
    assert '<tr class="overdue">' in text


@pytest.mark.django_db
def test_the_timeline_lists_events_with_actor_unit_status_change_and_summary(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.TRIAGED)
    dispatch.ticket_dispatch(
        ticket=ticket, actor=world.agent, lead_unit=world.township, assisting_units=[world.office], note="请尽快处理"
    )
    text = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert "办理过程" in text and "受理" in text and "签收" in text and "派单" in text
    assert "待派单 → 已派单待签收" in text
    assert "请尽快处理" in text
    assert "主办单位：望京街道" in text and "协办单位：社会救助处" in text
    assert "民政热线分中心" in text  # the actor's unit
    assert "望京街道" in text and "社会救助处" in text  # lead and assisting units in the facts


@pytest.mark.django_db
def test_only_the_actions_allowed_now_get_a_form(login_as: LoginAs, world: World) -> None:
    ticket = new_ticket(world)
    agent = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert 'id="action-acknowledged"' in agent and 'id="action-merged"' in agent
    assert 'id="action-dispatched"' not in agent and 'id="action-unit_acknowledged"' not in agent
    leader = page_text(login_as(world.leader).get(f"/tickets/{ticket.number}/"))
    assert "当前没有您可以执行的操作" in leader and 'id="action-' not in leader


@pytest.mark.django_db
def test_unit_staff_cannot_open_another_units_ticket(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.DISPATCHED)
    assert login_as(world.township_staff).get(f"/tickets/{ticket.number}/").status_code == 200
    assert login_as(world.district_staff).get(f"/tickets/{ticket.number}/").status_code == 200  # above it
    response = login_as(world.other_staff).get(f"/tickets/{ticket.number}/")
    assert response.status_code == 404 and "页面不存在" in page_text(response)
    assert login_as(world.outsider).get(f"/tickets/{ticket.number}/").status_code == 404
    posted = login_as(world.other_staff).post(
        f"/tickets/{ticket.number}/act/unit_acknowledged", {"unit_acknowledged-version": ticket.version}
    )
    assert posted.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.DISPATCHED


@pytest.mark.django_db
def test_an_attachment_is_uploaded_and_listed(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    client = login_as(world.township_staff)
    upload = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xff fake jpeg bytes", content_type="image/jpeg")
    response = client.post(f"/tickets/{ticket.number}/attachments", {"file": upload}, follow=True)
    text = page_text(response)
    assert "附件「现场照片.jpg」已上传" in text
    assert "现场照片.jpg" in text and "图片" in text
    assert ticket.attachments.get().uploaded_by == world.township_staff


@pytest.mark.django_db
def test_attachment_upload_needs_a_file_and_a_working_role(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    response = login_as(world.agent).post(f"/tickets/{ticket.number}/attachments", {}, follow=True)
    assert "请选择要上传的文件" in page_text(response)
    upload = SimpleUploadedFile("a.txt", b"x")
    assert login_as(world.leader).post(f"/tickets/{ticket.number}/attachments", {"file": upload}).status_code == 403
    assert not ticket.attachments.exists()
